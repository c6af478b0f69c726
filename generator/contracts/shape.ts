/**
 * Checks a parsed contract against schema/agent-contract.schema.json (ajv, compiled once per
 * load) and turns every ajv error into a {@link ContractProblem}: the pointer of the defect
 * (a missing or unknown key points at that key) and the fix from the schema's `x-fix`
 * annotation next to the failing rule.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { ErrorObject } from "ajv";
import type { Json, JsonSchema } from "./types.js";
import { pointerJoin, type ContractProblem } from "./errors.js";
import { isObject } from "../ir/types.js";

/** Validates parsed contracts; build once per load with {@link compileShapeCheck}. */
export type ShapeCheck = (file: string, doc: Json) => ContractProblem[];

/** Levenshtein distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = c.toLowerCase() === key.toLowerCase() ? 0 : distance(key, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/** The `x-fix` (or description) of a property schema, following one local `$ref`. */
function hintOf(root: JsonSchema, schema: Json | undefined): string | undefined {
  if (!isObject(schema)) return undefined;
  if (typeof schema["x-fix"] === "string") return schema["x-fix"];
  const ref = schema["$ref"];
  if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
    const defs = root["$defs"];
    const target = isObject(defs) ? defs[ref.slice("#/$defs/".length)] : undefined;
    if (isObject(target) && typeof target["x-fix"] === "string") return target["x-fix"];
  }
  return typeof schema["description"] === "string" ? schema["description"] : undefined;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function toProblem(root: JsonSchema, file: string, e: ErrorObject): ContractProblem | undefined {
  const parent: Record<string, Json> = isObject(e.parentSchema) ? (e.parentSchema as Record<string, Json>) : {};
  const props = isObject(parent["properties"]) ? parent["properties"] : {};
  const own = typeof parent["x-fix"] === "string" ? parent["x-fix"] : undefined;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required": {
      const key = String(params["missingProperty"]);
      const hint = hintOf(root, props[key]);
      return { file, pointer: pointerJoin(e.instancePath, key), message: `missing required key "${key}"`, fix: `add "${key}"${hint ? `: ${hint}` : ""}` };
    }
    case "additionalProperties": {
      const key = String(params["additionalProperty"]);
      const near = closest(key, Object.keys(props));
      const fix = near !== undefined ? `rename "${key}" to "${near}"` : `remove "${key}"${own ? `; ${own}` : ""}`;
      return { file, pointer: pointerJoin(e.instancePath, key), message: `unknown key "${key}"`, fix };
    }
    case "propertyNames": {
      const key = String(params["propertyName"]);
      const names = isObject(parent["propertyNames"]) ? parent["propertyNames"] : {};
      const hint = typeof names["x-fix"] === "string" ? names["x-fix"] : "rename the key";
      return { file, pointer: pointerJoin(e.instancePath, key), message: `invalid key "${key}"`, fix: hint };
    }
    case "uniqueItems": {
      const later = Math.max(Number(params["i"]), Number(params["j"]));
      return { file, pointer: pointerJoin(e.instancePath, later), message: "duplicate list item", fix: own ?? "remove the duplicate" };
    }
    default: {
      if (e.propertyName !== undefined) return undefined; // reported by its propertyNames error
      const detail =
        e.keyword === "pattern" || e.keyword === "const" || e.keyword === "enum" || e.keyword === "type" || e.keyword === "minLength"
          ? ` (got ${shown(e.data)})`
          : "";
      return { file, pointer: e.instancePath, message: `${e.message ?? e.keyword}${detail}`, fix: own ?? "see spec/agent-contract.md" };
    }
  }
}

/** Compiles the contract schema once; the returned check reports every problem of one document. */
export function compileShapeCheck(contractSchema: JsonSchema): ShapeCheck {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: "x-fix", schemaType: "string" });
  const validate: ValidateFunction = ajv.compile(contractSchema);
  return (file, doc) => {
    if (validate(doc)) return [];
    const seen = new Set<string>();
    const out: ContractProblem[] = [];
    for (const e of validate.errors ?? []) {
      const p = toProblem(contractSchema, file, e);
      if (p === undefined) continue;
      const key = `${p.pointer}\u0000${p.fix}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p);
    }
    return out;
  };
}
