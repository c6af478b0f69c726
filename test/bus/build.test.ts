import { describe, expect, it } from "vitest";
import { createEnvelope, parseRfc3339, validate } from "../../runtime/envelope/index.js";
import { Clock, EnvelopeFactory, type EnvelopeInit } from "../../runtime/bus/build.js";

const fixed = { event_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41", occurred_at: "2026-03-01T10:00:00.123456Z" };

describe("the bus' envelope builder", () => {
  const inits: EnvelopeInit[] = [
    { event_type: "agent.message.received", from: "a", to: "b", payload: { q: 1 }, reply_to: "_INBOX.x.1" },
    { event_type: "agent.response.final", is_final: true, correlation_id: fixed.event_id, payload: { result: 1 }, metadata: { k: "v" } },
    { event_type: "agent.response.final", is_final: true, phase: "input_required" },
    { event_type: "agent.response.delta", seq: 3, payload: { delta: "x" }, session_id: undefined },
    { event_type: "agent.stream.cancel", correlation_id: fixed.event_id, payload: { reason: "r" } },
    { event_type: "orders.created", payload: { id: 7 }, tenant_id: "acme" },
    { event_type: "agent.task.created", payload: { task_id: "t" }, frame_type: "custom" },
  ];

  it.each([1, 2] as const)("builds what createEnvelope builds (schema_version %i)", (v) => {
    const factory = new EnvelopeFactory(v);
    for (const init of inits) {
      const ours = factory.build({ ...init, ...fixed });
      expect(ours).toEqual(createEnvelope({ ...init, ...fixed }, { schemaVersion: v }));
      expect(validate(ours).ok).toBe(true);
    }
  });

  it("fills a fresh UUIDv7 id and an RFC 3339 UTC time with microseconds", () => {
    const factory = new EnvelopeFactory(2);
    const a = factory.build({ event_type: "x" });
    const b = factory.build({ event_type: "x" });
    expect(a.event_id).not.toBe(b.event_id);
    expect(a.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const clock = new Clock();
    for (let i = 0; i < 50; i++) {
      const t = clock.now();
      expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(Math.abs(parseRfc3339(t)! - Date.now())).toBeLessThan(1000);
    }
  });
});
