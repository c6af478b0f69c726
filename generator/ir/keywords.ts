/**
 * The JSON Schema keyword subset every OpenAgentIO language implements (spec/generator.md
 * "Keyword subset"). The schema model refuses any other keyword at generate time, naming
 * the file and the JSON pointer, so a schema either generates for every language or for none.
 */

/** Keywords that constrain a value: each has a validation step in every language. */
export const ASSERTION_KEYWORDS: readonly string[] = [
  "type",
  "$ref",
  "const",
  "enum",
  "not",
  "anyOf",
  "oneOf",
  "allOf",
  "if",
  "then",
  "else",
  "maximum",
  "minimum",
  "exclusiveMaximum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "items",
  "maxProperties",
  "minProperties",
  "required",
  "properties",
  "additionalProperties",
];

/** Keywords that never fail validation (documentation and structure); `x-*` extensions too. */
export const ANNOTATION_KEYWORDS: readonly string[] = [
  "$schema",
  "$id",
  "$comment",
  "$defs",
  "$anchor",
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
];

/** The `x-` annotations the schema model reads; ajv is told of them so its strict mode accepts them. */
export const MODEL_EXTENSIONS: readonly string[] = ["x-expected", "x-context"];

const ASSERTIONS: ReadonlySet<string> = new Set(ASSERTION_KEYWORDS);
const ANNOTATIONS: ReadonlySet<string> = new Set(ANNOTATION_KEYWORDS);

/** True for a keyword of the subset (an assertion, an annotation or an `x-` extension). */
export function isSupportedKeyword(keyword: string): boolean {
  return ASSERTIONS.has(keyword) || isAnnotation(keyword);
}

/** True for a keyword that never fails validation. */
export function isAnnotation(keyword: string): boolean {
  return ANNOTATIONS.has(keyword) || keyword.startsWith("x-");
}

/** The JSON types `type` may name. */
export const JSON_TYPES = ["object", "array", "string", "boolean", "null", "number", "integer"] as const;
export type JsonType = (typeof JSON_TYPES)[number];

/** RFC 6901 escaping of one reference token. */
export function escapeToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** RFC 6901 unescaping of one reference token. */
export function unescapeToken(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}
