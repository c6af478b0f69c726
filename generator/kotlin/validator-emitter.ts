/**
 * Compiles the envelope and payload schemas into explicit Kotlin validation code that checks
 * keywords in exactly the order ajv does with `allErrors: false`, so the Kotlin decoder
 * reports the same JSON pointer as the TypeScript one (ARCHITECTURE.md "Decode errors").
 *
 * ajv's order for one subschema (ajv/lib/compile/validate): a `$ref` alone replaces the
 * schema; otherwise the `type` check runs first unless it can be deferred to the one type
 * group that has keywords; then the untyped group (`$ref`, `const`, `enum`, `not`, `anyOf`,
 * `oneOf`, `allOf`, `if`), then the number group (`maximum`, `minimum`, `exclusiveMaximum`,
 * `exclusiveMinimum`), the string group (`maxLength`, `minLength`, `pattern`) and the object
 * group (`maxProperties`, `minProperties`, `required`, `properties` in key order). The error
 * reported is the last non-`if` one: composite keywords (`not`, `anyOf`, `oneOf`) report
 * themselves, `if`/`then` reports what failed inside `then`, `required` reports the missing
 * property's pointer.
 */
import type { Ir, Json, JsonSchema } from "../ir/types.js";
import { kotlinString } from "./names.js";
import { SchemaIndex, escapePointerToken, isSchemaObject, nodeKey, type SchemaNode } from "./schema-index.js";

const ANNOTATIONS = new Set([
  "$schema", "$id", "$defs", "definitions", "$comment", "title", "description", "default", "examples",
  "deprecated", "readOnly", "writeOnly", "x-expected", "x-context",
]);
const UNTYPED = ["$ref", "const", "enum", "not", "anyOf", "oneOf", "allOf", "if"] as const;
const GROUPS = {
  number: ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"],
  string: ["maxLength", "minLength", "pattern"],
  object: ["maxProperties", "minProperties", "required", "properties"],
} as const;
const SUPPORTED = new Set<string>(["type", "then", "else", ...UNTYPED, ...Object.values(GROUPS).flat()]);
const TYPES = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);

type Group = keyof typeof GROUPS;

/** Translates an ECMAScript (`u` flag) pattern into java.util.regex syntax with the same meaning. */
export function jsPatternToJava(pattern: string): string {
  const space = "\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "\\") {
      const next = pattern.charAt(i + 1);
      i++;
      if (next === "s") out += inClass ? space : `[${space}]`;
      else if (next === "S") {
        if (inClass) throw new Error(`pattern ${pattern}: \\S inside a character class is not supported`);
        out += `[^${space}]`;
      } else if (next === "u" && pattern.charAt(i + 1) === "{") {
        const end = pattern.indexOf("}", i);
        out += `\\x{${pattern.slice(i + 2, end)}}`;
        i = end;
      } else out += `\\${next}`;
    } else if (inClass) {
      if (ch === "]") inClass = false;
      else if (ch === "[") out += "\\";
      out += ch;
    } else if (ch === "[") {
      inClass = true;
      out += ch;
      if (pattern.charAt(i + 1) === "^") out += pattern.charAt(++i);
      if (pattern.charAt(i + 1) === "]") throw new Error(`pattern ${pattern}: an empty class [] is not supported`);
    } else if (ch === ".") out += "[^\\n\\r\\u2028\\u2029]";
    else if (ch === "$") out += "\\z";
    else out += ch;
  }
  return out;
}

function ruleKeys(schema: JsonSchema): string[] {
  return Object.keys(schema).filter((k) => !ANNOTATIONS.has(k));
}

function typeCheck(t: string): string {
  if (!TYPES.has(t)) throw new Error(`unknown type ${t}`);
  return `JsonSupport.is${t.charAt(0).toUpperCase()}${t.slice(1)}(d)`;
}

/** Accumulates the generated functions and constants of one validator object. */
class Compiler {
  readonly functions: string[] = [];
  readonly constants: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly constNames = new Map<string, string>();

  constructor(private readonly index: SchemaIndex) {}

  /** The Kotlin function validating `node`, compiled on first use. */
  fn(node: SchemaNode): string {
    const key = nodeKey(node);
    const existing = this.names.get(key);
    if (existing) return existing;
    const name = `v${this.names.size}`;
    this.names.set(key, name);
    const body = this.body(node);
    this.functions.push(
      [
        `    // ${key.replace(/[^\x20-\x7e]/gu, "?")}`,
        `    private fun ${name}(d: JsonElement, p: String): SchemaFailure? {`,
        ...body.map((l) => `        ${l}`),
        "        return null",
        "    }",
      ].join("\n"),
    );
    return name;
  }

  private constant(kind: "json" | "regex", source: string): string {
    const key = `${kind}:${source}`;
    const existing = this.constNames.get(key);
    if (existing) return existing;
    const name = `${kind === "json" ? "c" : "r"}${this.constNames.size}`;
    this.constNames.set(key, name);
    this.constants.push(
      kind === "json"
        ? `    private val ${name}: JsonElement = JsonSupport.parse(${kotlinString(source)})`
        : `    private val ${name}: Regex = Regex(${kotlinString(jsPatternToJava(source))})`,
    );
    return name;
  }

