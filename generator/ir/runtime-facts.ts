/**
 * The envelope facts the runtime's hot paths run, derived from the IR (schema/envelope.schema.json):
 * which fields are required, which are context (the `"x-context"` annotation) and of which kind,
 * and which field rules are plain enough to check unrolled without the schema validator.
 * Pure: IR in, facts out; emitters render them (generator/ts/runtime-facts-emitter.ts).
 */
import { SchemaLoadError, type IrProblem } from "./errors.js";
import type { Ir, Json } from "./types.js";
import { isObject } from "./types.js";

/**
 * How a context field flows (spec/bus.md "Context propagation"): `copy` fields are copied
 * unchanged into replies and into everything sent while handling an envelope; `trace` fields
 * (W3C trace context) are copied into replies and continued with a new span id elsewhere.
 */
export type ContextKind = "copy" | "trace";

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

/** Keywords that never reject a value. */
const ANNOTATIONS: ReadonlySet<string> = new Set(["description", "default", "examples", "title", "$comment", "deprecated", "readOnly", "writeOnly"]);

/** The field's rule keywords (annotations and `x-*` left out), sorted. */
function ruleKeys(prop: { [key: string]: Json }): string[] {
  return Object.keys(prop)
    .filter((k) => !ANNOTATIONS.has(k) && !k.startsWith("x-"))
    .sort();
}

function plainCheck(prop: { [key: string]: Json }): PlainCheck | undefined {
  const keys = ruleKeys(prop).join(",");
  const t = prop["type"];
  if (keys === "") return "any";
  if (keys === "type") return t === "string" || t === "boolean" || t === "object" ? t : undefined;
  // JSON Schema counts code points; for a minimum of 1 that is "not empty" in any unit
  if (keys === "minLength,type" && t === "string" && prop["minLength"] === 1) return "non-empty string";
  return undefined;
}

/**
 * Derives the runtime facts from `ir`.
 * @throws SchemaLoadError when an `"x-context"` annotation is malformed (not "copy" or "trace", on a
 *   required field, or on a field that is not a plain optional string), naming file and pointer.
 */
export function runtimeFacts(ir: Ir): RuntimeFacts {
  const file = ir.envelope.file;
  const props = ir.envelope.schema["properties"];
  const required = ir.envelope.schema["required"];
  const problems: IrProblem[] = [];
  const requiredFields = Array.isArray(required) ? required.filter((r): r is string => typeof r === "string") : [];
  const contextFields: ContextFieldFact[] = [];
  const plainFields: PlainFieldFact[] = [];
  const otherFields: string[] = [];
  for (const [name, raw] of Object.entries(isObject(props) ? props : {})) {
    const prop = isObject(raw) ? raw : {};
    const isRequired = requiredFields.includes(name);
    const check = plainCheck(prop);
    if (check === undefined) otherFields.push(name);
    else plainFields.push({ name, required: isRequired, check });
    const kind = prop["x-context"];
    if (kind === undefined) continue;
    const pointer = `/properties/${name.replaceAll("~", "~0").replaceAll("/", "~1")}/x-context`;
    if (kind !== "copy" && kind !== "trace") {
      problems.push({ file, pointer, message: `must be "copy" or "trace", not ${JSON.stringify(kind)}` });
    } else if (isRequired || check !== "string") {
      problems.push({ file, pointer, message: "marks a context field, which must be an optional field whose only rule is type string" });
    } else {
      contextFields.push({ name, kind, description: typeof prop["description"] === "string" ? prop["description"] : "" });
    }
  }
  if (problems.length > 0) throw new SchemaLoadError(problems);
  return { requiredFields, contextFields, plainFields, otherFields };
}
