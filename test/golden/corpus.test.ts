/**
 * Checks the golden corpus itself (golden/README.md), with the generated ajv validator only —
 * no runtime code — so a broken sample is told apart from a broken decoder:
 * valid files pass the schema and have a canonical twin, invalid files fail exactly as their
 * sidecar says, stream frames are valid envelopes and their `expect` follows from the frames,
 * v1 files are schema_version 1 envelopes, and each folder holds at least the minimum.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateEnvelope } from "../../generated/ts/validators.js";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "golden");
const SIDECAR = ".expected.json";
const MAX_BYTES = 1_048_576;
const MINIMUM = { valid: 60, invalid: 45, streams: 8, v1: 8 } as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Failure {
  code: "CODEC_FAILURE" | "INVALID_REQUEST";
  pointer: string;
}

function files(dir: string, opts: { sidecars?: boolean } = {}): string[] {
  return readdirSync(join(GOLDEN, dir))
    .filter((f) => f.endsWith(".json") && f.endsWith(SIDECAR) === (opts.sidecars ?? false))
    .sort();
}

function read(dir: string, file: string): Buffer {
  return readFileSync(join(GOLDEN, dir, file));
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The decode contract of ARCHITECTURE.md "Decode errors", steps 1-4, written out for the corpus. */
function classify(bytes: Buffer): Failure | null {
  if (bytes.length > MAX_BYTES) return { code: "CODEC_FAILURE", pointer: "" };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { code: "CODEC_FAILURE", pointer: "" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text); // a leading BOM (U+FEFF) is not JSON white space, so it lands here
  } catch {
    return { code: "CODEC_FAILURE", pointer: "" };
  }
  return schemaFailure(value);
}

/** Pointer rule: the last ajv error whose keyword is not `if`; `required` appends the missing property. */
function schemaFailure(value: unknown): Failure | null {
  if (validateEnvelope(value)) return null;
  const last = (validateEnvelope.errors ?? []).filter((e) => e.keyword !== "if").at(-1);
  if (last === undefined) throw new Error("ajv reported no usable error");
  const missing = last.keyword === "required" ? `/${String(last.params["missingProperty"])}` : "";
  return { code: "INVALID_REQUEST", pointer: last.instancePath + missing };
}

