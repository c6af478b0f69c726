/**
 * Starts a real `nats-server` for tests: loopback only, a free port, JetStream on with a
 * temporary store dir. `stop()` kills it and removes the dir; `restart()` stops it and
 * starts it again on the same port with the same store dir (`kill()` + `start()`, for
 * tests that need the server down for a while).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface NatsServerOptions {
  /** Start without JetStream (no `-js`, no store dir use), e.g. to test the "JetStream off" error. Default false. */
  noJetStream?: boolean;
  /** Port to listen on; default a free loopback port. */
  port?: number;
  /** Extra command-line arguments, e.g. `["--auth", "token"]`. */
  args?: readonly string[];
  /** How long to wait for "Server is ready". Default 15,000 ms. */
  readyTimeoutMs?: number;
}

export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The JetStream store dir (kept across `restart()`, removed by `stop()`). */
  readonly storeDir: string;
  /** Kills the server and removes the store dir. Idempotent. */
  stop(): Promise<void>;
  /** Stops the server (keeping its store) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops the server process only, keeping port and store dir for {@link NatsServer.start}. */
  kill(): Promise<void>;
  /** `kill -9`: no shutdown at all (unflushed writes lost as in a crash); port and store dir kept. */
  crash(): Promise<void>;
  /** Starts the server again after {@link NatsServer.kill} (no-op while running). */
  start(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
let resolvedBin: string | undefined;

/**
 * The path of the pinned `nats-server` (v2.15.3, see scripts/nats-server.sh): `OAIO_NATS_SERVER`
 * when set, else the script's cached build, built on first use (~30 s with the Go module proxy).
 * Throws with the script's message when it cannot be had.
 */
export function findNatsServer(): string {
  if (resolvedBin !== undefined) return resolvedBin;
  try {
    const out = execFileSync("bash", [join(REPO_ROOT, "scripts", "nats-server.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 600_000,
    });
    resolvedBin = out.trim().split("\n").pop() ?? "";
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new Error(`cannot get the pinned nats-server (bash scripts/nats-server.sh): ${stderr.trim()}`);
  }
  return resolvedBin;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("could not get a free port"))));
    });
  });
}

export function launch(bin: string, args: string[], timeoutMs: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
      if (err === undefined) resolve(child);
      else {
        child.kill("SIGKILL");
        reject(err);
      }
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`nats-server exited before it was ready (code ${code}, signal ${signal}):\n${log}`));
    const onError = (err: Error): void => finish(new Error(`cannot start ${bin}: ${err.message}`));
    const timer = setTimeout(() => finish(new Error(`nats-server not ready within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    child.once("exit", onExit);
    child.once("error", onError);
    child.stderr!.setEncoding("utf8");
    // Keep reading stderr for the server's whole life, or a full pipe would block it.
    child.stderr!.on("data", (chunk: string) => {
      if (settled) return;
      log += chunk;
      if (log.includes("Server is ready")) finish();
    });
  });
}

/** Stops `child` with `signal` (SIGKILL after 5 s for SIGTERM) and resolves once it exited. */
export function terminate(child: ChildProcess, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}

/** Starts `nats-server -a 127.0.0.1 -p PORT -js -sd DIR` and resolves once it accepts connections. */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = findNatsServer();
  const port = opts.port ?? (await freePort());
  const storeDir = await mkdtemp(join(tmpdir(), "oaio-nats-"));
  const args = ["-a", "127.0.0.1", "-p", String(port), ...(opts.noJetStream === true ? [] : ["-js", "-sd", storeDir]), ...(opts.args ?? [])];
  const timeoutMs = opts.readyTimeoutMs ?? 15_000;
  let child: ChildProcess | undefined;
  try {
    child = await launch(bin, args, timeoutMs);
  } catch (err) {
    await rm(storeDir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  const kill = async (): Promise<void> => {
    if (child !== undefined) await terminate(child);
    child = undefined;
  };
  const crash = async (): Promise<void> => {
    if (child !== undefined) await terminate(child, "SIGKILL");
    child = undefined;
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kill();
    await rm(storeDir, { recursive: true, force: true });
  };
  const start = async (): Promise<void> => {
    if (stopped) throw new Error("nats-server helper: start() after stop()");
    if (child === undefined) child = await launch(bin, args, timeoutMs);
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    async restart(): Promise<void> {
      await kill();
      await start();
    },
    kill,
    crash,
    start,
    [Symbol.asyncDispose]: stop,
  };
}
