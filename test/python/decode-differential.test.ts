/**
 * Differential test of the Python decoder against the TypeScript one (runtime/envelope,
 * ajv): thousands of seeded mutations of golden/valid envelopes — one, two or three defects
 * at once, so the order in which keywords are checked matters — plus byte-level damage
 * (truncation, trailing data, BOM, bad UTF-8, NaN). Both must give the same outcome: valid,
 * or the same code and JSON pointer.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { decode } from "../../runtime/envelope/decode.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { ensureVenv, explain, run, type PythonEnv } from "./helpers.js";
import { mulberry32 } from "../helpers/prng.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

let py: PythonEnv;

beforeAll(async () => {
  py = await ensureVenv();
}, 300_000);

const POOL: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  2,
  1.5,
  2.0,
  9007199254740991,
  9007199254740992,
  -0.5,
  "",
  "x",
  "acp/1.0",
  "acp/1.0\n",
  "acp/١.0",
  "working",
  "completed",
  "rejected",
  "bogus",
  "AGENT_TIMEOUT",
  "lower_case",
  "agent.response.final",
  "agent.response.delta",
  "agent.tool.result",
  "response.final",
  "request",
  "019ca8d7-3004-7a04-be43-5f6071829304",
  "019CA8D7-3004-7A04-BE43-5F6071829304",
  "2026-03-01T10:01:00Z",
  "2026-03-01T10:01:00.123456789+01:00",
  "2026-13-01T10:01:00Z",
  {},
  [],
  [1],
  { a: 1 },
  { code: "X", message: "m", retryable: false },
  { call_id: "c", output: 1 },
  { call_id: "c", output: 1, error: { code: "X" } },
  { task_id: "t", status: "failed" },
  { task_id: "t", status: "completed", error: { code: "X", message: "m", retryable: true } },
  { delta: 1 },
  { meta: [] },
];
const FIELDS = [
  "spec_version",
  "schema_version",
  "event_id",
  "event_type",
  "occurred_at",
  "from",
  "to",
  "reply_to",
  "frame_type",
  "phase",
  "seq",
  "is_final",
  "payload",
  "metadata",
  "tenant_id",
  "extra_field",
];

function mutateOnce(doc: { [key: string]: Json }, rnd: () => number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const payload = doc["payload"];
  const target: { [key: string]: Json } = rnd() < 0.35 && typeof payload === "object" && payload !== null && !Array.isArray(payload) ? payload : doc;
  const keys = Object.keys(target);
  const r = rnd();
  if (r < 0.25 && keys.length > 0) delete target[pick(keys)];
  else if (r < 0.7 && keys.length > 0) target[pick(keys)] = structuredClone(pick(POOL));
  else if (r < 0.9)
    target[
      target === doc
        ? pick(FIELDS)
        : pick(["code", "message", "retryable", "cause", "call_id", "output", "error", "task_id", "status", "delta", "data", "meta", "callback"])
    ] = structuredClone(pick(POOL));
  else doc["is_final"] = true;
}

function damage(bytes: Buffer, rnd: () => number): Buffer {
  const r = rnd();
  if (r < 0.2) return bytes.subarray(0, Math.floor(rnd() * bytes.length));
  if (r < 0.4) return Buffer.concat([bytes, Buffer.from(rnd() < 0.5 ? " x" : "\n{}")]);
  if (r < 0.55) return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  if (r < 0.7) {
    const copy = Buffer.from(bytes);
    copy[Math.floor(rnd() * copy.length)] = rnd() < 0.5 ? 0xff : 0xc3;
    return copy;
  }
  if (r < 0.85) return Buffer.from(bytes.toString("utf8").replace(/:(-?\d+(\.\d+)?)/u, rnd() < 0.5 ? ":NaN" : ":Infinity"));
  return Buffer.from(bytes.toString("utf8").replace(/"/u, "'"));
}

function corpus(): Buffer[] {
  const dir = join(REPO_ROOT, "golden", "valid");
  const bases = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => readFileSync(join(dir, f)))
    .filter((b) => b.length < 100_000)
    .map((b) => JSON.parse(b.toString("utf8")) as { [key: string]: Json });
  const rnd = mulberry32(20260301);
  const cases: Buffer[] = [];
  for (let i = 0; i < 4000; i++) {
    const doc = structuredClone(bases[i % bases.length]!);
    const defects = 1 + Math.floor(rnd() * 3);
    for (let d = 0; d < defects; d++) mutateOnce(doc, rnd);
    const bytes = Buffer.from(JSON.stringify(doc));
    cases.push(i % 10 === 9 ? damage(bytes, rnd) : bytes);
  }
  return cases;
}

describe("Python decode agrees with the TypeScript decoder", () => {
  it("on 4000 seeded mutations of golden/valid (same valid/invalid, code and pointer)", async () => {
    const cases = corpus();
    const expected = cases.map((bytes) => {
      const r = decode(new Uint8Array(bytes));
      return r.ok ? null : [r.error.code, r.error.pointer];
    });
    expect(expected.filter((e) => e === null).length).toBeGreaterThan(100);
    expect(new Set(expected.map((e) => (e === null ? "valid" : e[1]))).size).toBeGreaterThan(30);

    const script = [
      "import base64, json, sys",
      "from openagentio import try_decode, EnvelopeDecodeError",
      "out = []",
      "for item in json.load(sys.stdin):",
      "    r = try_decode(base64.b64decode(item))",
      "    out.append([r.code, r.pointer] if isinstance(r, EnvelopeDecodeError) else None)",
      "json.dump(out, sys.stdout)",
    ].join("\n");
    const res = await run(py.python, ["-c", script], {
      env: py.env,
      input: JSON.stringify(cases.map((b) => b.toString("base64"))),
    });
    expect(res.code, explain(res)).toBe(0);
    const got = JSON.parse(res.stdout) as ([string, string] | null)[];
    const mismatches = got
      .map((g, i) => ({ i, got: g, want: expected[i] }))
      .filter((m) => JSON.stringify(m.got) !== JSON.stringify(m.want))
      .slice(0, 5)
      .map((m) => ({ ...m, input: cases[m.i]!.toString("utf8").slice(0, 400) }));
    expect(mismatches).toEqual([]);
  });
});
