/**
 * Envelopes the bus vouches for (spec/bus.md "Local delivery"): an envelope its own
 * EnvelopeFactory built (`outbound`: publish, invoke and stream requests; `reply`: invoke
 * replies) and handed straight to the transport — no outbound middleware in between — is valid
 * by construction in everything the bus made itself: spec_version and schema_version
 * (constants), event_id (its UUIDv7 generator), occurred_at (its clock), frame_type and phase
 * (the catalogue's, for the event type), is_final (only on the terminal reply types), event_type
 * (a validated subject token or a catalogue name), reply_to (its inbox).
 *
 * What came from the caller is checked here, with the schema's own rules: every field whose rule
 * is a plain type check (context, ids of the request being answered, `metadata` an object:
 * `plainFieldsValid`, generated from the schema), is_final only on terminal types, and the
 * payload with the generated check of its event type (generated/ts/checks.ts). test/bus/vouch.test.ts holds these
 * assumptions against schema/envelope.schema.json and the generated validator, so a schema
 * change that would make them wrong fails there.
 *
 * A vouched envelope skips the full schema validator on local delivery; anything else —
 * frames, `publishEnvelope`, envelopes that passed outbound middleware, every NATS message —
 * is validated in full.
 */
import { TERMINAL_EVENT_TYPES } from "../../generated/ts/constants.js";
import { plainFieldsValid } from "../../generated/ts/envelope-facts.js";
import type { Envelope } from "../../generated/ts/types.js";
import { isPayload } from "../../generated/ts/checks.js";

/**
 * Envelope fields plainFieldsValid does not check, which the factory writes itself (seq: never,
 * on the envelopes it vouches for), so the schema's rules on them (pattern, enum, integer range)
 * hold by construction. test/bus/vouch.test.ts asserts that OTHER_FIELDS, generated from the
 * schema, names no field outside this set: a schema change that adds one fails there.
 */
export const BUILT_FIELDS: ReadonlySet<string> = new Set(["spec_version", "schema_version", "event_id", "occurred_at", "phase", "seq"]);

/** True when the caller-supplied parts of a factory-built envelope (a plain JSON copy) meet the schema. */
export function callerPartsValid(doc: Envelope): boolean {
  if (!plainFieldsValid(doc)) return false; // generated: each plain field rule of the schema, written out
  if (doc.is_final === true && !TERMINAL_EVENT_TYPES.has(doc.event_type)) return false;
  if (!Object.hasOwn(isPayload, doc.event_type)) return true; // no payload rule for this event type
  try {
    // generated from the same plan as the payload's ajv validator: the same answer (test/envelope/checks.test.ts)
    return isPayload[doc.event_type]!(doc.payload);
  } catch {
    return false;
  }
}
