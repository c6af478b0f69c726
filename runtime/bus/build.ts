/**
 * Fast envelope building for the bus' hot paths (requests, replies, frames, events). Produces
 * what `createEnvelope` produces for the same input — spec_version, schema_version, a UUIDv7
 * event_id, an RFC 3339 UTC occurred_at with microseconds, the catalogue frame_type, and for
 * schema_version 2 the dual-written default phase — without its general-purpose property
 * copying, and with the time string's millisecond part formatted once per millisecond.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { EVENT_TYPES, SPEC_VERSION } from "../../generated/ts/constants.js";
import { createUuidV7Generator } from "../envelope/index.js";

/** What an envelope is built from: any envelope fields; undefined ones are left out. */
export type EnvelopeInit = Partial<Envelope> & { event_type: string };

interface Defaults {
  readonly frameType: string | undefined;
  readonly phase: string | undefined;
}

const DEFAULTS = new Map<string, Defaults>(
  Object.values(EVENT_TYPES).map((info) => [info.name, { frameType: info.frameType ?? undefined, phase: info.defaultPhase }]),
);

/** Formats "now" as RFC 3339 UTC with microseconds; the ISO part is cached per millisecond. */
export class Clock {
  #ms = -1;
  #prefix = "";

  now(): string {
    const ms = Date.now();
    if (ms !== this.#ms) {
      this.#ms = ms;
      this.#prefix = new Date(ms).toISOString().slice(0, 23); // YYYY-MM-DDTHH:MM:SS.sss
    }
    const precise = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const micros = Math.floor(precise / 1000) === ms ? precise % 1000 : 0;
    return `${this.#prefix}${micros < 10 ? "00" : micros < 100 ? "0" : ""}${micros}Z`;
  }
}

/** Builds envelopes of one schema version; one per bus (its own id generator and clock). */
export function envelopeBuilder(schemaVersion: 1 | 2): (init: EnvelopeInit) => Envelope {
  const newId = createUuidV7Generator();
  const clock = new Clock();
  return (init) => {
    const env: Envelope = {
      spec_version: SPEC_VERSION,
      schema_version: schemaVersion,
      event_id: init.event_id ?? newId(),
      event_type: init.event_type,
      occurred_at: init.occurred_at ?? clock.now(),
    };
    for (const key in init) {
      if (key === "event_id" || key === "event_type" || key === "occurred_at" || key === "spec_version" || key === "schema_version") continue;
      const value = init[key];
      if (value !== undefined) env[key] = value;
    }
    const d = DEFAULTS.get(init.event_type);
    if (env.frame_type === undefined && d?.frameType !== undefined) env.frame_type = d.frameType;
    if (schemaVersion === 1) {
      if (env.phase !== undefined) delete env.phase;
    } else if (env.phase === undefined && d?.phase !== undefined) {
      env.phase = d.phase as Envelope["phase"];
    }
    return env;
  };
}
