/**
 * Classifies a received stream frame into a {@link StreamFrame}. Deployed (schema_version 1)
 * writers send the handler's bare value as the payload: `delta("al")` is the payload `"al"`,
 * `started("thinking")` the payload `"thinking"`. A bare string delta surfaces as `delta`, any
 * other non-object delta payload as `data`, a non-object started payload as `meta`
 * (spec/bus.md "Frames from deployed writers"; golden/v1/*-bare-*.json).
 */
import type { Envelope } from "../../generated/ts/types.js";
import { isTerminal } from "../envelope/index.js";
import type { BareJson, StreamFrame } from "./types.js";

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A payload that is present and not an object (a deployed writer's bare value). */
function bare(value: unknown): value is BareJson {
  return value !== undefined && record(value) === undefined;
}

/** started / delta / final by event type (then frame type); any other event type is `event`. Not for error frames. */
export function toStreamFrame(env: Envelope, resultOf: (env: Envelope) => unknown): StreamFrame {
  const type = env.event_type;
  const frameType = env.frame_type;
  if (type === "agent.response.delta" || (frameType === "response.delta" && !type.startsWith("agent."))) {
    const payload: unknown = env.payload;
    if (bare(payload)) {
      return typeof payload === "string"
        ? { type: "delta", delta: payload, data: undefined, envelope: env }
        : { type: "delta", delta: undefined, data: payload, envelope: env };
    }
    const p = record(payload);
    return { type: "delta", delta: typeof p?.["delta"] === "string" ? p["delta"] : undefined, data: record(p?.["data"]), envelope: env };
  }
  if (type === "agent.response.started" || (frameType === "response.started" && !type.startsWith("agent."))) {
    const payload: unknown = env.payload;
    return { type: "started", meta: bare(payload) ? payload : record(record(payload)?.["meta"]), envelope: env };
  }
  if (type === "agent.response.final" || frameType === "response.final" || (isTerminal(env) && !type.startsWith("agent."))) {
    return { type: "final", result: resultOf(env), envelope: env };
  }
  return { type: "event", envelope: env };
}
