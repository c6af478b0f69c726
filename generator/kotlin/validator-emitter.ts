/**
 * Renders the validation plans of the schema model (generator/ir/validation-plan.ts) as
 * explicit Kotlin checks, so the Kotlin decoder reports the same error code, JSON pointer and
 * expected text as the TypeScript one (ARCHITECTURE.md "Decode errors"). The plan fixes the
 * order of the checks (ajv's, with `allErrors: false`); this module only writes them in Kotlin.
 */
import type { Ir, Json } from "../ir/types.js";
import type { SchemaModel, SchemaNode } from "../ir/schema-model.js";
import type { Check, Failure, Step } from "../ir/validation-plan.js";
import { kotlinString } from "./names.js";
import { indentLines } from "../render/code-writer.js";

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

function typeCheck(t: string): string {
  return `JsonSupport.is${t.charAt(0).toUpperCase()}${t.slice(1)}(d)`;
}

const COMPARE: Readonly<Record<string, readonly [string, string]>> = {
  maximum: [">", "<="],
  minimum: ["<", ">="],
  exclusiveMaximum: [">=", "<"],
  exclusiveMinimum: ["<=", ">"],
};

function failLine(pointer: string, f: Failure): string {
  return `return SchemaFailure(${pointer}, ${kotlinString(f.keyword)}, ${kotlinString(f.expected)})`;
}

/**
 * Accumulates the generated functions and constants of one validator object: `fn(id)` is the
 * name of the private `(d: JsonElement, p: String) -> SchemaFailure?` function checking node
 * `id` (compiled on first use, with every node it reaches); `constants` and `functions` are the
 * object's members. Used for the SDK's AcpSchema and for the contract output's `<Agent>Schemas`
 * (generator/contracts/kotlin/validator.ts).
 */
export class KotlinValidatorCompiler {
  readonly functions: string[] = [];
  readonly constants: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly constNames = new Map<string, string>();

  constructor(private readonly model: SchemaModel) {}

