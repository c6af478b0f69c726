/**
 * The human "expected …" text of a schema defect, computed at generation time so the Python
 * decoder says the same thing as the TypeScript one (runtime/envelope/schema-report.ts):
 * the failing node's "x-expected" annotation first, else a phrase derived from the keyword.
 */
import type { Json } from "../ir/types.js";
import { isObject } from "./schema-walk.js";

type Node = { [key: string]: Json };

function typeNames(type: Json | undefined): string {
  const names = Array.isArray(type) ? type.map(String) : [String(type)];
  return names.map((t) => (/^[aeiou]/u.test(t) ? `an ${t}` : `a ${t}`)).join(" or ");
}

function listValues(values: Json | undefined): string {
  return Array.isArray(values)
    ? values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ")
    : "the allowed values";
}

function describeSchema(schema: Json | undefined): string | undefined {
  if (!isObject(schema)) return undefined;
  const annotated = schema["x-expected"];
  if (typeof annotated === "string") return annotated;
  if (schema["type"] !== undefined) return typeNames(schema["type"]);
  return undefined;
}

function oneOfExpectation(parent: Node): string | undefined {
  const branches = parent["oneOf"];
  if (!Array.isArray(branches)) return undefined;
  const names: string[] = [];
  for (const branch of branches) {
    const required = isObject(branch) ? branch["required"] : undefined;
    if (!Array.isArray(required) || required.length !== 1) return undefined;
    names.push(String(required[0]));
  }
  return `an object with exactly one of ${names.join(" or ")}`;
}

function notExpectation(parent: Node): string | undefined {
  const not = parent["not"];
  const required = isObject(not) ? not["required"] : undefined;
  if (!Array.isArray(required) || required.length === 0) return undefined;
  return `an object without ${required.map(String).join(" or ")}`;
}

const COMPARISON: Readonly<Record<string, string>> = {
  maximum: "<=",
  minimum: ">=",
  exclusiveMaximum: "<",
  exclusiveMinimum: ">",
};

/** Expected text for `keyword` failing on node `parent`. */
export function expectedFor(keyword: string, parent: Node): string {
  const annotated = parent["x-expected"];
  if (typeof annotated === "string") return annotated;
  const value = parent[keyword];
  switch (keyword) {
    case "type":
      return typeNames(value);
    case "minLength":
      return value === 1 ? "a non-empty string" : `a string of at least ${String(value)} characters`;
    case "maxLength":
      return `a string of at most ${String(value)} characters`;
    case "pattern":
      return `a string matching ${String(value)}`;
    case "enum":
      return `one of ${listValues(value)}`;
    case "const":
      return JSON.stringify(value);
    case "maximum":
    case "minimum":
    case "exclusiveMaximum":
    case "exclusiveMinimum":
      return `a number ${COMPARISON[keyword]!} ${String(value)}`;
    case "oneOf":
      return oneOfExpectation(parent) ?? "exactly one of the alternatives";
    case "not":
      return notExpectation(parent) ?? "a value not matching the excluded schema";
    default:
      return describeSchema(parent) ?? `a value passing "${keyword}"`;
  }
}

/** Expected text for a missing required property `name` of node `parent`. */
export function expectedForMissing(name: string, parent: Node): string {
  const props = parent["properties"];
  return describeSchema(isObject(props) ? props[name] : undefined) ?? `property "${name}"`;
}
