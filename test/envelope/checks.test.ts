/**
 * generated/ts/checks.ts (the schema model's validation plans as boolean TypeScript) answers
 * exactly what the ajv validators answer: the decoder trusts `isEnvelope` alone for a valid
 * document, so a document it accepts that ajv refuses would pass unvalidated. Held on the golden
 * corpus (valid, invalid, v1) and on mutated golden documents, field by field and in payloads,
 * with a floor on how many of the mutated documents are invalid (the comparison is not vacuous).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isEnvelope, isPayload } from "../../generated/ts/checks.js";
import { validateEnvelope, validatePayload } from "../../generated/ts/validators.js";
import { EVENT_TYPES } from "../../generated/ts/constants.js";
import { REPO_ROOT } from "../helpers/cli.js";

const GOLDEN = join(REPO_ROOT, "golden");

function corpus(dir: string): [string, unknown][] {
  if (!existsSync(join(GOLDEN, dir))) return [];
  return readdirSync(join(GOLDEN, dir))
    .filter((f) => f.endsWith(".json") && !f.endsWith(".expected.json"))
    .sort()
    .flatMap((f): [string, unknown][] => {
      try {
        return [[`${dir}/${f}`, JSON.parse(readFileSync(join(GOLDEN, dir, f), "utf8"))]];
      } catch {
        return []; // not JSON: a codec sample, never reaches a validator
      }
    });
}

const golden = [...corpus("valid"), ...corpus("invalid"), ...corpus("v1")];
const samples = corpus("valid").map(([, doc]) => doc as Record<string, unknown>);

/** Values that sit on the schema's edges: wrong types, empty strings, bounds, lookalike ids and times. */
const edgy = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(
    "",
    "acp/1.0",
    "acp/1",
    "ACP/1.0",
    0,
    -1,
    1,
    2,
    1.5,
    9007199254740991,
    9007199254740992,
    true,
    false,
    null,
    [],
    {},
    "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
    "019ca8d7-2d7b-9a01-8c3e-5b1f0a9d2e41",
    "019ca8d7-2d7b-7a01-cc3e-5b1f0a9d2e41",
    "019CA8D7-2D7B-7A01-8C3E-5B1F0A9D2E41",
    "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41\n",
    "2026-01-02T03:04:05.123Z",
    "2026-01-02T03:04:05Z",
    "2026-13-02T03:04:05Z",
    "2026-01-02t03:04:05.123456789+01:00",
    "2026-01-02T24:04:05Z",
    "working",
    "completed",
    "submitted",
    "canceled",
    "WORKING",
    "INVALID_REQUEST",
    "invalid_request",
    "\u{1F600}",
    "agent.response.final",
    "agent.response.delta",
    "agent.response.error",
    "agent.tool.result",
    "agent.task.completed",
    "response.final",
    { delta: "x" },
    { delta: 1 },
    { data: [] },
    { result: 1 },
    { code: "E_X", message: "m", retryable: false },
    { code: "e", message: "m", retryable: false },
    { call_id: "c", name: "n" },
    { call_id: "c", result: 1 },
    { call_id: "c", result: 1, error: {} },
    { task_id: "t", status: "submitted" },
    { task_id: "t", status: "completed" },
    { reason: "r" },
  ),
);

const keysOf = (doc: Record<string, unknown>): string[] => [
  ...Object.keys(doc),
  "phase",
  "is_final",
  "seq",
  "frame_type",
  "schema_version",
  "event_type",
  "payload",
];

/** Applies one mutation (set, delete) to `doc` or its payload object. */
function mutate(doc: Record<string, unknown>, pick: number, value: unknown, del: boolean, inPayload: boolean): void {
  const payload = doc["payload"];
  const target = inPayload && payload !== null && typeof payload === "object" && !Array.isArray(payload) ? (payload as Record<string, unknown>) : doc;
  const keys = target === doc ? keysOf(doc) : [...Object.keys(target), "delta", "data", "code", "retryable", "result", "error", "status", "call_id"];
  const key = keys[pick % keys.length]!;
  if (del) delete target[key];
  else target[key] = value;
}

describe("generated checks answer what the ajv validators answer", () => {
  it("has a golden corpus to compare on", () => expect(golden.length).toBeGreaterThanOrEqual(80));

  it.each(golden)("%s", (_name, doc) => {
    expect(isEnvelope(doc)).toBe(validateEnvelope(doc));
  });

  it("on mutated golden documents (1 to 3 mutations), with invalid ones among them", () => {
    let invalid = 0;
    let valid = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), edgy, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 3 }),
        (sample, mutations) => {
          const doc = structuredClone(sample);
          for (const [pick, value, del, inPayload] of mutations) mutate(doc, pick, value, del && pick % 3 === 0, inPayload);
          const expected = validateEnvelope(doc);
          if (expected) valid++;
          else invalid++;
          expect(isEnvelope(doc)).toBe(expected);
        },
      ),
      { numRuns: 4000 },
    );
    // not vacuous: both answers occur often
    expect(invalid).toBeGreaterThan(400);
    expect(valid).toBeGreaterThan(400);
  });

  it("on values that are not objects", () => {
    for (const value of [null, undefined, 0, "x", [], [{}], true]) expect(isEnvelope(value)).toBe(validateEnvelope(value));
  });

  it.each(Object.keys(EVENT_TYPES))("payload of %s on the golden payloads and edge values", (eventType) => {
    const check = isPayload[eventType];
    const reference = validatePayload[eventType];
    expect(check).toBeTypeOf("function");
    expect(reference).toBeTypeOf("function");
    fc.assert(
      fc.property(fc.oneof(edgy, fc.constantFrom(...samples.map((s) => s["payload"]))), (payload) => {
        expect(check!(payload)).toBe(reference!(payload));
      }),
      { numRuns: 500 },
    );
  });
});
