/** Runs child processes for tests: any command (`runProcess`) or the `oaio` CLI from source (`runCli`). */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Kills `child` when the running test ends (passed, failed or timed out) if it is still alive:
 * a test that times out abandons its await, and the child would outlive the file (the leak check
 * of test/setup/leak-check.ts names it). Outside a test (a `beforeAll`) the caller owns the child.
 */
export function killOnTestEnd(child: ChildProcess): void {
  try {
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
  } catch {
    // outside a test body (a beforeAll) vitest refuses the hook: the caller closes the child
  }
}

/**
 * Runs `cmd args` to completion with `input` on stdin, capturing its output; never rejects on a
 * non-zero exit. `env` replaces the environment when given; `cwd` defaults to the repo root.
 */
export function runProcess(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Uint8Array } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    killOnTestEnd(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    // A child that exits without reading its stdin makes the write fail with EPIPE; its exit
    // code and output are what the caller checks, so that failure is not an error here.
    child.stdin.on("error", () => {});
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

/** Runs `oaio <args>` with `cwd` (default: the repo root), optional stdin; resolves when it exits. */
export function runCli(args: readonly string[], opts: { cwd?: string; stdin?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return runProcess(process.execPath, ["--import", "tsx", `${REPO_ROOT}bin/oaio.ts`, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...opts.env, NO_COLOR: "1" },
    ...(opts.stdin === undefined ? {} : { input: opts.stdin }),
  });
}
