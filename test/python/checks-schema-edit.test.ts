/**
 * The Python SDK's boolean checks (`_checks.py`, generator/python/checks.ts) are rendered from
 * the schema model, not copied from today's schema: a copy of schema/ with four edits (a
 * pattern on a string field, a lower `seq` maximum, a new allOf if/then rule, a stricter
 * error-code pattern in a payload) generates checks that refuse the documents each edit makes
 * invalid, that the checks generated from schema/ accept, and that give the generated
 * validator's answer on every case. A hand-written copy of the schema's rules (what
 * runtime/checks.py held before) would keep accepting them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIr } from "../../generator/ir/load.js";
import { pythonEmitter } from "../../generator/python/emitter.js";
import { startAnchored } from "../../generator/python/regex.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { ensureVenv, explain, run, writeTemp, type PythonEnv } from "./helpers.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

let py: PythonEnv;
let fixture: string;
let original: string;
let edited: string;

function editJson(file: string, edit: (s: Obj) => void): void {
  const s = JSON.parse(readFileSync(file, "utf8")) as Obj;
  edit(s);
  writeFileSync(file, JSON.stringify(s, null, 2));
}

const props = (s: Obj): Obj => s["properties"] as Obj;

beforeAll(async () => {
  py = await ensureVenv();
  fixture = mkdtempSync(join(tmpdir(), "oaio-checks-edit-"));
  cpSync(join(REPO_ROOT, "schema"), fixture, { recursive: true });
  editJson(join(fixture, "envelope.schema.json"), (s) => {
    // a pattern on a plain string field (not a context field: those must stay plain strings, runtime-facts.ts)
    (props(s)["from"] as Obj)["pattern"] = "^[a-z]+$";
    (props(s)["seq"] as Obj)["maximum"] = 1000;
    (s["allOf"] as Json[]).push({
      if: { required: ["event_type"], properties: { event_type: { const: "agent.tool.call" } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, plain data never awaited
      then: { required: ["to"] },
    });
  });
  editJson(join(fixture, "payloads", "error.schema.json"), (s) => {
    (props(s)["code"] as Obj)["pattern"] = "^E_[A-Z_]+$";
  });
  original = writeTemp(await pythonEmitter.emit(loadIr(join(REPO_ROOT, "schema"))));
  edited = writeTemp(await pythonEmitter.emit(loadIr(fixture)));
}, 300_000);

afterAll(() => {
  for (const dir of [fixture, original, edited]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const BASE: Obj = {
  spec_version: "acp/1.0",
  schema_version: 2,
  event_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
  occurred_at: "2026-01-02T03:04:05.123Z",
  event_type: "agent.message.received",
  payload: { q: 1 },
};
const ERROR: Obj = { code: "AGENT_UNAVAILABLE", message: "m", retryable: false };

/** Documents valid under schema/, each invalid under one edit. */
const BROKEN_BY_EDIT: Obj[] = [
  { ...BASE, from: "Agent-1" },
  { ...BASE, seq: 1001 },
  { ...BASE, event_type: "agent.tool.call", payload: { call_id: "c", name: "n" } },
  { ...BASE, event_type: "agent.response.error", payload: ERROR },
];
/** Documents valid under both (the edits' other side), and invalid under both. */
const UNCHANGED: Obj[] = [
  { ...BASE, from: "agent" },
  { ...BASE, seq: 1000 },
  { ...BASE, event_type: "agent.tool.call", payload: { call_id: "c", name: "n" }, to: "b" },
  { ...BASE, event_type: "agent.response.error", payload: { ...ERROR, code: "E_UNAVAILABLE" } },
  { ...BASE, seq: -1 },
  { ...BASE, channel: 1 },
];

/** `[is_envelope(doc), validate(doc) is None]` per document, from the package at `dir`. */
async function answers(dir: string, docs: readonly Obj[]): Promise<[boolean, boolean][]> {
  const script = [
    "import json, sys",
    "from openagentio._checks import is_envelope",
    "from openagentio.codec import validate",
    "docs = json.loads(sys.stdin.read())",
    "print(json.dumps([[is_envelope(d), validate(d) is None] for d in docs]))",
  ].join("\n");
  const res = await run(py.python, ["-c", script], {
    cwd: dir,
    env: { ...py.env, PYTHONPATH: join(dir, "python", "src"), PYTHONNOUSERSITE: "1" },
    input: JSON.stringify(docs),
  });
  expect(res.code, explain(res)).toBe(0);
  return JSON.parse(res.stdout) as [boolean, boolean][];
}

describe("generated Python checks follow a schema edit", () => {
  it("the checks from schema/ accept what the edits break", async () => {
    expect(await answers(original, BROKEN_BY_EDIT)).toEqual(BROKEN_BY_EDIT.map(() => [true, true]));
  });

  it("the checks from the edited schema refuse it, as its validator does", async () => {
    expect(await answers(edited, BROKEN_BY_EDIT)).toEqual(BROKEN_BY_EDIT.map(() => [false, false]));
  });

  it("both give their validator's answer on the other cases", async () => {
    for (const dir of [original, edited]) {
      const got = await answers(dir, UNCHANGED);
      expect(got.map(([check, validator]) => check === validator)).toEqual(UNCHANGED.map(() => true));
      expect(got.map(([check]) => check)).toEqual([true, true, true, true, false, false]);
    }
  });
});

describe("startAnchored (the checks use match instead of search only where both answer alike)", () => {
  it("is true only for a pattern starting with ^ without a top-level alternative", () => {
    for (const p of ["^a$", "^(a|b)$", "^[|]x", "^\\|x", "^acp/\\d+\\.\\d+$"]) expect(startAnchored(p), p).toBe(true);
    for (const p of ["a", "a^", "^a|b", "^(x)|y", "[^a]"]) expect(startAnchored(p), p).toBe(false);
  });
});
