/**
 * Renders `AcpChecks.kt`: the validation plans of the schema model (generator/ir/validation-plan.ts)
 * as boolean Kotlin functions, one per schema node. They answer exactly what AcpSchema
 * (validator-emitter.ts) answers — valid or not — without building JSON pointers or failure
 * objects, which the full validator does on every descent and for every `if` whose condition
 * fails (an envelope has twenty). The decoder and the Bus ask them first and run AcpSchema only
 * to report a defect (spec/kotlin.md "Validation"). The Kotlin semantics are AcpSchema's, test
 * for test: the same JsonSupport type tests, number parsing, code-point lengths and regular
 * expressions (jsPatternToJava); const/enum of strings compare the content of a JSON string,
 * which is what JsonSupport.deepEquals answers for a string operand. ConformanceTest holds the
 * two to the same answer on every case of the golden corpus and of the differential corpus
 * (test/kotlin/kotlin-sdk.test.ts: 1,500 mutated envelopes).
 */
import type { Ir, Json } from "../ir/types.js";
import type { NodeId, SchemaModel } from "../ir/schema-model.js";
import type { Check, Step } from "../ir/validation-plan.js";
import { indentLines } from "../render/code-writer.js";
import { kotlinString } from "./names.js";
import { jsPatternToJava } from "./validator-emitter.js";

function typeTest(t: string, v = "d"): string {
  return `JsonSupport.is${t.charAt(0).toUpperCase()}${t.slice(1)}(${v})`;
}

/** The comparison that holds for a valid value. */
const HOLDS: Readonly<Record<string, string>> = { maximum: "<=", minimum: ">=", exclusiveMaximum: "<", exclusiveMinimum: ">" };

const LOCALS = {
  number: "val n = JsonSupport.number(d)!!",
  string: "val s = (d as JsonPrimitive).content",
  array: "val a = d as JsonArray",
  object: "val o = d as JsonObject",
} as const;

/** Accumulates the functions and constants of the AcpChecks object. */
class BooleanCompiler {
  readonly functions: string[] = [];
  readonly constants: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly constNames = new Map<string, string>();

  constructor(private readonly model: SchemaModel) {}

  /** `true` when no value can fail node `id`, else a call of its function (compiled on first use). */
  test(id: NodeId, v = "d"): string {
    const node = this.model.node(id);
    if (node.alwaysValid) return "true";
    return `${this.fn(id)}(${v})`;
  }

  /**
   * A function checking node `id` except the `properties` checks of `skip` (the vouch: values
   * the caller proves valid by construction); every other step of the plan runs as in `test`.
   */
  variant(id: NodeId, skip: ReadonlySet<string>): string {
    const name = `b${this.names.size}`;
    this.names.set(`${id} without ${[...skip].join(",")}`, name);
    this.render(name, id, skip);
    return name;
  }

  private fn(id: NodeId): string {
    const existing = this.names.get(id);
    if (existing) return existing;
    const name = `b${this.names.size}`;
    this.names.set(id, name);
    this.render(name, id, new Set());
    return name;
  }

  private render(name: string, id: NodeId, skip: ReadonlySet<string>): void {
    const node = this.model.node(id);
    const steps = node.plan.map((s) =>
      s.kind === "group" && skip.size > 0 ? { ...s, checks: s.checks.filter((c) => c.kind !== "property" || !skip.has(c.name)) } : s,
    );
    const only = steps[0];
    const body = steps.length === 1 && only?.kind === "ref" ? [`return ${this.test(only.node)}`] : [...steps.flatMap((s) => this.step(s)), "return true"];
    const note = skip.size > 0 ? ` (without the properties ${[...skip].join(", ")})` : "";
    this.functions.push(
      [
        `    // ${id.replace(/[^\x20-\x7e]/gu, "?")}${note}`,
        `    private fun ${name}(d: JsonElement): Boolean {`,
        ...indentLines(body, "        "),
        "    }",
      ].join("\n"),
    );
  }

