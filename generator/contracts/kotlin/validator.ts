/**
 * Renders the validation plans of a contract's schema model (generator/ir/validation-plan.ts)
 * as Kotlin: one private function per schema node, `(d, p) -> SchemaFailure?`, the first
 * failure in the order every language reports it, inside the contract's `<Agent>Schemas`
 * object. Same checks as the SDK's AcpSchema (generator/kotlin/validator-emitter.ts), over
 * the SDK's public JsonSupport and SchemaFailure; patterns are translated by the SDK
 * emitter's jsPatternToJava.
 */
import type { SchemaModel } from "../../ir/schema-model.js";
import type { Check, Failure, Step } from "../../ir/validation-plan.js";
import { jsPatternToJava } from "../../kotlin/validator-emitter.js";
import { kotlinString } from "../../kotlin/names.js";
import { DEPTH_EXPECTED, type ValidationSite } from "../sites.js";

const typeCheck = (t: string): string => `JsonSupport.is${t.charAt(0).toUpperCase()}${t.slice(1)}(d)`;

/** The comparison that FAILS each keyword. */
const COMPARE_FAILS: Readonly<Record<string, string>> = { maximum: ">", minimum: "<", exclusiveMaximum: ">=", exclusiveMinimum: "<=" };

function failLine(pointer: string, f: Failure): string {
  return `return SchemaFailure(${pointer}, ${kotlinString(f.keyword)}, ${kotlinString(f.expected)})`;
}

class Compiler {
  readonly functions: string[] = [];
  readonly constants: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly constNames = new Map<string, string>();

  constructor(private readonly model: SchemaModel) {}