describe("golden/valid", () => {
  const valid = files("valid");

  it(`holds at least ${MINIMUM.valid} samples`, () => expect(valid.length).toBeGreaterThanOrEqual(MINIMUM.valid));

  it.each(valid)("%s passes the schema and has a canonical twin with the same value", (file) => {
    const bytes = read("valid", file);
    expect(classify(bytes)).toBeNull();
    const canonicalPath = join(GOLDEN, "canonical", file);
    expect(existsSync(canonicalPath), `golden/canonical/${file} is missing`).toBe(true);
    const canonical = readFileSync(canonicalPath);
    expect(canonical.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(/\s$/.test(canonical.toString("utf8")), "canonical bytes end without white space").toBe(false);
    // Same value; JSON.stringify first turns -0 into 0 as canonical form does.
    const source: unknown = JSON.parse(JSON.stringify(JSON.parse(bytes.toString("utf8"))));
    expect(JSON.parse(canonical.toString("utf8"))).toEqual(source);
  });

  it("every canonical file has a valid source", () => {
    expect(readdirSync(join(GOLDEN, "canonical")).filter((f) => !valid.includes(f))).toEqual([]);
  });

  it("event ids are unique across golden/valid", () => {
    const ids = valid.map((f) => (JSON.parse(read("valid", f).toString("utf8")) as { event_id: string }).event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("golden/invalid", () => {
  const invalid = files("invalid");
  const sidecars = files("invalid", { sidecars: true });

  it(`holds at least ${MINIMUM.invalid} samples`, () => expect(invalid.length).toBeGreaterThanOrEqual(MINIMUM.invalid));

  it("every sidecar belongs to a sample", () => {
    expect(sidecars.filter((s) => !invalid.includes(s.replace(SIDECAR, ".json")))).toEqual([]);
  });

  it.each(invalid)("%s fails with its sidecar's code and pointer", (file) => {
    const sidecarFile = file.replace(/\.json$/, SIDECAR);
    expect(sidecars, `golden/invalid/${sidecarFile} is missing`).toContain(sidecarFile);
    const sidecar: unknown = JSON.parse(read("invalid", sidecarFile).toString("utf8"));
    if (!isObject(sidecar)) return expect.fail("sidecar is not an object");
    expect(Object.keys(sidecar).sort()).toEqual(["code", "description", "pointer"]);
    expect(["CODEC_FAILURE", "INVALID_REQUEST"]).toContain(sidecar["code"]);
    expect(sidecar["pointer"]).toMatch(/^(\/([^~/]|~[01])*)*$/); // RFC 6901
    expect(String(sidecar["description"]).length).toBeGreaterThan(10);
    expect(classify(read("invalid", file))).toEqual({ code: sidecar["code"], pointer: sidecar["pointer"] });
  });
});

interface StreamExpect {
  outcome: "completed" | "error" | "overflow" | "incomplete";
  delivered_seqs: number[];
  text: string;
  result?: Json;
  error?: { code: string };
}

/**
 * Reference reassembly (spec/event-types.md "Streams"), as deployed Go/Python clients do it:
 * drop seq < next or already buffered; seq - next >= max_gap → overflow; a frame other than the
 * next one while max_pending are buffered → overflow; deliver in seq order; stop after is_final.
 */
function reassemble(frames: { [key: string]: Json }[], client: { max_gap: number; max_pending: number }): StreamExpect {
  const pending = new Map<number, { [key: string]: Json }>();
  const out: StreamExpect = { outcome: "incomplete", delivered_seqs: [], text: "" };
  let next = 0;
  for (const frame of frames) {
    const seq = typeof frame["seq"] === "number" ? frame["seq"] : 0;
    if (seq < next || pending.has(seq)) continue;
    if (seq - next >= client.max_gap || (seq !== next && pending.size >= client.max_pending)) {
      return { ...out, outcome: "overflow", error: { code: "BACKPRESSURE_DROP" } };
    }
    pending.set(seq, frame);
    for (let f = pending.get(next); f !== undefined; f = pending.get(next)) {
      pending.delete(next);
      out.delivered_seqs.push(next++);
      const payload = f["payload"];
      if (f["event_type"] === "agent.response.delta" && isObject(payload) && typeof payload["delta"] === "string") {
        out.text += payload["delta"];
      }
      if (f["is_final"] !== true) continue;
      if (f["event_type"] === "agent.response.error" && isObject(payload)) {
        return { ...out, outcome: "error", error: { code: String(payload["code"]) } };
      }
      const single = isObject(payload) && Object.keys(payload).length === 1 && "result" in payload;
      return { ...out, outcome: "completed", result: single ? (payload["result"] ?? null) : (payload ?? null) };
    }
  }
  return { ...out, error: { code: "AGENT_TIMEOUT" } };
}

describe("golden/streams", () => {
  const streams = files("streams");

  it(`holds at least ${MINIMUM.streams} samples`, () => expect(streams.length).toBeGreaterThanOrEqual(MINIMUM.streams));

  it.each(streams)("%s: frames are valid envelopes and expect follows from them", (file) => {
    const sample: unknown = JSON.parse(read("streams", file).toString("utf8"));
    if (!isObject(sample)) return expect.fail("stream sample is not an object");
    expect(Object.keys(sample).sort()).toEqual(["client", "description", "expect", "frames"]);
    const { client, frames } = sample;
    if (!isObject(client) || !Array.isArray(frames)) return expect.fail("client or frames malformed");
    const bounds = { max_gap: Number(client["max_gap"]), max_pending: Number(client["max_pending"]) };
    expect(Number.isInteger(bounds.max_gap) && Number.isInteger(bounds.max_pending)).toBe(true);
    frames.forEach((frame, i) => {
      expect(schemaFailure(frame), `frame ${i}`).toBeNull();
    });
    expect(reassemble(frames.filter(isObject), bounds)).toEqual(sample["expect"]);
  });
});

describe("golden/v1", () => {
  const v1 = files("v1");

  it(`holds at least ${MINIMUM.v1} samples`, () => expect(v1.length).toBeGreaterThanOrEqual(MINIMUM.v1));

  it.each(v1)("%s is a valid schema_version 1 envelope", (file) => {
    const bytes = read("v1", file);
    expect(classify(bytes)).toBeNull();
    const value = JSON.parse(bytes.toString("utf8")) as { schema_version: number; phase?: string };
    expect(value.schema_version).toBe(1);
    expect(value.phase).toBeUndefined();
  });
});
