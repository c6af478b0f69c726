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
 * The result a final reply or frame carries: deployed SDKs send either `{result: v}` or the
 * bare value, so a payload that is an object whose only own key is `result` unwraps to `v`;
 * anything else is the value itself (`undefined` when there is no payload). On the bus's
 * invoke path, hence no key array.
 */
export function resultOf(env: Envelope): unknown {
  const payload: unknown = env.payload;
  if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) {
    let only = true;
    let seen = false;
    for (const key in payload) {
      if (!Object.hasOwn(payload, key)) continue;
      if (key === "result" && !seen) seen = true;
      else {
        only = false;
        break;
      }
    }
    if (seen && only) return (payload as { result: unknown }).result;
  }
  return payload;
}

/** {@link resultOf} as the golden stream samples record it: null when the final frame has no payload. */
export function finalValue(frame: Envelope): unknown {
  return frame.payload === undefined ? null : resultOf(frame);
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