  /** The Kotlin function validating node `id`, compiled on first use. */
  fn(id: string): string {
    const existing = this.names.get(id);
    if (existing) return existing;
    const name = `v${this.names.size}`;
    this.names.set(id, name);
    const body = this.body(this.model.node(id));
    // no `return null` after a body that ends in a return (it would be unreachable)
    const last = body[body.length - 1];
    this.functions.push(
      [
        `    // ${id.replace(/[^\x20-\x7e]/gu, "?")}`,
        `    private fun ${name}(d: JsonElement, p: String): SchemaFailure? {`,
        ...indentLines(body, "        "),
        ...(last?.startsWith("return ") ? [] : ["        return null"]),
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
    const plan = node.plan;
    const only = plan[0];
    if (plan.length === 1 && only?.kind === "ref") return [`return ${this.fn(only.node)}(d, p)`];
    return plan.flatMap((step) => this.step(step));
  }

  private step(step: Step): string[] {
    switch (step.kind) {
      case "false":
        return [failLine("p", step.fail)];
      case "type":
        return [`if (!(${step.types.map(typeCheck).join(" || ")})) ${failLine("p", step.fail)}`];
      case "ref":
        return [`${this.fn(step.node)}(d, p)?.let { return it }`];
      case "const":
        return [`if (!JsonSupport.deepEquals(d, ${this.constant("json", JSON.stringify(step.value))})) ${failLine("p", step.fail)}`];
      case "enum": {
        const c = this.constant("json", JSON.stringify(step.values));
        return [`if ((${c} as JsonArray).none { JsonSupport.deepEquals(d, it) }) ${failLine("p", step.fail)}`];
      }
      case "not":
        return [`if (${this.fn(step.node)}(d, p) == null) ${failLine("p", step.fail)}`];
      case "anyOf":
        return [`if (${step.nodes.map((n) => `${this.fn(n)}(d, p) != null`).join(" && ")}) ${failLine("p", step.fail)}`];
      case "oneOf":
        return [`if (listOf(${step.nodes.map((n) => `${this.fn(n)}(d, p) == null`).join(", ")}).count { it } != 1) ${failLine("p", step.fail)}`];
      case "allOf":
        return step.nodes.map((n) => `${this.fn(n)}(d, p)?.let { return it }`);
      case "if": {
        const lines = [`if (${this.fn(step.cond)}(d, p) == null) {`];
        if (step.then !== undefined) lines.push(`    ${this.fn(step.then)}(d, p)?.let { return it }`);
        if (step.else !== undefined) lines.push("} else {", `    ${this.fn(step.else)}(d, p)?.let { return it }`);
        lines.push("}");
        return lines;
      }
      case "group": {
        const local = {
          number: "val n = JsonSupport.number(d)!!",
          string: "val s = (d as JsonPrimitive).content",
          array: "val a = d as JsonArray",
          object: "val o = d as JsonObject",
        }[step.type];
        const inner = step.checks.flatMap((c) => this.check(c));
        return [
          `if (${typeCheck(step.type)}) {`,
          // The typed local is declared only when a check uses it.
          ...indentLines(inner.length > 0 ? [local, ...inner] : [], "    "),
          step.typeFail !== undefined ? `} else ${failLine("p", step.typeFail)}` : "}",
        ];
      }
    }
  }

  private check(c: Check): string[] {
    switch (c.kind) {
      case "compare":
        return [`if (n ${COMPARE[c.keyword]![0]} ${JSON.stringify(c.limit)}.toDouble()) ${failLine("p", c.fail)}`];
      case "size": {
        const size = c.keyword.endsWith("Length") ? "JsonSupport.length(s)" : c.keyword.endsWith("Items") ? "a.size" : "o.size";
        return [`if (${size} ${c.keyword.startsWith("max") ? ">" : "<"} ${c.limit}) ${failLine("p", c.fail)}`];
      }
      case "pattern":
        return [`if (!${this.constant("regex", c.pattern)}.containsMatchIn(s)) ${failLine("p", c.fail)}`];
      case "items":
        return [`a.forEachIndexed { i, v -> ${this.fn(c.node)}(v, p + "/" + i)?.let { return it } }`];
      case "required":
        return [`if (!o.containsKey(${kotlinString(c.name)})) ${failLine(`p + ${kotlinString(`/${c.token}`)}`, c.fail)}`];
      case "additionalProperties": {
        const other = c.known.length === 0 ? "true" : `k !in setOf(${c.known.map(kotlinString).join(", ")})`;
        if (c.node === undefined) return [`if (o.keys.any { k -> ${other} }) ${failLine("p", c.fail)}`];
        const call = `${this.fn(c.node)}(v, p + "/" + JsonSupport.escapePointer(k))?.let { return it }`;
        return [`for ((k, v) in o) ${c.known.length === 0 ? call : `if (${other}) ${call}`}`];
      }
      case "property":
        return [`o[${kotlinString(c.name)}]?.let { v -> ${this.fn(c.node)}(v, p + ${kotlinString(`/${c.token}`)})?.let { return it } }`];
    }
  }
}

/** Renders `AcpSchema.kt`: the validator object with `validateEnvelope` and `validatePayload`. */
export function emitValidatorKotlin(ir: Ir, pkg: string, header: string): string {
  const compiler = new KotlinValidatorCompiler(ir.schemas);
  const envelopeFn = compiler.fn(ir.schemas.at(ir.envelope.file).id);
  const payloadCases = ir.eventTypes.map((e) => `        ${kotlinString(e.name)} -> ${compiler.fn(ir.schemas.at(e.payload.file).id)}(payload, "")`);
  const byFn = (a: string, b: string): number =>
    Number(a.slice(a.indexOf("private fun v") + 13, a.indexOf("(d:"))) - Number(b.slice(b.indexOf("private fun v") + 13, b.indexOf("(d:")));
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
