/**
 * Envelopes the bus vouches for (spec/bus.md "Local delivery"): an envelope its own
 * EnvelopeFactory built (`outbound`: publish, invoke and stream requests; `reply`: invoke
 * replies) and handed straight to the transport — no outbound middleware in between — is valid
 * by construction in everything the bus made itself: spec_version and schema_version
 * (constants), event_id (its UUIDv7 generator), occurred_at (its clock), frame_type and phase
 * (the catalogue's, for the event type), is_final (only on the terminal reply types), event_type
 * (a validated subject token or a catalogue name), reply_to (its inbox).
 *
 * What came from the caller is checked here, with the schema's own rules: the string fields it
 * may fill (context, ids of the request being answered), `metadata` an object, and the payload
 * with the generated validator of its event type. test/bus/vouch.test.ts holds these
 * assumptions against schema/envelope.schema.json and the generated validator, so a schema
 * change that would make them wrong fails there.
 *
 * A vouched envelope skips the full schema validator on local delivery; anything else —
 * frames, `publishEnvelope`, envelopes that passed outbound middleware, every NATS message —
 * is validated in full.
 */
import { TERMINAL_EVENT_TYPES } from "../../generated/ts/constants.js";
import type { Envelope } from "../../generated/ts/types.js";
import { validatePayload } from "../../generated/ts/validators.js";

/** Top-level fields typed `string` (and nothing more) by the envelope schema that callers can fill. */
export const CALLER_STRING_FIELDS = [
  "trace_id", "span_id", "traceparent", "session_id", "conversation_id", "correlation_id", "reply_to", "from", "to",
  "channel", "tenant_id", "user_id",
] as const;

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

/** True when the caller-supplied parts of a factory-built envelope (a plain JSON copy) meet the schema. */
export function callerPartsValid(doc: Envelope): boolean {
  if (typeof doc.event_type !== "string" || doc.event_type === "") return false;
  // CALLER_STRING_FIELDS, written out: a loop over computed keys costs ~10x more (megamorphic loads)
  if (
    !optionalString(doc.trace_id) || !optionalString(doc.span_id) || !optionalString(doc.traceparent) ||
    !optionalString(doc.session_id) || !optionalString(doc.conversation_id) || !optionalString(doc.correlation_id) ||
    !optionalString(doc.reply_to) || !optionalString(doc.from) || !optionalString(doc.to) || !optionalString(doc.channel) ||
    !optionalString(doc.tenant_id) || !optionalString(doc.user_id)
  ) return false;
  const metadata: unknown = doc.metadata;
  if (metadata !== undefined && (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))) return false;
  if (doc.is_final === true && !TERMINAL_EVENT_TYPES.has(doc.event_type)) return false;
  if (!Object.hasOwn(validatePayload, doc.event_type)) return true; // no payload rule for this event type
  try {
    return validatePayload[doc.event_type]!(doc.payload) === true;
  } catch {
    return false;
  }
}
