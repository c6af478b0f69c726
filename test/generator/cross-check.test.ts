/**
 * generator/ir/load.ts cross-checks the envelope schema's if/then rules against the event-type
 * and phase catalogues, reading both from the schema model. Each case edits one rule in a copy
 * of schema/ and expects the load to name the drift; the last two are edits a text search of
 * the raw rule (what the check did before) let through.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SchemaLoadError } from "../../generator/ir/errors.js";
import { loadIr } from "../../generator/ir/load.js";

type Obj = { [key: string]: unknown };
const schemaDir = new URL("../../schema", import.meta.url).pathname;
const original = JSON.parse(readFileSync(join(schemaDir, "envelope.schema.json"), "utf8")) as { allOf: Obj[] };

/** The rule whose `$comment` is `comment` in a deep copy of the envelope schema. */
function rule(envelope: { allOf: Obj[] }, comment: string): Obj {
  const found = envelope.allOf.find((r) => r["$comment"] === comment);
  if (found === undefined) throw new Error(`no rule "${comment}" in schema/envelope.schema.json`);
  return found;
}
const at = (o: unknown, ...path: string[]): Obj => path.reduce((x, k) => (x as Obj)[k] as Obj, o as Obj);

const cases: { name: string; edit: (env: { allOf: Obj[] }) => void; problem: RegExp }[] = [
  {
    name: "a terminal event type missing from the is_final rule",
    edit: (env) => {
      const branch = at(rule(env, "is_final only on terminal event types or frame types"), "if", "not", "anyOf", "0", "properties", "event_type");
      branch["enum"] = (branch["enum"] as string[]).filter((t) => t !== "agent.tool.result");
    },
    problem: /the is_final rule must list terminal event types/,
  },
  {
    name: "the is_final rule's terminal frame types in another order",
    edit: (env) => {
      const branch = at(rule(env, "is_final only on terminal event types or frame types"), "if", "not", "anyOf", "1", "properties", "frame_type");
      branch["enum"] = [...(branch["enum"] as string[])].reverse();
    },
    problem: /the is_final rule must list terminal event types/,
  },
  {
    name: "a phase rule allowing a phase the catalogue does not",
    edit: (env) => {
      at(rule(env, "phase of agent.response.started"), "then", "properties", "phase")["enum"] = ["working", "completed"];
    },
    problem: /needs a rule limiting phase of agent\.response\.started to \["working"\]/,
  },
  {
    name: "a payload rule applying another payload's schema",
    edit: (env) => {
      at(rule(env, "payload of agent.tool.call"), "then", "properties", "payload")["$ref"] = "payloads/error.schema.json";
    },
    problem: /needs a rule applying payloads\/tool-call\.schema\.json to the payload of agent\.tool\.call/,
  },
  {
    name: "the phase list on another property (a text search found the enum and passed)",
    edit: (env) => {
      const then = at(rule(env, "phase of agent.response.started"), "then");
      then["properties"] = { status: { enum: ["working"] }, phase: { enum: ["working", "failed"] } };
    },
    problem: /needs a rule limiting phase of agent\.response\.started/,
  },
  {
    name: "the payload $ref on another property (a text search found it and passed)",
    edit: (env) => {
      const then = at(rule(env, "payload of agent.tool.call"), "then");
      then["properties"] = { metadata: { $ref: "payloads/tool-call.schema.json" } };
    },
    problem: /needs a rule applying payloads\/tool-call\.schema\.json to the payload of agent\.tool\.call/,
  },
];

describe("the envelope's rules are cross-checked against the catalogues", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "oaio-cross-"));
    cpSync(schemaDir, dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads schema/ as it is", () => {
    expect(() => loadIr(schemaDir)).not.toThrow();
  });

  it.each(cases)("names $name", ({ edit, problem }) => {
    const envelope = structuredClone(original);
    edit(envelope);
    writeFileSync(join(dir, "envelope.schema.json"), JSON.stringify(envelope));
    let caught: unknown;
    try {
      loadIr(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SchemaLoadError);
    const problems = (caught as SchemaLoadError).problems;
    expect(problems.map((p) => p.message)).toContainEqual(expect.stringMatching(problem));
    expect(problems.every((p) => p.file === "envelope.schema.json" && p.pointer === "/allOf")).toBe(true);
  });
});
