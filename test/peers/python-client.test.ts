/**
 * The DEPLOYED Python SDK (openagentio==0.3.0 from PyPI) as a client of TypeScript handlers:
 * invoke, stream, errors (including extension codes answered to its schema_version 1
 * requests), tenants, queue groups, pub/sub, context propagation and dotted targets, against a
 * real nats-server with a raw tap recording the wire (spec/interop.md).
 * One Python peer process serves the whole file; each test uses its own targets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus, HandlerContext } from "../../runtime/bus/index.js";
import type { Envelope } from "../../runtime/envelope/index.js";
import {
  AgentTimeoutError,
  AgentUnavailableError,
  AuthFailureError,
  BackpressureDropError,
  CanceledError,
  CodecFailureError,
  InvalidRequestError,
  NoHandlerError,
  PermissionDeniedError,
  TransportFailureError,
} from "../../runtime/errors.js";
import { waitFor } from "../transport/wait.js";
import { DEPLOYED_CODES, openPeerNetwork, type Json, type PeerNetwork } from "./peer.js";

let net: PeerNetwork;
let ts: Bus;
beforeAll(async () => {
  net = await openPeerNetwork();
  ts = await net.bus("ts");
}, 60_000);
afterAll(async () => {
  await net?.close();
});

const handled = (target: string) => (e: Json) => e["event"] === "handled" && e["target"] === target;
const envOf = (e: Json): Json => e["envelope"] as Json;

/** `peer.invoke` → the reply envelope the deployed client returned. */
async function pyInvoke(target: string, payload: unknown, extra: Json = {}): Promise<Json> {
  const a = await net.peer.ok("invoke", { target, payload, ...extra });
  return a["envelope"] as Json;
}
/** `peer.stream` → the frames the deployed client iterated, in its (seq) order. */
async function pyStream(target: string, payload: unknown, extra: Json = {}): Promise<Json[]> {
  const a = await net.peer.ok("stream", { target, payload, ...extra });
  return a["frames"] as Json[];
}

