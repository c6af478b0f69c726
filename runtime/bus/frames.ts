/**
 * Classifies a received stream frame into a {@link StreamFrame}. Deployed (schema_version 1)
 * writers send the handler's bare value as the payload: `delta("al")` is the payload `"al"`,
 * `started("thinking")` the payload `"thinking"`. A bare string delta surfaces as `delta`, any
 * other non-object delta payload as `data`, a non-object started payload as `meta`. They also
 * send objects as given: `started({"model": "m1"})` is the payload `{"model":"m1"}` (not
 * `{"meta": …}`), `delta({"tokens": 2})` is `{"tokens":2}` (not `{"delta", "data"}`). From a
 * schema_version 1 frame, a non-empty started object without `meta` surfaces as `meta`, a
 * non-empty delta object with neither `delta` nor `data` as `data`, so nothing is lost
 * (spec/bus.md "Frames from deployed writers"; golden/v1/*-bare-*.json, *-object-*.json).
 */
import type { Envelope } from "../../generated/ts/types.js";
import { isTerminal } from "../envelope/index.js";
import type { BareJson, StreamFrame } from "./types.js";
import { isV1Request } from "./v1-codes.js";

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A payload that is present and not an object (a deployed writer's bare value). */
function bare(value: unknown): value is BareJson {
  return value !== undefined && record(value) === undefined;
}

/** True when `obj` has an own key and none of `standard` (an object a v1 writer sent as given). */
function unshaped(obj: Record<string, unknown>, standard: readonly string[]): boolean {
  let keys = 0;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (standard.includes(key)) return false;
    keys++;
  }
  return keys > 0;
}

const DELTA_KEYS: readonly string[] = ["delta", "data"];
const STARTED_KEYS: readonly string[] = ["meta"];

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
    if (p !== undefined && isV1Request(env) && unshaped(p, DELTA_KEYS)) return { type: "delta", delta: undefined, data: p, envelope: env };
    return { type: "delta", delta: typeof p?.["delta"] === "string" ? p["delta"] : undefined, data: record(p?.["data"]), envelope: env };
  }
  if (type === "agent.response.started" || (frameType === "response.started" && !type.startsWith("agent."))) {
    const payload: unknown = env.payload;
    if (bare(payload)) return { type: "started", meta: payload, envelope: env };
    const p = record(payload);
    if (p !== undefined && isV1Request(env) && unshaped(p, STARTED_KEYS)) return { type: "started", meta: p, envelope: env };
    return { type: "started", meta: record(p?.["meta"]), envelope: env };
  }
  if (type === "agent.response.final" || frameType === "response.final" || (isTerminal(env) && !type.startsWith("agent."))) {
    return { type: "final", result: resultOf(env), envelope: env };
  }
  return { type: "event", envelope: env };
}
