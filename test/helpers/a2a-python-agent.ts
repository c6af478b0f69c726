/**
 * Starts test/peers/a2a-python/cli_agent.py: an A2A 1.0 agent on the official Python SDK
 * (a2a-sdk 1.3.0 in .venv-a2a, set up by scripts/a2a-peer-env.sh), JSON-RPC on a free loopback
 * port. Resolves once it printed `READY <url>`; `close()` stops it with SIGTERM (SIGKILL after 10 s).
 */
import { execFileSync, spawn } from "node:child_process";
import { REPO_ROOT } from "./cli.js";

export interface PythonAgent extends AsyncDisposable {
  /** Base URL: the card is at /.well-known/agent-card.json, JSON-RPC at /rpc. */
  readonly url: string;
  close(): Promise<void>;
}

/** The a2a-sdk venv's python (installs it on first use; a no-op when installed). */
export function a2aPython(): string {
  return (
    execFileSync("bash", [`${REPO_ROOT}scripts/a2a-peer-env.sh`], { encoding: "utf8", timeout: 600_000 })
      .trim()
      .split("\n")
      .pop() ?? ""
  );
}

/** Starts cli_agent.py and waits (at most 60 s) for it to serve. */
export async function startPythonAgent(): Promise<PythonAgent> {
  const child = spawn(a2aPython(), [`${REPO_ROOT}test/peers/a2a-python/cli_agent.py`], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`cli_agent.py did not print READY within 60 s: ${err}`));
    }, 60_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`cli_agent.py exited (${code}): ${err}`));
    });
  });
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { url, close, [Symbol.asyncDispose]: close };
}
