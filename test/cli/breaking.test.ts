/**
 * `oaio breaking`: one test per rule over temp copies of the real schema/ and example
 * contracts (before = copy, after = copy with one change), read from disk by the module
 * the command uses; the command itself (child process) for exit codes, --json, a folder and
 * a real git ref.
 */
// biome-ignore-all lint/suspicious/noThenProperty: the objects with `then` here are JSON Schema if/then/else literals (the rule guards against thenables; these are never awaited)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BREAKING_RULES, compareVersions, type BreakingChange, type BreakingRule } from "../../generator/breaking/index.js";
import { readFolder } from "../../generator/breaking/source.js";
import { compareSchema, type Json } from "../../generator/breaking/schema-diff.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { runOaio } from "./child.js";

// biome-ignore lint/suspicious/noExplicitAny: the tests edit parsed JSON in place
type J = Record<string, any>;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "oaio-breaking-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** before/ and after/: copies of schema/ and examples/contracts; `edit` changes after/. */
function versions(edit: (after: string) => void): { before: string; after: string } {
  const dir = join(root, `case-${n++}`);
  for (const side of ["before", "after"]) {
    cpSync(join(REPO_ROOT, "schema"), join(dir, side, "schema"), { recursive: true });
    mkdirSync(join(dir, side, "contracts"), { recursive: true });
    cpSync(join(REPO_ROOT, "examples", "contracts"), join(dir, side, "contracts"), {
      recursive: true,
      filter: (src) => !src.includes(`${"contracts"}/generated`) && !src.endsWith(".md"),
    });
  }
  edit(join(dir, "after"));
  return { before: join(dir, "before"), after: join(dir, "after") };
}

function editJson(path: string, fn: (doc: J) => void): void {
  const doc = JSON.parse(readFileSync(path, "utf8")) as J;
  fn(doc);
  writeFileSync(path, JSON.stringify(doc, null, 2));
}

function compare(v: { before: string; after: string }): BreakingChange[] {
  const load = (d: string) => ({ schemas: readFolder(join(d, "schema"), "schemas"), contracts: readFolder(join(d, "contracts"), "contracts") });
  return compareVersions(load(v.before), load(v.after), { schemaDir: "schema", contractsDir: "contracts" });
}

const env = (d: string): string => join(d, "schema", "envelope.schema.json");
const translator = (d: string): string => join(d, "contracts", "translator.agent.json");

const cases: [BreakingRule, (after: string) => void, Partial<BreakingChange>][] = [
  ["schema-removed", (d) => rmSync(join(d, "schema", "payloads", "tool-call.schema.json")), { file: "schema/payloads/tool-call.schema.json", pointer: "" }],
  [
    "field-removed",
    (d) => editJson(join(d, "schema", "payloads", "error.schema.json"), (s) => delete s.properties.cause),
    { file: "schema/payloads/error.schema.json", pointer: "/properties/cause" },
  ],
  ["field-required", (d) => editJson(env(d), (s) => s.required.push("session_id")), { file: "schema/envelope.schema.json", pointer: "/required" }],
  ["type-narrowed", (d) => editJson(env(d), (s) => (s.properties.is_final.type = "string")), { pointer: "/properties/is_final/type" }],
  [
    "ref-changed",
    (d) => editJson(translator(d), (c) => (c.skills[0].input = { $ref: "#/$defs/Other" })),
    { file: "contracts/translator.agent.json", pointer: "/skills/0/input/$ref" },
  ],
  [
    "enum-value-removed",
    (d) => editJson(env(d), (s) => (s.properties.phase.enum = s.properties.phase.enum.filter((p: string) => p !== "rejected"))),
    { pointer: "/properties/phase/enum", message: 'enum value "rejected" removed' },
  ],
  ["const-changed", (d) => editJson(env(d), (s) => (s.properties.channel.const = "web")), { pointer: "/properties/channel/const" }],
  ["bounds-tightened", (d) => editJson(env(d), (s) => (s.properties.seq.minimum = 1)), { pointer: "/properties/seq/minimum", message: "minimum 0 -> 1" }],
  [
    "properties-closed",
    (d) => editJson(env(d), (s) => (s.properties.metadata.additionalProperties = false)),
    { pointer: "/properties/metadata/additionalProperties" },
  ],
  [
    "event-type-removed",
    (d) =>
      editJson(join(d, "schema", "catalog", "event-types.json"), (c) => (c.event_types = c.event_types.filter((e: J) => e.name !== "agent.stream.cancel"))),
    { file: "schema/catalog/event-types.json", message: 'event type "agent.stream.cancel" removed' },
  ],
  [
    "event-type-changed",
    (d) => editJson(join(d, "schema", "catalog", "event-types.json"), (c) => (c.event_types[0].frame_type = "tool.call")),
    { file: "schema/catalog/event-types.json", pointer: "/event_types/0/frame_type" },
  ],
  [
    "error-code-removed",
    (d) => editJson(join(d, "schema", "catalog", "error-codes.json"), (c) => (c.error_codes = c.error_codes.filter((e: J) => e.code !== "AGENT_TIMEOUT"))),
    { message: 'error code "AGENT_TIMEOUT" removed' },
  ],
  [
    "error-code-changed",
    (d) => editJson(join(d, "schema", "catalog", "error-codes.json"), (c) => (c.error_codes[0].retryable = !c.error_codes[0].retryable)),
    { pointer: "/error_codes/0/retryable" },
  ],
  [
    "catalog-entry-removed",
    (d) => editJson(join(d, "schema", "catalog", "phases.json"), (c) => c.phases.pop()),
    { file: "schema/catalog/phases.json", message: 'phase "rejected" removed' },
  ],
  ["subject-changed", (d) => editJson(join(d, "schema", "catalog", "subjects.json"), (c) => (c.default_prefix = "acp.v2")), { pointer: "/default_prefix" }],
  ["agent-removed", (d) => rmSync(translator(d)), { file: "contracts/translator.agent.json" }],
  ["skill-removed", (d) => editJson(translator(d), (c) => c.skills.splice(0, 1)), { file: "contracts/translator.agent.json", pointer: "/skills/0" }],
  ["skill-target-changed", (d) => editJson(translator(d), (c) => (c.skills[0].target = "translate.v2")), { pointer: "/skills/0/target" }],
  [
    "skill-mode-changed",
    (d) => editJson(translator(d), (c) => (c.skills[1].delta = { type: "string" })),
    { pointer: "/skills/1/delta", message: 'skill "detect-language": invoke -> stream' },
  ],
  [
    "contract-event-removed",
    (d) => editJson(join(d, "contracts", "task-worker.agent.json"), (c) => (c.events.publishes = c.events.publishes.slice(1))),
    { file: "contracts/task-worker.agent.json", pointer: "/events/publishes/0" },
  ],
];

