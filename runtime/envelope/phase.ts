/**
 * Phase helpers (spec/phases-and-versioning.md "Dual-write (writers)" and "Reading the
 * phase (readers)"): readers take `phase` first and fall back to the event type; writers
 * of schema_version 2 dual-write both `phase` and the standard `event_type`, writers of
 * version 1 omit `phase`.
 */
import type { Envelope } from "../../generated/ts/types.js";
import type { PhaseName } from "../../generated/ts/constants.js";
import { EVENT_TYPES, PHASES, TERMINAL_EVENT_TYPES, TERMINAL_FRAME_TYPES, TERMINAL_PHASES } from "../../generated/ts/constants.js";

export type { PhaseName };

/** True for one of the catalogue's phase names. */
export function isPhase(value: unknown): value is PhaseName {
  return typeof value === "string" && Object.hasOwn(PHASES, value);
}

/**
 * True when the envelope ends its exchange: `is_final`, a terminal event type
 * or frame type (catalogue), or a terminal phase.
 */
export function isTerminal(env: Envelope): boolean {
  return (
    env.is_final === true ||
    TERMINAL_EVENT_TYPES.has(env.event_type) ||
    (typeof env.frame_type === "string" && TERMINAL_FRAME_TYPES.has(env.frame_type)) ||
    (typeof env.phase === "string" && TERMINAL_PHASES.has(env.phase))
  );
}

/**
 * The protocol phase of an envelope: its `phase` when it carries a known one,
 * else the catalogue default of its standard event type (for
 * agent.task.completed, the terminal `payload.status` when present, since v1
 * writers put the outcome there). Undefined for custom event types without phase.
 */
export function effectivePhase(env: Envelope): PhaseName | undefined {
  if (isPhase(env.phase)) return env.phase;
  if (!Object.hasOwn(EVENT_TYPES, env.event_type)) return undefined;
  const info = EVENT_TYPES[env.event_type as keyof typeof EVENT_TYPES];
  if (env.event_type === "agent.task.completed") {
    const status = (env.payload as { status?: unknown } | undefined)?.status;
    if (isPhase(status) && info.allowedPhases.includes(status)) return status;
  }
  return info.defaultPhase;
}

/**
 * A copy of `env` written as `schemaVersion`: for 2, `schema_version: 2` and
 * `phase` (kept when present, else {@link effectivePhase}, left out for custom
 * event types with no phase); for 1, `schema_version: 1` and no `phase`.
 * Other fields, unknown ones included, are kept as they are.
 */
export function withDualWrite(env: Envelope, schemaVersion: 1 | 2): Envelope {
  const { phase: _phase, ...rest } = env;
  if (schemaVersion === 1) return { ...rest, schema_version: 1 };
  const phase = effectivePhase(env);
  return phase === undefined ? { ...rest, schema_version: 2 } : { ...rest, schema_version: 2, phase };
}