  private constant(kind: "json" | "regex" | "strings", source: string, render: () => string): string {
    const key = `${kind}:${source}`;
    const existing = this.constNames.get(key);
    if (existing) return existing;
    const name = `${kind === "json" ? "c" : kind === "regex" ? "r" : "k"}${this.constNames.size}`;
    this.constNames.set(key, name);
    this.constants.push(`    private val ${name}${render()}`);
    return name;
  }

  private json(value: Json | readonly Json[]): string {
    const source = JSON.stringify(value);
    return this.constant("json", source, () => `: JsonElement = JsonSupport.parse(${kotlinString(source)})`);
  }

  private strings(values: readonly string[]): string {
    return this.constant("strings", JSON.stringify(values), () => `: Set<String> = hashSetOf(${values.map(kotlinString).join(", ")})`);
  }

  /** A test that `d` equals one of `values` (JsonSupport.deepEquals' answer). */
  private equalsAny(values: readonly Json[]): string {
    if (values.every((x) => typeof x === "string")) {
      const strs = values as readonly string[];
      const member = strs.length === 1 ? `d.content == ${kotlinString(strs[0]!)}` : `d.content in ${this.strings(strs)}`;
      return `(d is JsonPrimitive && d.isString && ${member})`;
    }
    if (values.length === 1) return `JsonSupport.deepEquals(d, ${this.json(values[0]!)})`;
    return `(${this.json(values)} as JsonArray).any { JsonSupport.deepEquals(d, it) }`;
  }

  private step(step: Step): string[] {
    switch (step.kind) {
      case "false":
        return ["return false"];
      case "type":
        return [`if (!(${step.types.map((t) => typeTest(t)).join(" || ")})) return false`];
      case "ref": {
        const t = this.test(step.node);
        return t === "true" ? [] : [`if (!${t}) return false`];
      }
      case "const":
        return [`if (!${this.equalsAny([step.value])}) return false`];
      case "enum":
        return [`if (!${this.equalsAny(step.values)}) return false`];
      case "not": {
        const t = this.test(step.node);
        return [t === "true" ? "return false" : `if (${t}) return false`];
      }
      case "anyOf": {
        const tests = step.nodes.map((n) => this.test(n));
        return tests.includes("true") ? [] : [`if (!(${tests.join(" || ")})) return false`];
      }
      case "oneOf": {
        const tests = step.nodes.map((n) => this.test(n));
        const always = tests.filter((t) => t === "true").length;
        const counted = tests.filter((t) => t !== "true").map((t) => `(if (${t}) 1 else 0)`);
        if (counted.length === 0) return always === 1 ? [] : ["return false"];
        return [`if (${[...counted, ...(always > 0 ? [String(always)] : [])].join(" + ")} != 1) return false`];
      }
      case "allOf":
        return step.nodes
          .map((n) => this.test(n))
          .filter((t) => t !== "true")
          .map((t) => `if (!${t}) return false`);
      case "if": {
        const then = step.then === undefined ? "true" : this.test(step.then);
        const otherwise = step.else === undefined ? "true" : this.test(step.else);
        if (then === "true" && otherwise === "true") return [];
        const cond = this.test(step.cond);
        if (cond === "true") return then === "true" ? [] : [`if (!${then}) return false`];
        if (otherwise === "true") return [`if (${cond} && !${then}) return false`];
        if (then === "true") return [`if (!${cond} && !${otherwise}) return false`];
        return [`if (if (${cond}) !${then} else !${otherwise}) return false`];
      }
      case "group": {
        const inner = step.checks.flatMap((c) => this.check(c));
        const guard = typeTest(step.type);
        if (inner.length === 0) return step.typeFail !== undefined ? [`if (!${guard}) return false`] : [];
        return [`if (${guard}) {`, ...indentLines([LOCALS[step.type], ...inner], "    "), step.typeFail !== undefined ? "} else return false" : "}"];
      }
    }
  }

