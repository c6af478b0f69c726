/**
 * Agent handoff, the caller's side (spec/orchestration.md "Agent handoff"): an invoke that
 * states its deadline on the wire (`acp.deadline`, kept by every hop) and reports who answered,
 * and readers of the handoff frame of a stream.
 */
import type { HandoffPayload } from "../../generated/ts/types.js";
import { validatePayload } from "../../generated/ts/validators.js";
import { checked } from "../bus/checks.js";
import { errorFromReply, isErrorReply, resultOf } from "../bus/replies.js";
import type { Bus, InvokeOptions, StreamFrame, Validated } from "../bus/types.js";
import { DEFAULT_DEADLINE_MS, checkMs } from "./args.js";
import { chainOf, deadlineMetadata } from "./handoff-wire.js";
import type { HandoffAnswer } from "./handoff-types.js";

/**
 * Invokes `target` and resolves with the answer and the chain of targets that produced it
 * (`[target]` when nobody handed off). The deadline (`timeoutMs`, default 30,000) goes on the
 * request as `metadata["acp.deadline"]`, so every hop stops waiting when the caller does.
 * Rejects as `invoke` does: the answering agent's typed error, NO_HANDLER, AGENT_TIMEOUT, and
 * INVALID_REQUEST whose `handoffRefusal(err)` is `cycle` / `max_hops` for a refused hop.
 */
export async function invokeWithHandoff<Res = unknown>(
  bus: Bus,
  target: string,
  request: unknown,
  opts: InvokeOptions & Validated<Res> = {},
): Promise<HandoffAnswer<Res>> {
  const timeoutMs = checkMs("invokeWithHandoff", "opts.timeoutMs", opts.timeoutMs, DEFAULT_DEADLINE_MS);
  const reply = await bus.invokeEnvelope(target, request, {
    timeoutMs,
    signal: opts.signal,
    context: opts.context,
    metadata: { ...opts.metadata, ...deadlineMetadata(timeoutMs) },
  });
  if (isErrorReply(reply)) throw errorFromReply(reply);
  const raw = resultOf(reply);
  const value =
    opts.validate === undefined
      ? (raw as Res)
      : checked(opts.validate, raw, `the answer of invoke of ${JSON.stringify(target)}`, "the agent answered a value of another shape than the caller expects");
  const chain = chainOf(reply) ?? [target];
  return { value, chain, answeredBy: chain[chain.length - 1]!, hops: chain.length - 1 };
}

/** The handoff a stream frame shows (an `agent.handoff` event frame with a valid payload), else undefined. */
export function handoffFrameOf(frame: StreamFrame): HandoffPayload | undefined {
  if (frame.type !== "event" || frame.envelope.event_type !== "agent.handoff") return undefined;
  const payload: unknown = frame.envelope.payload;
  return validatePayload["agent.handoff"]?.(payload) === true ? (payload as HandoffPayload) : undefined;
}

/** The chain a stream's terminal frame (final or error) reports, else undefined (nobody handed off). */
export function answerChainOf(frame: StreamFrame): readonly string[] | undefined {
  return frame.type === "final" || frame.type === "error" ? chainOf(frame.envelope) : undefined;
}
