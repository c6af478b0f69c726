/**
 * Public types of agent handoff (spec/orchestration.md "Agent handoff"): what the handing-off
 * handler passes ({@link HandoffOptions}), what the caller gets back ({@link HandoffAnswer}),
 * and the `agent.handoff` payload ({@link HandoffPayload}, generated from
 * schema/payloads/handoff.schema.json).
 */
import type { HandoffPayload } from "../../generated/ts/types.js";
import type { PayloadCheck } from "../bus/checks.js";

export type { HandoffPayload };

/** Options of `handoff` (invoke handlers) and `handoffStream` (stream handlers). */
export interface HandoffOptions<Res = unknown> {
  /**
   * Explicit state for the new agent: a JSON object (at most {@link MAX_STATE_BYTES} bytes as
   * JSON). It travels in `metadata["acp.handoff"].state` of the request to the new target,
   * never to the caller.
   */
  readonly state?: Record<string, unknown>;
  /** Why the conversation is handed off (the new agent, the caller's handoff frame and logs see it). At most 4,096 characters. */
  readonly reason?: string;
  /** The request the new agent gets. Default: the payload of the request being handled. */
  readonly request?: unknown;
  /**
   * Most hops of the conversation, 1..64 (default 8). The first handoff sets it and every
   * later hop keeps it or lowers it (`max_hops` of the payload): a hop past it is refused.
   */
  readonly maxHops?: number;
  /**
   * ms the handing-off agent waits for the new one. Never past the caller's deadline
   * (`acp.deadline`, or the deadline of an earlier hop). Without a deadline on the request:
   * the default 30,000 ms, which becomes the deadline of every later hop.
   */
  readonly timeoutMs?: number;
  /** Metadata of the request to the new target, over the handled request's (keys starting `acp.` are refused). */
  readonly metadata?: Record<string, unknown>;
  /** `handoff` only: checks the new agent's answer (a failure is INVALID_REQUEST), as `invoke`'s `validate`. */
  readonly validate?: PayloadCheck<Res>;
}

/** What `invokeWithHandoff` resolves with: the answer, and who gave it. */
export interface HandoffAnswer<Res = unknown> {
  /** The answer of the agent that answered last. */
  readonly value: Res;
  /** The targets the conversation passed through, from the one invoked to the one that answered. */
  readonly chain: readonly string[];
  /** The target that answered: the last of {@link chain}. */
  readonly answeredBy: string;
  /** Handoffs that happened: `chain.length - 1`. */
  readonly hops: number;
}

/** Why a handoff was refused (`cause["acp.handoff"]` of its INVALID_REQUEST error). */
export type HandoffRefusal = "cycle" | "max_hops";