  private check(c: Check): string[] {
    switch (c.kind) {
      case "compare":
        return [`if (!(n ${HOLDS[c.keyword]!} ${JSON.stringify(c.limit)}.toDouble())) return false`];
      case "size": {
        const size = c.keyword.endsWith("Length") ? "JsonSupport.length(s)" : c.keyword.endsWith("Items") ? "a.size" : "o.size";
        return [`if (${size} ${c.keyword.startsWith("max") ? ">" : "<"} ${c.limit}) return false`];
      }
      case "pattern": {
        const r = this.constant("regex", c.pattern, () => `: Regex = Regex(${kotlinString(jsPatternToJava(c.pattern))})`);
        return [`if (!${r}.containsMatchIn(s)) return false`];
      }
      case "items": {
        const t = this.test(c.node, "v");
        return t === "true" ? [] : [`for (v in a) if (!${t}) return false`];
      }
      case "required":
        return [`if (!o.containsKey(${kotlinString(c.name)})) return false`];
      case "additionalProperties": {
        const other = c.known.length === 0 ? "" : `k !in ${this.strings(c.known)}`;
        if (c.node === undefined) return [c.known.length === 0 ? "if (o.isNotEmpty()) return false" : `for (k in o.keys) if (${other}) return false`];
        const t = this.test(c.node, "v");
        if (t === "true") return [];
        return [other === "" ? `for (v in o.values) if (!${t}) return false` : `for ((k, v) in o) if (${other} && !${t}) return false`];
      }
      case "property": {
        const t = this.test(c.node, "v");
        return t === "true" ? [] : [`o[${kotlinString(c.name)}]?.let { v -> if (!${t}) return false }`];
      }
    }
  }
}

/** Envelope fields the Kotlin Bus writes itself, whose schema rules `isOwnEnvelope` skips (spec/kotlin.md "Validation"). */
export const VOUCHED_FIELDS: readonly string[] = ["spec_version", "event_id", "occurred_at"];

/** Renders `AcpChecks.kt`: `isEnvelope` and `isPayload`, the boolean twins of AcpSchema's validators. */
export function emitChecksKotlin(ir: Ir, pkg: string, header: string): string {
  const compiler = new BooleanCompiler(ir.schemas);
  const envelopeId = ir.schemas.at(ir.envelope.file).id;
  const envelope = compiler.test(envelopeId, "value");
  const own = compiler.variant(envelopeId, new Set(VOUCHED_FIELDS));
  const payloadCases = ir.eventTypes.map((e) => `        ${kotlinString(e.name)} -> ${compiler.test(ir.schemas.at(e.payload.file).id, "payload")}`);
  const order = (f: string): number => Number(/private fun b(\d+)\(/u.exec(f)?.[1] ?? 0);
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
    " * The envelope and payload schemas as boolean checks: what [AcpSchema] answers (valid or not)",
    " * without building pointers or failures. Ask these first; ask AcpSchema for the defect.",
    " */",
    "public object AcpChecks {",
    "    /** True when [value] is a valid envelope ([AcpSchema.validateEnvelope] returns null). */",
    `    public fun isEnvelope(value: JsonElement): Boolean = ${envelope}`,
    "",
    "    /**",
    "     * [isEnvelope] for an envelope the Bus built itself (runtime Wire.base / Wire.reply): skips the schema's",
    `     * rules on the fields the Bus writes by construction (${VOUCHED_FIELDS.join(", ")}: the`,
    "     * SPEC_VERSION constant, its UUIDv7 generator, its clock) and checks everything else, which",
    "     * came from the caller. ConformanceTest holds it to [isEnvelope] on every corpus document",
    "     * with those fields set as the Bus sets them; the runtime tests hold the Bus's values to AcpSchema.",
    "     */",
    `    public fun isOwnEnvelope(value: JsonElement): Boolean = ${own}(value)`,
    "",
    "    /** True when [payload] is valid for the standard [eventType], or the type is not standard ([AcpSchema.validatePayload] returns null). */",
    "    public fun isPayload(eventType: String, payload: JsonElement): Boolean = when (eventType) {",
    ...payloadCases,
    "        else -> true",
    "    }",
    "",
    ...compiler.constants,
    "",
    [...compiler.functions].sort((a, b) => order(a) - order(b)).join("\n\n"),
    "}",
    "",
  ].join("\n");
}
