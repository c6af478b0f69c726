/**
 * Builds a Kotlin program against the generated Kotlin SDK's sources (generated/kotlin: the
 * codec in src/main/kotlin, the Bus in src/runtime/kotlin) in a
 * throw-away Maven module: the SDK's pom (same Kotlin, coroutines, jnats and serialization
 * versions, -Werror) with extra source folders, compiled offline (`mvn -o`) from the local
 * repository that scripts/ensure-tools.sh fills. Returns the `java` command line prefix.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../generator/paths.js";

const REPO_ROOT = packageRoot();

export const MAVEN_TIMEOUT_MS = 10 * 60_000;

/** A compiled Kotlin program: run `java -cp <classpath> <mainClass> args…`. */
export interface KotlinProgram {
  readonly classpath: string;
  readonly mainClass: string;
}

/**
 * Compiles generated/kotlin/src/{main,runtime}/kotlin plus `sources` (folders) into `work/target` and
 * resolves the runtime classpath; throws with Maven's output when either fails.
 */
export function buildKotlinProgram(work: string, sources: readonly string[], mainClass: string): KotlinProgram {
  mkdirSync(work, { recursive: true });
  const sdkPom = readFileSync(join(REPO_ROOT, "generated", "kotlin", "pom.xml"), "utf8");
  const sdk = join(REPO_ROOT, "generated", "kotlin", "src");
  const dirs = [join(sdk, "main", "kotlin"), join(sdk, "runtime", "kotlin"), ...sources];
  const pom = sdkPom
    .replace(/<artifactId>acp-sdk<\/artifactId>/u, "<artifactId>acp-sdk-program</artifactId>")
    .replace(/<oaio\.build\.dir>[^<]*<\/oaio\.build\.dir>/u, `<oaio.build.dir>${join(work, "target")}</oaio.build.dir>`)
    .replace(/<sourceDirectory>[^<]*<\/sourceDirectory>/u, "")
    .replace(/<sourceDirs>[\s\S]*?<\/sourceDirs>/u, `<sourceDirs>${dirs.map((d) => `<sourceDir>${d}</sourceDir>`).join("")}</sourceDirs>`);
  writeFileSync(join(work, "pom.xml"), pom);
  const cpFile = join(work, "classpath.txt");
  const r = spawnSync("mvn", ["-o", "-q", "-B", "compile", "dependency:build-classpath", `-Dmdep.outputFile=${cpFile}`, "-Dmdep.includeScope=runtime"], {
    cwd: work,
    encoding: "utf8",
    timeout: MAVEN_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`mvn compile of ${sources.join(", ")} failed:\n${`${r.stdout}${r.stderr}${r.error ?? ""}`.slice(-6000)}`);
  const deps = readFileSync(cpFile, "utf8").trim();
  return { classpath: [join(work, "target", "classes"), deps].join(":"), mainClass };
}
