/**
 * Public types of the orchestration scenes on the bus (spec/orchestration.md): fan-out /
 * fan-in with {@link ParallelOptions}, merged streams with {@link MergeOptions}.
 */
import type { AcpError } from "../../generated/ts/errors.js";
import type { PayloadCheck } from "../bus/checks.js";
import type { ContextFields, StreamFrame } from "../bus/types.js";

/** How {@link ParallelResult.ok} is decided and when the fan-out stops early. */
export type ParallelMode = "all" | "any" | "quorum";

/** One call of a fan-out: a target and its request. */
export interface ParallelCall<Res = unknown> {
  /** The target to invoke (an agent id, or dotted like `openclaw.chat`). */
  readonly target: string;
  /** The request payload. */
  readonly request: unknown;
  /**
   * `invoke` (default): a request-reply; a canceled call stops waiting at once, but the bus has
   * no invoke cancel on the wire, so the handler runs to its end (its late reply is dropped).
   * `stream`: sent as a stream request, its final frame is the value; a canceled call sends
   * `agent.stream.cancel`, which aborts the handler's signal (spec/bus.md "Stream cancellation
   * (extension)"). Both kinds of handler answer both.
   */
  readonly via?: "invoke" | "stream";
  /** This call's own time limit, ms (never past the overall deadline). */
  readonly timeoutMs?: number;
  /** Explicit context fields of this call's request. */
  readonly context?: ContextFields;
  /** Metadata of this call's request. */
  readonly metadata?: Record<string, unknown>;
  /** Checks this call's result (overrides {@link ParallelOptions.validate}); a failure is the call's INVALID_REQUEST. */
  readonly validate?: PayloadCheck<Res>;
}

/** Options of {@link parallel}. */
export interface ParallelOptions<Res = unknown> {
  /** `all` (default): every call's outcome; `any`: the first success wins; `quorum`: `quorum` successes win. */
  readonly mode?: ParallelMode;
  /** With `mode: "quorum"`: how many successes are needed, 1..calls.length. */
  readonly quorum?: number;
  /** Most calls in flight at once; the others wait their turn in input order. Default: all of them. */
  readonly concurrency?: number;
  /** One deadline for the whole fan-out, ms. Default 30,000. */
  readonly timeoutMs?: number;
  /** Aborts the whole fan-out: calls in flight are canceled, the result's error is CANCELED. */
  readonly signal?: AbortSignal;
  /** Checks every call's result (a call's own `validate` wins). */
  readonly validate?: PayloadCheck<Res>;
  /**
   * Called once per call as its outcome is known (settled, canceled or cut by the deadline), in
   * that order: to show progress. A throw from it is ignored (the fan-out goes on).
   */
  readonly onOutcome?: (outcome: CallOutcome<Res>) => void;
}

/** What became of one call. */
export type CallOutcome<Res = unknown> =
  | { readonly index: number; readonly target: string; readonly ok: true; readonly value: Res }
  | { readonly index: number; readonly target: string; readonly ok: false; readonly error: AcpError };

/** A call that did not run to its end: `started` false when it never left the queue. */
export interface CanceledCall {
  readonly index: number;
  readonly target: string;
  readonly started: boolean;
}

/** What {@link parallel} resolves with. */
export interface ParallelResult<Res = unknown> {
  /** The mode's goal was met: all succeeded (`all`), one did (`any`), `quorum` did (`quorum`). */
  readonly ok: boolean;
  /**
   * Why the goal was not met (undefined when `ok`): AGENT_TIMEOUT for the deadline, CANCELED
   * for the caller's signal, else the error of the failure that made the goal unreachable.
   */
  readonly error: AcpError | undefined;
  /** One outcome per call, in input order. A canceled call's error is CANCELED; one cut by the deadline, AGENT_TIMEOUT. */
  readonly outcomes: readonly CallOutcome<Res>[];
  /** The calls stopped before their own end (losers of `any` / `quorum`, the deadline, the caller's signal), in input order. */
  readonly canceled: readonly CanceledCall[];
  /** Number of successful outcomes. */
  readonly succeeded: number;
  /** Most calls that were in flight at once. */
  readonly maxInFlight: number;
}

/** One stream of a merge: like a {@link ParallelCall} without `via` (always a stream). */
export interface MergeCall {
  readonly target: string;
  readonly request: unknown;
  readonly context?: ContextFields;
  readonly metadata?: Record<string, unknown>;
}

/** Options of {@link mergeStreams}. */
export interface MergeOptions {
  /** One deadline for every stream, ms: streams still open then end with an AGENT_TIMEOUT error frame. Default 30,000. */
  readonly timeoutMs?: number;
  /** Longest silence of one stream, ms (the bus default when absent). */
  readonly idleTimeoutMs?: number;
  /** Aborts every stream; iteration then ends with CANCELED error frames (or throws it with `failFast`). */
  readonly signal?: AbortSignal;
  /**
   * Frames queued for a slow consumer, at most this many (plus the one frame each stream holds
   * while it waits for room); a stream stops reading while the queue is full. Default 256.
   */
  readonly maxBuffered?: number;
  /**
   * false (default): a stream's failure is an `error` frame of that target, the others go on.
   * true: the first failure cancels every stream and the iteration throws it.
   */
  readonly failFast?: boolean;
}

/** One frame of a merged stream, tagged with its call. */
export interface MergedFrame {
  readonly index: number;
  readonly target: string;
  readonly frame: StreamFrame;
}

/** A running merge: iterate it once; `close()` (or breaking out) cancels every stream still open. */
export interface MergedStreams extends AsyncIterable<MergedFrame>, AsyncDisposable {
  /** Cancels every open stream and waits until each has ended. Idempotent. */
  close(): Promise<void>;
}
