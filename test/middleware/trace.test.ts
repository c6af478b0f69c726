import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpanKind, SpanStatusCode, context } from "@opentelemetry/api";
import type { Envelope } from "../../runtime/index.js";
import { InvalidRequestError } from "../../runtime/errors.js";
import { tracing } from "../../runtime/middleware/index.js";
import { spanContextFromTraceparent, traceparentOf } from "../../runtime/middleware/trace.js";
import { useNet, waitFor } from "./net.js";
import { AlsContextManager, RecordingTracer } from "./recording-tracer.js";

const net = useNet();

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE}-${CALLER_SPAN}-01`;

describe("traceparent <-> span context", () => {
  it("reads valid W3C traceparents and refuses the invalid ones", () => {
    expect(spanContextFromTraceparent(` ${TRACEPARENT} `)).toEqual({ traceId: TRACE, spanId: CALLER_SPAN, traceFlags: 1, isRemote: true });
    expect(spanContextFromTraceparent(`01-${TRACE}-${CALLER_SPAN}-00-future`)).toMatchObject({ traceId: TRACE, traceFlags: 0 });
    for (const bad of [
      undefined,
      42,
      "",
      `${TRACEPARENT}-extra`,
      `ff-${TRACE}-${CALLER_SPAN}-01`,
      `00-${"0".repeat(32)}-${CALLER_SPAN}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      TRACEPARENT.toUpperCase(),
    ]) {
      expect(spanContextFromTraceparent(bad)).toBeUndefined();
    }
  });

  it("writes a version-00 traceparent with two-digit flags", () => {
    expect(traceparentOf({ traceId: TRACE, spanId: CALLER_SPAN, traceFlags: 1 })).toBe(TRACEPARENT);
    expect(traceparentOf({ traceId: TRACE, spanId: CALLER_SPAN, traceFlags: 0 })).toBe(`00-${TRACE}-${CALLER_SPAN}-00`);
  });
});

describe("trace without an SDK", () => {
  it("is a no-op: envelopes keep the traceparent the bus gave them", async () => {
    const server = await net.bus("tr-server0", { middleware: { inbound: [tracing().inbound] } });
    const client = await net.bus("tr-client0", { middleware: { outbound: [tracing().outbound] } });
    let seen: string | undefined;
    server.handleInvoke("echo", (_req, ctx) => {
      seen = ctx.envelope.traceparent;
      return "ok";
    });
    await net.settle();
    expect(await client.invoke("echo", {}, { context: { traceparent: TRACEPARENT } })).toBe("ok");
    expect(seen).toBe(TRACEPARENT);
  });
});

describe("trace with a tracer", () => {
  const manager = new AlsContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager);
  });
  afterAll(() => {
    context.disable();
  });

  it("client span per invoke, consumer span per handled envelope, producer span per send inside it, linked by traceparent", async () => {
    const tracer = new RecordingTracer();
    const server = await net.bus("tr-server", { middleware: { inbound: [tracing({ tracer }).inbound], outbound: [tracing({ tracer }).outbound] } });
    const client = await net.bus("tr-client", { middleware: { outbound: [tracing({ tracer }).outbound] } });
    const watcher = await net.bus("tr-watcher");
    const published: Envelope[] = [];
    watcher.subscribe("audit.*", (_p, ctx) => {
      published.push(ctx.envelope);
    });
    let request: Envelope | undefined;
    server.handleInvoke("work", async (_req, ctx) => {
      request = ctx.envelope;
      await server.publish("audit.worked", { by: "work" });
      return "done";
    });
    server.handleInvoke("broken", () => {
      throw new InvalidRequestError("bad");
    });
    await net.settle();

    expect(await client.invoke("work", {}, { context: { traceparent: TRACEPARENT } })).toBe("done");
    await waitFor("audit event", () => published.length === 1);

    const clientSpan = tracer.spans.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(clientSpan.context.traceId).toBe(TRACE);
    expect(clientSpan.parentSpanId).toBe(CALLER_SPAN);
    expect(clientSpan.name).toBe("send acp.v1.invoke.work");
    expect(clientSpan.attributes).toMatchObject({ "messaging.destination.name": "acp.v1.invoke.work", "acp.to": "work" });
    // the request carried the client span
    expect(request!.traceparent).toBe(`00-${TRACE}-${clientSpan.context.spanId}-01`);

    const consumer = tracer.spans.find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(consumer.parentSpanId).toBe(clientSpan.context.spanId);
    expect(consumer.context.traceId).toBe(TRACE);
    expect(consumer.ended).toBe(true);

    const producer = tracer.spans.find((s) => s.kind === SpanKind.PRODUCER && s.name.includes("audit.worked"))!;
    expect(producer.parentSpanId).toBe(consumer.context.spanId);
    expect(published[0]!.traceparent).toBe(`00-${TRACE}-${producer.context.spanId}-01`);
    expect(tracer.spans.every((s) => s.ended)).toBe(true);

    await expect(client.invoke("broken", {})).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    const failed = tracer.spans.filter((s) => s.kind === SpanKind.CONSUMER).at(-1)!;
    expect(failed.status).toMatchObject({ code: SpanStatusCode.ERROR, message: "bad" });
    expect(failed.attributes["error.type"]).toBe("INVALID_REQUEST");
    const failedClient = tracer.spans.filter((s) => s.kind === SpanKind.CLIENT).at(-1)!;
    expect(failedClient.status?.code).toBe(SpanStatusCode.ERROR);
  });
});
