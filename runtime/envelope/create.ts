/**
 * Building new envelopes with the fields every writer must fill
 * (spec/envelope.md "Fields"): spec_version, schema_version, a UUIDv7
 * event_id, an RFC 3339 UTC occurred_at, the catalogue frame_type, and for
 * schema_version >= 2 the dual-written phase.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { EVENT_TYPES, LATEST_SCHEMA_VERSION, SPEC_VERSION } from "../../generated/ts/constants.js";
import { uuidv7 } from "./ids.js";
import { nowRfc3339 } from "./time.js";
import { effectivePhase } from "./phase.js";

const FILLED: ReadonlySet<string> = new Set(["spec_version", "schema_version", "event_id", "event_type", "occurred_at"]);

/** Options of {@link createEnvelope}. */
export interface CreateOptions {
  /** Schema version to write (default 2): 1 leaves `phase` out, 2 dual-writes it. */
  schemaVersion?: 1 | 2;
  /** Id source (default {@link uuidv7}). */
  newId?: () => string;
  /** Clock (default {@link nowRfc3339}, microsecond precision). */
  now?: () => string;
}

/**
 * Creates an envelope from `init`. Fills spec_version "acp/1.0",
 * schema_version (`opts.schemaVersion`, else `init.schema_version`, else 2),
 * event_id and occurred_at unless `init` gives them, frame_type from the
 * catalogue for standard event types unless given, and for schema_version >= 2
 * `phase` from the event type's default phase unless given; for schema_version 1
 * `phase` is removed. Fields set to undefined are left out. Does not validate:
 * pass the result to `validate` when `init` comes from outside.
 */
export function createEnvelope(init: Partial<Envelope> & { event_type: string }, opts: CreateOptions = {}): Envelope {
  const schemaVersion = opts.schemaVersion ?? init.schema_version ?? LATEST_SCHEMA_VERSION;
  const env: Envelope = {
    spec_version: init.spec_version ?? SPEC_VERSION,
    schema_version: schemaVersion,
    event_id: init.event_id ?? (opts.newId ?? uuidv7)(),
    event_type: init.event_type,
    occurred_at: init.occurred_at ?? (opts.now ?? nowRfc3339)(),
  };
  for (const key of Object.keys(init)) {
    const value = init[key];
    if (value === undefined || FILLED.has(key)) continue;
    // defineProperty: an own "__proto__" key (JSON.parse makes those) must stay data, not set the prototype
    Object.defineProperty(env, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (env.frame_type === undefined && Object.hasOwn(EVENT_TYPES, init.event_type)) {
    const frameType = EVENT_TYPES[init.event_type as keyof typeof EVENT_TYPES].frameType;
    if (frameType !== null) env.frame_type = frameType;
  }
  if (schemaVersion < 2) {
    delete env.phase;
  } else if (env.phase === undefined) {
    const phase = effectivePhase(env);
    if (phase !== undefined) env.phase = phase;
  }
  return env;
}
