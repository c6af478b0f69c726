/**
 * Builds generated Kotlin contract code with the generated Kotlin SDK (codec and coroutine Bus)
 * in a throw-away Maven module: test/kotlin/peer-build.ts's build (the SDK's pom: same Kotlin,
 * coroutines, jnats and serialization versions, warnings as errors, explicit API mode, offline
 * `mvn -o -q`), and runs a main class on the compiled classes. Shared by the Kotlin contract
 * tests.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../helpers/cli.js";
import { buildKotlinProgram } from "../kotlin/peer-build.js";

/** True when `mvn` runs here. */
export function hasMaven(): boolean {
  try {
    execFileSync("mvn", ["-v"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

const SDK_SOURCES = resolve(REPO_ROOT, "generated/kotlin/src");

/**
 * Compiles `sourceDirs` with the SDK's sources (folders under generated/kotlin/src are the SDK's
 * and always included) into `<work>/target/classes`; the exit code and Maven's error and warning
 * lines. The runtime classpath is kept for [runKotlin].
 */
export function compileKotlin(work: string, sourceDirs: readonly string[]): { code: number; output: string[] } {
  const extra = sourceDirs.filter((d) => !resolve(d).startsWith(SDK_SOURCES));
  try {
    const program = buildKotlinProgram(work, extra, "");
    writeFileSync(join(work, "run-classpath.txt"), program.classpath);
    return { code: 0, output: [] };
  } catch (err: unknown) {
    const text = err instanceof Error ? err.message : String(err);
    return {
      code: 1,
      output: text
        .split("\n")
        .filter((l) => /ERROR|WARN|error:|warning:/.test(l))
        .slice(0, 30),
    };
  }
}

/** The classpath [compileKotlin] resolved for `work` (the compiled classes first). */
export function kotlinClasspath(work: string): string {
  return readFileSync(join(work, "run-classpath.txt"), "utf8");
}

/** Runs `mainClass` on the classes compiled under `work`; its stdout. */
export function runKotlin(work: string, mainClass: string, args: readonly string[] = []): string {
  return execFileSync("java", ["-cp", kotlinClasspath(work), mainClass, ...args], { encoding: "utf8", timeout: 60_000 });
}

/** Starts `mainClass` on the classes compiled under `work` as a long-running process (stdio piped). */
export function spawnKotlin(work: string, mainClass: string, args: readonly string[] = []): ChildProcessWithoutNullStreams {
  return spawn("java", ["-cp", kotlinClasspath(work), mainClass, ...args], { stdio: ["pipe", "pipe", "pipe"] });
}
