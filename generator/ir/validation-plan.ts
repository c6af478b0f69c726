/**
 * The validation plan of one schema node: its assertions in the order every OpenAgentIO
 * language evaluates them, which is ajv's order with `allErrors: false` (the TypeScript
 * decoder is the reference; ARCHITECTURE.md "Decode errors"):
 *
 * 1. the `type` check, unless it is deferred to the one type group that has keywords (then a
 *    wrong type is reported after the untyped keywords, as the group's `else`);
 * 2. the untyped keywords `$ref const enum not anyOf oneOf allOf if(then/else)`;
 * 3. per data type, guarded by a type test: number `maximum minimum exclusiveMaximum
 *    exclusiveMinimum`, string `maxLength minLength pattern`, array `maxItems minItems items`,
 *    object `maxProperties minProperties required additionalProperties properties`.
 *
 * Every failing step names its error code (the keyword) and the text of what was expected
 * (the node's `x-expected`, else a phrase from the keyword, as runtime/envelope/schema-report.ts
 * words it). Pointers: a failure reports the pointer of the value the node validates, except
 * `required`, which reports the missing property's pointer (value pointer + `/` + token);
 * `properties` and `items` descend with `/name` and `/index`.
 */
import type { Json } from "./types.js";
import { escapeToken, type JsonType } from "./keywords.js";
import type { NodeId, SchemaModel, SchemaNode } from "./schema-model.js";

/** What a failing step reports (at the value's pointer unless the step says otherwise). */
export interface Failure {
  /** The error code: the JSON Schema keyword that failed. */
  readonly keyword: string;
  /** What the value should have been, in words every language reports identically. */
  readonly expected: string;
}

/** The data types that have keyword groups, in ajv's group order. */
export type GroupType = "number" | "string" | "array" | "object";
export const GROUP_TYPES: readonly GroupType[] = ["number", "string", "array", "object"];

/** One typed check inside a group. */
export type Check =
  | {
      readonly kind: "compare";
      readonly keyword: "maximum" | "minimum" | "exclusiveMaximum" | "exclusiveMinimum";
      readonly limit: number;
      readonly fail: Failure;
    }
  /** Length in code points (strings), items (arrays) or properties (objects). */
  | {
      readonly kind: "size";
      readonly keyword: "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties" | "minProperties";
      readonly limit: number;
      readonly fail: Failure;
    }
  | { readonly kind: "pattern"; readonly pattern: string; readonly fail: Failure }
  /** Every element validates against `node` at pointer `/index`. */
  | { readonly kind: "items"; readonly node: NodeId }
  /** Reports at value pointer + `/` + `token` (the escaped name). */
  | { readonly kind: "required"; readonly name: string; readonly token: string; readonly fail: Failure }
  /** Properties not in `known`: fail at the value pointer (`node` undefined: `false`) or validate against `node` at `/token`. */
  | { readonly kind: "additionalProperties"; readonly known: readonly string[]; readonly node?: NodeId; readonly fail: Failure }
  /** A present property validates against `node` at `/token`. */
  | { readonly kind: "property"; readonly name: string; readonly token: string; readonly node: NodeId };

/** One step of a node's plan. */
export type Step =
  | { readonly kind: "false"; readonly fail: Failure }
  | { readonly kind: "type"; readonly types: readonly JsonType[]; readonly fail: Failure }
  | { readonly kind: "ref"; readonly node: NodeId }
  | { readonly kind: "const"; readonly value: Json; readonly fail: Failure }
  | { readonly kind: "enum"; readonly values: readonly Json[]; readonly fail: Failure }
  | { readonly kind: "not"; readonly node: NodeId; readonly fail: Failure }
  | { readonly kind: "anyOf" | "oneOf"; readonly nodes: readonly NodeId[]; readonly fail: Failure }
  | { readonly kind: "allOf"; readonly nodes: readonly NodeId[] }
  | { readonly kind: "if"; readonly cond: NodeId; readonly then?: NodeId; readonly else?: NodeId }
  /** Checks guarded by a type test; `typeFail` set when the node's `type` check is deferred here (its `else`). */
  | { readonly kind: "group"; readonly type: GroupType; readonly typeFail?: Failure; readonly checks: readonly Check[] };

