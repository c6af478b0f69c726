/**
 * The generated Kotlin runtime (generated/kotlin, `dev.openagentio.acp.runtime`) and the
 * TypeScript bus on one real nats-server: the Kotlin contract suite (BusContractTest) over NATS,
 * nothing skipped; a Kotlin peer (test/kotlin/peer/BusPeer.kt, compiled against the generated
 * sources) serving handlers the TypeScript bus invokes and streams, and calling TypeScript
 * handlers: payloads, errors (code, message, retryable), context, events, queue groups shared
 * across languages, tenants, the stream cancel extension both ways, and resends across a
 * nats-server restart.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { currentContext, runWithContext } from "../../runtime/context/index.js";
import { AcpError, CanceledError } from "../../runtime/errors.js";
import { connectNats } from "../../runtime/transport/index.js";
import { REPO_ROOT, runProcess } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../transport/wait.js";
import { buildKotlinProgram, MAVEN_TIMEOUT_MS, type KotlinProgram } from "./peer-build.js";

type Json = Record<string, unknown>;
const SDK = join(REPO_ROOT, "generated", "kotlin");
const work = mkdtempSync(join(tmpdir(), "oaio-kotlin-interop-"));
let peerProgram: KotlinProgram;
let nats: NatsServer;
let ts: Bus;

beforeAll(async () => {
  peerProgram = buildKotlinProgram(join(work, "peer"), [join(REPO_ROOT, "test", "kotlin", "peer")], "dev.openagentio.peer.BusPeerKt");
  nats = await startNatsServer();
  ts = createBus({ agentId: "ts", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
}, MAVEN_TIMEOUT_MS);

afterAll(async () => {
  await ts?.close();
  await nats?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A `BusPeerKt` process: its JSON event lines, and close() (closes stdin, awaits exit). */