describe("invoke: deployed Python client → TS handler", () => {
  it("the handler gets the deployed request as sent; the reply comes back correlated on its inbox", async () => {
    const seen: Envelope[] = [];
    ts.handleInvoke("inv-basic", (p: unknown, ctx: HandlerContext) => {
      seen.push(ctx.envelope);
      return p;
    });
    await net.settle();
    const reply = await pyInvoke("inv-basic", { q: "hi" });
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req).toMatchObject({
      spec_version: "acp/1.0",
      schema_version: 1,
      event_type: "agent.message.received",
      from: "py-peer",
      to: "inv-basic",
      payload: { q: "hi" },
    });
    expect(req.reply_to).toMatch(/^_INBOX\.[A-Za-z0-9]{22}$/);
    expect(reply).toMatchObject({ event_type: "agent.response.final", is_final: true, correlation_id: req.event_id, to: "py-peer" });
    // On the wire (spec/interop.md "Requests"): the reply address only in the envelope, no NATS
    // reply subject, no headers, no frame_type / phase / seq / is_final, microsecond UTC time.
    const [wire] = await net.tap.where("the request", (m) => m.subject === "acp.v1.invoke.inv-basic");
    expect(wire!.reply).toBeUndefined();
    expect(wire!.headers).toBeUndefined();
    expect(Object.keys(wire!.json!)).toEqual(["spec_version", "schema_version", "event_id", "event_type", "occurred_at", "reply_to", "from", "to", "payload"]);
    expect(String(wire!.json!["occurred_at"])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
    expect(String(wire!.json!["event_id"])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await net.tap.where("the reply on the inbox", (m) => m.subject === req.reply_to && m.json?.["correlation_id"] === req.event_id);
  });

  it('a deployed request nobody serves waits for the client\'s timeout (no NATS reply subject, so no "no responders")', async () => {
    const a = await net.peer.call("invoke", { target: "inv-nobody", payload: {}, timeout: 0.3 });
    expect(a).toMatchObject({ ok: false, error_type: "TimeoutError" });
  });

  it("finals have ONE wire form: the deployed client gets the handler's bare value, as from deployed handlers", async () => {
    const values: unknown[] = [{ a: 1 }, "alice", [1, "two"], 0, false, { text: "t", raw: {} }];
    ts.handleInvoke("inv-final", (p: unknown) => values[p as number]);
    ts.handleStream("st-final", async (p: unknown, w) => {
      await w.delta("x");
      await w.final(values[p as number]);
    });
    await net.settle();
    for (const [i, v] of values.entries()) {
      expect((await pyInvoke("inv-final", i))["payload"], `invoke ${JSON.stringify(v)}`).toEqual(v);
      const frames = await pyStream("st-final", i);
      expect(frames.at(-1)!["payload"], `stream ${JSON.stringify(v)}`).toEqual(v);
    }
    // undefined: a final without a payload, both ways of answering.
    expect(await pyInvoke("inv-final", 99)).not.toHaveProperty("payload");
    expect((await pyStream("st-final", 99)).at(-1)).not.toHaveProperty("payload");
  });
});

describe("streams: deployed Python client → TS stream handler", () => {
  it("iterates the frames in seq order from 0 and stops at the final", async () => {
    ts.handleStream("st-basic", async (_p, w) => {
      await w.started({ model: "m1" });
      await w.delta("al");
      await w.delta({ delta: "ice", data: { tokens: 2 } });
      await w.final("done");
    });
    await net.settle();
    const frames = await pyStream("st-basic", {});
    expect(frames.map((f) => f["event_type"])).toEqual(["agent.response.started", "agent.response.delta", "agent.response.delta", "agent.response.final"]);
    // Deployed to_dict() omits seq 0: the started frame has none.
    expect(frames.map((f) => f["seq"])).toEqual([undefined, 1, 2, 3]);
    expect(frames.map((f) => f["is_final"])).toEqual([undefined, undefined, undefined, true]);
    expect(frames.slice(0, 3).map((f) => f["payload"])).toEqual([{ meta: { model: "m1" } }, { delta: "al" }, { delta: "ice", data: { tokens: 2 } }]);
    for (const f of frames) expect(f).toMatchObject({ from: "st-basic", to: "py-peer" });
  });

  it("an error frame ends the deployed client's iteration, code and retryable as thrown", async () => {
    ts.handleStream("st-err", async (_p, w) => {
      await w.delta("a");
      throw new AgentTimeoutError("upstream slow");
    });
    await net.settle();
    const frames = await pyStream("st-err", {});
    expect(frames.map((f) => f["event_type"])).toEqual(["agent.response.delta", "agent.response.error"]);
    expect(frames[1]).toMatchObject({ is_final: true, payload: { code: "AGENT_TIMEOUT", message: "upstream slow", retryable: true } });
  });
});

describe("errors: TS handler → deployed Python client", () => {
  it("each deployed code reaches the deployed client as thrown (code, message, retryable)", async () => {
    const classes = [
      AgentTimeoutError,
      AgentUnavailableError,
      BackpressureDropError,
      TransportFailureError,
      CodecFailureError,
      AuthFailureError,
      InvalidRequestError,
      NoHandlerError,
    ];
    ts.handleInvoke("inv-err", (p: unknown) => {
      const { i, retryable } = p as { i: number; retryable: boolean };
      const Cls = classes[i];
      throw Cls === undefined ? new Error("boom") : new Cls(`ts says ${i}`, { retryable });
    });
    await net.settle();
    for (const [i, Cls] of classes.entries()) {
      for (const retryable of [true, false]) {
        const reply = await pyInvoke("inv-err", { i, retryable });
        expect(reply["event_type"]).toBe("agent.response.error");
        expect(reply["payload"]).toMatchObject({ code: new Cls("").code, message: `ts says ${i}`, retryable });
      }
    }
    expect(classes.map((C) => new C("").code)).toEqual([...DEPLOYED_CODES]);
    // Any other throw: AGENT_UNAVAILABLE, not retryable, the error's message (as deployed SDKs do).
    expect((await pyInvoke("inv-err", { i: 99 }))["payload"]).toMatchObject({ code: "AGENT_UNAVAILABLE", message: "boom", retryable: false });
  });

  it("extension codes answer a schema_version 1 request with the nearest deployed code, keeping the precise one where old readers ignore it", async () => {
    const thrown = { denied: () => new PermissionDeniedError("not yours"), canceled: () => new CanceledError("caller gave up") };
    ts.handleInvoke("inv-ext", (p: unknown) => {
      throw thrown[p as keyof typeof thrown]();
    });
    ts.handleStream("st-ext", async (p: unknown, w) => {
      await w.delta("a");
      throw thrown[p as keyof typeof thrown]();
    });
    await net.settle();
    for (const [kind, precise] of [
      ["denied", "PERMISSION_DENIED"],
      ["canceled", "CANCELED"],
    ] as const) {
      const invoked = await pyInvoke("inv-ext", kind);
      const streamed = (await pyStream("st-ext", kind)).at(-1)!;
      for (const reply of [invoked, streamed]) {
        expect(reply["event_type"], kind).toBe("agent.response.error");
        const payload = reply["payload"] as Json;
        // The deployed envelope schema has a closed list of codes (openagentio/event/payload.py).
        expect(DEPLOYED_CODES as readonly unknown[], `${kind}: ${JSON.stringify(payload)}`).toContain(payload["code"]);
        if (precise === "PERMISSION_DENIED") expect(payload["code"]).toBe("AUTH_FAILURE");
        expect(payload).toMatchObject({ retryable: false });
        // ...and the precise code is still in the reply, somewhere a v1 reader ignores.
        const elsewhere = JSON.stringify({ ...reply, payload: { ...payload, code: undefined } });
        expect(elsewhere, kind).toContain(precise);
      }
    }
    // A TS (schema_version 2) caller keeps getting the precise class.
    await expect(ts.invoke("inv-ext", "denied")).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(ts.invoke("inv-ext", "canceled")).rejects.toBeInstanceOf(CanceledError);
  });
});

describe("context, tenants and queue groups: deployed Python client → TS", () => {
  it("context set by the deployed client reaches the TS handler and propagates into its nested call to a deployed handler", async () => {
    const acme = await net.bus("ts-acme", { tenant: "acme" });
    await net.peer.ok("handle", { kind: "invoke", target: "leaf", tenant: "acme", agent: "py-leaf" });
    const seen: Envelope[] = [];
    acme.handleInvoke("ctx-mid", async (_p, ctx) => {
      seen.push(ctx.envelope);
      await acme.invoke("leaf", { do: "return", value: "leaf-ok" });
      return "mid-ok";
    });
    await net.settle();
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const context = {
      session_id: "sess-9",
      conversation_id: "conv-9",
      tenant_id: "acme",
      user_id: "user-9",
      channel: "matrix",
      trace_id: trace,
      span_id: "00f067aa0ba902b7",
      traceparent: `00-${trace}-00f067aa0ba902b7-01`,
      metadata: { "dingtalk.chat": "c1" },
    };
    const reply = await pyInvoke("ctx-mid", {}, { context, tenant: "acme" });
    expect(seen).toHaveLength(1);
    const { metadata, ...fields } = context;
    expect(seen[0]).toMatchObject({ ...fields, metadata });
    // The TS reply copies the request's context fields as they are.
    expect(reply).toMatchObject({ ...fields, metadata });
    // The nested request carries session, conversation, tenant, user, channel, the same trace
    // with a new span, and (deployed-style) the non-acp metadata is not propagated implicitly.
    const [leaf] = await net.peer.eventsWhere("the nested request", handled("leaf"), 1);
    const nested = envOf(leaf!);
    expect(nested).toMatchObject({
      session_id: "sess-9",
      conversation_id: "conv-9",
      tenant_id: "acme",
      user_id: "user-9",
      channel: "matrix",
      trace_id: trace,
      from: "ts-acme",
      to: "leaf",
    });
    expect(nested["span_id"]).not.toBe("00f067aa0ba902b7");
    expect(nested["traceparent"]).toBe(`00-${trace}-${String(nested["span_id"])}-01`);
    await net.tap.where("the tenant's subject", (m) => m.subject === "acp.v1.acme.invoke.ctx-mid");
  });

  it("tenants are isolated: the deployed client's tenant picks the TS handler", async () => {
    const count: Record<string, number> = {};
    for (const tenant of ["acme", "globex", null] as const) {
      ts.handleInvoke(
        "room",
        () => {
          count[String(tenant)] = (count[String(tenant)] ?? 0) + 1;
          return String(tenant);
        },
        { tenant },
      );
    }
    await net.settle();
    const viaBus = await pyInvoke("room", 1, { tenant: "acme" });
    const viaEnvelope = await pyInvoke("room", 2, { context: { tenant_id: "globex" } });
    const untenanted = await pyInvoke("room", 3);
    expect([viaBus["tenant_id"], viaEnvelope["tenant_id"], untenanted["tenant_id"]]).toEqual(["acme", "globex", undefined]);
    expect(count).toEqual({ acme: 1, globex: 1, null: 1 });
    expect((await net.tap.where("three requests", (m) => m.subject.endsWith(".invoke.room"), 3)).map((m) => m.subject)).toEqual([
      "acp.v1.acme.invoke.room",
      "acp.v1.globex.invoke.room",
      "acp.v1.invoke.room",
    ]);
  });

  it("queue groups: deployed requests to a target served by two TS buses are each answered once", async () => {
    const a = await net.bus("ts-qa");
    const b = await net.bus("ts-qb");
    const got = { a: 0, b: 0 };
    a.handleInvoke("q-work", () => ++got.a);
    b.handleInvoke("q-work", () => ++got.b);
    await net.settle();
    const n = 30;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => pyInvoke("q-work", i)));
    expect(replies.every((r) => r["event_type"] === "agent.response.final")).toBe(true);
    expect(got.a + got.b).toBe(n);
    expect(got.a).toBeGreaterThan(0);
    expect(got.b).toBeGreaterThan(0);
  });
});

