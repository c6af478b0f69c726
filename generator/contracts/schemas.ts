/**
 * Checks the JSON Schemas embedded in a contract (skill input/output/delta, event payloads,
 * shared `$defs`): valid 2020-12 (meta-schema), `$ref`s only to the contract's own `$defs`,
 * and compilable (ajv, once per schema at generation time, never at run time).
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { DeltaEncoding, Json } from "./types.js";
import { pointerJoin, type ContractProblem } from "./errors.js";
import { isObject } from "../ir/types.js";
import { buildSchemaModel } from "../ir/schema-model.js";
import { unescapeToken } from "../ir/keywords.js";
import { toPythonPattern } from "../python/regex.js";
import { jsPatternToJava } from "../kotlin/validator-emitter.js";

/**
 * Why a valid ECMA-262 pattern cannot be rendered for every language (the Python and Kotlin
 * translations refuse it), or undefined when it can.
 */
function patternOutsideSubset(pattern: string): string | undefined {
  for (const translate of [toPythonPattern, jsPatternToJava]) {
    try {
      translate(pattern);
    } catch (err: unknown) {
      return (err as Error).message;
    }
  }
  return undefined;
}

/** An embedded schema and where it sits in its file. */
export interface SchemaSite {
  readonly pointer: string;
  readonly schema: Json;
}

const JSON_TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"];
/** Keywords whose values are data, not schemas: `$ref`s inside them are not references. */
export const DATA_KEYWORDS: ReadonlySet<string> = new Set(["const", "enum", "default", "examples"]);

/** Creates the checker for one load; it keeps one ajv instance for every schema. */
export function createSchemaChecker(): (file: string, site: SchemaSite, defs: Record<string, Json>) => ContractProblem[] {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  return (file, site, defs) => {
    if (typeof site.schema === "boolean") return [];
    if (!isObject(site.schema)) {
      return [{ file, pointer: site.pointer, message: "not a JSON Schema", fix: 'write a JSON Schema object, e.g. { "type": "object" }' }];
    }
    const problems: ContractProblem[] = [];
    for (const key of ["$defs", "definitions", "$id"]) {
      if (key in site.schema) {
        problems.push({
          file,
          pointer: pointerJoin(site.pointer, key),
          message: `"${key}" is not allowed inside an embedded schema`,
          fix: key === "$id" ? 'remove "$id"' : 'move these schemas to the contract\'s top-level "$defs" and $ref them as "#/$defs/Name"',
        });
      }
    }
    walkRefs(site.schema, site.pointer, (ref, at) => {
      const name = ref.startsWith("#/$defs/") ? ref.slice("#/$defs/".length) : undefined;
      if (name !== undefined && Object.hasOwn(defs, name)) return;
      const known = Object.keys(defs);
      problems.push({
        file,
        pointer: at,
        message: `$ref "${ref}" does not name a shared type of this contract`,
        fix: `reference "#/$defs/<Name>" with a Name declared in the contract's top-level "$defs"${known.length ? ` (declared: ${known.join(", ")})` : " (none declared yet)"}`,
      });
    });
    walkPatterns(site.schema, site.pointer, (pattern, at) => {
      try {
        new RegExp(pattern, "u");
      } catch (err: unknown) {
        problems.push({
          file,
          pointer: at,
          message: `invalid regular expression: ${(err as Error).message}`,
          fix: 'write an ECMA-262 regular expression (with the u flag), e.g. "^[a-z]+$"',
        });
        return;
      }
      const untranslatable = patternOutsideSubset(pattern);
      if (untranslatable !== undefined) {
        problems.push({
          file,
          pointer: at,
          message: `the pattern uses a construct not every language implements (${untranslatable})`,
          fix: 'write it without Unicode property escapes (\\p{…}), control escapes or \\S \\W \\D inside a class, e.g. "^[A-Za-z]+$" (spec/generator.md "Keyword subset")',
        });
      }
    });
    if (problems.length > 0) return problems;
    if (!ajv.validateSchema(site.schema)) {
      const seen = new Set<string>();
      for (const e of ajv.errors ?? []) {
        const pointer = site.pointer + e.instancePath;
        if (seen.has(pointer)) continue;
        seen.add(pointer);
        const fix = pointer.endsWith("/type")
          ? `use one of ${JSON_TYPES.map((t) => `"${t}"`).join(", ")} (or a list of them)`
          : `make it valid JSON Schema 2020-12 (${e.message ?? e.keyword})`;
        problems.push({ file, pointer, message: `invalid JSON Schema: ${e.message ?? e.keyword}`, fix });
      }
      return problems;
    }
    problems.push(...subsetProblems(file, site, defs));
    if (problems.length > 0) return problems;
    try {
      ajv.compile({ ...site.schema, $defs: defs });
    } catch (err: unknown) {
      problems.push({
        file,
        pointer: site.pointer,
        message: `schema does not compile: ${(err as Error).message}`,
        fix: 'correct the schema (a bad regular expression in "pattern"?)',
      });
    }
    return problems;
  };
}

