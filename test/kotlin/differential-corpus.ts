/**
 * A differential corpus for the Kotlin SDK: golden/valid envelopes mutated (one to three
 * defects at once, plus byte- and text-level damage) with a seeded generator, each labelled
 * by the TypeScript runtime's own decode. Written in golden/'s layout, so the Kotlin
 * ConformanceTest can run it: Kotlin must reject with the same code and pointer and
 * canonicalize to the same bytes wherever TypeScript does.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decode, encodeCanonical } from "../../runtime/envelope/index.js";
import { mulberry32 } from "../helpers/prng.js";

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonRecord = { [key: string]: JsonValue };

const VALUES: JsonValue[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2,
  1e300,
  9007199254740992,
  "",
  "x",
  "acp/1.0",
  "working",
  "completed",
  "agent.response.final",
  "2026-01-01T00:00:00Z",
  "019ca8d7-2d83-7c15-827c-9f57e83b6085",
  [],
  {},
  { a: 1 },
  { code: "AGENT_TIMEOUT", message: "m", retryable: true },
];
const TOP = [
  "spec_version",
  "schema_version",
  "event_id",
  "event_type",
  "occurred_at",
  "trace_id",
  "reply_to",
  "from",
  "to",
  "frame_type",
  "phase",
  "seq",
  "is_final",
  "payload",
  "metadata",
  "x_unknown",
];
const PAYLOAD_KEYS = [
  "delta",
  "data",
  "meta",
  "code",
  "message",
  "retryable",
  "cause",
  "call_id",
  "name",
  "arguments",
  "output",
  "error",
  "task_id",
  "status",
  "result",
  "input",
  "callback",
  "reason",
];
const EVENT_TYPES = [
  "agent.message.received",
  "agent.response.started",
  "agent.response.delta",
  "agent.response.final",
  "agent.response.error",
  "agent.tool.call",
  "agent.tool.result",
  "agent.task.created",
  "agent.task.completed",
  "agent.stream.cancel",
  "custom.event",
];
const PHASES = ["submitted", "working", "input_required", "auth_required", "completed", "failed", "canceled", "rejected", "paused"];
const FRAMES = ["request", "response.delta", "response.final", "response.error", "tool.result", "other"];

type Mutator = (o: JsonRecord, pick: <T>(xs: readonly T[]) => T) => void;

const isRecord = (v: JsonValue | undefined): v is JsonRecord => typeof v === "object" && v !== null && !Array.isArray(v);

const MUTATORS: Mutator[] = [
  (o, pick) => void delete o[pick(Object.keys(o))],
  (o, pick) => void (o[pick(TOP)] = pick(VALUES)),
  (o, pick) => void (isRecord(o["payload"]) ? delete o["payload"][pick(Object.keys(o["payload"]).concat("x"))] : delete o["payload"]),
  (o, pick) => void (isRecord(o["payload"]) ? (o["payload"][pick(PAYLOAD_KEYS)] = pick(VALUES)) : (o["payload"] = { [pick(PAYLOAD_KEYS)]: pick(VALUES) })),
  (o, pick) => void (o["payload"] = pick(VALUES)),
  (o, pick) => void (o["event_type"] = pick(EVENT_TYPES)),
  (o, pick) => void (o["phase"] = pick(PHASES)),
  (o, pick) => void (o["schema_version"] = pick<JsonValue>([1, 2, 3, 0, 1.5, "2"])),
  (o, pick) => void (o["is_final"] = pick<JsonValue>([true, false, "true"])),
  (o, pick) => void (o["frame_type"] = pick(FRAMES)),
  (o, pick) => void (o["seq"] = pick<JsonValue>([-1, 1.5, 0, 9007199254740991, 9007199254740992, "1", 1e300])),
  (o, pick) => {
    const p = isRecord(o["payload"]) ? o["payload"] : (o["payload"] = {});
    const inner = pick(["error", "callback", "cause"]);
    const target = isRecord(p[inner]) ? p[inner] : (p[inner] = {});
    target[pick(["code", "message", "retryable", "reply_to", "url", "token"])] = pick(VALUES);
  },
];

/** Text-level damage: number spellings, white space, syntax, BOM, invalid UTF-8. */
function damageText(text: string, pick: <T>(xs: readonly T[]) => T): Uint8Array {
  const enc = new TextEncoder();
  switch (pick([0, 1, 2, 3, 4, 5, 6, 7])) {
    case 0:
      return enc.encode(
        text.replace(/"(seq|schema_version)":(\d+)/u, (_m, k: string, n: string) => `"${k}":${pick([`${n}.0`, `${n}e0`, `${n}E+0`, `-${n}`, `0${n}`])}`),
      );
    case 1:
      return enc.encode(pick([" \n\t", "\r\n"]) + text + pick(["", " ", "\n", " x", ",", "{}", "\u00a0"]));
    case 2:
      return enc.encode(text.slice(0, Math.floor(text.length / pick([2, 3, 5]))));
    case 3:
      return new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(text)]);
    case 4: {
      const b = enc.encode(text);
      const at = Math.floor(b.length / 2);
      return new Uint8Array([...b.slice(0, at), pick([0xff, 0xc0, 0xed, 0x80]), ...b.slice(at)]);
    }
    case 5:
      return enc.encode(text.replace(/"event_type":"/u, pick(['"event_type":"\u0001', '"event_type":"\\u00e9\\ud83d\\ude00', '"event_type":"\\ud800'])));
    case 6:
      return enc.encode(pick(["[]", "null", '"x"', "1", "[{}]", "", " ", "{", "{}"]));
    default:
      return enc.encode(text.replace(/:(\d+)/u, ":$1.000"));
  }
}

/** Summary of a written corpus. */
export interface CorpusStats {
  readonly valid: number;
  readonly invalid: number;
}

/**
 * Writes `count` mutated cases under `dir` (valid/, canonical/, invalid/ with sidecars),
 * labelled by the TypeScript decoder. Mutants that TypeScript accepts but cannot
 * canonicalize (lone surrogates) are left out.
 */
export function writeDifferentialCorpus(goldenValidDir: string, dir: string, count: number, seed: number): CorpusStats {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const bases = readdirSync(goldenValidDir)
    .filter((f) => f.endsWith(".json") && !f.includes("1-mib"))
    .sort()
    .map((f) => readFileSync(join(goldenValidDir, f), "utf8"));
  for (const sub of ["valid", "canonical", "invalid"]) mkdirSync(join(dir, sub), { recursive: true });
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < count; i++) {
    const base = JSON.parse(pick(bases)) as JsonRecord;
    const n = 1 + Math.floor(random() * 3);
    for (let k = 0; k < n; k++) pick(MUTATORS)(base, pick);
    const text = JSON.stringify(base);
    const bytes = random() < 0.15 ? damageText(text, pick) : new TextEncoder().encode(text);
    const name = `m${String(i).padStart(5, "0")}.json`;
    const result = decode(bytes);
    if (result.ok) {
      let canonical: Uint8Array;
      try {
        canonical = encodeCanonical(result.envelope);
      } catch {
        continue;
      }
      writeFileSync(join(dir, "valid", name), bytes);
      writeFileSync(join(dir, "canonical", name), canonical);
      valid++;
    } else {
      writeFileSync(join(dir, "invalid", name), bytes);
      const sidecar = { code: result.error.code, pointer: result.error.pointer, description: "labelled by the TypeScript decoder" };
      writeFileSync(join(dir, "invalid", name.replace(/\.json$/u, ".expected.json")), JSON.stringify(sidecar));
      invalid++;
    }
  }
  return { valid, invalid };
}
