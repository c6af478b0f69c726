/**
 * The envelope facts the runtime's hot paths run, derived from the IR (schema/envelope.schema.json):
 * which fields are required, which are context (the `"x-context"` annotation) and of which kind,
 * and which field rules are plain enough to check unrolled without the schema validator.
 * Pure: IR in, facts out; emitters render them (generator/ts/runtime-facts-emitter.ts).
 */
import { SchemaLoadError, type IrProblem } from "./errors.js";
import { isAnnotation } from "./keywords.js";
import type { ContextKind, SchemaModel, SchemaNode } from "./schema-model.js";
import type { Ir } from "./types.js";

export type { ContextKind } from "./schema-model.js";

/** One envelope field marked `"x-context"`. */
export interface ContextFieldFact {
  readonly name: string;
  readonly kind: ContextKind;
  readonly description: string;
}

/** A rule a runtime can check with one or two comparisons. */
export type PlainCheck = "string" | "non-empty string" | "boolean" | "object" | "any";

/** One envelope field and its plain check. */
export interface PlainFieldFact {
  readonly name: string;
  readonly required: boolean;
  readonly check: PlainCheck;
}

/** What the runtime gets. Arrays follow the schema's property order. */
export interface RuntimeFacts {
  /** The envelope schema's `required`. */
  readonly requiredFields: readonly string[];
  readonly contextFields: readonly ContextFieldFact[];
  /** Fields whose every rule is a {@link PlainCheck}. */
  readonly plainFields: readonly PlainFieldFact[];
  /** The other fields (pattern, enum, integer range, ...): only the full validator checks them. */
  readonly otherFields: readonly string[];
}

/** The node's rule keywords (annotations and `x-*` left out), sorted. */
function ruleKeys(node: SchemaNode): string[] {
  return node.keywords.filter((k) => !isAnnotation(k)).sort();
}

function plainCheck(node: SchemaNode): PlainCheck | undefined {
  const keys = ruleKeys(node).join(",");
  const t = node.types.length === 1 ? node.types[0] : undefined;
  if (keys === "") return "any";
  if (keys === "type") return t === "string" || t === "boolean" || t === "object" ? t : undefined;
  // JSON Schema counts code points; for a minimum of 1 that is "not empty" in any unit
  if (keys === "minLength,type" && t === "string" && node.minLength === 1) return "non-empty string";
  return undefined;
}

/**
 * Derives the runtime facts from `ir`'s schema model (the envelope document's root node).
 * The model already refuses an `"x-context"` that is not "copy" or "trace".
 * @throws SchemaLoadError when an `"x-context"` annotation marks a required field or a field
 *   that is not a plain optional string, naming file and pointer.
 */
export function runtimeFacts(ir: Ir): RuntimeFacts {
  return factsOf(ir.schemas, ir.schemas.at(ir.envelope.file));
}

function factsOf(model: SchemaModel, envelope: SchemaNode): RuntimeFacts {
  const problems: IrProblem[] = [];
  const requiredFields = envelope.required;
  const contextFields: ContextFieldFact[] = [];
  const plainFields: PlainFieldFact[] = [];
  const otherFields: string[] = [];
  for (const edge of envelope.properties) {
    const { name } = edge;
    const prop = model.node(edge.node);
    const isRequired = requiredFields.includes(name);
    const check = plainCheck(prop);
    if (check === undefined) otherFields.push(name);
    else plainFields.push({ name, required: isRequired, check });
    if (prop.context === undefined) continue;
    if (isRequired || check !== "string") {
      problems.push({
        file: prop.file,
        pointer: `${prop.pointer}/x-context`,
        message: "marks a context field, which must be an optional field whose only rule is type string",
      });
    } else {
      contextFields.push({ name, kind: prop.context, description: prop.description ?? "" });
    }
  }
  if (problems.length > 0) throw new SchemaLoadError(problems);
  return { requiredFields, contextFields, plainFields, otherFields };
}
