/**
 * The contract loader: a good folder loads with defaults filled in; every kind of bad
 * contract is reported with the file, the JSON pointer of the defect and a fix, all problems
 * at once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadContracts } from "../../generator/contracts/load.js";
import { ContractLoadError, type ContractProblem } from "../../generator/contracts/errors.js";
import { standardEvents } from "../../generator/contracts/generate.js";
import { REPO_ROOT } from "../helpers/cli.js";

const STANDARD = standardEvents(join(REPO_ROOT, "schema"));
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: a contract document the tests break field by field through paths on purpose; a wrong path fails the test at run time
type Doc = Record<string, any>;

/** A valid contract to start from; `patch` edits a deep copy. */
function contract(patch: (c: Doc) => void = () => {}): Record<string, unknown> {
  const c: Doc = {
    name: "echo",
    description: "Repeats what it is told.",
    version: "1.0.0",
    skills: [
      { id: "say", name: "Say", description: "Says it back.", input: { type: "object", properties: { text: { type: "string" } } }, output: { type: "string" } },
    ],
  };
  patch(c);
  return c;
}

/** Writes files (name → JSON value or raw text) into a fresh folder. */
function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "oaio-contracts-"));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), typeof body === "string" ? body : JSON.stringify(body, null, 2));
  return dir;
}

