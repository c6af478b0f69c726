/**
 * What a client makes of a whole sequence of arriving frames: the outcome, the frames it
 * delivers, the concatenated delta text and the final result or error. The golden stream
 * samples record exactly this, and every language's conformance runner computes it.
 */
import type { Envelope } from "../../generated/ts/types.js";
import type { BackpressureDropError } from "../../generated/ts/errors.js";
import { StreamReassembler, type ReassemblerOptions } from "./reassembler.js";

/** completed: a final frame; error: an error frame; overflow: a bound was exceeded; incomplete: no terminal frame yet. */
export type StreamOutcomeKind = "completed" | "error" | "overflow" | "incomplete";

/** The reassembled view of a stream. */
export interface StreamOutcome {
  readonly outcome: StreamOutcomeKind;
  /** Frames handed to the consumer, in seq order. */
  readonly delivered: readonly Envelope[];
  /** Concatenation of every delivered delta's `payload.delta` string. */
  readonly text: string;
  /** For `completed`: the final payload's `result` when `{result}`-shaped, else the payload itself (null when absent). */
  readonly result?: unknown;
  /** For `error`: the error frame's payload code; for `overflow`: BACKPRESSURE_DROP. */
  readonly errorCode?: string;
  readonly overflow?: BackpressureDropError;
}

function isDelta(frame: Envelope): boolean {
  return frame.event_type === "agent.response.delta" || frame.frame_type === "response.delta";
}

function isErrorFrame(frame: Envelope): boolean {
  return frame.event_type === "agent.response.error" || frame.frame_type === "response.error";
}

/**
 * The value a final frame carries: deployed SDKs send either `{result: v}` or the bare value,
 * so a payload that is an object with exactly the key `result` unwraps; anything else is the value.
 */
export function finalValue(frame: Envelope): unknown {
  const payload: unknown = frame.payload;
  if (payload === undefined) return null;
  if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) {
    const keys = Object.keys(payload);
    if (keys.length === 1 && keys[0] === "result") return (payload as { result: unknown }).result;
  }
  return payload;
}

/** Feeds `frames` (in arrival order) through a fresh reassembler and reports the outcome. */
export function reassembleAll(frames: Iterable<Envelope>, opts: ReassemblerOptions = {}): StreamOutcome {
  const r = new StreamReassembler(opts);
  const delivered: Envelope[] = [];
  let overflow: BackpressureDropError | undefined;
  for (const frame of frames) {
    for (const step of r.push(frame)) {
      if (step.kind === "frame") delivered.push(step.envelope);
      else if (step.kind === "overflow") overflow = step.error;
    }
  }
  let text = "";
  for (const f of delivered) {
    const delta = isDelta(f) && f.payload !== null && typeof f.payload === "object" ? (f.payload as { delta?: unknown }).delta : undefined;
    if (typeof delta === "string") text += delta;
  }
  if (overflow !== undefined) return { outcome: "overflow", delivered, text, errorCode: overflow.code, overflow };
  const last = delivered.at(-1);
  if (!r.done || last === undefined) return { outcome: "incomplete", delivered, text };
  if (isErrorFrame(last)) {
    const code = last.payload !== null && typeof last.payload === "object" ? (last.payload as { code?: unknown }).code : undefined;
    return { outcome: "error", delivered, text, ...(typeof code === "string" ? { errorCode: code } : {}) };
  }
  return { outcome: "completed", delivered, text, result: finalValue(last) };
}
