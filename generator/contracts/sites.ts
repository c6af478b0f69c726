/**
 * The validated values of one contract, the same list for every language: each skill's
 * input, output and delta, and each custom event's payload. A site names its node in the
 * contract's schema model (contract-model.ts); every language renders the node's validation
 * plan (generator/ir/validation-plan.ts), so a value gets the same verdict, error code,
 * keyword, JSON pointer and expected text in TypeScript, Python and Kotlin (spec/agent-contract.md
 * "Validation").
 */
import type { SchemaModel, SchemaNode } from "../ir/schema-model.js";
import type { AgentContractIr } from "./types.js";

/** One value the generated code validates. */
export interface ValidationSite {
  /**
   * The label errors carry as `cause.schema`: `<skill id>.input`, `.output`, `.delta`, or
   * `<event type>.payload`.
   */
  readonly label: string;
  /** The node that validates the value. */
  readonly node: SchemaNode;
}

/** The sites of `c` in the model `model` of its schemas, in contract order. */
export function validationSites(c: AgentContractIr, model: SchemaModel): ValidationSite[] {
  const at = (pointer: string): SchemaNode => model.at(c.file, pointer);
  const out: ValidationSite[] = [];
  c.skills.forEach((s, i) => {
    out.push({ label: `${s.id}.input`, node: at(`/skills/${i}/input`) });
    out.push({ label: `${s.id}.output`, node: at(`/skills/${i}/output`) });
    if (s.delta !== undefined) out.push({ label: `${s.id}.delta`, node: at(`/skills/${i}/delta`) });
  });
  const seen = new Set<string>();
  const events = [
    ...c.publishes.map((e, i) => ({ e, pointer: `/publishes/${i}/payload` })),
    ...c.subscribes.map((e, i) => ({ e, pointer: `/subscribes/${i}/payload` })),
  ];
  for (const { e, pointer } of events) {
    if (e.payload === undefined || seen.has(e.type)) continue;
    seen.add(e.type);
    out.push({ label: `${e.type}.payload`, node: at(pointer) });
  }
  return out;
}

/**
 * The deepest nesting of arrays and objects a contract value may have, in every language:
 * deeper values are refused (keyword `depth`, pointer "") before any schema check, so a
 * recursive schema cannot exhaust a validator's stack.
 */
export const MAX_VALUE_DEPTH = 128;

/** What a too deeply nested value should have been. */
export const DEPTH_EXPECTED = `a value nested at most ${MAX_VALUE_DEPTH} levels deep`;

/**
 * The message of a contract validation error, identical in every language:
 * `translator translate.input /text: expected a non-empty string (minLength)`.
 */
export const MESSAGE_FORMAT = "{agent} {schema} {pointer or (root)}: expected {expected} ({keyword})";