  private body(node: SchemaNode): string[] {
    const s = node.schema;
    if (s === true) return [];
    if (s === false) return ['return SchemaFailure(p, "false schema", "nothing (the schema is false)")'];
    if (!isSchemaObject(s)) throw new Error(`${nodeKey(node)}: a schema must be an object or a boolean`);
    const keys = ruleKeys(s);
    const unsupported = keys.filter((k) => !SUPPORTED.has(k));
    if (unsupported.length > 0) throw new Error(`${nodeKey(node)}: keyword(s) ${unsupported.join(", ")} are not supported by the Kotlin validator`);
    const hint = typeof s["x-expected"] === "string" ? s["x-expected"] : undefined;
    const fail = (pointer: string, keyword: string, message: string): string =>
      `return SchemaFailure(${pointer}, ${kotlinString(keyword)}, ${kotlinString(hint ?? message)})`;
    if (typeof s["$ref"] === "string" && keys.length === 1) return [`return ${this.fn(this.index.resolve(node, s["$ref"]))}(d, p)`];

    const lines: string[] = [];
    const rawType = s["type"];
    const types = rawType === undefined ? [] : Array.isArray(rawType) ? rawType.map(String) : [String(rawType)];
    const groupOf = (t: string): Group | undefined => (t === "number" || t === "string" || t === "object" ? t : undefined);
    const hasGroup = (g: Group): boolean => GROUPS[g].some((k) => k in s);
    const only = types.length === 1 ? types[0] : undefined;
    const deferred = only !== undefined && groupOf(only) !== undefined && hasGroup(groupOf(only) as Group) ? (groupOf(only) as Group) : undefined;
    const typeFail = fail("p", "type", `must be ${types.join(",")}`);
    if (types.length > 0 && deferred === undefined) lines.push(`if (!(${types.map(typeCheck).join(" || ")})) ${typeFail}`);

    for (const k of UNTYPED) if (k in s) lines.push(...this.untyped(node, k, fail));

    for (const g of ["number", "string", "object"] as const) {
      if (!hasGroup(g)) continue;
      const inner = this.group(node, g, fail);
      lines.push(`if (${typeCheck(g)}) {`);
      // The first line declares the typed local; it is dropped when no check uses it.
      lines.push(...(inner.length > 1 ? inner : []).map((l) => `    ${l}`));
      lines.push(deferred === g ? `} else ${typeFail}` : "}");
    }
    return lines;
  }

  private untyped(node: SchemaNode, k: (typeof UNTYPED)[number], fail: (ptr: string, kw: string, msg: string) => string): string[] {
    const s = node.schema as JsonSchema;
    const sub = (...t: (string | number)[]): string => this.fn(this.index.child(node, ...t));
    const list = (kw: string): number[] => {
      const v = s[kw];
      if (!Array.isArray(v)) throw new Error(`${nodeKey(node)}: ${kw} must be an array`);
      return v.map((_x, i) => i);
    };
    switch (k) {
      case "$ref":
        return [`${this.fn(this.index.resolve(node, String(s["$ref"])))}(d, p)?.let { return it }`];
      case "const":
        return [`if (!JsonSupport.deepEquals(d, ${this.constant("json", JSON.stringify(s["const"]))})) ${fail("p", "const", "must be equal to constant")}`];
      case "enum": {
        const c = this.constant("json", JSON.stringify(s["enum"]));
        return [`if ((${c} as JsonArray).none { JsonSupport.deepEquals(d, it) }) ${fail("p", "enum", "must be equal to one of the allowed values")}`];
      }
      case "not":
        return [`if (${sub("not")}(d, p) == null) ${fail("p", "not", "must NOT be valid")}`];
      case "anyOf":
        return [`if (${list("anyOf").map((i) => `${sub("anyOf", i)}(d, p) != null`).join(" && ")}) ${fail("p", "anyOf", "must match a schema in anyOf")}`];
      case "oneOf":
        return [`if (listOf(${list("oneOf").map((i) => `${sub("oneOf", i)}(d, p) == null`).join(", ")}).count { it } != 1) ${fail("p", "oneOf", "must match exactly one schema in oneOf")}`];
      case "allOf":
        return list("allOf").map((i) => `${sub("allOf", i)}(d, p)?.let { return it }`);
      case "if": {
        const hasThen = "then" in s;
        const hasElse = "else" in s;
        if (!hasThen && !hasElse) return [];
        const lines = [`if (${sub("if")}(d, p) == null) {`];
        if (hasThen) lines.push(`    ${sub("then")}(d, p)?.let { return it }`);
        if (hasElse) lines.push("} else {", `    ${sub("else")}(d, p)?.let { return it }`);
        lines.push("}");
        return lines;
      }
    }
  }

