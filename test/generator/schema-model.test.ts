/**
 * The typed schema model (generator/ir/schema-model.ts): one keyword subset for every
 * language, refused at generate time with the file and the JSON pointer (in schema/ and in
 * agent contracts), and validation plans in ajv's order with the code, pointer and expected
 * text every language reports.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIr } from "../../generator/ir/load.js";
import { SchemaLoadError } from "../../generator/ir/errors.js";
import { ASSERTION_KEYWORDS } from "../../generator/ir/keywords.js";
import { buildSchemaModel } from "../../generator/ir/schema-model.js";
import { loadContracts } from "../../generator/contracts/load.js";
import { ContractLoadError } from "../../generator/contracts/errors.js";
import { standardEvents } from "../../generator/contracts/generate.js";
import { REPO_ROOT } from "../helpers/cli.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), "oaio-model-"));
  dirs.push(d);
  return d;
}

type Schema = { properties: Record<string, Record<string, unknown>> };

function editJson(file: string, change: (s: Schema) => void): void {
  const s = JSON.parse(readFileSync(file, "utf8")) as Schema;
  change(s);
  writeFileSync(file, JSON.stringify(s, null, 2));
}

describe("keyword subset", () => {
  it("refuses a keyword outside the subset in schema/, naming every file and pointer", () => {
    const dir = temp();
    cpSync(join(REPO_ROOT, "schema"), dir, { recursive: true });
    editJson(join(dir, "payloads", "tool-call.schema.json"), (s) => {
      s.properties["arguments"]!["propertyNames"] = { pattern: "^[a-z]+$" };
    });
    editJson(join(dir, "envelope.schema.json"), (s) => {
      s.properties["reply_to"]!["format"] = "uri";
    });
    let err: unknown;
    try {
      loadIr(dir);
    } catch (e: unknown) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaLoadError);
    const problems = (err as SchemaLoadError).problems.map((p) => `${p.file}#${p.pointer}`);
    expect(problems).toEqual(["envelope.schema.json#/properties/reply_to/format", "payloads/tool-call.schema.json#/properties/arguments/propertyNames"]);
    expect((err as SchemaLoadError).message).toContain('keyword "format" is outside the schema subset');
  });

  it("refuses it in an agent contract with the contract's pointer and a fix", () => {
    const dir = temp();
    const translator = JSON.parse(readFileSync(join(REPO_ROOT, "examples", "contracts", "translator.agent.json"), "utf8"));
    translator.skills[0].input.properties.text.format = "email";
    translator.$defs.Language.uniqueItems = true;
    writeFileSync(join(dir, "translator.agent.json"), JSON.stringify(translator));
    let err: unknown;
    try {
      loadContracts(dir, { standardEvents: standardEvents(join(REPO_ROOT, "schema")) });
    } catch (e: unknown) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContractLoadError);
    const problems = (err as ContractLoadError).problems;
    expect(problems.map((p) => p.pointer).sort()).toEqual(["/$defs/Language/uniqueItems", "/skills/0/input/properties/text/format"]);
    for (const p of problems) expect(p.fix).toContain("Keyword subset");
  });

  it("accepts every assertion keyword of the subset", () => {
    const schema = {
      type: "object",
      required: ["a"],
      minProperties: 1,
      maxProperties: 9,
      additionalProperties: false,
      properties: {
        a: { type: ["string", "null"], minLength: 1, maxLength: 9, pattern: "^x" },
        b: { type: "array", minItems: 1, maxItems: 2, items: { type: "integer", minimum: 0, maximum: 9, exclusiveMinimum: -1, exclusiveMaximum: 10 } },
        // biome-ignore lint/suspicious/noThenProperty: a JSON Schema literal with an if/then/else keyword, never awaited
        c: { $ref: "#/$defs/C", const: 1, enum: [1], not: { type: "string" }, anyOf: [true], oneOf: [true], allOf: [true], if: true, then: true, else: true },
      },
      $defs: { C: { description: "any" } },
    };
    const used = new Set<string>();
    JSON.stringify(schema, (k, v: unknown) => {
      used.add(k);
      return v;
    });
    for (const k of ASSERTION_KEYWORDS) expect(used.has(k), k).toBe(true);
    const { problems } = buildSchemaModel([{ file: "s.json", json: schema }]);
    expect(problems).toEqual([]);
  });
});

describe("annotations as node attributes", () => {
  it("carries x-context as a typed attribute and refuses a kind other than copy or trace, naming the pointer", () => {
    const ir = loadIr(join(REPO_ROOT, "schema"));
    expect(ir.schemas.at("envelope.schema.json", "/properties/session_id").context).toBe("copy");
    expect(ir.schemas.at("envelope.schema.json", "/properties/traceparent").context).toBe("trace");
    expect(ir.schemas.at("envelope.schema.json", "/properties/event_id").context).toBeUndefined();
    const schema = { properties: { a: { type: "string", "x-context": "copy" }, "b/c": { type: "string", "x-context": 3 } } };
    const { model, problems } = buildSchemaModel([{ file: "s.json", json: schema }]);
    expect(problems).toEqual([{ file: "s.json", pointer: "/properties/b~1c/x-context", message: 'must be "copy" or "trace", not 3' }]);
    expect(model.at("s.json", "/properties/a").context).toBe("copy");
  });
});

describe("envelope fields from the model", () => {
  it("reads each field's type, enum and default from its node, so emitters need no raw schema JSON", () => {
    const ir = loadIr(join(REPO_ROOT, "schema"));
    const field = (name: string) => ir.fields.find((f) => f.name === name);
    expect(field("spec_version")?.default).toEqual({ value: ir.schemas.at("envelope.schema.json", "/properties/spec_version").default?.value });
    expect(typeof field("spec_version")?.default?.value).toBe("string");
    expect(typeof field("schema_version")?.default?.value).toBe("number");
    expect(field("phase")?.enumValues).toEqual(ir.schemas.at("envelope.schema.json", "/properties/phase").enum);
    expect(field("event_id")?.default).toBeUndefined();
  });
});

describe("validation plan", () => {
  const ir = loadIr(join(REPO_ROOT, "schema"));

  it("defers the envelope's type check behind its untyped keywords, as ajv does", () => {
    const plan = ir.schemas.at("envelope.schema.json").plan;
    expect(plan.map((s) => s.kind)).toEqual(["allOf", "group"]);
    const group = plan[1];
    expect(group?.kind === "group" && group.type).toBe("object");
    expect(group?.kind === "group" && group.typeFail).toEqual({ keyword: "type", expected: "an object" });
    const checks = group?.kind === "group" ? group.checks : [];
    expect(checks.filter((c) => c.kind === "required").map((c) => (c.kind === "required" ? c.name : ""))).toEqual([
      "spec_version",
      "schema_version",
      "event_id",
      "event_type",
      "occurred_at",
    ]);
  });

  it("words the expected text once for every language (x-expected first, then the keyword)", () => {
    const seq = ir.schemas.at("envelope.schema.json", "/properties/seq").plan;
    expect(seq.flatMap((s) => (s.kind === "group" ? s.checks : [])).map((c) => ("fail" in c ? c.fail : undefined))).toEqual([
      { keyword: "maximum", expected: "an integer from 0 to 2^53-1" },
      { keyword: "minimum", expected: "an integer from 0 to 2^53-1" },
    ]);
    const toolResult = ir.schemas.at("payloads/tool-result.schema.json").plan.find((s) => s.kind === "oneOf");
    expect(toolResult?.kind === "oneOf" && toolResult.fail).toEqual({ keyword: "oneOf", expected: "an object with exactly one of output or error" });
  });
});