describe("oaio breaking: one test per rule", () => {
  it("covers every rule", () => {
    expect(cases.map(([r]) => r).sort()).toEqual(Object.keys(BREAKING_RULES).sort());
  });

  it("identical versions: no change", () => {
    expect(compare(versions(() => {}))).toEqual([]);
  });

  it.each(cases)("%s", (rule, edit, expected) => {
    const changes = compare(versions(edit));
    expect(changes.length, JSON.stringify(changes)).toBeGreaterThan(0);
    expect(
      changes.every((c) => c.rule === rule),
      JSON.stringify(changes),
    ).toBe(true);
    expect(changes).toContainEqual(expect.objectContaining({ rule, ...expected }));
  });

  it("contract schemas follow the schema rules: a new required input field, a narrowed output, a removed enum value", () => {
    const changes = compare(
      versions((d) =>
        editJson(translator(d), (c) => {
          const input = c.skills[0].input.$ref === undefined ? c.skills[0].input : c.$defs[c.skills[0].input.$ref.split("/").pop()];
          input.properties.glossary = { type: "string" };
          input.required = [...(input.required ?? []), "glossary"];
        }),
      ),
    );
    expect(changes).toContainEqual(
      expect.objectContaining({ rule: "field-required", file: "contracts/translator.agent.json", message: 'new required property "glossary"' }),
    );
  });

  it("additions are not breaks: a new optional field, a new enum value, a new event type, a widened bound", () => {
    const changes = compare(
      versions((d) => {
        editJson(env(d), (s) => {
          s.properties.new_field = { type: "string" };
          s.properties.phase.enum.push("paused");
          s.properties.seq.maximum = Number.MAX_SAFE_INTEGER + 1;
        });
        editJson(join(d, "schema", "catalog", "event-types.json"), (c) => c.event_types.push({ ...c.event_types[0], name: "agent.new.thing" }));
      }),
    );
    expect(changes).toEqual([]);
  });
});

/** The rules compareSchema reports for one pair of schemas. */
function schemaRules(before: Json, after: Json): string[] {
  const out: BreakingChange[] = [];
  compareSchema({ file: "x.schema.json", out }, "", before, after);
  return out.map((c) => `${c.rule} ${c.pointer}`);
}

