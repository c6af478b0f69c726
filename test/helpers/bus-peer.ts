/**
 * The interop suites a generated runtime's bus peer runs against the TypeScript bus on a real
 * nats-server (test/python/bus-interop.test.ts, test/kotlin/bus-interop.test.ts). A peer is a
 * program (test/python/peer/bus_peer.py, test/kotlin/peer/BusPeer.kt) with three modes:
 * `serve` (handlers `<prefix>.echo`, `.fail`, `.story`, `.endless`, `.tenant` and subscribers,
 * JSON event lines on stdout, `{"event":"ready"}` first), `client` (calls the `ts.*` handlers,
 * prints one JSON line of results) and `hammer` (invokes through a server restart, then
 * `{"event":"done","counts":…}`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { currentContext, runWithContext } from "../../runtime/context/index.js";
import { AcpError, CanceledError } from "../../runtime/errors.js";
import { connectNats } from "../../runtime/transport/index.js";
import { startNatsServer } from "./nats-server.js";
import { waitFor } from "../transport/wait.js";

type Json = Record<string, unknown>;

/** A running peer: its JSON event lines, stderr so far, a line to stdin, and close() (closes stdin, awaits exit). */
export interface PeerProcess {
  readonly events: Json[];
  stderr(): string;
  send(line: string): void;
  close(): Promise<void>;
}

