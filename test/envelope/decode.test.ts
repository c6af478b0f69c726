import { describe, expect, it } from "vitest";
import { AcpError } from "../../generated/ts/errors.js";
import { DEFAULT_MAX_BYTES, EnvelopeDecodeError, decode, decodeOrThrow, encode, validate } from "../../runtime/envelope/index.js";
import type { DecodeResult, Envelope } from "../../runtime/envelope/index.js";
import { escapePointerToken, resolvePointer } from "../../runtime/envelope/schema-report.js";

const base: Envelope = {
  spec_version: "acp/1.0",
  schema_version: 1,
  event_id: "019ca8d7-2d7e-7a13-a05a-7d35c6194e63",
  event_type: "agent.response.delta",
  occurred_at: "2026-03-01T10:00:00.401Z",
  seq: 3,
  payload: { delta: "hi" },
};
const text = JSON.stringify(base);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function failure(result: DecodeResult): EnvelopeDecodeError {
  if (result.ok) throw new Error("expected a decode failure");
  return result.error;
}

describe("decode", () => {
  it("returns the parsed object itself, unknown top-level fields included", () => {
    const result = decode(utf8(JSON.stringify({ ...base, priority: "high", nested: { x: [1] } })));
    if (!result.ok) expect.fail(result.error.message);
    expect(result.envelope["priority"]).toBe("high");
    expect(new TextDecoder().decode(encode(result.envelope))).toBe(JSON.stringify({ ...base, priority: "high", nested: { x: [1] } }));
  });

  it("accepts text and bytes alike", () => {
    expect(decode(text)).toEqual(decode(utf8(text)));
    expect(decode(text).ok).toBe(true);
  });

  it('reports a too-large document before looking at it (CODEC_FAILURE, pointer "")', () => {
    const bytes = new Uint8Array(DEFAULT_MAX_BYTES + 1).fill(0xff); // also bad UTF-8: size wins
    const err = failure(decode(bytes));
    expect([err.code, err.pointer, err.got]).toEqual(["CODEC_FAILURE", "", `${DEFAULT_MAX_BYTES + 1} bytes`]);
    expect(err.expected).toBe(`at most ${DEFAULT_MAX_BYTES} bytes`);
  });

  it("honours maxBytes for bytes and counts UTF-8 bytes for text", () => {
    expect(failure(decode(utf8(text), { maxBytes: text.length - 1 })).code).toBe("CODEC_FAILURE");
    expect(decode(utf8(text), { maxBytes: text.length }).ok).toBe(true);
    const wide = JSON.stringify({ ...base, payload: { delta: "€".repeat(100) } }); // 3 bytes each
    const size = utf8(wide).byteLength;
    expect(failure(decode(wide, { maxBytes: size - 1 })).got).toBe(`${size} bytes`);
    expect(decode(wide, { maxBytes: size }).ok).toBe(true);
  });

  it("rejects bad UTF-8 before JSON, naming the byte offset", () => {
    const bytes = utf8(text);
    const broken = new Uint8Array([...bytes.subarray(0, 10), 0xc3, 0x28, ...bytes.subarray(10)]);
    const err = failure(decode(broken));
    expect([err.code, err.pointer]).toEqual(["CODEC_FAILURE", ""]);
    expect(err.got).toBe("invalid UTF-8 at byte 10");
    expect(failure(decode(new Uint8Array([0x7b, 0xed, 0xa0, 0x80, 0x7d]))).got).toBe("invalid UTF-8 at byte 1"); // encoded surrogate
    expect(failure(decode(new Uint8Array([0x22, 0xe2, 0x82]))).got).toBe("invalid UTF-8 at byte 1"); // truncated
  });

  it("rejects a leading byte order mark in bytes and in text", () => {
    expect(failure(decode(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]))).code).toBe("CODEC_FAILURE");
    expect(failure(decode(`\ufeff${text}`)).code).toBe("CODEC_FAILURE");
  });

  it("rejects text with a lone surrogate (no UTF-8 form)", () => {
    expect(failure(decode(text.replace("hi", "\ud800"))).code).toBe("CODEC_FAILURE");
  });

  it.each([
    ["empty input", ""],
    ["white space only", " \n\t "],
    ["trailing garbage", `${text} x`],
    ["a second value", `${text}${text}`],
    ["truncation", text.slice(0, -1)],
    ["single quotes", "{'a':1}"],
  ])('rejects %s as CODEC_FAILURE with pointer ""', (_name, input) => {
    const err = failure(decode(input));
    expect([err.code, err.pointer]).toEqual(["CODEC_FAILURE", ""]);
  });

  it("allows white space around the one JSON value", () => {
    expect(decode(`\r\n\t ${text} \n`).ok).toBe(true);
  });

  it("never throws on absurd nesting", () => {
    const deep = `{"a":${"[".repeat(500_000)}${"]".repeat(500_000)}}`;
    const result = decode(deep, { maxBytes: 2_000_000 });
    expect(result.ok).toBe(false);
    expect(["CODEC_FAILURE", "INVALID_REQUEST"]).toContain(failure(result).code);
  });

  it("reports schema defects as INVALID_REQUEST with pointer, expected and got", () => {
    const err = failure(decode(JSON.stringify({ ...base, seq: -1 })));
    expect(err).toBeInstanceOf(EnvelopeDecodeError);
    expect(err).toBeInstanceOf(AcpError);
    expect({ code: err.code, pointer: err.pointer, got: err.got, retryable: err.retryable }).toEqual({
      code: "INVALID_REQUEST",
      pointer: "/seq",
      got: "-1",
      retryable: false,
    });
    expect(err.expected).toBe("an integer from 0 to 2^53-1");
    expect(err.message).toBe("invalid envelope at /seq: expected an integer from 0 to 2^53-1, got -1");
    expect(err.details).toEqual({ pointer: "/seq", expected: err.expected, got: "-1" });
  });

  it("points at a missing property, also inside the payload", () => {
    const { event_id: _drop, ...noId } = base;
    expect(failure(decode(JSON.stringify(noId)))).toMatchObject({ pointer: "/event_id", got: "missing" });
    const errorEnvelope = { ...base, event_type: "agent.response.error", payload: { code: "X", message: "m" } };
    expect(failure(decode(JSON.stringify(errorEnvelope)))).toMatchObject({ pointer: "/payload/retryable", expected: "a boolean" });
  });

  it("escapes and resolves pointer tokens as RFC 6901 says", () => {
    expect(escapePointerToken("a/b~c")).toBe("a~1b~0c");
    const doc = { "a/b~c": [{ x: 1 }] };
    expect(resolvePointer(doc, "/a~1b~0c/0/x")).toBe(1);
    expect(resolvePointer(doc, "")).toBe(doc);
    expect(resolvePointer(doc, "/missing/x")).toBeUndefined();
  });
});

describe("decodeOrThrow", () => {
  it("returns the envelope or throws the EnvelopeDecodeError", () => {
    expect(decodeOrThrow(text).event_id).toBe(base.event_id);
    expect(() => decodeOrThrow("[]")).toThrow(EnvelopeDecodeError);
  });
});

describe("validate", () => {
  it("checks an already parsed value and returns the same object", () => {
    const value: unknown = JSON.parse(text);
    const result = validate(value);
    expect(result.ok && result.envelope).toBe(value);
  });

  it('reports a non-object top level at pointer ""', () => {
    for (const value of [null, 1, "x", true, []]) expect(failure(validate(value))).toMatchObject({ code: "INVALID_REQUEST", pointer: "" });
  });

  it("does not throw on values JSON cannot produce", () => {
    const weird = { ...base, payload: { delta: 1n } };
    expect(validate(weird).ok).toBe(false);
    expect(validate(undefined).ok).toBe(false);
  });
});