/**
 * Builds the schema model (generator/ir/schema-model.ts) of one site: a keyword outside the
 * subset every language implements, or a reference that does not resolve, is a problem at its
 * pointer in the contract file. Problems inside shared `$defs` are reported by their own site.
 */
function subsetProblems(file: string, site: SchemaSite, defs: Record<string, Json>): ContractProblem[] {
  const doc: { [key: string]: Json } = { $defs: defs };
  const tokens = site.pointer.slice(1).split("/").map(unescapeToken);
  let at: { [key: string]: Json } = doc;
  tokens.forEach((t, i) => {
    if (i === tokens.length - 1) at[t] = site.schema;
    else if (!isObject(at[t])) at[t] = {};
    at = at[t] as { [key: string]: Json };
  });
  const { problems } = buildSchemaModel([{ file, json: doc }], [[file, site.pointer]]);
  return problems
    .filter((p) => p.pointer === site.pointer || p.pointer.startsWith(`${site.pointer}/`))
    .map((p) => ({
      file,
      pointer: p.pointer,
      message: p.message,
      fix: p.message.startsWith("keyword")
        ? 'use only the keywords every language implements (spec/generator.md "Keyword subset"), or express the rule in the handler'
        : "correct the schema",
    }));
}

/** Keywords whose values map names to schemas. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "dependentSchemas"]);

/**
 * Walks the schema positions under `node` in document order: `onKey` sees every keyword of every
 * schema object, `onEntry` every entry name of a properties / patternProperties / dependentSchemas
 * map, each before the walk goes into its value. Data (const, enum, default, examples) is not walked.
 */
function walkSchema(
  node: Json,
  pointer: string,
  onKey: (key: string, value: Json, at: string) => void,
  onEntry?: (map: string, name: string, at: string) => void,
): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => {
      walkSchema(n, pointerJoin(pointer, i), onKey, onEntry);
    });
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    onKey(key, value, pointerJoin(pointer, key));
    if (SCHEMA_MAPS.has(key)) {
      if (!isObject(value)) continue;
      for (const [name, s] of Object.entries(value)) {
        onEntry?.(key, name, pointerJoin(pointer, key, name));
        walkSchema(s, pointerJoin(pointer, key, name), onKey, onEntry);
      }
    } else if (!DATA_KEYWORDS.has(key)) walkSchema(value, pointerJoin(pointer, key), onKey, onEntry);
  }
}

/** Calls `visit` for every `$ref` in schema positions (not inside const/enum/default/examples). */
export function walkRefs(node: Json, pointer: string, visit: (ref: string, pointer: string) => void): void {
  walkSchema(node, pointer, (key, value, at) => {
    if (key === "$ref" && typeof value === "string") visit(value, at);
  });
}

/** Calls `visit` for every `pattern` value and `patternProperties` key in schema positions. */
function walkPatterns(node: Json, pointer: string, visit: (pattern: string, pointer: string) => void): void {
  walkSchema(
    node,
    pointer,
    (key, value, at) => {
      if (key === "pattern" && typeof value === "string") visit(value, at);
    },
    (map, name, at) => {
      if (map === "patternProperties") visit(name, at);
    },
  );
}

/** Follows `#/$defs/Name` references to the schema they name (at most a few hops). */
export function resolveLocal(schema: Json, defs: Record<string, Json>): Json {
  let s = schema;
  for (let i = 0; i < 16 && isObject(s) && typeof s["$ref"] === "string" && s["$ref"].startsWith("#/$defs/"); i++) {
    s = defs[s["$ref"].slice("#/$defs/".length)] ?? s;
  }
  return s;
}

/** How a delta schema travels on the wire, or undefined when it is neither a string nor an object. */
export function deltaEncoding(schema: Json, defs: Record<string, Json>): DeltaEncoding | undefined {
  const s = resolveLocal(schema, defs);
  if (!isObject(s)) return undefined;
  if (s["type"] === "string") return "text";
  if (s["type"] === "object" || (s["type"] === undefined && isObject(s["properties"]))) return "data";
  return undefined;
}