/** Starts `command args` and waits (bounded) for its `{"event":"ready"}` line. */
export async function startPeerProcess(label: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<PeerProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], ...(env === undefined ? {} : { env }) });
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    if (err.length < 64_000) err += d;
  });
  child.stdin.on("error", () => {});
  const events: Json[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => events.push(JSON.parse(line) as Json));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(`the ${label} peer to serve`, () => gone || events.some((e) => e["event"] === "ready"), { timeoutMs: 30_000 });
  if (gone) throw new Error(`the ${label} peer exited:\n${err}`);
  return {
    events,
    stderr: () => err,
    send: (line) => child.stdin.write(`${line}\n`),
    async close() {
      child.stdin.end();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** What the suites need of a language's peer. */
export interface BusPeerSuite {
  /** "Python", "Kotlin". */
  readonly lang: string;
  /** Target prefix of the peer's handlers and tag of its client ("py": `py.echo`, agent `pyc`, session `s-py`). */
  readonly prefix: string;
  /** Where the peer's handler finds the request's context ("its contextvars"). */
  readonly contextHome: string;
  /** The TypeScript bus and the server URL (set in the test file's beforeAll). */
  ts(): Bus;
  natsUrl(): string;
  /** Starts the peer with `args` (`serve --nats URL`, `hammer …`). */
  start(args: readonly string[]): Promise<PeerProcess>;
  /** Runs `client --nats URL` to its end: exit code, its stdout, and what to print on failure. */
  runClient(url: string): Promise<{ code: number | null; stdout: string; explain: string }>;
  /** The client also calls a tenant's handler (`tenant`, `tenant_untenanted` in its output). */
  readonly clientCallsTenants: boolean;
}

/** TypeScript client → the peer's handlers: invoke, errors, stream, events, queue groups, tenants, cancel. */
export function describeTsClientToPeer(s: BusPeerSuite): void {
  const p = s.prefix;
  describe(`TypeScript client → ${s.lang} handlers`, () => {
    let peer: PeerProcess;
    beforeAll(async () => {
      peer = await s.start(["serve", "--nats", s.natsUrl()]);
    }, 60_000);
    afterAll(async () => {
      await peer?.close();
    });

    it(`invoke: payload back, request context seen by the handler and ${s.contextHome}, a new span`, async () => {
      const trace = "0af7651916cd43dd8448eb211c80319c";
      const ctx = { session_id: "s-ts", user_id: "u-ts", traceparent: `00-${trace}-b7ad6b7169203331-01` };
      const got = (await runWithContext(ctx, () => s.ts().invoke(`${p}.echo`, { a: [1, "x", null], b: { c: true } }))) as Json;
      expect(got["payload"]).toEqual({ a: [1, "x", null], b: { c: true } });
      const seen = got["seen"] as Json;
      expect(seen).toMatchObject({ from: "ts", session_id: "s-ts", user_id: "u-ts", context_session: "s-ts", schema_version: 2, phase: "submitted" });
      expect(String(seen["traceparent"])).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`, "u"));
      expect(seen["traceparent"]).not.toBe(ctx.traceparent);
    });

    it("errors keep code, message and retryable; a plain exception is AGENT_UNAVAILABLE", async () => {
      const cases: [unknown, string, string, boolean][] = [
        [{ code: "PERMISSION_DENIED", message: "not yours", retryable: false }, "PERMISSION_DENIED", "not yours", false],
        [{ code: "QUOTA_EXCEEDED", message: "slow down", retryable: true }, "QUOTA_EXCEEDED", "slow down", true],
        ["plain", "AGENT_UNAVAILABLE", "plain failure", false],
      ];
      for (const [payload, code, message, retryable] of cases) {
        const err = await s
          .ts()
          .invoke(`${p}.fail`, payload)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(AcpError);
        expect(err).toMatchObject({ code, message, retryable });
      }
    });

    it("stream: started, deltas and final in seq order from 0, typed by the TypeScript reader", async () => {
      const frames: unknown[] = [];
      const seqs: unknown[] = [];
      await runWithContext({ session_id: "s-stream" }, async () => {
        for await (const f of s.ts().streamInvoke(`${p}.story`, "alpha beta gamma")) {
          seqs.push(f.envelope?.seq);
          frames.push(
            f.type === "final"
              ? { type: "final", result: f.result }
              : f.type === "delta"
                ? { type: "delta", delta: f.delta }
                : { type: f.type, meta: f.type === "started" ? f.meta : undefined },
          );
        }
      });
      expect(seqs).toEqual([0, 1, 2, 3, 4]);
      expect(frames.slice(0, 4)).toEqual([
        { type: "started", meta: { model: p } },
        { type: "delta", delta: "alpha" },
        { type: "delta", delta: "beta" },
        { type: "delta", delta: "gamma" },
      ]);
      expect(frames[4]).toMatchObject({ type: "final", result: { words: 3, seen: { session_id: "s-stream", context_session: "s-stream" } } });
    });

    it(`events fan out to the ${s.lang} subscriber, queue groups share across languages, tenants route`, async () => {
      const ts = s.ts();
      const tsWorker: unknown[] = [];
      const sub = ts.subscribe(
        "jobs.run",
        (payload) => {
          tsWorker.push(payload);
        },
        { queue: "workers" },
      );
      await ts.transport.flush();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await runWithContext({ session_id: "s-event" }, () => ts.publish("demo.note", { n: 1 }));
      await waitFor(`the ${s.lang} subscriber`, () => peer.events.some((e) => e["event"] === "got"), { timeoutMs: 10_000 }, peer.stderr);
      const got = peer.events.find((e) => e["event"] === "got");
      expect(got).toMatchObject({
        payload: { n: 1 },
        subject: "acp.v1.events.demo.note",
        seen: { from: "ts", session_id: "s-event", context_session: "s-event" },
      });
      for (let i = 0; i < 30; i++) await ts.publish("jobs.run", { i });
      const inPeer = () => peer.events.filter((e) => e["event"] === "work");
      await waitFor("30 jobs handled once each", () => inPeer().length + tsWorker.length >= 30, { timeoutMs: 10_000 }, peer.stderr);
      await new Promise((resolve) => setTimeout(resolve, 100)); // a duplicate would arrive by now
      const all = [...inPeer().map((e) => e["payload"]), ...tsWorker].map((x) => (x as { i: number }).i).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(inPeer().length).toBeGreaterThanOrEqual(1);
      await sub.unsubscribe();
      const acme = await ts.invoke(`${p}.tenant`, {}, { context: { tenant_id: "acme" } });
      expect(acme).toEqual({ tenant: "acme", context_tenant: "acme" });
      await expect(ts.invoke(`${p}.tenant`, {})).rejects.toMatchObject({ code: "NO_HANDLER" });
    });

    it(`breaking out of a stream cancels the ${s.lang} handler (the cancel extension reaches it)`, async () => {
      for await (const f of s.ts().streamInvoke(`${p}.endless`, null)) {
        if (f.type === "delta") break;
      }
      await waitFor(
        `the ${s.lang} handler to see the cancel`,
        () => peer.events.some((e) => e["event"] === "canceled" || e["event"] === "finished"),
        { timeoutMs: 10_000 },
        peer.stderr,
      );
      const ev = peer.events.find((e) => e["event"] === "canceled");
      expect(ev, JSON.stringify(peer.events.slice(-5))).toBeDefined();
      expect(ev!["flag"]).toBe(true);
      expect(Number(ev!["written"])).toBeLessThan(1_000_000);
    });
  });
}

/** The peer's client → TypeScript handlers: invoke, errors, NO_HANDLER, streams, an early leave, an event (and tenants). */
export function describePeerClientToTs(s: BusPeerSuite): void {
  const p = s.prefix;
  const what = s.clientCallsTenants
    ? "invoke, errors, NO_HANDLER, streams, an early leave, tenants and an event"
    : "invoke, errors, NO_HANDLER, streams and an early leave";
  describe(`${s.lang} client → TypeScript handlers`, () => {
    it(`${what}, as the ${s.lang} client sees them`, async () => {
      const server = createBus({ agentId: "ts-server", transport: await connectNats({ servers: s.natsUrl() }), ownsTransport: true });
      const acme = createBus({ agentId: "ts-acme", transport: server.transport, tenant: "acme" });
      let aborted: unknown;
      try {
        server.handleInvoke("ts.echo", (payload, ctx) => ({
          payload,
          session: ctx.envelope.session_id,
          user: ctx.envelope.user_id,
          traceparent: ctx.envelope.traceparent,
          current: currentContext()?.session_id,
          from: ctx.envelope.from,
        }));
        server.handleInvoke("ts.fail", (payload) => {
          if (payload === "denied") throw new AcpError("PERMISSION_DENIED", "not yours");
          if (payload === "custom") throw new AcpError("QUOTA_EXCEEDED", "slow down", { retryable: true });
          throw new Error("kaput");
        });
        server.handleStream("ts.story", async (payload, w) => {
          await w.started({ model: "ts" });
          for (const word of String(payload).split(" ")) await w.delta(word);
          return { words: String(payload).split(" ").length };
        });
        server.handleStream("ts.broken", async (_payload, w) => {
          await w.delta("partial");
          throw new AcpError("AGENT_TIMEOUT", "upstream slow", { retryable: true });
        });
        server.handleStream("ts.endless", async (_payload, w) => {
          w.signal.addEventListener("abort", () => (aborted = w.signal.reason), { once: true });
          for (let i = 0; i < 1_000_000 && !w.signal.aborted; i++) await w.delta(String(i));
        });
        acme.handleInvoke("ts.tenant", (_payload, ctx) => ({ tenant: ctx.envelope.tenant_id }));
        const events = new Promise<{ payload: unknown; envelope: unknown }[]>((resolve) => {
          server.subscribe("demo.*", (payload, ctx) => resolve([{ payload, envelope: ctx.envelope }]));
        });
        await server.transport.flush();
        await new Promise((resolve) => setTimeout(resolve, 50)); // nats-server may answer "no responders" just after a SUB
        const res = await s.runClient(s.natsUrl());
        expect(res.code, res.explain).toBe(0);
        const out = JSON.parse(res.stdout.trim().split("\n").pop() ?? "{}") as Json;
        const echo = out["echo"] as Json;
        expect(echo).toMatchObject({ payload: { n: 1, list: [1, "two"] }, session: `s-${p}`, user: `u-${p}`, current: `s-${p}`, from: `${p}c` });
        expect(String(echo["traceparent"])).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/u);
        expect(echo["traceparent"]).not.toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        expect(out["errors"]).toEqual([
          { code: "PERMISSION_DENIED", message: "not yours", retryable: false },
          { code: "QUOTA_EXCEEDED", message: "slow down", retryable: true },
          { code: "AGENT_UNAVAILABLE", message: "kaput", retryable: false },
        ]);
        expect(out["nobody"]).toMatchObject({ code: "NO_HANDLER" });
        expect(out["story"]).toEqual([
          { type: "started", meta: { model: "ts" }, seq: 0 },
          { type: "delta", delta: "red", seq: 1 },
          { type: "delta", delta: "green", seq: 2 },
          { type: "delta", delta: "blue", seq: 3 },
          { type: "final", result: { words: 3 }, seq: 4 },
        ]);
        expect(out["broken"]).toEqual({ code: "AGENT_TIMEOUT", message: "upstream slow", retryable: true });
        expect(out["left_endless"]).toBe(true);
        if (s.clientCallsTenants) {
          expect(out["tenant"]).toEqual({ tenant: "acme" });
          expect(out["tenant_untenanted"]).toMatchObject({ code: "NO_HANDLER" });
        }
        expect(typeof out["published"]).toBe("string");
        const [ev] = await events;
        expect(ev).toMatchObject({
          payload: { hello: "ts" },
          envelope: { event_id: out["published"], from: `${p}c`, schema_version: 2, metadata: { m: "1" } },
        });
        await waitFor(`the TypeScript handler to see the ${s.lang} client's cancel`, () => aborted !== undefined, { timeoutMs: 10_000 });
        expect(aborted).toBeInstanceOf(CanceledError);
      } finally {
        await acme.close();
        await server.close();
      }
    }, 60_000);
  });
}

/** The peer invoking through a nats-server restart: no NO_HANDLER while its handler resubscribes. */
export function describeRestart(s: BusPeerSuite): void {
  describe(`${s.lang} runtime across a nats-server restart`, () => {
    it("a caller whose handler has not resubscribed yet resends instead of failing NO_HANDLER", async () => {
      const server = await startNatsServer();
      const peer = await s.start(["hammer", "--nats", server.url, "--seconds", "4"]);
      try {
        peer.send("go");
        await new Promise((resolve) => setTimeout(resolve, 300));
        await server.kill();
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await server.start();
        await waitFor("the invokes to end", () => peer.events.some((e) => e["event"] === "done"), { timeoutMs: 30_000 }, peer.stderr);
        const done = peer.events.find((e) => e["event"] === "done")!;
        const counts = done["counts"] as Record<string, number>;
        expect(counts["NO_HANDLER"] ?? 0, JSON.stringify(done)).toBe(0);
        expect(counts["ok"] ?? 0, JSON.stringify(done)).toBeGreaterThan(0);
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(done["sent"]);
      } finally {
        await peer.close();
        await server.stop();
      }
    }, 60_000);
  });
}
