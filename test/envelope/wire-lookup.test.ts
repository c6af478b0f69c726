/**
 * Catalogue tables are indexed by wire strings (event_type, phase, error code): a peer that
 * sends "constructor", "__proto__" or "toString" must hit "unknown", never Object.prototype.
 */
import { describe, expect, it } from "vitest";
import { AcpError, errorFromCode } from "../../generated/ts/errors.js";
import { ERROR_CODES, EVENT_TYPES, PHASES } from "../../generated/ts/constants.js";
import { validatePayload } from "../../generated/ts/validators.js";
import { effectivePhase, isPhase, isTerminal } from "../../runtime/envelope/phase.js";
import type { Envelope } from "../../generated/ts/types.js";

const PROTO_KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

const envelope = (event_type: string, extra: Partial<Envelope> = {}): Envelope =>
  ({
    spec_version: "acp/1.0",
    event_id: "e1",
    event_type,
    timestamp: "2026-01-01T00:00:00Z",
    trace_id: "t",
    from: "a",
    payload: {},
    ...extra,
  }) as Envelope;

describe("wire strings that name Object.prototype members are unknown", () => {
  it.each(PROTO_KEYS)("errorFromCode(%j) is a plain AcpError with that code, not retryable, HTTP 500", (code) => {
    const err = errorFromCode(code, "from a peer");
    expect(err).toBeInstanceOf(AcpError);
    expect(err.code).toBe(code);
    expect(err.message).toBe("from a peer");
    expect(err.retryable).toBe(false);
    expect(err.httpStatus).toBe(500);
    expect(new AcpError(code, "m").retryable).toBe(false);
  });

  it.each(PROTO_KEYS)("event_type %j has no phase, is not terminal; phase %j is not a phase", (name) => {
    expect(effectivePhase(envelope(name))).toBeUndefined();
    expect(isTerminal(envelope(name))).toBe(false);
    expect(isPhase(name)).toBe(false);
    expect(effectivePhase(envelope("agent.response.delta", { phase: name as never }))).toBe("working");
  });

  it.each(PROTO_KEYS)("the generated tables find nothing under %j", (key) => {
    for (const t of [EVENT_TYPES, PHASES, ERROR_CODES, validatePayload] as Record<string, unknown>[]) {
      expect(t[key]).toBeUndefined();
      expect(key in t).toBe(false);
    }
  });
});