describe("pub/sub: deployed Python publish → TS subscribers", () => {
  it("fan-out, patterns, queue groups and tenants; the event's context arrives", async () => {
    const fan: Envelope[] = [];
    const pattern: string[] = [];
    const queued: string[] = [];
    const acme: Envelope[] = [];
    ts.subscribe("task.queued", (_p, ctx) => void fan.push(ctx.envelope));
    ts.subscribe("task.*", (_p, ctx) => void pattern.push(ctx.envelope.event_id));
    (await net.bus("ts-w1")).subscribe("task.queued", (_p, ctx) => void queued.push(ctx.envelope.event_id), { queue: "workers" });
    (await net.bus("ts-w2")).subscribe("task.queued", (_p, ctx) => void queued.push(ctx.envelope.event_id), { queue: "workers" });
    ts.subscribe("task.queued", (_p, ctx) => void acme.push(ctx.envelope), { tenant: "acme" });
    await net.settle();
    const n = 20;
    const sent: string[] = [];
    const context = { session_id: "s-ev", user_id: "u-ev", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
    for (let i = 0; i < n; i++) {
      const a = await net.peer.ok("publish", { event_type: "task.queued", payload: { i }, context });
      sent.push(String((a["envelope"] as Json)["event_id"]));
    }
    await net.peer.ok("publish", { event_type: "task.queued", payload: { i: -1 }, tenant: "acme" });
    await net.peer.ok("publish", { event_type: "task.done", payload: {} });
    await net.tap.where("the marker", (m) => m.subject === "acp.v1.events.task.done");
    await ts.transport.flush();
    await waitFor("every subscriber's events", () => fan.length === n && pattern.length === n + 1 && queued.length === n && acme.length === 1);
    expect(fan.map((e) => e.event_id)).toEqual(sent);
    expect(fan[0]).toMatchObject({ event_type: "task.queued", from: "py-peer", schema_version: 1, payload: { i: 0 }, ...context });
    expect(queued.slice().sort()).toEqual(sent.slice().sort());
    // Deployed publish routes by the bus tenant but leaves the envelope's tenant_id empty
    // (bus.py publish): only the subject says "acme" (spec/interop.md "Tenants"). The TS
    // subscriber's envelope carries the subject's tenant (spec/bus.md "The tenant of what arrives").
    expect(acme.map((e) => [e.tenant_id, e.payload])).toEqual([["acme", { i: -1 }]]);
    const wire = await net.tap.where("the events", (m) => m.subject.includes(".events.task."), n + 2);
    expect(wire.map((m) => m.subject).slice(-3)).toEqual(["acp.v1.events.task.queued", "acp.v1.acme.events.task.queued", "acp.v1.events.task.done"]);
    expect(wire.at(-2)!.json).not.toHaveProperty("tenant_id");
    // A deployed publish: no NATS reply, no headers, no reply_to in the envelope.
    for (const m of wire) {
      expect(m.reply).toBeUndefined();
      expect(m.headers).toBeUndefined();
      expect(m.json).not.toHaveProperty("reply_to");
    }
  });
});

describe("dotted targets: deployed Python client → TS handlers", () => {
  it("TS serves openclaw.chat (stream) and mcp-fs.read_file (invoke) for the deployed client", async () => {
    const seen: string[] = [];
    ts.handleStream("openclaw.chat", async (_p, w, ctx) => {
      seen.push(ctx.subject);
      await w.delta("al");
      await w.delta("ice");
      await w.final({ text: "alice" });
    });
    ts.handleInvoke("mcp-fs.read_file", (_p, ctx) => {
      seen.push(ctx.subject);
      return { content: "hi" };
    });
    await net.settle();
    const frames = await pyStream("openclaw.chat", { messages: [] });
    expect(frames.map((f) => f["event_type"])).toEqual(["agent.response.delta", "agent.response.delta", "agent.response.final"]);
    expect(frames.slice(0, 2).map((f) => f["payload"])).toEqual([{ delta: "al" }, { delta: "ice" }]);
    expect((await pyInvoke("mcp-fs.read_file", { path: "/x" }))["event_type"]).toBe("agent.response.final");
    expect(seen).toEqual(["acp.v1.invoke.openclaw.chat", "acp.v1.invoke.mcp-fs.read_file"]);
  });
});