async function startPeer(args: readonly string[]): Promise<{ events: Json[]; stderr: () => string; send(line: string): void; close(): Promise<void> }> {
  const child: ChildProcessWithoutNullStreams = spawn("java", ["-cp", peerProgram.classpath, peerProgram.mainClass, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
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
  await waitFor("the Kotlin peer to serve", () => gone || events.some((e) => e["event"] === "ready"), { timeoutMs: 30_000 });
  if (gone) throw new Error(`the Kotlin peer exited:\n${err}`);
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

describe("Kotlin runtime on NATS", () => {
  it(
    "passes its contract suite against the real nats-server (every scenario on memory and on NATS) and runs the README example, nothing skipped",
    async () => {
      const target = join(work, "sdk-target");
      const res = await runProcess("mvn", ["-o", "-q", "-B", "test", "-Dtest=BusContractTest,ReadmeExampleTest", `-Doaio.build.dir=${target}`], {
        cwd: SDK,
        env: { ...process.env, OAIO_NATS_URL: nats.url },
      });
      const reports = join(target, "surefire-reports");
      const xml = existsSync(reports)
        ? readdirSync(reports)
            .filter((f) => f.endsWith(".xml"))
            .map((f) => readFileSync(join(reports, f), "utf8"))
            .join("\n")
        : "";
      expect(res.code, `${res.stdout.slice(-4000)}\n${res.stderr.slice(-4000)}`).toBe(0);
      const cases = [...xml.matchAll(/<testcase name="([^"]+)\(String\)\[(\d)\]"/gu)].map((m) => ({ name: m[1], param: m[2] }));
      const onMemory = cases.filter((c) => c.param === "1").map((c) => c.name);
      const onNats = cases.filter((c) => c.param === "2").map((c) => c.name);
      expect(onMemory.length).toBeGreaterThanOrEqual(20);
      expect(onNats.sort()).toEqual(onMemory.sort());
      expect(xml).toMatch(/<testcase name="theReadmeExampleCallsAndStreamsOverNats"/u);
      expect(xml).toMatch(/skipped="0"/u);
      expect(xml).not.toMatch(/<skipped|<failure|<error/u);
    },
    MAVEN_TIMEOUT_MS,
  );
});

describe("TypeScript client → Kotlin handlers", () => {
  let peer: Awaited<ReturnType<typeof startPeer>>;
  beforeAll(async () => {
    peer = await startPeer(["serve", "--nats", nats.url]);
  }, 60_000);
  afterAll(async () => {
    await peer?.close();
  });

  it("invoke: payload back, request context seen by the handler and its coroutine context, a new span", async () => {
    const trace = "0af7651916cd43dd8448eb211c80319c";
    const ctx = { session_id: "s-ts", user_id: "u-ts", traceparent: `00-${trace}-b7ad6b7169203331-01` };
    const got = (await runWithContext(ctx, () => ts.invoke("kt.echo", { a: [1, "x", null], b: { c: true } }))) as Json;
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
      const err = await ts.invoke("kt.fail", payload).then(
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
      for await (const f of ts.streamInvoke("kt.story", "alpha beta gamma")) {
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
      { type: "started", meta: { model: "kt" } },
      { type: "delta", delta: "alpha" },
      { type: "delta", delta: "beta" },
      { type: "delta", delta: "gamma" },
    ]);
    expect(frames[4]).toMatchObject({ type: "final", result: { words: 3, seen: { session_id: "s-stream", context_session: "s-stream" } } });
  });

  it("events fan out to the Kotlin subscriber, queue groups share across languages, tenants route", async () => {
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
    await waitFor("the Kotlin subscriber", () => peer.events.some((e) => e["event"] === "got"), { timeoutMs: 10_000 }, peer.stderr);
    const got = peer.events.find((e) => e["event"] === "got");
    expect(got).toMatchObject({
      payload: { n: 1 },
      subject: "acp.v1.events.demo.note",
      seen: { from: "ts", session_id: "s-event", context_session: "s-event" },
    });
    for (let i = 0; i < 30; i++) await ts.publish("jobs.run", { i });
    const inKotlin = () => peer.events.filter((e) => e["event"] === "work");
    await waitFor("30 jobs handled once each", () => inKotlin().length + tsWorker.length >= 30, { timeoutMs: 10_000 }, peer.stderr);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a duplicate would arrive by now
    const all = [...inKotlin().map((e) => e["payload"]), ...tsWorker].map((p) => (p as { i: number }).i).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(inKotlin().length).toBeGreaterThanOrEqual(1);
    await sub.unsubscribe();
    const acme = await ts.invoke("kt.tenant", {}, { context: { tenant_id: "acme" } });
    expect(acme).toEqual({ tenant: "acme", context_tenant: "acme" });
    await expect(ts.invoke("kt.tenant", {})).rejects.toMatchObject({ code: "NO_HANDLER" });
  });

  it("breaking out of a stream cancels the Kotlin handler (the cancel extension reaches it)", async () => {
    for await (const f of ts.streamInvoke("kt.endless", null)) {
      if (f.type === "delta") break;
    }
    await waitFor(
      "the Kotlin handler to see the cancel",
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

describe("Kotlin client → TypeScript handlers", () => {
  it("invoke, errors, NO_HANDLER, streams, an early leave, tenants and an event, as the Kotlin client sees them", async () => {
    const server = createBus({ agentId: "ts-server", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
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
      const res = await runProcess("java", ["-cp", peerProgram.classpath, peerProgram.mainClass, "client", "--nats", nats.url]);
      expect(res.code, `${res.stdout}\n${res.stderr.slice(-4000)}`).toBe(0);
      const out = JSON.parse(res.stdout.trim().split("\n").pop() ?? "{}") as Json;
      const echo = out["echo"] as Json;
      expect(echo).toMatchObject({ payload: { n: 1, list: [1, "two"] }, session: "s-kt", user: "u-kt", current: "s-kt", from: "ktc" });
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
      expect(out["tenant"]).toEqual({ tenant: "acme" });
      expect(out["tenant_untenanted"]).toMatchObject({ code: "NO_HANDLER" });
      expect(typeof out["published"]).toBe("string");
      const [ev] = await events;
      expect(ev).toMatchObject({ payload: { hello: "ts" }, envelope: { event_id: out["published"], from: "ktc", schema_version: 2, metadata: { m: "1" } } });
      await waitFor("the TypeScript handler to see the Kotlin client's cancel", () => aborted !== undefined, { timeoutMs: 10_000 });
      expect(aborted).toBeInstanceOf(CanceledError);
    } finally {
      await acme.close();
      await server.close();
    }
  }, 60_000);
});

describe("Kotlin runtime across a nats-server restart", () => {
  it("a caller whose handler has not resubscribed yet resends instead of failing NO_HANDLER", async () => {
    const server = await startNatsServer();
    const peer = await startPeer(["hammer", "--nats", server.url, "--seconds", "4"]);
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
