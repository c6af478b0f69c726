/**
 * A copy of schema/ whose tool.call payload uses every assertion keyword of the schema subset
 * that today's schemas do not (items, minItems, maxItems, minProperties, maxProperties,
 * additionalProperties as a schema and as false, anyOf, exclusive bounds), plus envelopes
 * that break each of them, labelled by ajv (the TypeScript reference) with the decode-error
 * rule of runtime/envelope/schema-report.ts. The Python and Kotlin suites check that their
 * generated validators report the same pointer (and Python the same expected text).
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { loadIr } from "../../generator/ir/load.js";
import { MODEL_EXTENSIONS } from "../../generator/ir/keywords.js";
import { AJV_OPTIONS } from "../../generator/ts/validators-emitter.js";
import { reportSchemaErrors, type SchemaDefect } from "../../runtime/envelope/schema-report.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Properties the fixture adds to the tool.call payload. */
export const SUBSET_PROPERTIES: { [key: string]: Json } = {
  tags: { type: "array", minItems: 1, maxItems: 3, items: { type: "string", maxLength: 5 } },
  limits: { type: "object", minProperties: 1, maxProperties: 2, additionalProperties: { type: "integer", minimum: 0 } },
  closed: { type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
  choice: { anyOf: [{ type: "string" }, { type: "integer" }] },
  ratio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
};

/** Copies `schemaDir` to `dir` and adds {@link SUBSET_PROPERTIES} to payloads/tool-call.schema.json. */
export function writeSubsetFixture(schemaDir: string, dir: string): void {
  cpSync(schemaDir, dir, { recursive: true });
  const file = join(dir, "payloads", "tool-call.schema.json");
  const s = JSON.parse(readFileSync(file, "utf8")) as { properties: { [key: string]: Json } };
  s.properties = { ...s.properties, ...SUBSET_PROPERTIES };
  writeFileSync(file, JSON.stringify(s, null, 2));
}

const VALID_PAYLOAD: { [key: string]: Json } = {
  call_id: "c1",
  name: "n",
  tags: ["a", "bb"],
  limits: { x: 1 },
  closed: { a: "z" },
  choice: 3,
  ratio: 0.5,
};

/** Payload mutations, each breaking one keyword. */
const MUTATIONS: readonly { readonly [key: string]: Json }[] = [
  { tags: [] },
  { tags: ["a", "b", "c", "d"] },
  { tags: ["a", "toolong"] },
  { tags: "a" },
  { tags: [1] },
  { limits: {} },
  { limits: { a: 1, b: 2, c: 3 } },
  { limits: { a: -1 } },
  { limits: { "a/b~": "x" } },
  { limits: [] },
  { closed: { a: "z", b: 1 } },
  { closed: { a: 1 } },
  { closed: { "": 0 } },
  { choice: true },
  { choice: 1.5 },
  { ratio: 0 },
  { ratio: 1 },
  { ratio: "x" },
];

/** An envelope carrying `payload`. */
function envelope(payload: Json): { [key: string]: Json } {
  return {
    spec_version: "acp/1.0",
    schema_version: 2,
    event_id: "019ca8d7-2d7f-7a15-827c-9f57e83b6085",
    event_type: "agent.tool.call",
    occurred_at: "2026-03-01T10:00:01.000Z",
    frame_type: "tool.call",
    payload,
  };
}

/** One labelled case. */
export interface SubsetCase {
  readonly name: string;
  readonly envelope: { [key: string]: Json };
  /** What the TypeScript decoder reports; undefined for the valid case. */
  readonly defect: SchemaDefect | undefined;
}

/** The valid envelope and one invalid envelope per mutation, labelled by ajv over the fixture in `dir`. */
export function subsetCases(dir: string): SubsetCase[] {
  const ir = loadIr(dir);
  const ajv = new Ajv2020(AJV_OPTIONS);
  ajv.addVocabulary([...MODEL_EXTENSIONS]);
  for (const doc of ir.payloads) ajv.addSchema(doc.schema, doc.id);
  const validate = ajv.compile(ir.envelope.schema);
  const cases: SubsetCase[] = [{ name: "valid", envelope: envelope(VALID_PAYLOAD), defect: undefined }];
  for (const [i, m] of MUTATIONS.entries())
    cases.push({ name: `mutation-${String(i).padStart(2, "0")}`, envelope: envelope({ ...VALID_PAYLOAD, ...m }), defect: undefined });
  return cases.map((c) => {
    const ok = validate(c.envelope);
    if (c.name === "valid") {
      if (!ok) throw new Error(`the valid subset case is invalid: ${JSON.stringify(validate.errors)}`);
      return c;
    }
    if (ok) throw new Error(`${c.name} is valid: ${JSON.stringify(c.envelope.payload)}`);
    return { ...c, defect: reportSchemaErrors(validate.errors, c.envelope) };
  });
}
