/**
 * Helpers for the Python SDK suites: the venv (scripts/python-env.sh), running its tools in
 * child processes without leaving caches in the tree, and writing a generated package to a
 * temporary directory.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { GeneratedFile } from "../../generator/emitter.js";
import { REPO_ROOT, runProcess, type CliResult } from "../helpers/cli.js";

export type RunResult = CliResult;

/** Runs a command to completion, capturing its output (never throws on a non-zero exit). */
export const run = runProcess;

/** The venv's bin directory and an environment that keeps bytecode out of the tree. */
export interface PythonEnv {
  readonly bin: string;
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Creates or updates .venv with scripts/python-env.sh (quick when already set up). */
export async function ensureVenv(): Promise<PythonEnv> {
  const res = await run("bash", [join(REPO_ROOT, "scripts/python-env.sh")]);
  if (res.code !== 0) throw new Error(`scripts/python-env.sh exited ${String(res.code)}:\n${res.stderr}`);
  const python = res.stdout.trim().split("\n").pop() ?? "";
  return { python, bin: dirname(python), env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", NO_COLOR: "1" } };
}

/** mypy's cache for one target, inside the (git-ignored) venv. */
export function mypyCache(py: PythonEnv, name: string): string {
  return join(dirname(py.bin), ".mypy_cache", name);
}

/** Writes generated files under a fresh temporary directory; returns it. */
export function writeTemp(files: readonly GeneratedFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), "oaio-py-"));
  for (const f of files) {
    const full = join(dir, f.path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.content);
  }
  return dir;
}

/** Formats a failed run for an assertion message. */
export function explain(res: RunResult): string {
  return `exit ${String(res.code)}\n${res.stdout.slice(-4000)}\n${res.stderr.slice(-4000)}`;
}
