/** Classifies a received stream frame into a {@link StreamFrame}. */
import type { Envelope } from "../../generated/ts/types.js";
import { isTerminal } from "../envelope/index.js";
import type { StreamFrame } from "./types.js";

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** started / delta / final by event type (then frame type); any other event type is `event`. Not for error frames. */
export function toStreamFrame(env: Envelope, resultOf: (env: Envelope) => unknown): StreamFrame {
  const type = env.event_type;
  const frameType = env.frame_type;
  if (type === "agent.response.delta" || (frameType === "response.delta" && !type.startsWith("agent."))) {
    const p = record(env.payload);
    return { type: "delta", delta: typeof p?.["delta"] === "string" ? p["delta"] : undefined, data: record(p?.["data"]), envelope: env };
  }
  if (type === "agent.response.started" || (frameType === "response.started" && !type.startsWith("agent."))) {
    return { type: "started", meta: record(record(env.payload)?.["meta"]), envelope: env };
  }
  if (type === "agent.response.final" || frameType === "response.final" || (isTerminal(env) && !type.startsWith("agent."))) {
    return { type: "final", result: resultOf(env), envelope: env };
  }
  return { type: "event", envelope: env };
}
