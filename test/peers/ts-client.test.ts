/**
 * The TypeScript bus as a client of the DEPLOYED Python SDK (openagentio==0.3.0 from PyPI):
 * invoke, errors, context, tenants, queue groups, subscriptions and pub/sub against a real
 * nats-server, with a raw tap recording what was on the wire (spec/interop.md). Streams and
 * dotted targets: ts-client-streams.test.ts. One Python peer process serves the whole file;
 * each test uses its own targets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultOf, type Bus } from "../../runtime/bus/index.js";
import {
  AcpError,
  AgentTimeoutError,
  AgentUnavailableError,
  AuthFailureError,
  BackpressureDropError,
  CodecFailureError,
  InvalidRequestError,
  NoHandlerError,
  PermissionDeniedError,
  TransportFailureError,
} from "../../runtime/errors.js";
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

describe("invoke: TS bus → deployed Python handler", () => {
  it("returns the handler's bare value; the reply is a schema_version 1 final on the request's reply_to", async () => {
    await net.peer.ok("handle", { kind: "invoke", target: "inv-basic" });
    expect(await ts.invoke("inv-basic", { do: "return", value: { a: 1 } })).toEqual({ a: 1 });
    expect(await ts.invoke("inv-basic", { do: "return", value: "alice" })).toBe("alice");
    expect(await ts.invoke("inv-basic", { do: "return", value: [1, "two"] })).toEqual([1, "two"]);
    expect(await ts.invoke("inv-basic", { do: "return", value: 0 })).toBe(0);
    expect(await ts.invoke("inv-basic", { do: "return", value: false })).toBe(false);
    expect(await ts.invoke("inv-basic", { do: "return", value: null })).toBeUndefined();

    const [req] = await net.tap.where("the request", (m) => m.subject === "acp.v1.invoke.inv-basic");
    const reqJson = req!.json!;
    const replies = await net.tap.where("the reply", (m) => m.subject === reqJson["reply_to"]);
    const reply = replies[0]!;
    // spec/interop.md "Replies": bare value, schema_version 1, no frame_type/phase/seq, no NATS reply, no headers.
    expect(reply.json).toMatchObject({
      spec_version: "acp/1.0",
      schema_version: 1,
      event_type: "agent.response.final",
      is_final: true,
      correlation_id: reqJson["event_id"],
      from: "py-peer",
      to: "ts",
      payload: { a: 1 },
    });
    for (const absent of ["frame_type", "phase", "seq", "reply_to", "tenant_id"]) expect(reply.json).not.toHaveProperty(absent);
    expect(reply.reply).toBeUndefined();
    expect(reply.headers).toBeUndefined();
    // A None result: a final without a payload key at all.
    await net.tap.where(
      "a final without a payload",
      (m) => m.json?.["event_type"] === "agent.response.final" && m.json["from"] === "py-peer" && !("payload" in m.json),
    );
    // The Python handler saw the request as we sent it (from, to, payload).
    const seen = await net.peer.eventsWhere("the handled request", handled("inv-basic"), 6);
    expect(envOf(seen[0]!)).toMatchObject({ from: "ts", to: "inv-basic", reply_to: reqJson["reply_to"], payload: { do: "return", value: { a: 1 } } });
  });

  it("surfaces every deployed error code as its typed class, with the wire's retryable and message", async () => {
    await net.peer.ok("handle", { kind: "invoke", target: "inv-err" });
    const classes = {
      AGENT_TIMEOUT: AgentTimeoutError,
      AGENT_UNAVAILABLE: AgentUnavailableError,
      BACKPRESSURE_DROP: BackpressureDropError,
      TRANSPORT_FAILURE: TransportFailureError,
      CODEC_FAILURE: CodecFailureError,
      AUTH_FAILURE: AuthFailureError,
      INVALID_REQUEST: InvalidRequestError,
      NO_HANDLER: NoHandlerError,
    } as const;
    expect(Object.keys(classes)).toEqual([...DEPLOYED_CODES]);
    for (const [code, Cls] of Object.entries(classes)) {
      for (const retryable of [true, false]) {
        const err = await ts.invoke("inv-err", { do: "raise", code, message: `python says ${code}`, retryable }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, code).toBeInstanceOf(Cls);
        expect(err).toMatchObject({ code, retryable, message: `python says ${code}` });
      }
    }
    // A deployed handler may raise an extension code too: it arrives typed.
    const denied = await ts.invoke("inv-err", { do: "raise", code: "PERMISSION_DENIED", message: "no" }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    // The SDK's own classes carry their default retryable (bus/errors.py); AGENT_UNAVAILABLE's
    // is false there, true in our catalogue: the wire's flag is what the client reports.
    const defaults = {
      AgentTimeoutError: true,
      AgentUnavailableError: false,
      NoHandlerError: false,
      TransportFailureError: true,
      AuthFailureError: false,
      CodecFailureError: false,
      InvalidRequestError: false,
      BackpressureDropError: true,
    };
    for (const [cls, retryable] of Object.entries(defaults)) {
      const err = await ts.invoke("inv-err", { do: "raise_class", cls, message: cls }).catch((e: unknown) => e);
      expect(err, cls).toBeInstanceOf(AcpError);
      expect(err, cls).toMatchObject({ name: cls, retryable, message: cls });
    }
    // asyncio.TimeoutError: AGENT_TIMEOUT, retryable (bus/errors.py error_code_for).
    const timeout = await ts.invoke("inv-err", { do: "raise_timeout" }).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(AgentTimeoutError);
    expect(timeout).toMatchObject({ code: "AGENT_TIMEOUT", retryable: true });
    // Any other exception: AGENT_UNAVAILABLE, not retryable, the exception's text as message.
    const plain = await ts.invoke("inv-err", { do: "raise_plain", message: "boom" }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(AgentUnavailableError);
    expect(plain).toMatchObject({ code: "AGENT_UNAVAILABLE", retryable: false, message: "boom" });
    // On the wire: ErrorPayload as the deployed dataclass writes it, `cause: {}` included.
    const wire = await net.tap.where("27 error replies", (m) => m.json?.["event_type"] === "agent.response.error" && m.json["from"] === "py-peer", 27);
    expect(wire.map((m) => m.json!["payload"])).toContainEqual({ code: "AGENT_UNAVAILABLE", message: "boom", retryable: false, cause: {} });
    for (const m of wire) expect(m.json).toMatchObject({ schema_version: 1, is_final: true, event_type: "agent.response.error" });
  });

  // No "no responders" case here: the tap's `>` subscription answers every subject
  // (test/bus covers NO_HANDLER).
});

describe("context, tenants and queue groups: TS bus → deployed Python", () => {
  it("the deployed handler receives session, conversation, tenant, user, channel and traceparent; its reply copies them", async () => {
    await net.peer.ok("handle", { kind: "invoke", target: "ctx-echo", tenant: "acme" });
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const context = { session_id: "sess-1", conversation_id: "conv-1", tenant_id: "acme", user_id: "user-1", channel: "web", traceparent };
    const reply = await ts.invokeEnvelope("ctx-echo", { do: "envelope" }, { context, metadata: { "app.k": "v", "acp.retry.attempt": 1 } });
    const seen = reply.payload as Json;
    expect(seen).toMatchObject({ session_id: "sess-1", conversation_id: "conv-1", tenant_id: "acme", user_id: "user-1", channel: "web" });
    expect(seen["metadata"]).toEqual({ "app.k": "v", "acp.retry.attempt": 1 });
    expect(String(seen["traceparent"])).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(seen["trace_id"]).toBe("0af7651916cd43dd8448eb211c80319c");
    // The deployed reply shell copies the context fields and the non-acp metadata.
    expect(reply).toMatchObject({
      session_id: "sess-1",
      conversation_id: "conv-1",
      tenant_id: "acme",
      user_id: "user-1",
      channel: "web",
      traceparent: seen["traceparent"],
      trace_id: seen["trace_id"],
      span_id: seen["span_id"],
    });
    // ...and the request's metadata without the acp.* keys (bus/stream.py _inherit_metadata).
    expect(reply.metadata).toEqual({ "app.k": "v" });
    await net.tap.where("the tenant's invoke subject", (m) => m.subject === "acp.v1.acme.invoke.ctx-echo");
  });

  it("a deployed handler with WithSessionPropagation passes session, conversation and trace (same span) to its nested call, not user or channel", async () => {
    const acme = await net.bus("ts-acme-leaf", { tenant: "acme" });
    const seen: Json[] = [];
    acme.handleInvoke("ts-leaf", (_p, ctx) => {
      seen.push({ ...ctx.envelope });
      return "leaf";
    });
    await net.peer.ok("handle", { kind: "invoke", target: "py-mid", tenant: "acme", agent: "py-mid", propagate: true });
    await net.settle();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const context = { session_id: "s-2", conversation_id: "c-2", tenant_id: "acme", user_id: "u-2", channel: "web", traceparent };
    const reply = await ts.invokeEnvelope("py-mid", { do: "call", target: "ts-leaf", payload: {} }, { context });
    expect(reply.event_type).toBe("agent.response.final");
    const [mid] = await net.peer.eventsWhere("the mid request", handled("py-mid"), 1);
    const got = envOf(mid!);
    expect(seen).toHaveLength(1);
    const nested = seen[0]!;
    expect(nested).toMatchObject({
      from: "py-mid",
      to: "ts-leaf",
      schema_version: 1,
      session_id: "s-2",
      conversation_id: "c-2",
      tenant_id: "acme", // the deployed bus' own tenant, not inherited
      trace_id: got["trace_id"],
      span_id: got["span_id"], // deployed propagation keeps the span id as is
      traceparent: got["traceparent"],
    });
    expect(nested["user_id"]).toBeUndefined();
    expect(nested["channel"]).toBeUndefined();
    // Without WithSessionPropagation (the default) a nested call carries none of it.
    await net.peer.ok("handle", { kind: "invoke", target: "py-mid-off", tenant: "acme", agent: "py-mid-off" });
    await ts.invokeEnvelope("py-mid-off", { do: "call", target: "ts-leaf", payload: {} }, { context });
    expect(seen).toHaveLength(2);
    for (const field of ["session_id", "conversation_id", "user_id", "channel", "trace_id", "span_id", "traceparent"]) {
      expect(seen[1]![field], field).toBeUndefined();
    }
    expect(seen[1]).toMatchObject({ from: "py-mid-off", tenant_id: "acme" });
  });

  it("tenants are isolated: each request reaches only the deployed handler of its tenant", async () => {
    for (const [agent, tenant] of [
      ["py-acme", "acme"],
      ["py-globex", "globex"],
      ["py-none", undefined],
    ] as const) {
      await net.peer.ok("handle", { kind: "invoke", target: "room", agent, ...(tenant === undefined ? {} : { tenant }) });
    }
    const acme = await net.bus("ts-acme-room", { tenant: "acme" });
    expect((await acme.invokeEnvelope("room", { do: "return", value: 1 })).from).toBe("py-acme");
    expect((await ts.invokeEnvelope("room", { do: "return", value: 2 }, { context: { tenant_id: "globex" } })).from).toBe("py-globex");
    expect((await ts.invokeEnvelope("room", { do: "return", value: 3 })).from).toBe("py-none");
    const seen = await net.peer.eventsWhere("three handled", handled("room"), 3);
    expect(seen.map((e) => [e["agent"], envOf(e)["tenant_id"], (envOf(e)["payload"] as Json)["value"]])).toEqual([
      ["py-acme", "acme", 1],
      ["py-globex", "globex", 2],
      ["py-none", undefined, 3],
    ]);
    expect((await net.tap.where("three requests", (m) => m.subject.endsWith(".invoke.room"), 3)).map((m) => m.subject)).toEqual([
      "acp.v1.acme.invoke.room",
      "acp.v1.globex.invoke.room",
      "acp.v1.invoke.room",
    ]);
  });

  it("queue groups: deployed and TS handlers of one target share its default queue group (each request answered once)", async () => {
    await net.peer.ok("handle", { kind: "invoke", target: "work", agent: "py-w1" });
    await net.peer.ok("handle", { kind: "invoke", target: "work", agent: "py-w2" });
    const server = await net.bus("ts-w3");
    let tsCount = 0;
    await server.handleInvoke("work", () => {
      tsCount++;
      return "ts-w3";
    });
    // A deployed reply's `from` is the Python bus' agent id; ours is the target, so the TS
    // member is told apart by its answer.
    await net.settle();
    const n = 45;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => ts.invokeEnvelope("work", { do: "return", value: `py-${i}` })));
    const by = (who: string): number => answers.filter((a) => (who.startsWith("py-") ? a.from === who : resultOf(a) === who)).length;
    expect(by("py-w1") + by("py-w2") + by("ts-w3")).toBe(n);
    expect(by("py-w1")).toBeGreaterThan(0);
    expect(by("py-w2")).toBeGreaterThan(0);
    expect(by("ts-w3")).toBe(tsCount);
    // the peer logs a handled request after it replies: wait for the log to catch up
    await net.peer.eventsWhere("the Python peer's handled log", handled("work"), by("py-w1") + by("py-w2"));
    const pySeen = net.peer.events.filter(handled("work"));
    expect(pySeen).toHaveLength(by("py-w1") + by("py-w2"));
    // An explicit queue group name works across both as well.
    await net.peer.ok("handle", { kind: "invoke", target: "work2", agent: "py-w1", queue: "pool" });
    await net.peer.ok("handle", { kind: "invoke", target: "work2", agent: "py-w2", queue: "pool" });
    await net.settle();
    const two = await Promise.all(Array.from({ length: 20 }, () => ts.invokeEnvelope("work2", { do: "return", value: 0 })));
    expect(new Set(two.map((a) => a.from))).toEqual(new Set(["py-w1", "py-w2"]));
    await net.peer.eventsWhere("the Python peer's handled log", handled("work2"), 20);
    expect(net.peer.events.filter(handled("work2"))).toHaveLength(20);
  });
});

describe("deployed subscriptions, as the nats-server reports them", () => {
  it("invoke/stream handlers: {p}[.{tenant}].invoke.{target}, queue group = target unless WithHandleQueue; subscribe: no queue unless WithQueue", async () => {
    await net.peer.ok("handle", { kind: "invoke", target: "sub-inv", agent: "py-subs" });
    await net.peer.ok("handle", { kind: "invoke", target: "sub-inv", agent: "py-subs", tenant: "acme" });
    await net.peer.ok("handle", { kind: "stream", target: "sub-pool", agent: "py-subs", queue: "pool" });
    await net.peer.ok("handle", { kind: "invoke", target: "mcp-git.status", agent: "py-subs" });
    await net.peer.ok("subscribe", { name: "s1", event_type: "sub.evt", agent: "py-subs" });
    await net.peer.ok("subscribe", { name: "s2", event_type: "sub.evt", agent: "py-subs", queue: "workers" });
    await net.peer.ok("subscribe", { name: "s3", event_type: "sub.*", agent: "py-subs", tenant: "acme" });
    const tsBus = await net.bus("ts-subs");
    tsBus.handleInvoke("sub-inv", () => 1);
    await net.settle();
    const subs = await net.subscriptions();
    const key = (x: readonly [string, string | undefined]): string => `${x[0]} ${x[1] ?? ""}`;
    const sorted = (xs: (readonly [string, string | undefined])[]): string[] => xs.map(key).sort();
    const peerSubs = subs.filter((x) => x.connection === "deployed-python-peer:py-peer" && /sub|mcp-git/.test(x.subject));
    expect(sorted(peerSubs.map((x) => [x.subject, x.queue] as const))).toEqual(
      sorted([
        ["acp.v1.acme.events.sub.*", undefined],
        ["acp.v1.acme.invoke.sub-inv", "sub-inv"],
        ["acp.v1.events.sub.evt", undefined],
        ["acp.v1.events.sub.evt", "workers"],
        ["acp.v1.invoke.mcp-git.status", "mcp-git.status"],
        ["acp.v1.invoke.sub-inv", "sub-inv"],
        ["acp.v1.invoke.sub-pool", "pool"],
      ]),
    );
    // Our handler of the same target joins the same default queue group.
    expect(subs.filter((x) => x.subject === "acp.v1.invoke.sub-inv").map((x) => x.queue)).toEqual(["sub-inv", "sub-inv"]);
  });
});

describe("pub/sub: TS publish → deployed Python subscribers", () => {
  it("fan-out and queue groups across both SDKs, tenants isolated, context carried", async () => {
    await net.peer.ok("subscribe", { name: "fan", event_type: "job.posted" });
    await net.peer.ok("subscribe", { name: "q1", event_type: "job.posted", agent: "py-q1", queue: "workers" });
    await net.peer.ok("subscribe", { name: "q2", event_type: "job.posted", agent: "py-q2", queue: "workers" });
    await net.peer.ok("subscribe", { name: "acme", event_type: "job.posted", tenant: "acme" });
    const sub = await net.bus("ts-q3");
    const tsGot: string[] = [];
    await sub.subscribe("job.posted", (_p, ctx) => void tsGot.push(ctx.envelope.event_id), { queue: "workers" });
    await net.settle();
    const n = 30;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      await ts.publish("job.posted", { i }, { context: { session_id: "s-pub", user_id: "u-pub" } });
    }
    await ts.publish("job.posted", { i: -1 }, { context: { tenant_id: "acme", session_id: "s-acme" } });
    const fan = await net.peer.eventsWhere("fan-out subscriber got all", (e) => e["sub"] === "fan", n);
    for (const e of fan) ids.push(String(envOf(e)["event_id"]));
    expect(fan.map((e) => (envOf(e)["payload"] as Json)["i"])).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(envOf(fan[0]!)).toMatchObject({ event_type: "job.posted", from: "ts", session_id: "s-pub", user_id: "u-pub", schema_version: 2 });
    const queued = (): string[] => [
      ...net.peer.events.filter((e) => e["sub"] === "q1" || e["sub"] === "q2").map((e) => String(envOf(e)["event_id"])),
      ...tsGot,
    ];
    await net.peer.eventsWhere("the tenant subscriber", (e) => e["sub"] === "acme", 1);
    await net.settle();
    await net.peer.ok("flush");
    expect(queued().sort()).toEqual([...ids].sort());
    // The untenanted subscribers never saw the tenant's event; the tenant's saw only it.
    expect(net.peer.events.filter((e) => e["sub"] === "acme").map((e) => envOf(e)["session_id"])).toEqual(["s-acme"]);
    expect(fan.some((e) => envOf(e)["tenant_id"] === "acme")).toBe(false);
    expect((await net.tap.where("the events", (m) => m.subject.endsWith("events.job.posted"), n + 1)).map((m) => m.subject).slice(-2)).toEqual([
      "acp.v1.events.job.posted",
      "acp.v1.acme.events.job.posted",
    ]);
  });
});
