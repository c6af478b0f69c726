/**
 * Property tests: mutated valid envelopes never make the decoder throw; every
 * result is an envelope or an EnvelopeDecodeError with a catalogue code and a
 * pointer that names a real place in the document (or a missing property).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EnvelopeDecodeError, createEnvelope, decode, encode, validate } from "../../runtime/envelope/index.js";
import type { DecodeResult, Envelope } from "../../runtime/envelope/index.js";
import { resolvePointer } from "../../runtime/envelope/schema-report.js";
import { REPO_ROOT } from "../helpers/cli.js";

const RUNS = 300;
const validDir = join(REPO_ROOT, "golden", "valid");
const samples: Buffer[] = readdirSync(validDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => readFileSync(join(validDir, f)))
  .filter((b) => b.byteLength < 16_384);
const sampleBytes = fc.constantFrom(...samples);
const sampleObject = sampleBytes.map((b) => JSON.parse(b.toString("utf8")) as Record<string, unknown>);

/** Checks the decode contract for one input; `doc` is the parsed document when the input is JSON. */
function checkResult(result: DecodeResult, input: Uint8Array | string): void {
  if (result.ok) {
    expect(validate(result.envelope).ok).toBe(true);
    return;
  }
  const err = result.error;
  expect(err).toBeInstanceOf(EnvelopeDecodeError);
  expect(["CODEC_FAILURE", "INVALID_REQUEST"]).toContain(err.code);
  expect(typeof err.expected === "string" && err.expected.length > 0).toBe(true);
  expect(typeof err.got === "string" && err.got.length > 0).toBe(true);
  if (err.code === "CODEC_FAILURE") {
    expect(err.pointer).toBe("");
    return;
  }
  const doc: unknown = JSON.parse(typeof input === "string" ? input : new TextDecoder().decode(input));
  expect(err.pointer === "" || err.pointer.startsWith("/")).toBe(true);
  if (err.got === "missing") {
    const cut = err.pointer.lastIndexOf("/");
    const parent = resolvePointer(doc, err.pointer.slice(0, cut));
    expect(parent !== null && typeof parent === "object").toBe(true);
    expect(resolvePointer(doc, err.pointer)).toBeUndefined();
  } else {
    expect(err.pointer === "" || resolvePointer(doc, err.pointer) !== undefined).toBe(true);
  }
}

function decodeChecked(input: Uint8Array | string): void {
  let result: DecodeResult | undefined;
  expect(() => (result = decode(input))).not.toThrow();
  checkResult(result!, input);
}

const text = (value: unknown): string => JSON.stringify(value);

describe("decode never throws and reports well-formed errors", () => {
  it("with a field dropped (top level or in the payload)", () => {
    fc.assert(
      fc.property(sampleObject, fc.nat(), fc.boolean(), (doc, pick, inPayload) => {
        const target = inPayload && doc["payload"] !== null && typeof doc["payload"] === "object" ? (doc["payload"] as Record<string, unknown>) : doc;
        const keys = Object.keys(target);
        if (keys.length > 0) delete target[keys[pick % keys.length]!];
        decodeChecked(text(doc));
      }),
      { numRuns: RUNS },
    );
  });

  it("with a field's value replaced by any JSON value", () => {
    fc.assert(
      fc.property(sampleObject, fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.boolean(), (doc, pick, value, inPayload) => {
        const target =
          inPayload && doc["payload"] !== null && typeof doc["payload"] === "object" && !Array.isArray(doc["payload"])
            ? (doc["payload"] as Record<string, unknown>)
            : doc;
        const keys = Object.keys(target);
        if (keys.length > 0) target[keys[pick % keys.length]!] = value;
        decodeChecked(text(doc));
      }),
      { numRuns: RUNS },
    );
  });

  it("with any JSON value or random text as the whole document", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => decodeChecked(text(value) ?? "null")),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => decodeChecked(s)),
      { numRuns: RUNS },
    );
  });

  it("with random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodeChecked(bytes)),
      { numRuns: RUNS },
    );
  });

  it("truncated at any byte", () => {
    fc.assert(
      fc.property(sampleBytes, fc.nat(), (bytes, at) => decodeChecked(bytes.subarray(0, at % bytes.byteLength))),
      { numRuns: RUNS },
    );
  });

  it("with bytes flipped", () => {
    fc.assert(
      fc.property(sampleBytes, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (bytes, flips) => {
        const copy = Uint8Array.from(bytes);
        for (const [at, mask] of flips) copy[at % copy.length] = copy[at % copy.length]! ^ mask;
        decodeChecked(copy);
      }),
      { numRuns: RUNS },
    );
  });

  it("with deeply nested payloads and metadata", () => {
    fc.assert(
      fc.property(
        sampleObject,
        fc.integer({ min: 1, max: 200_000 }),
        fc.constantFrom("[", '{"k":'),
        fc.constantFrom("payload", "metadata", "seq"),
        (doc, depth, open, field) => {
          const close = open === "[" ? "]" : "}";
          const body = text(doc);
          const nested = `${body.slice(0, -1)},"${field}":${open.repeat(depth)}1${close.repeat(depth)}}`;
          decodeChecked(nested);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("round trips", () => {
  it("create → encode → decode gives the same envelope for arbitrary optional fields", () => {
    const optional = fc.record(
      {
        session_id: fc.string(),
        tenant_id: fc.string(),
        seq: fc.maxSafeNat(),
        metadata: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
        payload: fc.jsonValue({ maxDepth: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(optional, fc.constantFrom(1 as const, 2 as const), fc.string({ minLength: 1 }), (fields, schemaVersion, suffix) => {
        const env = createEnvelope({ event_type: `custom.${suffix}`, ...fields } as Envelope, { schemaVersion });
        const result = decode(encode(env));
        if (!result.ok) expect.fail(result.error.message);
        expect(JSON.stringify(result.envelope)).toBe(JSON.stringify(env));
      }),
      { numRuns: RUNS },
    );
  });
});