const GROUP_KEYWORDS: Readonly<Record<GroupType, readonly string[]>> = {
  number: ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"],
  string: ["maxLength", "minLength", "pattern"],
  array: ["maxItems", "minItems", "items"],
  object: ["maxProperties", "minProperties", "required", "additionalProperties", "properties"],
};

const COMPARISON: Readonly<Record<"maximum" | "minimum" | "exclusiveMaximum" | "exclusiveMinimum", string>> = {
  maximum: "<=",
  minimum: ">=",
  exclusiveMaximum: "<",
  exclusiveMinimum: ">",
};

function typeNames(types: readonly string[]): string {
  return types.map((t) => (/^[aeiou]/u.test(t) ? `an ${t}` : `a ${t}`)).join(" or ");
}

function listValues(values: readonly Json[]): string {
  return values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
}

/** `x-expected`, else the node's type in words; undefined when it says neither. */
function describe(node: SchemaNode): string | undefined {
  return node.expected ?? (node.types.length > 0 ? typeNames(node.types) : undefined);
}

/** The expected text of `keyword` failing on `node`. */
function expectedFor(keyword: string, node: SchemaNode, model: SchemaModel): string {
  if (node.expected !== undefined) return node.expected;
  switch (keyword) {
    case "type":
      return typeNames(node.types);
    case "minLength":
      return node.minLength === 1 ? "a non-empty string" : `a string of at least ${String(node.minLength)} characters`;
    case "maxLength":
      return `a string of at most ${String(node.maxLength)} characters`;
    case "pattern":
      return `a string matching ${String(node.pattern)}`;
    case "enum":
      return `one of ${listValues(node.enum ?? [])}`;
    case "const":
      return JSON.stringify(node.const?.value ?? null);
    case "maximum":
    case "minimum":
    case "exclusiveMaximum":
    case "exclusiveMinimum":
      return `a number ${COMPARISON[keyword]} ${String(node[keyword])}`;
    case "oneOf": {
      const names = (node.oneOf ?? []).map((b) => model.node(b).required);
      return names.every((r) => r.length === 1) ? `an object with exactly one of ${names.map((r) => r[0]).join(" or ")}` : "exactly one of the alternatives";
    }
    case "not": {
      const req = node.not === undefined ? [] : model.node(node.not).required;
      return req.length > 0 ? `an object without ${req.join(" or ")}` : "a value not matching the excluded schema";
    }
    default:
      return describe(node) ?? AJV_MESSAGES[keyword]?.(node) ?? `a value passing "${keyword}"`;
  }
}

/** ajv's own messages, which the TypeScript decoder falls back to when the node says nothing. */
const AJV_MESSAGES: Readonly<Record<string, (node: SchemaNode) => string>> = {
  anyOf: () => "must match a schema in anyOf",
  maxItems: (n) => `must NOT have more than ${String(n.maxItems)} items`,
  minItems: (n) => `must NOT have fewer than ${String(n.minItems)} items`,
  maxProperties: (n) => `must NOT have more than ${String(n.maxProperties)} properties`,
  minProperties: (n) => `must NOT have fewer than ${String(n.minProperties)} properties`,
  additionalProperties: () => "must NOT have additional properties",
};

