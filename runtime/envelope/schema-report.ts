/**
 * Turns the errors of the generated ajv validator (allErrors: false, verbose)
 * into one {pointer, expected, got} report, following ARCHITECTURE.md "Fixed
 * contracts / Decode errors": take the last error whose keyword is not `if`;
 * for `required` append `params.missingProperty` to its instancePath.
 *
 * `expected` prefers the schema's "x-expected" annotation and falls back to a
 * description derived from the failing keyword; `got` renders the offending
 * value briefly. Only runs on the failure path.
 */
import type { ErrorObject } from "ajv";

/** Where and how a parsed document breaks the envelope schema. */
export interface SchemaDefect {
  pointer: string;
  expected: string;
  got: string;
}

type SchemaNode = Readonly<Record<string, unknown>>;

/** Picks the defect the contract names from ajv's error list (`doc` is the validated value). */
export function reportSchemaErrors(errors: readonly ErrorObject[] | null | undefined, doc: unknown): SchemaDefect {
  let chosen: ErrorObject | undefined;
  for (let i = (errors?.length ?? 0) - 1; i >= 0; i--) {
    const e = errors?.[i];
    if (e !== undefined && e.keyword !== "if") {
      chosen = e;
      break;
    }
  }
  if (chosen === undefined) return { pointer: "", expected: "a valid envelope", got: render(doc) };
  const parent = asNode(chosen.parentSchema);
  if (chosen.keyword === "required") {
    const missing = String((chosen.params as { missingProperty?: unknown }).missingProperty);
    const property = asNode(asNode(parent?.["properties"])?.[missing]);
    return {
      pointer: `${chosen.instancePath}/${escapePointerToken(missing)}`,
      expected: describeSchema(property) ?? `property "${missing}"`,
      got: "missing",
    };
  }
  const data = "data" in chosen ? chosen.data : resolvePointer(doc, chosen.instancePath);
  return {
    pointer: chosen.instancePath,
    expected: expectedFor(chosen, parent),
    got: render(data),
  };
}

function expectedFor(e: ErrorObject, parent: SchemaNode | undefined): string {
  const annotated = parent?.["x-expected"];
  if (typeof annotated === "string") return annotated;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type":
      return typeNames(p["type"]);
    case "minLength":
      return p["limit"] === 1 ? "a non-empty string" : `a string of at least ${String(p["limit"])} characters`;
    case "maxLength":
      return `a string of at most ${String(p["limit"])} characters`;
    case "pattern":
      return `a string matching ${String(p["pattern"])}`;
    case "enum":
      return `one of ${listValues(p["allowedValues"])}`;
    case "const":
      return JSON.stringify(p["allowedValue"]) ?? "a constant";
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `a number ${String(p["comparison"])} ${String(p["limit"])}`;
    case "oneOf":
      return oneOfExpectation(parent) ?? "exactly one of the alternatives";
    case "not":
      return notExpectation(parent) ?? "a value not matching the excluded schema";
    default:
      return describeSchema(parent) ?? e.message ?? `a value passing "${e.keyword}"`;
  }
}

/** "x-expected", else a description from `type`; undefined when the schema says neither. */
function describeSchema(schema: SchemaNode | undefined): string | undefined {
  if (schema === undefined) return undefined;
  const annotated = schema["x-expected"];
  if (typeof annotated === "string") return annotated;
  if (schema["type"] !== undefined) return typeNames(schema["type"]);
  return undefined;
}

/** For `oneOf: [{required:[a]}, {required:[b]}]`: "exactly one of a or b". */
function oneOfExpectation(parent: SchemaNode | undefined): string | undefined {
  const branches = parent?.["oneOf"];
  if (!Array.isArray(branches)) return undefined;
  const names: string[] = [];
  for (const branch of branches) {
    const required = asNode(branch)?.["required"];
    if (!Array.isArray(required) || required.length !== 1) return undefined;
    names.push(String(required[0]));
  }
  return `an object with exactly one of ${names.join(" or ")}`;
}

/** For `not: {required: [a]}`: "an object without a". */
function notExpectation(parent: SchemaNode | undefined): string | undefined {
  const required = asNode(parent?.["not"])?.["required"];
  if (!Array.isArray(required) || required.length === 0) return undefined;
  return `an object without ${required.map(String).join(" or ")}`;
}

function typeNames(type: unknown): string {
  const names = Array.isArray(type) ? type.map(String) : [String(type)];
  return names.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(" or ");
}

function listValues(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ") : "the allowed values";
}

const MAX_STRING = 40;
const MAX_KEYS = 5;

/** A short human rendering of a JSON value: `missing`, `-1`, `string "x"`, `object with keys a, b`. */
export function render(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  switch (typeof value) {
    case "string": {
      const short = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
      return `string ${JSON.stringify(short)}`;
    }
    case "number":
    case "boolean":
      return String(value);
    case "object": {
      if (Array.isArray(value)) return `array of ${value.length} item${value.length === 1 ? "" : "s"}`;
      const keys = Object.keys(value);
      if (keys.length === 0) return "empty object";
      const shown = keys.slice(0, MAX_KEYS).join(", ");
      return `object with keys ${shown}${keys.length > MAX_KEYS ? ", …" : ""}`;
    }
    default:
      return typeof value;
  }
}

/** RFC 6901 escaping of one reference token. */
export function escapePointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Resolves an RFC 6901 pointer in a parsed document; undefined when nothing is there. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

function asNode(value: unknown): SchemaNode | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as SchemaNode) : undefined;
}