/** Loads and returns the problems (fails if loading succeeds). */
function problems(dir: string): readonly ContractProblem[] {
  try {
    loadContracts(dir, { standardEvents: STANDARD });
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(ContractLoadError);
    const e = err as ContractLoadError;
    expect(e.code).toBe("INVALID_REQUEST");
    // The message carries file, pointer and fix of every problem.
    for (const p of e.problems) {
      expect(e.message).toContain(`${p.file}${p.pointer ? `#${p.pointer}` : ""}: ${p.message}`);
      expect(e.message).toContain(`fix: ${p.fix}`);
    }
    return e.problems;
  }
  throw new Error("expected the contracts to be rejected");
}

function only(dir: string): ContractProblem {
  const list = problems(dir);
  expect(list, JSON.stringify(list, null, 2)).toHaveLength(1);
  return list[0]!;
}

describe("contract loader", () => {
  it("loads a good contract and fills in defaults", () => {
    const dir = folder({ "echo.agent.json": contract() });
    const [c] = loadContracts(dir, { standardEvents: STANDARD }).contracts;
    expect(c).toMatchObject({ name: "echo", title: "Echo", file: "echo.agent.json", publishes: [], subscribes: [] });
    expect(c!.skills[0]).toMatchObject({ id: "say", target: "echo:say", mode: "invoke", tags: [], delta: undefined });
    expect(c!.card).toMatchObject({ url: "http://localhost:8080/a2a/echo", defaultInputModes: ["application/json"] });
  });

  it("loads the shipped examples", () => {
    const ir = loadContracts(join(REPO_ROOT, "examples/contracts"), { standardEvents: STANDARD });
    expect(ir.contracts.map((c) => c.name)).toEqual(["planner", "task-worker", "translator"]);
    expect(ir.contracts[2]!.skills[0]).toMatchObject({ mode: "stream", delta: { encoding: "text" } });
  });

  it("missing name: points at /name and says what to add", () => {
    const dir = folder({ "echo.agent.json": contract((c) => delete c["name"]) });
    const p = only(dir);
    expect(p).toMatchObject({ file: join(dir, "echo.agent.json"), pointer: "/name", message: 'missing required key "name"' });
    expect(p.fix).toMatch(/^add "name": use kebab-case/);
  });

  it("bad skill id: points at the id and explains the allowed form", () => {
    const p = only(folder({ "echo.agent.json": contract((c) => (c["skills"][0].id = "Say It")) }));
    expect(p.pointer).toBe("/skills/0/id");
    expect(p.message).toContain('(got "Say It")');
    expect(p.fix).toContain("lowercase words joined by single '-' or '_'");
  });

  it("invalid embedded schema: points inside the schema", () => {
    const p = only(folder({ "echo.agent.json": contract((c) => (c["skills"][0].input.properties.text.type = "strng")) }));
    expect(p.pointer).toBe("/skills/0/input/properties/text/type");
    expect(p.message).toMatch(/^invalid JSON Schema/);
    expect(p.fix).toContain('"string", "number", "integer"');
  });

  it("invalid regular expression and dangling $ref in embedded schemas", () => {
    const list = problems(
      folder({
        "echo.agent.json": contract((c) => {
          c["skills"][0].input.properties.text.pattern = "([a-z]";
          c["skills"][0].output = { $ref: "#/$defs/Missing" };
          c["$defs"] = { Known: { type: "string" } };
        }),
      }),
    );
    expect(list.map((p) => p.pointer)).toEqual(["/skills/0/input/properties/text/pattern", "/skills/0/output/$ref"]);
    expect(list[1]!.fix).toContain("(declared: Known)");
  });

  it("a valid pattern that Python or Kotlin cannot render is refused at its pointer (one pattern dialect in every language)", () => {
    const list = problems(
      folder({
        "echo.agent.json": contract((c) => {
          c["skills"][0].input.properties.text.pattern = "^\\p{L}+$";
          c["skills"][0].output = { type: "string", pattern: "[\\S]+" };
        }),
      }),
    );
    expect(list.map((p) => p.pointer)).toEqual(["/skills/0/input/properties/text/pattern", "/skills/0/output/pattern"]);
    expect(list[0]!.message).toContain("Unicode property escapes");
    expect(list[1]!.message).toContain("\\S inside a character class");
    expect(list[0]!.fix).toContain('"^[A-Za-z]+$"');
  });

  it("duplicate skill: points at the second one and names the first", () => {
    const p = only(folder({ "echo.agent.json": contract((c) => c["skills"].push({ ...c["skills"][0], name: "Again" })) }));
    expect(p).toMatchObject({ pointer: "/skills/1/id", message: 'skill id "say" is already used by #/skills/0/id', fix: "give every skill a distinct id" });
  });

  it("skill ids that only differ in separators collide in generated names", () => {
    const p = only(
      folder({
        "echo.agent.json": contract((c) => c["skills"].push({ ...c["skills"][0], id: "say_it" }, { ...c["skills"][0], id: "say-it" })),
      }),
    );
    expect(p).toMatchObject({ pointer: "/skills/2/id", message: 'skill id "say-it" generates the same names as "say_it"' });
  });

  it("type names that are built-ins or generated names in a target language are refused", () => {
    const p = only(folder({ "echo.agent.json": contract((c) => (c["$defs"] = { Promise: { type: "string" } })) }));
    expect(p).toMatchObject({ pointer: "/$defs/Promise", message: expect.stringContaining('type name "Promise" is reserved') });
    expect(p.fix).toContain("MyPromise");
  });

  it("unknown key: suggests the closest valid one", () => {
    const p = only(folder({ "echo.agent.json": contract((c) => (c["descripton"] = "typo")) }));
    expect(p).toMatchObject({ pointer: "/descripton", message: 'unknown key "descripton"', fix: 'rename "descripton" to "description"' });
  });

  it("not JSON: gives line and column", () => {
    const p = only(folder({ "echo.agent.json": '{\n  "name": "echo",\n  "version": "1.0.0",,\n}' }));
    expect(p.pointer).toBe("");
    expect(p.message).toMatch(/^not valid JSON at line 3, column \d+/);
  });

  it("a delta that is neither text nor an object", () => {
    const p = only(folder({ "echo.agent.json": contract((c) => (c["skills"][0].delta = { type: "array" })) }));
    expect(p.pointer).toBe("/skills/0/delta");
    expect(p.fix).toContain("wrap the value in an object");
  });

  it("events: frames, payloads of standard types, custom types without payload, the agent.* namespace", () => {
    const list = problems(
      folder({
        "echo.agent.json": contract((c) => {
          c["events"] = {
            publishes: [
              { type: "agent.response.delta", description: "no" },
              { type: "agent.tool.call", description: "x", payload: { type: "object" } },
              { type: "agent.thing.done", description: "x", payload: {} },
              { type: "echo.said", description: "x" },
            ],
            subscribes: [
              { type: "agent.tool.result", description: "x" },
              { type: "agent.tool.result", description: "again" },
            ],
          };
        }),
      }),
    );
    expect(list.map((p) => [p.pointer, p.fix.slice(0, 30)])).toEqual([
      ["/events/publishes/0/type", "declare a skill for request/re"],
      ["/events/publishes/1/payload", 'remove "payload"'],
      ["/events/publishes/2/type", "use a standard type (agent.too"],
      ["/events/publishes/3/payload", 'add "payload": a JSON Schema o'],
      ["/events/subscribes/1/type", "list each event type once unde"],
    ]);
  });

  it("checks across files: duplicate agent names and targets", () => {
    const dir = folder({
      "a.agent.json": contract(),
      "b.agent.json": contract(),
      "c.agent.json": contract((c) => {
        c["name"] = "other";
        c["skills"][0].target = "echo:say";
      }),
    });
    const list = problems(dir);
    expect(list.map((p) => [p.file, p.pointer])).toEqual([
      [join(dir, "b.agent.json"), "/name"],
      [join(dir, "c.agent.json"), "/skills/0/target"],
    ]);
    expect(list[1]!.message).toBe(`target "echo:say" is also served by ${join(dir, "a.agent.json")}#/skills/0`);
  });

  it("reports every problem of every file at once", () => {
    const dir = folder({
      "a.agent.json": contract((c) => delete c["version"]),
      "b.agent.json": contract((c) => (c["name"] = "Bad Name")),
      "notes.json": "ignored: not a contract",
    });
    expect(problems(dir).map((p) => p.pointer)).toEqual(["/version", "/name"]);
  });

  it("an empty folder is a problem with a fix", () => {
    const dir = folder({});
    expect(only(dir)).toMatchObject({ file: dir, pointer: "", message: "no *.agent.json files" });
  });
});
