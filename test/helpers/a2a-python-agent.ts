/**
 * Agents on the official A2A Python SDK (a2a-sdk 1.3.0 in .venv-a2a, set up by
 * scripts/a2a-peer-env.sh), started on free loopback ports and stopped by `close()`:
 * - {@link startA2aPythonAgent}: test/peers/a2a-python/agent.py, the TCK reference agent —
 *   JSON-RPC and HTTP+JSON on one HTTP port, gRPC on another;
 * - {@link startPythonAgent}: test/peers/a2a-python/cli_agent.py, the small agent the CLI tests
 *   talk to — JSON-RPC.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./cli.js";
import { freePort } from "./nats-server.js";

/** The python of .venv-a2a (installs it when missing; a no-op when it is installed). */
export function a2aPython(): string {
  return (
    execFileSync("bash", [join(REPO_ROOT, "scripts/a2a-peer-env.sh")], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 600_000,
    })
      .trim()
      .split("\n")
      .pop() ?? ""
  );
}

/** A started Python agent process. */
interface Started {
  readonly child: ChildProcess;
  /** What its stdout printed up to the ready line. */
  readonly out: string;
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Spawns `script` with `args` and waits (at most 60 s) until its stdout matches `ready`; rejects with its stderr otherwise. */
async function spawnAgent(script: string, args: readonly string[], ready: RegExp): Promise<Started> {
  const child = spawn(a2aPython(), [join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited(child);
    clearTimeout(timer);
  };
  try {
    const out = await new Promise<string>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`${script} did not get ready within 60 s: ${stderr}`)), 60_000);
      child.stdout?.setEncoding("utf8").on("data", (d: string) => {
        seen += d;
        if (ready.test(seen)) {
          clearTimeout(timer);
          resolve(seen);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (${code}) before it was ready: ${stderr}`));
      });
    });
    return { child, out, close };
  } catch (err: unknown) {
    await close();
    throw err;
  }
}

/** The TCK reference agent (agent.py). */
export interface A2aPythonAgent extends AsyncDisposable {
  /** Base URL (JSON-RPC endpoint and card). */
  readonly url: string;
  readonly restUrl: string;
  /** host:port of the gRPC server. */
  readonly grpcAddress: string;
  close(): Promise<void>;
}

/** Starts the TCK reference agent; rejects (with its stderr) when it does not get ready within 60 s. */
export async function startA2aPythonAgent(): Promise<A2aPythonAgent> {
  const [http, grpc] = [await freePort(), await freePort()];
  const agent = await spawnAgent("test/peers/a2a-python/agent.py", [String(http), String(grpc)], /ready/);
  const url = `http://127.0.0.1:${http}`;
  try {
    const res = await fetch(`${url}/.well-known/agent-card.json`);
    if (res.status !== 200) throw new Error(`the a2a-sdk agent's card answered ${res.status}`);
    await res.body?.cancel();
  } catch (err: unknown) {
    await agent.close();
    throw err;
  }
  return { url, restUrl: `${url}/a2a/rest`, grpcAddress: `127.0.0.1:${grpc}`, close: agent.close, [Symbol.asyncDispose]: agent.close };
}

/** The CLI tests' agent (cli_agent.py). */
export interface PythonAgent extends AsyncDisposable {
  /** Base URL: the card is at /.well-known/agent-card.json, JSON-RPC at /rpc. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts cli_agent.py and waits (at most 60 s) for its `READY <url>` line. */
export async function startPythonAgent(): Promise<PythonAgent> {
  const agent = await spawnAgent("test/peers/a2a-python/cli_agent.py", [], /READY (\S+)/);
  const url = /READY (\S+)/.exec(agent.out)?.[1] ?? "";
  return { url, close: agent.close, [Symbol.asyncDispose]: agent.close };
}
