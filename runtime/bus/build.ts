/**
 * Fast envelope building for the bus' hot paths (requests, replies, frames, events). Produces
 * what `createEnvelope` produces for the same input — spec_version, schema_version, a UUIDv7
 * event_id, an RFC 3339 UTC occurred_at with microseconds, the catalogue frame_type, and for
 * schema_version 2 the dual-written default phase — without its general-purpose property
 * copying, and with the time string's millisecond part formatted once per millisecond.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { EVENT_TYPES, SPEC_VERSION } from "../../generated/ts/constants.js";
import { copyContext, type ContextFields } from "../../generated/ts/envelope-facts.js";
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

/**
 * Builds envelopes of one schema version; one per bus (its own id generator and clock).
 * `build` takes any init; `outbound` and `reply` are the hot shapes, written field by field
 * (same fields, same key order as `build` of the equivalent init: test/bus/build.test.ts).
 */
export class EnvelopeFactory {
  readonly #schemaVersion: 1 | 2;
  readonly #newId = createUuidV7Generator();
  readonly #clock = new Clock();

  constructor(schemaVersion: 1 | 2) {
    this.#schemaVersion = schemaVersion;
  }

  build(init: EnvelopeInit): Envelope {
    const env: Envelope = {
      spec_version: SPEC_VERSION,
      schema_version: this.#schemaVersion,
      event_id: init.event_id ?? this.#newId(),
      event_type: init.event_type,
      occurred_at: init.occurred_at ?? this.#clock.now(),
    };
    for (const key in init) {
      if (key === "event_id" || key === "event_type" || key === "occurred_at" || key === "spec_version" || key === "schema_version") continue;
      const value = init[key];
      if (value !== undefined) env[key] = value;
    }
    const d = DEFAULTS.get(init.event_type);
    if (env.frame_type === undefined && d?.frameType !== undefined) env.frame_type = d.frameType;
    if (this.#schemaVersion === 1) {
      if (env.phase !== undefined) delete env.phase;
    } else if (env.phase === undefined && d?.phase !== undefined) {
      env.phase = d.phase as Envelope["phase"];
    }
    return env;
  }

  /**
   * An envelope the bus sends on its own behalf (a publish, an invoke or stream request):
   * `build({event_type, from, to, ...context, tenant_id (when the context has none), payload,
   * metadata})`, leaving out what is undefined.
   */
  outbound(
    eventType: string,
    from: string,
    to: string | undefined,
    context: Readonly<ContextFields> | undefined,
    tenant: string | undefined,
    payload: unknown,
    metadata: Record<string, unknown> | undefined,
  ): Envelope {
    const env: Envelope = {
      spec_version: SPEC_VERSION,
      schema_version: this.#schemaVersion,
      event_id: this.#newId(),
      event_type: eventType,
      occurred_at: this.#clock.now(),
      from,
    };
    if (to !== undefined) env.to = to;
    if (context !== undefined) {
      for (const key in context) {
        const value = context[key as keyof ContextFields];
        if (value !== undefined) env[key] = value;
      }
    }
    if (env.tenant_id === undefined && tenant !== undefined) env.tenant_id = tenant;
    if (payload !== undefined) env.payload = payload as Envelope["payload"];
    if (metadata !== undefined) env.metadata = metadata;
    const d = DEFAULTS.get(eventType);
    if (d !== undefined) this.#defaults(env, d);
    return env;
  }

  /**
   * A reply to `request` (replies.ts `replyInit` without seq): `build(replyInit(request, self,
   * metadata, eventType, payload, undefined, isFinal))`.
   */
  reply(request: Envelope, self: string, metadata: Record<string, unknown> | undefined, eventType: string, payload: unknown, isFinal: boolean): Envelope {
    const env: Envelope = {
      spec_version: SPEC_VERSION,
      schema_version: this.#schemaVersion,
      event_id: this.#newId(),
      event_type: eventType,
      occurred_at: this.#clock.now(),
    };
    if (request.event_id !== undefined) env.correlation_id = request.event_id;
    env.from = typeof request.to === "string" ? request.to : self;
    if (typeof request.from === "string") env.to = request.from;
    copyContext(request, env); // generated: the schema's "x-context" fields, written out
    if (isFinal) env.is_final = true;
    if (payload !== undefined) env.payload = payload as Envelope["payload"];
    if (metadata !== undefined) env.metadata = metadata;
    const d = DEFAULTS.get(eventType);
    if (d !== undefined) this.#defaults(env, d);
    return env;
  }

  /**
   * A stream frame to `request`: `build(replyInit(request, self, metadata, eventType, payload,
   * seq, isFinal))` with `phase` (a final frame's explicit phase) set on the init after them, as
   * the stream writer builds it. Its own method (not {@link reply} with more parameters): each
   * hot shape stays monomorphic.
   */
  frame(
    request: Envelope,
    self: string,
    metadata: Record<string, unknown> | undefined,
    eventType: string,
    payload: unknown,
    isFinal: boolean,
    seq: number,
    phase: string | undefined,
  ): Envelope {
    const env: Envelope = {
      spec_version: SPEC_VERSION,
      schema_version: this.#schemaVersion,
      event_id: this.#newId(),
      event_type: eventType,
      occurred_at: this.#clock.now(),
    };
    if (request.event_id !== undefined) env.correlation_id = request.event_id;
    env.from = typeof request.to === "string" ? request.to : self;
    if (typeof request.from === "string") env.to = request.from;
    copyContext(request, env);
    env.seq = seq;
    if (isFinal) env.is_final = true;
    if (payload !== undefined) env.payload = payload as Envelope["payload"];
    if (metadata !== undefined) env.metadata = metadata;
    if (phase !== undefined && this.#schemaVersion === 2) env.phase = phase as Envelope["phase"];
    const d = DEFAULTS.get(eventType);
    if (d !== undefined) {
      if (d.frameType !== undefined) env.frame_type = d.frameType;
      if (phase === undefined && this.#schemaVersion === 2 && d.phase !== undefined) env.phase = d.phase as Envelope["phase"];
    }
    return env;
  }

  #defaults(env: Envelope, d: Defaults): void {
    if (d.frameType !== undefined) env.frame_type = d.frameType;
    if (this.#schemaVersion === 2 && d.phase !== undefined) env.phase = d.phase as Envelope["phase"];
  }
}