describe("schema rules, case by case (spec/phases-and-versioning.md)", () => {
  it.each<[string, Json, Json, string[]]>([
    ["number -> integer", { type: "number" }, { type: "integer" }, ["type-narrowed /type"]],
    ["integer -> number is a widening", { type: "integer" }, { type: "number" }, []],
    ["an anyOf branch removed", { anyOf: [{ type: "string" }, { type: "null" }] }, { anyOf: [{ type: "string" }] }, ["type-narrowed /anyOf"]],
    ["an anyOf added", {}, { anyOf: [{ type: "string" }] }, ["type-narrowed /anyOf"]],
    ["maxLength lowered", { type: "string", maxLength: 10 }, { type: "string", maxLength: 5 }, ["bounds-tightened /maxLength"]],
    ["maxLength raised", { type: "string", maxLength: 10 }, { type: "string", maxLength: 50 }, []],
    ["a pattern added", { type: "string" }, { type: "string", pattern: "^a" }, ["bounds-tightened /pattern"]],
    ["multipleOf 2 -> 4", { multipleOf: 2 }, { multipleOf: 4 }, ["bounds-tightened /multipleOf"]],
    ["multipleOf 4 -> 2", { multipleOf: 4 }, { multipleOf: 2 }, []],
    ["uniqueItems added", { type: "array" }, { type: "array", uniqueItems: true }, ["bounds-tightened /uniqueItems"]],
    ["the schema becomes false", { type: "string" }, false, ["type-narrowed "]],
    ["a $defs entry removed", { $defs: { A: { type: "string" } } }, { $defs: {} }, ["schema-removed /$defs/A"]],
    [
      "nested: an item's property removed",
      { type: "array", items: { type: "object", properties: { a: {}, b: {} } } },
      { type: "array", items: { type: "object", properties: { a: {} } } },
      ["field-removed /items/properties/b"],
    ],
    [
      "additionalProperties true -> schema",
      { type: "object" },
      { type: "object", additionalProperties: { type: "string" } },
      ["properties-closed /additionalProperties"],
    ],
    [
      "if narrowed, no else: then applies to fewer values",
      { if: { properties: { a: { const: 1 } } }, then: { required: ["b"] } },
      { if: { properties: { a: { const: 1 } }, required: ["a"] }, then: { required: ["b"] } },
      [],
    ],
    [
      "if widened: then applies to more values",
      { if: { properties: { a: { const: 1 } }, required: ["a"] }, then: { required: ["b"] } },
      { if: { properties: { a: { const: 1 } } }, then: { required: ["b"] } },
      ["type-narrowed /if"],
    ],
    [
      "if narrowed with an else",
      { if: { type: "string" }, then: {}, else: { type: "null" } },
      { if: { type: "string", minLength: 2 }, then: {}, else: { type: "null" } },
      ["type-narrowed /if"],
    ],
    ["not added", { type: "string" }, { type: "string", not: { const: "x" } }, ["type-narrowed /not"]],
    ["not removed", { type: "string", not: { const: "x" } }, { type: "string" }, []],
    ["an optional property added", { type: "object", properties: {} }, { type: "object", properties: { c: { type: "string" } } }, []],
  ])("%s", (_name, before, after, expected) => {
    expect(schemaRules(before, after)).toEqual(expected);
  });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" });
}

describe("oaio breaking (child process)", () => {
  it("a folder: exit 1 listing the break, --json report; exit 0 against itself", async () => {
    const v = versions((d) => editJson(env(d), (s) => (s.properties.seq.minimum = 1)));
    const broken = await runOaio(["breaking", "--against", v.before, "--contracts", "contracts", "--json"], { cwd: v.after });
    expect(broken.code, broken.stderr).toBe(1);
    const report = JSON.parse(broken.stdout) as { breaking: number; changes: BreakingChange[] };
    expect(report.breaking).toBe(1);
    expect(report.changes[0]).toMatchObject({ rule: "bounds-tightened", file: "schema/envelope.schema.json", pointer: "/properties/seq/minimum" });
    const same = await runOaio(["breaking", "--against", v.after, "--contracts", "contracts"], { cwd: v.after });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/^no breaking changes against /);
  }, 60_000);

  it("a git ref of a temp repository: the committed version vs the working tree", async () => {
    const repo = join(root, "repo");
    cpSync(join(REPO_ROOT, "schema"), join(repo, "schema"), { recursive: true });
    cpSync(join(REPO_ROOT, "examples", "contracts", "translator.agent.json"), join(repo, "agents", "translator.agent.json"));
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "v1");
    git(repo, "tag", "v1");
    editJson(join(repo, "agents", "translator.agent.json"), (c) => c.skills.splice(0, 1));
    editJson(join(repo, "schema", "catalog", "error-codes.json"), (c) => c.error_codes.shift());
    const r = await runOaio(["breaking", "--against", "v1", "--contracts", "agents"], { cwd: repo });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("agents/translator.agent.json#/skills/0: skill-removed:");
    expect(r.stdout).toContain("schema/catalog/error-codes.json#/error_codes/0: error-code-removed:");
    expect(r.stdout).toContain("2 breaking changes against v1\n");
    git(repo, "commit", "-q", "-am", "v2");
    const clean = await runOaio(["breaking", "--against", "HEAD", "--contracts", "agents"], { cwd: repo });
    expect(clean.code, clean.stderr).toBe(0);
  }, 60_000);

  it("usage and I/O errors exit 2: an unknown ref, a missing --contracts folder, no --against", async () => {
    const bad = await runOaio(["breaking", "--against", "no-such-ref-xyz"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("neither a directory nor a git ref");
    const missing = await runOaio(["breaking", "--against", "HEAD", "--contracts", "/nonexistent/contracts"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--contracts");
    const none = await runOaio(["breaking"]);
    expect(none.code).toBe(2);
  }, 60_000);
});
