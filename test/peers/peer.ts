/**
 * The deployed Python SDK as a peer of the test suite: the venv (scripts/peer-env.sh,
 * `openagentio==0.3.0` from PyPI), one long-lived peer process per test file
 * (test/peers/python/peer.py, JSON lines over stdin/stdout), and a raw NATS tap that records
 * every message on the server as it was on the wire (subject, reply, headers, JSON body).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createBus, type Bus, type BusOptions, type StreamFrame } from "../../runtime/bus/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { REPO_ROOT, runProcess } from "../helpers/cli.js";
import { freePort, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../transport/wait.js";

export type Json = Record<string, unknown>;

/** Creates or updates .venv-peer with scripts/peer-env.sh (quick when already set up); returns its python. */
export async function ensurePeerVenv(): Promise<string> {
  const res = await runProcess("bash", [join(REPO_ROOT, "scripts/peer-env.sh")]);
  if (res.code !== 0) throw new Error(`scripts/peer-env.sh exited ${String(res.code)}:\n${res.stderr}`);
  return res.stdout.trim().split("\n").pop() ?? "";
}

/** An answer of the peer: `ok` plus the op's fields (`envelope`, `frames`) or `error_type`/`error`. */
export interface PeerAnswer extends Json {
  readonly ok: boolean;
}

/** One running peer process. */
export interface PythonPeer extends AsyncDisposable {
  /** Sends one command; resolves with its answer (fails after `timeoutMs`, default 15 s). */
  call(op: string, args?: Json, timeoutMs?: number): Promise<PeerAnswer>;
  /** Like {@link call}, but throws unless the answer is ok. */
  ok(op: string, args?: Json, timeoutMs?: number): Promise<PeerAnswer>;
  /** Every `{"event": …}` line so far, in order. */
  readonly events: readonly Json[];
  /** Resolves with the events matching `pred` once there are at least `count` (bounded). */
  eventsWhere(what: string, pred: (e: Json) => boolean, count: number, timeoutMs?: number): Promise<Json[]>;
  /** What the peer wrote on stderr (for failure messages). */
  stderr(): string;
  /** Asks the peer to close its buses and exit; kills it after 5 s. Idempotent. */
  close(): Promise<void>;
}

