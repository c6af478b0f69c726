/** runtime/errors.ts: ErrorPayload ⇄ AcpError. */
import { describe, expect, it } from "vitest";
import {
  AcpError,
  AgentTimeoutError,
  AgentUnavailableError,
  BackpressureDropError,
  InvalidRequestError,
  errorFromPayload,
  isAcpError,
  toErrorPayload,
} from "../../runtime/errors.js";
import { validatePayload } from "../../generated/ts/validators.js";

const validErrorPayload = validatePayload["agent.response.error"]!;

describe("toErrorPayload", () => {
  it("keeps an AcpError's code, message and retryable", () => {
    expect(toErrorPayload(new AgentTimeoutError("no answer in 30s"))).toEqual({ code: "AGENT_TIMEOUT", message: "no answer in 30s", retryable: true });
    expect(toErrorPayload(new AgentTimeoutError("x", { retryable: false })).retryable).toBe(false);
    expect(toErrorPayload(new AcpError("CUSTOM_CODE", "m")).code).toBe("CUSTOM_CODE");
  });

  it("writes the cause chain as JSON data", () => {
    const root = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const payload = toErrorPayload(new AgentUnavailableError("ledger down", { cause: new TypeError("wrapped", { cause: root }) }));
    expect(payload.cause).toEqual({
      name: "TypeError",
      message: "wrapped",
      cause: { name: "Error", message: "connect ECONNREFUSED", code: "ECONNREFUSED" },
    });
    expect(toErrorPayload(new InvalidRequestError("bad", { cause: { field: "x", fn: () => 1 } })).cause).toEqual({ field: "x" });
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(toErrorPayload(new InvalidRequestError("bad", { cause: cyclic })).cause).toEqual({ message: "[object Object]" });
  });

  it("maps other errors to the fallback code, keeping a catalogue code they carry", () => {
    expect(toErrorPayload(new Error("boom"))).toEqual({ code: "AGENT_UNAVAILABLE", message: "boom", retryable: true });
    expect(toErrorPayload(new Error("boom"), { fallbackCode: "INVALID_REQUEST" })).toEqual({ code: "INVALID_REQUEST", message: "boom", retryable: false });
    const transport = Object.assign(new Error("socket closed"), { code: "TRANSPORT_FAILURE", retryable: false });
    expect(toErrorPayload(transport)).toEqual({ code: "TRANSPORT_FAILURE", message: "socket closed", retryable: false });
    expect(toErrorPayload(Object.assign(new Error("fs"), { code: "ENOENT" })).code).toBe("AGENT_UNAVAILABLE");
    expect(toErrorPayload("just a string").message).toBe("just a string");
    expect(toErrorPayload({ weird: 1 }).message).toContain('{"weird":1}');
  });

  it("always produces a schema-valid ErrorPayload", () => {
    for (const err of [new Error("e"), new AgentTimeoutError("t", { cause: new Error("c") }), "s", 1, null, undefined, Symbol("x")]) {
      const payload = toErrorPayload(err);
      expect(validErrorPayload(payload), JSON.stringify(validErrorPayload.errors)).toBe(true);
    }
  });
});

describe("errorFromPayload", () => {
  it("builds the catalogue class with the payload's fields", () => {
    const err = errorFromPayload({ code: "BACKPRESSURE_DROP", message: "full", retryable: false, cause: { queue: "q" }, extra: 1 });
    expect(err).toBeInstanceOf(BackpressureDropError);
    expect({ code: err.code, message: err.message, retryable: err.retryable, cause: err.cause }).toEqual({
      code: "BACKPRESSURE_DROP",
      message: "full",
      retryable: false,
      cause: { queue: "q" },
    });
    expect(err.details?.["payload"]).toMatchObject({ extra: 1 });
    expect(isAcpError(err, "BACKPRESSURE_DROP")).toBe(true);
  });

  it("keeps unknown codes as a plain AcpError", () => {
    const err = errorFromPayload({ code: "QUOTA_EXCEEDED", message: "m", retryable: true });
    expect(err.constructor).toBe(AcpError);
    expect([err.code, err.retryable]).toEqual(["QUOTA_EXCEEDED", true]);
  });

  it("round-trips with toErrorPayload", () => {
    const payload = { code: "AGENT_TIMEOUT", message: "late", retryable: false, cause: { after_ms: 30000 } };
    expect(toErrorPayload(errorFromPayload(payload))).toEqual(payload);
  });

  it("survives values that are not ErrorPayloads", () => {
    for (const value of [null, "x", 3, [], {}]) {
      const err = errorFromPayload(value);
      expect(err).toBeInstanceOf(AcpError);
      expect(typeof err.message).toBe("string");
    }
  });
});