/** The plan of `node` (children are looked up in `model`). */
export function planFor(node: SchemaNode, model: SchemaModel): Step[] {
  if (node.never) return [{ kind: "false", fail: { keyword: "false schema", expected: "boolean schema is false" } }];
  const fail = (keyword: string): Failure => ({ keyword, expected: expectedFor(keyword, node, model) });
  const has = (k: string): boolean => node.keywords.includes(k);
  const steps: Step[] = [];
  const only = node.types.length === 1 ? node.types[0] : undefined;
  const deferred = GROUP_TYPES.find((g) => g === only && GROUP_KEYWORDS[g].some(has));
  if (node.types.length > 0 && deferred === undefined) steps.push({ kind: "type", types: node.types, fail: fail("type") });
  if (node.ref !== undefined) steps.push({ kind: "ref", node: node.ref });
  if (node.const !== undefined) steps.push({ kind: "const", value: node.const.value, fail: fail("const") });
  if (node.enum !== undefined) steps.push({ kind: "enum", values: node.enum, fail: fail("enum") });
  if (node.not !== undefined) steps.push({ kind: "not", node: node.not, fail: fail("not") });
  if (node.anyOf !== undefined) steps.push({ kind: "anyOf", nodes: node.anyOf, fail: fail("anyOf") });
  if (node.oneOf !== undefined) steps.push({ kind: "oneOf", nodes: node.oneOf, fail: fail("oneOf") });
  if (node.allOf !== undefined) steps.push({ kind: "allOf", nodes: node.allOf });
  if (node.if !== undefined && (node.then !== undefined || node.else !== undefined)) {
    // biome-ignore lint/suspicious/noThenProperty: the step mirrors JSON Schema if/then/else by name; plain data, never awaited
    steps.push({ kind: "if", cond: node.if, ...(node.then !== undefined ? { then: node.then } : {}), ...(node.else !== undefined ? { else: node.else } : {}) });
  }
  for (const g of GROUP_TYPES) {
    if (!GROUP_KEYWORDS[g].some(has)) continue;
    steps.push({ kind: "group", type: g, ...(deferred === g ? { typeFail: fail("type") } : {}), checks: groupChecks(node, g, fail, model) });
  }
  return steps;
}

function groupChecks(node: SchemaNode, g: GroupType, fail: (k: string) => Failure, model: SchemaModel): Check[] {
  const checks: Check[] = [];
  for (const k of GROUP_KEYWORDS[g]) {
    switch (k) {
      case "maximum":
      case "minimum":
      case "exclusiveMaximum":
      case "exclusiveMinimum":
        if (node[k] !== undefined) checks.push({ kind: "compare", keyword: k, limit: node[k], fail: fail(k) });
        break;
      case "maxLength":
      case "minLength":
      case "maxItems":
      case "minItems":
      case "maxProperties":
      case "minProperties": {
        const limit = node[k];
        if (limit !== undefined) checks.push({ kind: "size", keyword: k, limit, fail: fail(k) });
        break;
      }
      case "pattern":
        if (node.pattern !== undefined) checks.push({ kind: "pattern", pattern: node.pattern, fail: fail("pattern") });
        break;
      case "items":
        if (node.items !== undefined) checks.push({ kind: "items", node: node.items });
        break;
      case "required":
        // ajv never reports a missing property named "" (its `missing = ""` is falsy): neither does any language.
        for (const name of node.required.filter((n) => n !== "")) {
          const prop = node.properties.find((p) => p.name === name);
          const expected = (prop === undefined ? undefined : describe(model.node(prop.node))) ?? `property "${name}"`;
          checks.push({ kind: "required", name, token: escapeToken(name), fail: { keyword: "required", expected } });
        }
        break;
      case "additionalProperties": {
        const ap = node.additionalProperties;
        if (ap === undefined) break;
        const known = node.properties.map((p) => p.name);
        checks.push({ kind: "additionalProperties", known, ...(ap === false ? {} : { node: ap }), fail: fail("additionalProperties") });
        break;
      }
      case "properties":
        for (const p of node.properties) checks.push({ kind: "property", name: p.name, token: escapeToken(p.name), node: p.node });
        break;
    }
  }
  return checks;
}
