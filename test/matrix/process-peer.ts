/**
 * A matrix peer program as a child process speaking the line protocol (test/matrix/README.md):
 * commands with an `id` on stdin, answers with that `id` and events without one on stdout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { waitFor } from "../transport/wait.js";
import type { Answer, Json, MatrixPeer } from "./protocol.js";

/** How to run one peer program. */
export interface ProcessPeerCommand {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** How long the program may take to print its ready line. Default 30,000 ms. */
  readonly readyTimeoutMs?: number;
}

/** Spawns the program and resolves once it printed `{"event": "ready"}`; kills it on failure. */
export async function startProcessPeer(cmd: ProcessPeerCommand): Promise<MatrixPeer> {
  const child: ChildProcessWithoutNullStreams = spawn(cmd.command, [...cmd.args], {
    cwd: cmd.cwd,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...cmd.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    if (err.length < 64_000) err += d;
  });
  child.stdin.on("error", () => {});
  const events: Json[] = [];
  const pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("close", (code, signal) => {
      exited = true;
      for (const p of pending.values()) p.reject(new Error(`peer ${cmd.name} exited (code ${String(code)}, signal ${String(signal)}):\n${err.slice(-4000)}`));
      pending.clear();
      resolve();
    }),
  );
  createInterface({ input: child.stdout }).on("line", (line) => {
    let msg: Json;
    try {
      msg = JSON.parse(line) as Json;
    } catch {
      err += `\n[matrix] not a JSON line on stdout: ${line.slice(0, 500)}`;
      return;
    }
    if (typeof msg["id"] === "number") {
      pending.get(msg["id"])?.resolve(msg as Answer);
      pending.delete(msg["id"]);
    } else events.push(msg);
  });
  try {
    await waitFor(`peer ${cmd.name} to be ready`, () => exited || events.some((e) => e["event"] === "ready"), { timeoutMs: cmd.readyTimeoutMs ?? 30_000 });
    if (exited) throw new Error(`peer ${cmd.name} exited before it was ready:\n${err}`);
  } catch (e) {
    child.kill("SIGKILL");
    await exit;
    throw e;
  }

  let nextId = 1;
  let closing: Promise<void> | undefined;
  const peer: MatrixPeer = {
    name: cmd.name,
    events,
    stderr: () => err,
    call(op, args = {}, timeoutMs = 15_000) {
      const id = nextId++;
      return new Promise<Answer>((resolve, reject) => {
        if (exited) return reject(new Error(`peer ${cmd.name} has exited:\n${err.slice(-4000)}`));
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`peer ${cmd.name} did not answer ${op} within ${timeoutMs} ms:\n${err.slice(-4000)}`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (a) => {
            clearTimeout(timer);
            resolve(a);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.stdin.write(`${JSON.stringify({ ...args, id, op })}\n`);
      });
    },
    close() {
      closing ??= (async () => {
        if (!exited) child.stdin.end(`${JSON.stringify({ id: 0, op: "close" })}\n`);
        const kill = setTimeout(() => child.kill("SIGKILL"), 8000);
        await exit;
        clearTimeout(kill);
      })();
      return closing;
    },
    [Symbol.asyncDispose]: () => peer.close(),
  };
  return peer;
}
