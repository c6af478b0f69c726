import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CodecFailureError } from "../../generated/ts/errors.js";
import { EVENT_TYPES } from "../../generated/ts/constants.js";
import {
  createEnvelope,
  decode,
  decodeOrThrow,
  effectivePhase,
  encode,
  encodeCanonical,
  isTerminal,
  isUuid,
  parseRfc3339,
  uuidVersion,
  validate,
  withDualWrite,
} from "../../runtime/envelope/index.js";
import type { Envelope } from "../../runtime/envelope/index.js";
import { REPO_ROOT } from "../helpers/cli.js";

const fixed = { newId: () => "019ca8d7-2d7e-7a13-a05a-7d35c6194e63", now: () => "2026-03-01T10:00:00.123456Z" };
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe("createEnvelope", () => {
  it("fills the required fields with a UUIDv7 and an RFC 3339 UTC time", () => {
    const env = createEnvelope({ event_type: "agent.message.received", payload: { q: 1 } });
    expect(env.spec_version).toBe("acp/1.0");
    expect(env.schema_version).toBe(2);
    expect(isUuid(env.event_id) && uuidVersion(env.event_id)).toBe(7);
    expect(env.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(parseRfc3339(env.occurred_at)).toBeDefined();
    expect(env.frame_type).toBe("request");
    expect(env.phase).toBe("submitted");
  });

  it("round-trips create → encode → decode for every standard event type, v1 and v2", () => {
    const payloads: Record<string, unknown> = {
      "agent.response.error": { code: "AGENT_TIMEOUT", message: "late", retryable: true },
      "agent.tool.call": { call_id: "c1", name: "search" },
      "agent.tool.result": { call_id: "c1", output: { hits: 2 } },
      "agent.task.created": { task_id: "t1" },
      "agent.task.completed": { task_id: "t1", status: "completed", result: { ok: true } },
      "agent.handoff": { from: "a", to: "b", chain: ["a", "b"] },
    };
    for (const eventType of Object.keys(EVENT_TYPES)) {
      for (const schemaVersion of [1, 2] as const) {
        const init = { event_type: eventType, payload: payloads[eventType] ?? {}, seq: 0, session_id: "s" } as Envelope;
        const env = createEnvelope(init, { ...fixed, schemaVersion });
        const back = decode(encode(env));
        if (!back.ok) expect.fail(`${eventType} v${schemaVersion}: ${back.error.message}`);
        expect(back.envelope).toEqual(env);
        expect(env.schema_version).toBe(schemaVersion);
        expect("phase" in env).toBe(schemaVersion === 2);
      }
    }
  });

  it("keeps what init gives (ids, time, phase, frame_type, unknown fields) and drops undefined", () => {
    const env = createEnvelope(
      {
        event_type: "agent.response.final",
        event_id: "0190a000-0000-4000-8000-000000000000",
        occurred_at: "2026-01-01T00:00:00Z",
        phase: "input_required",
        frame_type: "custom",
        trace_id: undefined,
        extra: 1,
      },
      fixed,
    );
    expect(env).toEqual({
      spec_version: "acp/1.0",
      schema_version: 2,
      event_id: "0190a000-0000-4000-8000-000000000000",
      event_type: "agent.response.final",
      occurred_at: "2026-01-01T00:00:00Z",
      phase: "input_required",
      frame_type: "custom",
      extra: 1,
    });
    expect("trace_id" in env).toBe(false);
  });

  it("writes v1 without phase even when init has one, and custom event types without phase or frame_type", () => {
    expect("phase" in createEnvelope({ event_type: "agent.response.final", phase: "completed" }, { ...fixed, schemaVersion: 1 })).toBe(false);
    const custom = createEnvelope({ event_type: "billing.invoice.paid" }, fixed);
    expect(custom.phase).toBeUndefined();
    expect(custom.frame_type).toBeUndefined();
    expect(validate(custom).ok).toBe(true);
  });

  it("keeps an own __proto__ key as data", () => {
    const init = JSON.parse('{"event_type":"x.y","__proto__":{"polluted":true}}') as Envelope;
    const env = createEnvelope(init, fixed);
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    expect(Object.hasOwn(env, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("phase helpers", () => {
  const env = (fields: Partial<Envelope> & { event_type: string }): Envelope => createEnvelope(fields, { ...fixed, schemaVersion: 1 });

  it("effectivePhase: phase first, else the event type's default, else undefined", () => {
    expect(effectivePhase({ ...env({ event_type: "agent.response.final" }), phase: "auth_required" })).toBe("auth_required");
    expect(effectivePhase(env({ event_type: "agent.response.final" }))).toBe("completed");
    expect(effectivePhase(env({ event_type: "agent.response.delta" }))).toBe("working");
    expect(effectivePhase(env({ event_type: "agent.response.error" }))).toBe("failed");
    expect(effectivePhase(env({ event_type: "agent.task.completed", payload: { task_id: "t", status: "rejected" } }))).toBe("rejected");
    expect(effectivePhase(env({ event_type: "custom.thing" }))).toBeUndefined();
    expect(effectivePhase(env({ event_type: "toString" }))).toBeUndefined();
  });

  it("isTerminal: is_final, terminal event or frame type, or terminal phase", () => {
    expect(isTerminal(env({ event_type: "agent.response.delta" }))).toBe(false);
    expect(isTerminal(env({ event_type: "agent.response.final" }))).toBe(true);
    expect(isTerminal(env({ event_type: "agent.response.error" }))).toBe(true);
    expect(isTerminal(env({ event_type: "custom", frame_type: "response.final" }))).toBe(true);
    expect(isTerminal(env({ event_type: "custom", is_final: true }))).toBe(true);
    expect(isTerminal({ ...env({ event_type: "custom" }), phase: "canceled" })).toBe(true);
    expect(isTerminal({ ...env({ event_type: "custom" }), phase: "working" })).toBe(false);
  });

  it("withDualWrite writes every golden valid envelope as v1 and v2, both still valid", () => {
    const dir = join(REPO_ROOT, "golden", "valid");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const original = decodeOrThrow(readFileSync(join(dir, file)));
      const v2 = withDualWrite(original, 2);
      const v1 = withDualWrite(original, 1);
      for (const [version, written] of [
        [2, v2],
        [1, v1],
      ] as const) {
        const result = validate(written);
        if (!result.ok) expect.fail(`${file} as v${version}: ${result.error.message}`);
        expect(written.schema_version).toBe(version);
      }
      expect("phase" in v1).toBe(false);
      expect(v2.phase).toBe(effectivePhase(original));
      expect(Object.keys(v1).filter((k) => k !== "phase" && !(k in original))).toEqual([]);
      expect(original.schema_version).toBe(JSON.parse(readFileSync(join(dir, file), "utf8")).schema_version); // not mutated
    }
  });
});

describe("encode", () => {
  it("writes compact JSON and leaves undefined fields out", () => {
    const env = { ...createEnvelope({ event_type: "x.y" }, { ...fixed, schemaVersion: 1 }), trace_id: undefined };
    expect(text(encode(env))).toBe(
      '{"spec_version":"acp/1.0","schema_version":1,"event_id":"019ca8d7-2d7e-7a13-a05a-7d35c6194e63","event_type":"x.y","occurred_at":"2026-03-01T10:00:00.123456Z"}',
    );
  });

  it("encodeCanonical sorts keys (RFC 8785)", () => {
    const env = createEnvelope({ event_type: "x.y", payload: { b: 1, a: [true, null, 1.5e-7] } }, { ...fixed, schemaVersion: 1 });
    expect(text(encodeCanonical(env))).toBe(
      '{"event_id":"019ca8d7-2d7e-7a13-a05a-7d35c6194e63","event_type":"x.y","occurred_at":"2026-03-01T10:00:00.123456Z","payload":{"a":[true,null,1.5e-7],"b":1},"schema_version":1,"spec_version":"acp/1.0"}',
    );
  });

  it("throws CodecFailureError for values that are not JSON data", () => {
    const cyclic = createEnvelope({ event_type: "x.y" }, fixed) as Envelope & { self?: unknown };
    cyclic.self = cyclic;
    expect(() => encode(cyclic)).toThrow(CodecFailureError);
    expect(() => encodeCanonical(cyclic)).toThrow(CodecFailureError);
    expect(() => encode({ ...createEnvelope({ event_type: "x.y" }, fixed), n: 1n })).toThrow(CodecFailureError);
    expect(() => encodeCanonical({ ...createEnvelope({ event_type: "x.y" }, fixed), s: "\ud800" })).toThrow(CodecFailureError);
  });
});
