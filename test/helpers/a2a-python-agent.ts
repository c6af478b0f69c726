/**
 * Starts test/peers/a2a-python/agent.py (the official A2A Python SDK, a2a-sdk 1.3.0 from
 * .venv-a2a via scripts/a2a-peer-env.sh) on free loopback ports: JSON-RPC and HTTP+JSON on one
 * HTTP port, gRPC on another. Resolves once the agent printed "ready" and its card answers;
 * `close()` stops it and waits for the exit.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "./cli.js";

export interface A2aPythonAgent extends AsyncDisposable {
  /** Base URL (JSON-RPC endpoint and card). */
  readonly url: string;
  readonly restUrl: string;
  /** host:port of the gRPC server. */
  readonly grpcAddress: string;
  close(): Promise<void>;
}

/** The python of .venv-a2a (installs it when missing; a no-op when it is installed). */
export function a2aPython(): string {
  return execFileSync("bash", [join(REPO_ROOT, "scripts/a2a-peer-env.sh")], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

/** A free loopback port (bound once, then released for the agent). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Starts the reference agent; rejects (with its stderr) when it does not get ready within 60 s. */
export async function startA2aPythonAgent(): Promise<A2aPythonAgent> {
  const python = a2aPython();
  const [http, grpc] = [await freePort(), await freePort()];
  const child = spawn(python, [join(REPO_ROOT, "test/peers/a2a-python/agent.py"), String(http), String(grpc)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited(child);
    clearTimeout(timer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the a2a-sdk agent did not get ready within 60 s: ${stderr}`)), 60_000);
      child.stdout?.setEncoding("utf8").on("data", (d: string) => {
        if (d.includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the a2a-sdk agent exited (${code}) before it was ready: ${stderr}`));
      });
    });
    const url = `http://127.0.0.1:${http}`;
    const res = await fetch(`${url}/.well-known/agent-card.json`);
    if (res.status !== 200) throw new Error(`the a2a-sdk agent's card answered ${res.status}`);
    await res.body?.cancel();
    return { url, restUrl: `${url}/a2a/rest`, grpcAddress: `127.0.0.1:${grpc}`, close, [Symbol.asyncDispose]: close };
  } catch (err: unknown) {
    await close();
    throw err;
  }
}
