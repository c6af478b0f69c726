/**
 * Runs emitters over the IR and writes their files, or checks that the files on disk are
 * what the emitters would write (`oaio generate --check`).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { Emitter, GeneratedFile } from "./emitter.js";
import type { Ir } from "./ir/types.js";

/** What differs between disk and the emitters' output. */
export interface StaleFile {
  readonly path: string;
  readonly reason: "missing" | "differs" | "extra";
}

/** Runs every emitter (in the order given) and returns all files, sorted by path. */
export async function emitAll(ir: Ir, emitters: readonly Emitter[]): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const emitter of emitters) files.push(...(await emitter.emit(ir)));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two emitters produce ${f.path}`);
    seen.add(f.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Tool caches that language toolchains drop next to generated sources when run by hand
 * (pytest, mypy, ruff, Python bytecode, Maven's target/ of generated/kotlin). They are never
 * emitted, and never "extra".
 */
const IGNORED_DIRS: ReadonlySet<string> = new Set(["__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "target"]);

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && IGNORED_DIRS.has(entry.name)) continue;
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/** Compares `files` with `outDir`; extras are files under an emitter root that no emitter produced. */
export function checkFiles(outDir: string, files: readonly GeneratedFile[], roots: readonly string[]): StaleFile[] {
  const stale: StaleFile[] = [];
  const expected = new Set(files.map((f) => f.path));
  for (const f of files) {
    const full = join(outDir, f.path);
    if (!existsSync(full)) stale.push({ path: f.path, reason: "missing" });
    else if (readFileSync(full, "utf8") !== f.content) stale.push({ path: f.path, reason: "differs" });
  }
  for (const root of roots) {
    for (const full of listFiles(join(outDir, root))) {
      const rel = relative(outDir, full).split("\\").join("/");
      if (!expected.has(rel)) stale.push({ path: rel, reason: "extra" });
    }
  }
  return stale.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes `files` under `outDir`, removing extras under the emitter roots; returns what changed. */
export function writeFiles(outDir: string, files: readonly GeneratedFile[], roots: readonly string[]): StaleFile[] {
  const changed = checkFiles(outDir, files, roots);
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const s of changed) {
    const full = join(outDir, s.path);
    if (s.reason === "extra") {
      rmSync(full);
      continue;
    }
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, byPath.get(s.path)?.content ?? "");
  }
  return changed;
}
