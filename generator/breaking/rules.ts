/**
 * The rules of `oaio breaking` (spec/phases-and-versioning.md "Breaking changes"): each names a
 * change that breaks wire or source compatibility with the previous version.
 */

/** Identifiers of the rules; each finding carries one. */
export const BREAKING_RULES = {
  "schema-removed": "a schema file was removed",
  "field-removed": "a property was removed from an object schema",
  "field-required": "a property became required (a new required field, or an optional one made required)",
  "type-narrowed":
    "a value accepts fewer JSON types than before (a type removed, number to integer, a type added where there was none, an anyOf/oneOf branch removed, a schema that accepted everything now refuses some values)",
  "ref-changed": "a $ref points at a different schema",
  "enum-value-removed": "an enum lost a value, or an enum was added where any value was allowed",
  "const-changed": "a const changed, or a const was added",
  "bounds-tightened":
    "a bound is stricter: minimum/maximum, exclusive bounds, minLength/maxLength, minItems/maxItems, minProperties/maxProperties, multipleOf, a pattern or format added or changed",
  "properties-closed": "an object no longer accepts properties it did not list (additionalProperties became false or a schema)",
  "event-type-removed": "a standard event type was removed from schema/catalog/event-types.json",
  "event-type-changed": "a standard event type changed its frame_type, payload schema, terminal flag or lost an allowed phase",
  "error-code-removed": "an error code was removed from schema/catalog/error-codes.json",
  "error-code-changed": "an error code changed its retryable default or HTTP status",
  "catalog-entry-removed": "a phase, metadata key or subject was removed from schema/catalog",
  "subject-changed": "a subject template or a default prefix changed",
  "agent-removed": "an agent contract was removed",
  "skill-removed": "a skill was removed from an agent contract",
  "skill-target-changed": "a skill's target (its NATS subject) changed",
  "skill-mode-changed": "a skill changed between invoke and stream (a delta schema was added or removed)",
  "contract-event-removed": "an event was removed from a contract's publishes or subscribes",
} as const;

export type BreakingRule = keyof typeof BREAKING_RULES;

/** One breaking change. */
export interface BreakingChange {
  readonly rule: BreakingRule;
  /** The file, relative to the compared folder (`schema/…` or the contracts folder). */
  readonly file: string;
  /** JSON pointer into the file (the new version's, or the old one's for what was removed). */
  readonly pointer: string;
  /** What changed, with the old and the new value. */
  readonly message: string;
}