/** Starts test/peers/python/peer.py with the peer venv's python and waits for it to connect. */
export async function startPythonPeer(natsUrl: string, agentId = "py-peer"): Promise<PythonPeer> {
  const python = await ensurePeerVenv();
  const child: ChildProcessWithoutNullStreams = spawn(python, ["-u", join(REPO_ROOT, "test/peers/python/peer.py"), "--nats", natsUrl, "--agent-id", agentId], {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    if (err.length < 64_000) err += d;
  });
  child.stdin.on("error", () => {});
  const events: Json[] = [];
  const pending = new Map<number, { resolve: (a: PeerAnswer) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("close", (code, signal) => {
      exited = true;
      // Calls still waiting fail now, not at their timeout.
      for (const p of pending.values()) p.reject(new Error(`the Python peer exited (code ${String(code)}, signal ${String(signal)}):\n${err.slice(-4000)}`));
      pending.clear();
      resolve();
    }),
  );
  createInterface({ input: child.stdout }).on("line", (line) => {
    const msg = JSON.parse(line) as Json;
    if (typeof msg["id"] === "number") {
      pending.get(msg["id"])?.resolve(msg as PeerAnswer);
      pending.delete(msg["id"]);
    } else events.push(msg);
  });
  try {
    await waitFor("the Python peer to connect", () => exited || events.some((e) => e["event"] === "ready"), { timeoutMs: 20_000 });
    if (exited) throw new Error(`the Python peer exited:\n${err}`);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }

  let nextId = 1;
  let closing: Promise<void> | undefined;
  const call = (op: string, args: Json = {}, timeoutMs = 15_000): Promise<PeerAnswer> => {
    const id = nextId++;
    return new Promise<PeerAnswer>((resolve, reject) => {
      if (exited) return reject(new Error(`the Python peer has exited:\n${err}`));
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the Python peer did not answer ${op} within ${timeoutMs} ms:\n${err.slice(-4000)}`));
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
  };
  const peer: PythonPeer = {
    call,
    async ok(op, args, timeoutMs) {
      const a = await call(op, args, timeoutMs);
      if (!a.ok) throw new Error(`peer ${op} failed: ${String(a["error_type"])}: ${String(a["error"])}\n${err.slice(-4000)}`);
      return a;
    },
    events,
    async eventsWhere(what, pred, count, timeoutMs = 10_000) {
      await waitFor(what, () => events.filter(pred).length >= count, { timeoutMs });
      return events.filter(pred);
    },
    stderr: () => err,
    close() {
      closing ??= (async () => {
        if (!exited) child.stdin.end(`${JSON.stringify({ id: 0, op: "close" })}\n`);
        const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exit;
        clearTimeout(kill);
      })();
      return closing;
    },
    [Symbol.asyncDispose]: () => peer.close(),
  };
  return peer;
}

/** One message as the server delivered it to the tap. */
export interface Tapped {
  readonly subject: string;
  readonly reply: string | undefined;
  /** Header names and values, `undefined` when the message had no header block. */
  readonly headers: Record<string, string[]> | undefined;
  /** The exact body text. */
  readonly text: string;
  /** The body parsed as JSON (`undefined` when it is not JSON, e.g. a "no responders" status). */
  readonly json: Json | undefined;
}

/** A raw NATS connection subscribed to `>` (and `_INBOX.>`), recording everything. */
export interface Tap extends AsyncDisposable {
  readonly messages: readonly Tapped[];
  /** Resolves with the messages matching `pred` once there are at least `count` (bounded). */
  where(what: string, pred: (m: Tapped) => boolean, count?: number, timeoutMs?: number): Promise<Tapped[]>;
  /** Publishes raw bytes (no envelope checks), as any client on the server could; resolves once at the server. */
  publish(subject: string, body: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a tap on `url`; resolves once its subscription is live at the server. */
export async function openTap(url: string): Promise<Tap> {
  const nc: NatsConnection = await connect({ servers: url, name: "interop-tap" });
  const messages: Tapped[] = [];
  const dec = new TextDecoder();
  nc.subscribe(">", {
    callback: (e, m) => {
      if (e !== null) return;
      const text = dec.decode(m.data);
      let json: Json | undefined;
      try {
        const v: unknown = JSON.parse(text);
        json = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
      } catch {
        json = undefined;
      }
      const headers: Record<string, string[]> | undefined =
        m.headers === undefined ? undefined : Object.fromEntries([...m.headers.keys()].map((k) => [k, m.headers!.values(k)]));
      messages.push({ subject: m.subject, reply: m.reply === "" ? undefined : m.reply, headers, text, json });
    },
  });
  await nc.flush();
  const tap: Tap = {
    messages,
    async where(what, pred, count = 1, timeoutMs = 10_000) {
      await waitFor(what, () => messages.filter(pred).length >= count, { timeoutMs });
      return messages.filter(pred);
    },
    async publish(subject, body) {
      nc.publish(subject, body);
      await nc.flush();
    },
    async close() {
      if (!nc.isClosed()) await nc.close();
    },
    [Symbol.asyncDispose]: () => tap.close(),
  };
  return tap;
}

/** The codes of the deployed SDKs' closed list (openagentio/event/payload.py), in its order. */
export const DEPLOYED_CODES = [
  "AGENT_TIMEOUT",
  "AGENT_UNAVAILABLE",
  "BACKPRESSURE_DROP",
  "TRANSPORT_FAILURE",
  "CODEC_FAILURE",
  "AUTH_FAILURE",
  "INVALID_REQUEST",
  "NO_HANDLER",
] as const;

/** A nats-server, a tap on it, one deployed Python peer and any number of TS buses. */
export interface PeerNetwork {
  readonly server: NatsServer;
  readonly tap: Tap;
  readonly peer: PythonPeer;
  /** A TS bus on a connection of its own (closed with the network). */
  bus(agentId: string, opts?: Partial<BusOptions>): Promise<Bus>;
  /** Subscriptions made so far by TS buses and the peer are live at the server. */
  settle(): Promise<void>;
  /** Every subscription the server holds (its monitoring endpoint `/connz?subs=detail`). */
  subscriptions(): Promise<ServerSubscription[]>;
  close(): Promise<void>;
}

/** A subscription as the server reports it. */
export interface ServerSubscription {
  /** The connection's name (the deployed peer's is `deployed-python-peer:<agent id>`). */
  readonly connection: string;
  readonly subject: string;
  /** The queue group, `undefined` for a plain subscription. */
  readonly queue: string | undefined;
}

interface Connz {
  connections?: { name?: string; subscriptions_list_detail?: { subject: string; qgroup?: string }[] }[];
}

/** Starts the pieces of a {@link PeerNetwork}; on failure closes what was started. */
export async function openPeerNetwork(peerAgentId = "py-peer"): Promise<PeerNetwork> {
  const monitor = await freePort();
  const server = await startNatsServer({ args: ["-m", String(monitor)] });
  const buses: Bus[] = [];
  let tap: Tap | undefined;
  let peer: PythonPeer | undefined;
  const close = async (): Promise<void> => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    await peer?.close();
    await tap?.close();
    await server.stop();
  };
  try {
    tap = await openTap(server.url);
    peer = await startPythonPeer(server.url, peerAgentId);
  } catch (e) {
    await close();
    throw e;
  }
  const p = peer;
  return {
    server,
    tap,
    peer: p,
    async bus(agentId, opts = {}) {
      const transport = await connectNats({ servers: server.url });
      const bus = createBus({ agentId, transport, ownsTransport: true, ...opts });
      buses.push(bus);
      return bus;
    },
    async settle() {
      await Promise.all([...buses.map((b) => b.transport.flush()), p.ok("flush")]);
    },
    async subscriptions() {
      const res = await fetch(`http://127.0.0.1:${monitor}/connz?subs=detail&limit=1024`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as Connz;
      return (body.connections ?? []).flatMap((c) =>
        (c.subscriptions_list_detail ?? []).map((s) => ({ connection: c.name ?? "", subject: s.subject, queue: s.qgroup === "" ? undefined : s.qgroup })),
      );
    },
    close,
  };
}

/** The frames of one stream call without their envelopes (what a consumer reads), and how it ended. */
export async function streamFrames(bus: Bus, target: string, payload: unknown): Promise<{ frames: Json[]; error?: unknown }> {
  const out: Json[] = [];
  try {
    for await (const f of bus.streamInvoke(target, payload, { timeoutMs: 8000 })) {
      const { envelope: _envelope, ...rest } = f as StreamFrame & { envelope?: unknown };
      out.push(rest as Json);
    }
    return { frames: out };
  } catch (error) {
    return { frames: out, error };
  }
}