  private group(node: SchemaNode, g: Group, fail: (ptr: string, kw: string, msg: string) => string): string[] {
    const s = node.schema as JsonSchema;
    const num = (kw: string): number => {
      const v = s[kw];
      if (typeof v !== "number") throw new Error(`${nodeKey(node)}: ${kw} must be a number`);
      return v;
    };
    const lines: string[] = [];
    if (g === "number") {
      lines.push("val n = JsonSupport.number(d)!!");
      const ops: Record<string, [string, string]> = { maximum: [">", "<="], minimum: ["<", ">="], exclusiveMaximum: [">=", "<"], exclusiveMinimum: ["<=", ">"] };
      for (const kw of GROUPS.number) {
        if (!(kw in s)) continue;
        const [bad, ok] = ops[kw] as [string, string];
        lines.push(`if (n ${bad} ${JSON.stringify(num(kw))}.toDouble()) ${fail("p", kw, `must be ${ok} ${num(kw)}`)}`);
      }
    } else if (g === "string") {
      lines.push("val s = (d as JsonPrimitive).content");
      if ("maxLength" in s) lines.push(`if (JsonSupport.length(s) > ${num("maxLength")}) ${fail("p", "maxLength", `must NOT have more than ${num("maxLength")} characters`)}`);
      if ("minLength" in s) lines.push(`if (JsonSupport.length(s) < ${num("minLength")}) ${fail("p", "minLength", `must NOT have fewer than ${num("minLength")} characters`)}`);
      if (typeof s["pattern"] === "string") {
        lines.push(`if (!${this.constant("regex", s["pattern"])}.containsMatchIn(s)) ${fail("p", "pattern", `must match pattern "${s["pattern"]}"`)}`);
      }
    } else {
      lines.push("val o = d as JsonObject");
      if ("maxProperties" in s) lines.push(`if (o.size > ${num("maxProperties")}) ${fail("p", "maxProperties", `must NOT have more than ${num("maxProperties")} properties`)}`);
      if ("minProperties" in s) lines.push(`if (o.size < ${num("minProperties")}) ${fail("p", "minProperties", `must NOT have fewer than ${num("minProperties")} properties`)}`);
      const props = isSchemaObject(s["properties"]) ? s["properties"] : {};
      const required = s["required"];
      if (Array.isArray(required)) {
        for (const r of required.map(String)) {
          const propHint = isSchemaObject(props[r]) ? (props[r] as JsonSchema)["x-expected"] : undefined;
          const message = typeof propHint === "string" ? propHint : `must have required property '${r}'`;
          lines.push(`if (!o.containsKey(${kotlinString(r)})) return SchemaFailure(p + ${kotlinString(`/${escapePointerToken(r)}`)}, "required", ${kotlinString(message)})`);
        }
      }
      // Object.keys order of the parsed schema: exactly the order ajv iterates.
      for (const name of Object.keys(props)) {
        const child = this.fn(this.index.child(node, "properties", name));
        lines.push(`o[${kotlinString(name)}]?.let { v -> ${child}(v, p + ${kotlinString(`/${escapePointerToken(name)}`)})?.let { return it } }`);
      }
    }
    return lines;
  }
}

/** Renders `AcpSchema.kt`: the validator object with `validateEnvelope` and `validatePayload`. */
export function emitValidatorKotlin(ir: Ir, pkg: string, header: string): string {
  const index = new SchemaIndex(ir);
  const compiler = new Compiler(index);
  const envelopeFn = compiler.fn(index.root(ir.envelope));
  const payloadCases = ir.eventTypes.map((e) => `        ${kotlinString(e.name)} -> ${compiler.fn(index.root(e.payload))}(payload, "")`);
  const byFn = (a: string, b: string): number => Number(a.slice(a.indexOf("private fun v") + 13, a.indexOf("(d:"))) - Number(b.slice(b.indexOf("private fun v") + 13, b.indexOf("(d:")));
  return [
    header,
    `package ${pkg}`,
    "",
    "import kotlinx.serialization.json.JsonArray",
    "import kotlinx.serialization.json.JsonElement",
    "import kotlinx.serialization.json.JsonObject",
    "import kotlinx.serialization.json.JsonPrimitive",
    "",
    "/**",
    " * The envelope and payload schemas compiled into explicit checks, in the order ajv applies",
    " * them (allErrors: false), so failures carry the same JSON pointer as the TypeScript decoder.",
    " */",
    "public object AcpSchema {",
    "    /** Validates a parsed envelope; returns the failure ajv would report, or null when valid. */",
    `    public fun validateEnvelope(value: JsonElement): SchemaFailure? = ${envelopeFn}(value, "")`,
    "",
    "    /** Validates the payload of a standard event type (pointers relative to the payload); null when valid or when the type is not standard. */",
    "    public fun validatePayload(eventType: String, payload: JsonElement): SchemaFailure? = when (eventType) {",
    ...payloadCases,
    "        else -> null",
    "    }",
    "",
    ...compiler.constants,
    "",
    [...compiler.functions].sort(byFn).join("\n\n"),
    "}",
    "",
  ].join("\n");
}

/** Exposed for tests: the JSON a schema keyword holds. */
export type { Json };
