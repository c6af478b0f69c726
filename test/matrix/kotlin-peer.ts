/**
 * The Kotlin matrix peer (peers/kotlin/MatrixPeer.kt), compiled with -Werror against the
 * generated Kotlin SDK by test/kotlin/peer-build.ts, once per content: the build goes to
 * `$TMPDIR/oaio-matrix-kotlin-<hash>` (hash of the SDK's pom and sources, the peer's sources and
 * the build helper), so a second run with nothing changed starts the JVMs at once, and any
 * change to the SDK or the peer builds afresh. Concurrent runs each build in a directory of their
 * own and the first to finish is kept (an atomic rename).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { packageRoot } from "../../generator/paths.js";
import { buildKotlinProgram, type KotlinProgram } from "../kotlin/peer-build.js";

const REPO_ROOT = packageRoot();
export const KOTLIN_PEER_SOURCES = join(REPO_ROOT, "test", "matrix", "peers", "kotlin");
const MAIN_CLASS = "dev.openagentio.matrix.MatrixPeerKt";
const MARKER = "program.json";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : d.isFile() ? [p] : [];
  });
}

/** Hash of everything the compiled peer depends on. */
export function kotlinPeerHash(): string {
  const sdk = join(REPO_ROOT, "generated", "kotlin");
  const inputs = [
    join(sdk, "pom.xml"),
    ...filesUnder(join(sdk, "src", "main")),
    ...filesUnder(join(sdk, "src", "runtime")),
    ...filesUnder(KOTLIN_PEER_SOURCES),
    join(REPO_ROOT, "test", "kotlin", "peer-build.ts"),
  ].sort();
  const h = createHash("sha256");
  for (const f of inputs) h.update(relative(REPO_ROOT, f)).update("\0").update(readFileSync(f)).update("\0");
  return h.digest("hex").slice(0, 16);
}

function cached(dir: string): KotlinProgram | undefined {
  const marker = join(dir, MARKER);
  if (!existsSync(marker)) return undefined;
  const p = JSON.parse(readFileSync(marker, "utf8")) as { deps: string };
  const classes = join(dir, "target", "classes");
  if (!existsSync(classes) || !statSync(classes).isDirectory()) return undefined;
  return { classpath: [classes, p.deps].join(":"), mainClass: MAIN_CLASS };
}

/** The compiled Kotlin peer: from the cache, or built now (Maven offline, -Werror). */
export function kotlinPeerProgram(): KotlinProgram {
  const dir = join(tmpdir(), `oaio-matrix-kotlin-${kotlinPeerHash()}`);
  const hit = cached(dir);
  if (hit !== undefined) return hit;
  const work = mkdtempSync(`${dir}.build-`);
  try {
    const built = buildKotlinProgram(work, [KOTLIN_PEER_SOURCES], MAIN_CLASS);
    const deps = built.classpath.split(":").slice(1).join(":");
    writeFileSync(join(work, MARKER), JSON.stringify({ deps }));
    try {
      renameSync(work, dir);
    } catch {
      // another run finished first (its build is the same content), or a broken leftover
      if (cached(dir) === undefined) {
        rmSync(dir, { recursive: true, force: true });
        renameSync(work, dir);
      }
    }
    const program = cached(dir);
    if (program === undefined) throw new Error(`the Kotlin matrix peer build in ${dir} is incomplete; remove the directory and run again`);
    return program;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
