/**
 * Renders the validation plans of a contract's schema model (generator/ir/validation-plan.ts)
 * as Kotlin: one private function per schema node, `(d, p) -> SchemaFailure?`, the first
 * failure in the order every language reports it, inside the contract's `<Agent>Schemas`
 * object. The functions are the SDK's AcpSchema compiler's (generator/kotlin/validator-emitter.ts
 * KotlinValidatorCompiler), over the SDK's public JsonSupport and SchemaFailure.
 */
import type { SchemaModel } from "../../ir/schema-model.js";
import { KotlinValidatorCompiler } from "../../kotlin/validator-emitter.js";
import { kotlinString } from "../../kotlin/names.js";
import { DEPTH_EXPECTED, type ValidationSite } from "../sites.js";

/**
 * `public object <objectName>`: the validators of one contract's values by site label, and
 * `check`, which returns a value or throws InvalidRequestException (spec/agent-contract.md
 * "Validation").
 */
export function kotlinValidators(model: SchemaModel, sites: readonly ValidationSite[], objectName: string, agent: string): string {
  const c = new KotlinValidatorCompiler(model);
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
