/**
 * The real `oaio` CLI as a child process with a bounded wait: a command that should exit but
 * hangs (an open connection keeping the event loop alive) is killed after `killAfterMs` and
 * reported with `hung: true` instead of stalling the test run.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../helpers/cli.js";

/** tsx's loader by absolute URL: `--import tsx` would be resolved from the child's cwd (a temp folder has no node_modules). */
const TSX = pathToFileURL(join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the process did not exit by itself within the bound and was killed. */
  readonly hung: boolean;
}

/** Runs `oaio <args>` from source; kills it after `killAfterMs` (default 90 s: tsx start-up on a loaded 2-core machine takes 10 s and more). */
export function runOaio(
  args: readonly string[],
  opts: { killAfterMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string; nodeArgs?: readonly string[] } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, ...(opts.nodeArgs ?? []), `${REPO_ROOT}bin/oaio.ts`, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, ...opts.env, NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let hung = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.on("error", () => {});
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, opts.killAfterMs ?? 90_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung });
    });
    child.stdin.end(opts.stdin ?? "");
  });
}

/** Splits one printed shell command line (single-quoted words, no other quoting) into argv. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : (m[2] ?? ""));
  return words;
}

/** A long-running `oaio` child (e.g. serve): wait for a line, then stop it with SIGINT. */
export interface RunningOaio {
  /** Resolves with stdout so far once it contains `text`; rejects if the process exits or `ms` pass first. */
  waitFor(text: string, ms?: number): Promise<string>;
  /** SIGINT, then the exit result (SIGKILL after 10 s). */
  stop(): Promise<ChildResult>;
}

/** Starts `oaio <args>` from source and keeps it running until {@link RunningOaio.stop}. */
export function startOaio(args: readonly string[], nodeArgs: readonly string[] = []): RunningOaio {
  const child = spawn(process.execPath, ["--import", TSX, ...nodeArgs, `${REPO_ROOT}bin/oaio.ts`, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let exited: { code: number | null } | undefined;
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const closed = new Promise<void>((resolve) =>
    child.on("close", (code) => {
      exited = { code };
      resolve();
    }),
  );
  return {
    async waitFor(text, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (!stdout.includes(text)) {
        if (exited !== undefined) throw new Error(`oaio exited (${exited.code}) before printing ${JSON.stringify(text)}: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`oaio did not print ${JSON.stringify(text)} within ${ms} ms; stdout: ${stdout}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return stdout;
    },
    async stop() {
      let hung = false;
      if (exited === undefined) {
        child.kill("SIGINT");
        const timer = setTimeout(() => {
          hung = true;
          child.kill("SIGKILL");
        }, 10_000);
        await closed;
        clearTimeout(timer);
      }
      return { code: exited?.code ?? null, stdout, stderr, hung };
    },
  };
}