  fn(id: string): string {
    const known = this.names.get(id);
    if (known !== undefined) return known;
    const name = `v${this.names.size}`;
    this.names.set(id, name);
    const body = this.model.node(id).plan.flatMap((s) => this.step(s));
    this.functions.push(
      [
        `    // ${id.replace(/[^\x20-\x7e]/gu, "?")}`,
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
    const known = this.constNames.get(key);
    if (known !== undefined) return known;
    const name = `${kind === "json" ? "c" : "r"}${this.constNames.size}`;
    this.constNames.set(key, name);
    this.constants.push(
      kind === "json"
        ? `    private val ${name}: JsonElement = JsonSupport.parse(${kotlinString(source)})`
        : `    private val ${name}: Regex = Regex(${kotlinString(jsPatternToJava(source))})`,
    );
    return name;
  }

  private call(fn: string, value = "d", pointer = "p"): string {
    return `${fn}(${value}, ${pointer})?.let { return it }`;
  }

  private step(step: Step): string[] {
    switch (step.kind) {
      case "false":
        return [failLine("p", step.fail)];
      case "type":
        return [`if (!(${step.types.map(typeCheck).join(" || ")})) ${failLine("p", step.fail)}`];
      case "ref":
        return [this.call(this.fn(step.node))];
      case "const":
        return [`if (!JsonSupport.deepEquals(d, ${this.constant("json", JSON.stringify(step.value))})) ${failLine("p", step.fail)}`];
      case "enum":
        return [`if ((${this.constant("json", JSON.stringify(step.values))} as JsonArray).none { JsonSupport.deepEquals(d, it) }) ${failLine("p", step.fail)}`];
      case "not":
        return [`if (${this.fn(step.node)}(d, p) == null) ${failLine("p", step.fail)}`];
      case "anyOf":
        return [`if (${step.nodes.map((n) => `${this.fn(n)}(d, p) != null`).join(" && ")}) ${failLine("p", step.fail)}`];
      case "oneOf":
        return [`if (listOf(${step.nodes.map((n) => `${this.fn(n)}(d, p) == null`).join(", ")}).count { it } != 1) ${failLine("p", step.fail)}`];
      case "allOf":
        return step.nodes.map((n) => this.call(this.fn(n)));
      case "if": {
        const lines = [`if (${this.fn(step.cond)}(d, p) == null) {`];
        if (step.then !== undefined) lines.push(`    ${this.call(this.fn(step.then))}`);
        if (step.else !== undefined) lines.push("} else {", `    ${this.call(this.fn(step.else))}`);
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
          ...(inner.length > 0 ? [local, ...inner] : []).map((l) => `    ${l}`),
          step.typeFail !== undefined ? `} else ${failLine("p", step.typeFail)}` : "}",
        ];
      }
    }
  }

  private check(c: Check): string[] {
    switch (c.kind) {
      case "compare":
        return [`if (n ${COMPARE_FAILS[c.keyword]!} ${JSON.stringify(c.limit)}.toDouble()) ${failLine("p", c.fail)}`];
      case "size": {
        const size = c.keyword.endsWith("Length") ? "JsonSupport.length(s)" : c.keyword.endsWith("Items") ? "a.size" : "o.size";
        return [`if (${size} ${c.keyword.startsWith("max") ? ">" : "<"} ${c.limit}) ${failLine("p", c.fail)}`];
      }
      case "pattern":
        return [`if (!${this.constant("regex", c.pattern)}.containsMatchIn(s)) ${failLine("p", c.fail)}`];
      case "items":
        return [`a.forEachIndexed { i, v -> ${this.call(this.fn(c.node), "v", 'p + "/" + i')} }`];
      case "required":
        return [`if (!o.containsKey(${kotlinString(c.name)})) ${failLine(`p + ${kotlinString(`/${c.token}`)}`, c.fail)}`];
      case "additionalProperties": {
        const other = c.known.length === 0 ? "true" : `k !in setOf(${c.known.map(kotlinString).join(", ")})`;
        if (c.node === undefined) return [`if (o.keys.any { k -> ${other} }) ${failLine("p", c.fail)}`];
        const call = this.call(this.fn(c.node), "v", 'p + "/" + JsonSupport.escapePointer(k)');
        return [`for ((k, v) in o) ${c.known.length === 0 ? call : `if (${other}) ${call}`}`];
      }
      case "property":
        return [`o[${kotlinString(c.name)}]?.let { v -> ${this.call(this.fn(c.node), "v", `p + ${kotlinString(`/${c.token}`)}`)} }`];
    }
  }
}

/**
 * `public object <objectName>`: the validators of one contract's values by site label, and
 * `check`, which returns a value or throws InvalidRequestException (spec/agent-contract.md
 * "Validation").
 */
export function kotlinValidators(model: SchemaModel, sites: readonly ValidationSite[], objectName: string, agent: string): string {
  const c = new Compiler(model);
  const entries = sites.map((s) => `        ${kotlinString(s.label)} to { value: JsonElement -> ${c.fn(s.node.id)}(value, "") },`);
  const byNumber = (a: string, b: string): number => Number(/private fun v(\d+)/u.exec(a)?.[1]) - Number(/private fun v(\d+)/u.exec(b)?.[1]);
  return [
    `/** The schemas of ${agent}'s values, checked by its clients and handlers in the order every language checks them. */`,
    `public object ${objectName} {`,
    "    /** Validators by site (`<skill>.input`, `.output`, `.delta`, `<event>.payload`): the first failure, or null when valid. */",
    "    public val VALIDATORS: Map<String, (JsonElement) -> SchemaFailure?> = mapOf(",
    ...entries,
    "    )",
    "",
    "    /**",
    "     * [value] when it satisfies the schema [schema] (a value nested deeper than ContractSupport.MAX_VALUE_DEPTH",
    "     * levels is refused first, keyword depth); else InvalidRequestException whose message names",
    "     * agent, value, pointer, expected and keyword, with details schema, pointer, keyword and expected,",
    '     * and details["cause"], the same four as a JSON object (the ErrorPayload cause every language sends).',
    "     */",
    "    public fun check(schema: String, value: JsonElement): JsonElement {",
    "        val validate = VALIDATORS[schema] ?: return value",
    "        val failure = (",
    "            if (ContractSupport.nestedDeeperThan(value, ContractSupport.MAX_VALUE_DEPTH)) {",
    `                SchemaFailure("", "depth", ${kotlinString(DEPTH_EXPECTED)})`,
    "            } else {",
    "                validate(value)",
    "            }",
    "        ) ?: return value",
    '        val where = failure.pointer.ifEmpty { "(root)" }',
    "        throw InvalidRequestException(",
    `            ${kotlinString(`${agent} `)} + schema + " " + where + ": expected " + failure.expected + " (" + failure.keyword + ")",`,
    "            details = ContractSupport.failureDetails(schema, failure.pointer, failure.keyword, failure.expected),",
    "        )",
    "    }",
    "",
    ...c.constants,
    "",
    [...c.functions].sort(byNumber).join("\n\n"),
    "}",
  ].join("\n");
}
