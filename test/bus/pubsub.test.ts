import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope } from "../../generated/ts/types.js";
import { decodeOrThrow } from "../../runtime/envelope/index.js";
import { parseTraceparent, type HandlerContext } from "../../runtime/bus/index.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe.each(["memory", "nats"] as const)("publish / subscribe over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("fans out to every subscriber, typed by the EventMap, on {p}.events.{event_type}", async () => {
    const pub = await net.bus("publisher");
    const a = await net.bus("sub-a");
    const b = await net.bus("sub-b");
    const got: { who: string; taskId: string; subject: string }[] = [];
    a.subscribe("agent.task.created", (p, ctx) => void got.push({ who: "a", taskId: p.task_id, subject: ctx.subject }));
    b.subscribe("agent.task.created", (p, ctx) => void got.push({ who: "b", taskId: p.task_id, subject: ctx.subject }));
    await net.settle();
    await pub.publish("agent.task.created", { task_id: "t-1", status: "submitted" });
    await waitFor("both deliveries", () => got.length === 2);
    expect(got.map((g) => g.who).sort()).toEqual(["a", "b"]);
    expect(got.every((g) => g.taskId === "t-1" && g.subject === "acp.v1.events.agent.task.created")).toBe(true);
  });

  it("matches wildcards, spreads a queue group, and stops after unsubscribe", async () => {
    const pub = await net.bus("wild-pub");
    const subs = await net.bus("wild-subs");
    const seen = { star: [] as string[], tail: [] as string[], q1: 0, q2: 0 };
    const star = subs.subscribe("orders.*", (_p, ctx) => void seen.star.push(ctx.envelope.event_type));
    subs.subscribe("orders.>", (_p, ctx) => void seen.tail.push(ctx.envelope.event_type));
    subs.subscribe("orders.created", () => void seen.q1++, { queue: "workers" });
    subs.subscribe("orders.created", () => void seen.q2++, { queue: "workers" });
    await net.settle();
    await pub.publish("orders.created", { id: 1 });
    await pub.publish("orders.eu.shipped", { id: 1 });
    await waitFor("wildcard deliveries", () => seen.tail.length === 2 && seen.star.length === 1 && seen.q1 + seen.q2 === 1);
    expect(seen.star).toEqual(["orders.created"]);
    expect(seen.tail.sort()).toEqual(["orders.created", "orders.eu.shipped"]);
    for (let i = 0; i < 30; i++) await pub.publish("orders.created", { id: i });
    await waitFor("queue deliveries", () => seen.q1 + seen.q2 === 31);
    expect(seen.q1).toBeGreaterThan(0);
    expect(seen.q2).toBeGreaterThan(0);
    await star.unsubscribe();
    await star.closed;
    await pub.publish("orders.updated", {});
    await waitFor("the tail subscriber", () => seen.tail.length === 33);
    expect(seen.star).toHaveLength(31);
    expect(seen.star).not.toContain("orders.updated");
  });

  it("routes events of a tenant to {p}.{tenant}.events.…, and only that tenant's subscribers get them", async () => {
    const acme = await net.bus("acme-pub", { tenant: "acme" });
    const acmeSub = await net.bus("acme-sub", { tenant: "acme" });
    const plainSub = await net.bus("plain-sub");
    const got: string[] = [];
    acmeSub.subscribe("ping", (_p, ctx) => void got.push(`acme:${ctx.subject}`));
    plainSub.subscribe("ping", (_p, ctx) => void got.push(`plain:${ctx.subject}`));
    await net.settle();
    await acme.publish("ping", {});
    await acme.publish("ping", {}, { context: { tenant_id: "globex" } });
    await plainSub.publish("ping", {});
    await waitFor("deliveries", () => got.length === 2);
    expect(got.sort()).toEqual(["acme:acp.v1.acme.events.ping", "plain:acp.v1.events.ping"]);
  });

  it("propagates context from a handled envelope into every send, with a new span in the same trace", async () => {
    const edge = await net.bus("edge");
    const middle = await net.bus("middle");
    const leaf = await net.bus("leaf");
    const seen: Record<string, Envelope> = {};
    leaf.handleInvoke("leaf", (_req, ctx) => void (seen["invoke"] = ctx.envelope));
    leaf.subscribe("audit.>", (_p, ctx) => void (seen[ctx.envelope.event_type] = ctx.envelope));
    middle.handleInvoke("middle", async (_req, ctx: HandlerContext) => {
      seen["handled"] = ctx.envelope;
      await middle.publish("audit.inherited", {});
      await middle.publish(
        "audit.explicit",
        {},
        { context: { session_id: "override", traceparent: "00-11111111111111111111111111111111-2222222222222222-00" } },
      );
      await middle.invoke("leaf", {});
      return "done";
    });
    await net.settle();
    await edge.invoke(
      "middle",
      {},
      {
        context: { session_id: "sess-1", conversation_id: "conv-1", tenant_id: undefined, user_id: "user-1", channel: "slack", traceparent: TRACEPARENT },
      },
    );
    await waitFor("every envelope", () => ["handled", "invoke", "audit.inherited", "audit.explicit"].every((k) => seen[k] !== undefined));
    const handled = seen["handled"]!;
    expect(handled.trace_id).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    for (const key of ["invoke", "audit.inherited"]) {
      const env = seen[key]!;
      expect(env).toMatchObject({ session_id: "sess-1", conversation_id: "conv-1", user_id: "user-1", channel: "slack", trace_id: handled.trace_id });
      const tp = parseTraceparent(env.traceparent)!;
      expect(tp.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
      expect(tp.spanId).not.toBe(parseTraceparent(handled.traceparent)!.spanId);
      expect(env.span_id).toBe(tp.spanId);
      expect(env.from).toBe("middle");
    }
    const explicit = seen["audit.explicit"]!;
    expect(explicit.session_id).toBe("override");
    expect(explicit.conversation_id).toBe("conv-1");
    expect(explicit.traceparent).toBe("00-11111111111111111111111111111111-2222222222222222-00");
    expect(explicit.trace_id).toBe("11111111111111111111111111111111");
    // outside any handler nothing leaks in
    const quiet: Envelope[] = [];
    leaf.subscribe("quiet", (_p, ctx) => void quiet.push(ctx.envelope));
    await net.settle();
    await edge.publish("quiet", {});
    await waitFor("the quiet event", () => quiet.length === 1);
    expect(quiet[0]!.session_id).toBeUndefined();
    expect(quiet[0]!.traceparent).toBeUndefined();
  });

  it("never hands a bad inbound envelope to a handler: counts and logs it with the reason", async () => {
    const logged: { msg: string; fields: Record<string, unknown> }[] = [];
    const logger = { warn: (fields: Record<string, unknown>, msg: string) => void logged.push({ msg, fields }) };
    const strict = await net.bus("strict", { logger });
    const lenient = await net.bus("lenient", { validation: "lenient" });
    const strictGot: unknown[] = [];
    const lenientGot: unknown[] = [];
    strict.subscribe("raw.>", (p) => void strictGot.push(p));
    lenient.subscribe("raw.>", (p) => void lenientGot.push(p));
    await net.settle();
    const raw = await net.transport();
    const enc = new TextEncoder();
    raw.publish("acp.v1.events.raw.garbage", enc.encode("{not json"));
    raw.publish("acp.v1.events.raw.bad-utf8", new Uint8Array([0x7b, 0xff, 0x7d]));
    raw.publish(
      "acp.v1.events.raw.schema",
      enc.encode(
        JSON.stringify({
          spec_version: "acp/1.0",
          schema_version: 1,
          event_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
          event_type: "raw.schema",
          occurred_at: "2026-03-01T10:00:00Z",
          seq: -1,
          payload: { ok: "schema-bad" },
        }),
      ),
    );
    raw.publish(
      "acp.v1.events.raw.good",
      enc.encode(
        JSON.stringify({
          spec_version: "acp/1.0",
          schema_version: 1,
          event_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e42",
          event_type: "raw.good",
          occurred_at: "2026-03-01T10:00:00Z",
          payload: { ok: "good" },
        }),
      ),
    );
    await waitFor("the good event", () => strictGot.length === 1 && lenientGot.length === 2);
    expect(strictGot).toEqual([{ ok: "good" }]);
    expect(lenientGot).toEqual(expect.arrayContaining([{ ok: "good" }, { ok: "schema-bad" }]));
    expect(strict.stats().rejected).toEqual({ codec: 2, invalid: 1, total: 3 });
    expect(lenient.stats().rejected).toEqual({ codec: 2, invalid: 0, total: 2 });
    expect(lenient.stats().lenientAccepted).toBe(1);
    const reasons = logged.filter((l) => l.msg === "rejected inbound envelope").map((l) => l.fields);
    expect(reasons).toHaveLength(3);
    expect(reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: "INVALID_REQUEST", pointer: "/seq", subject: "acp.v1.events.raw.schema" })]),
    );
    expect(reasons.every((r) => typeof r["reason"] === "string" && (r["reason"] as string).length > 0)).toBe(true);
  });

  it("answers a bad invoke request with INVALID_REQUEST naming the defect, when reply_to is readable", async () => {
    const server = await net.bus("picky");
    let called = 0;
    server.handleInvoke("picky", () => ++called);
    const raw = await net.transport();
    const inbox = raw.newInbox();
    const replies: Envelope[] = [];
    const sub = raw.subscribe(inbox, {}, (m) => void replies.push(decodeOrThrow(m.data)));
    await net.settle();
    const bad = {
      spec_version: "acp/1.0",
      schema_version: 1,
      event_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
      event_type: "agent.message.received",
      occurred_at: "yesterday",
      reply_to: inbox,
      from: "raw-client",
      to: "picky",
      session_id: "s-9",
    };
    raw.publish("acp.v1.invoke.picky", new TextEncoder().encode(JSON.stringify(bad)));
    raw.publish("acp.v1.invoke.picky", new TextEncoder().encode(`{"reply_to":"${inbox}",`)); // not JSON: no reply possible
    await waitFor("the error reply", () => replies.length === 1);
    const reply = replies[0]!;
    expect(reply).toMatchObject({
      event_type: "agent.response.error",
      is_final: true,
      correlation_id: bad.event_id,
      from: "picky",
      to: "raw-client",
      session_id: "s-9",
      payload: { code: "INVALID_REQUEST", retryable: false, cause: { pointer: "/occurred_at" } },
    });
    expect((reply.payload as { message: string }).message).toContain("/occurred_at");
    expect(called).toBe(0);
    await waitFor("both rejections counted", () => server.stats().rejected.total === 2);
    sub.unsubscribe();
  });
});
