import { describe, expect, it } from "vitest";
import {
  TraceIdSource,
  contextFromEnvelope,
  currentContext,
  formatTraceparent,
  outboundContext,
  parseTraceparent,
  runWithContext,
} from "../../runtime/context/index.js";
import type { Envelope } from "../../generated/ts/types.js";

const TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("traceparent", () => {
  it("parses valid values and rejects invalid ones", () => {
    expect(parseTraceparent(TP)).toEqual({ version: "00", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: "01" });
    for (const bad of [
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ])
      expect(parseTraceparent(bad), bad).toBeUndefined();
    expect(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future")?.version).toBe("01");
    expect(formatTraceparent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")).toBe(TP);
  });

  it("makes distinct, well-formed ids", () => {
    const ids = new TraceIdSource();
    const spans = new Set(Array.from({ length: 2000 }, () => ids.spanId()));
    expect(spans.size).toBe(2000);
    for (const s of spans) expect(s).toMatch(/^[0-9a-f]{16}$/);
    expect(ids.traceId()).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("context propagation", () => {
  const env = {
    spec_version: "acp/1.0",
    schema_version: 1,
    event_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
    event_type: "x",
    occurred_at: "2026-03-01T10:00:00Z",
    session_id: "s",
    conversation_id: "c",
    tenant_id: "t",
    user_id: "u",
    channel: "web",
    traceparent: TP,
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    span_id: "00f067aa0ba902b7",
    from: "not-propagated",
    metadata: { not: "propagated" },
  } satisfies Envelope;

  it("reads the propagated fields of an envelope, nothing else", () => {
    expect(contextFromEnvelope(env)).toEqual({
      session_id: "s",
      conversation_id: "c",
      tenant_id: "t",
      user_id: "u",
      channel: "web",
      traceparent: TP,
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      span_id: "00f067aa0ba902b7",
    });
  });

  it("gives sends a child span of the current trace; explicit values win; nothing outside a run", async () => {
    const ids = new TraceIdSource();
    expect(currentContext()).toBeUndefined();
    expect(outboundContext(ids)).toEqual({});
    await runWithContext(contextFromEnvelope(env), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1)); // survives async hops
      const out = outboundContext(ids, { session_id: "explicit" });
      expect(out).toMatchObject({ session_id: "explicit", conversation_id: "c", tenant_id: "t", user_id: "u", channel: "web" });
      const tp = parseTraceparent(out.traceparent)!;
      expect(tp.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
      expect(tp.spanId).not.toBe("00f067aa0ba902b7");
      expect(tp.flags).toBe("01");
      expect(out.span_id).toBe(tp.spanId);
      expect(out.trace_id).toBe(tp.traceId);
    });
    // a v1 peer's bare W3C-shaped trace_id gets a traceparent; an opaque one is kept as is
    await runWithContext({ trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" }, () => {
      expect(parseTraceparent(outboundContext(ids).traceparent)?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    });
    await runWithContext({ trace_id: "opaque-trace" }, () => {
      const out = outboundContext(ids);
      expect(out.trace_id).toBe("opaque-trace");
      expect(out.traceparent).toBeUndefined();
      expect(out.span_id).toMatch(/^[0-9a-f]{16}$/);
    });
  });
});
