/**
 * retry: runs the handling (inbound) or the send (outbound) again while it fails with a
 * retryable error (the catalogue's `retryable`, as carried by the AcpError), waiting
 * between attempts as a backoff policy says. Every attempt's envelope carries
 * `metadata["acp.retry.attempt"]` (1-based). The last error leaves with
 * `details.attempts`, which dead-letter reads. spec/middleware.md "retry".
 */
import { MetadataKey } from "../../generated/ts/constants.js";
import type { AcpError } from "../../generated/ts/errors.js";
import type { InboundKind, InboundMiddleware, InboundResult, OutboundKind, OutboundMiddleware, OutboundResult } from "../bus/types.js";
import { invalidArgument } from "../errors.js";
import type { MiddlewarePair } from "./compose.js";
import { handled, sleep, toAcpError, withDetails, withMetadata } from "./internal.js";

/**
 * Delay before the next attempt, ms, after `attempt` (1-based) failed with `error`;
 * `undefined` stops retrying.
 */
export type BackoffPolicy = (attempt: number, error: AcpError) => number | undefined;

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** Delay after the first failure, ms (default 100). */
  initialMs?: number;
  /** Cap on any delay, ms (default 10,000). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /**
   * `full` (default): uniform in [0, d]; `equal`: d/2 + uniform in [0, d/2]; `none`: d.
   * (AWS Architecture Blog, "Exponential Backoff And Jitter".)
   */
  jitter?: "full" | "equal" | "none";
  /** Source of randomness in [0, 1) (default Math.random). */
  random?: () => number;
}

/** The same delay after every failure. */
export function fixedBackoff(ms: number): BackoffPolicy {
  if (!(ms >= 0)) throw invalidArgument("fixedBackoff", "ms", ms, "a number of ms >= 0");
  return () => ms;
}

/** initialMs · factor^(attempt-1), capped at maxMs, with jitter. */
export function exponentialBackoff(opts: ExponentialBackoffOptions = {}): BackoffPolicy {
  const initialMs = opts.initialMs ?? 100;
  const maxMs = opts.maxMs ?? 10_000;
  const factor = opts.factor ?? 2;
  const jitter = opts.jitter ?? "full";
  const random = opts.random ?? Math.random;
  if (!(initialMs >= 0)) throw invalidArgument("exponentialBackoff", "initialMs", initialMs, "a number of ms >= 0");
  if (!(maxMs >= 0)) throw invalidArgument("exponentialBackoff", "maxMs", maxMs, "a number of ms >= 0");
  if (!(factor >= 1)) throw invalidArgument("exponentialBackoff", "factor", factor, "a number >= 1");
  return (attempt) => {
    const d = Math.min(maxMs, initialMs * factor ** (attempt - 1));
    if (jitter === "none") return d;
    if (jitter === "equal") return d / 2 + random() * (d / 2);
    return random() * d;
  };
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Delay policy (default {@link exponentialBackoff} with its defaults). */
  backoff?: BackoffPolicy;
  /** Decides whether an error is worth another attempt (default: `error.retryable`; CANCELED never). */
  retryable?: (error: AcpError) => boolean;
  /** Inbound kinds retried (default event and invoke; a stream handler may have written frames already). */
  inboundKinds?: readonly InboundKind[];
  /** Outbound kinds retried (default invoke: a publish fails only locally, and stamping every publish would be noise). */
  outboundKinds?: readonly OutboundKind[];
  /** Told before each new attempt (for logs and metrics). */
  onRetry?: (info: { attempt: number; delayMs: number; error: AcpError }) => void;
}

function defaultRetryable(error: AcpError): boolean {
  return error.retryable && error.code !== "CANCELED";
}

/** Inbound and outbound retry middleware. */
export function retry(opts: RetryOptions = {}): MiddlewarePair {
  const maxAttempts = opts.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw invalidArgument("retry", "maxAttempts", maxAttempts, "an integer >= 1");
  const backoff = opts.backoff ?? exponentialBackoff();
  const retryable = opts.retryable ?? defaultRetryable;
  const inKinds = new Set<InboundKind>(opts.inboundKinds ?? ["event", "invoke"]);
  const outKinds = new Set<OutboundKind>(opts.outboundKinds ?? ["invoke"]);
  const onRetry = opts.onRetry;

  /** The delay before another attempt, or undefined to stop. */
  function nextDelay(attempt: number, error: AcpError, signal: AbortSignal | undefined): number | undefined {
    if (attempt >= maxAttempts || signal?.aborted === true || !retryable(error)) return undefined;
    const delayMs = backoff(attempt, error);
    if (delayMs === undefined) return undefined;
    onRetry?.({ attempt: attempt + 1, delayMs, error });
    return delayMs;
  }

  const inbound: InboundMiddleware =
    (next) =>
    async (env, ctx): Promise<InboundResult> => {
      if (!inKinds.has(ctx.kind)) return next(env, ctx);
      for (let attempt = 1; ; attempt++) {
        const result = await handled(next, withMetadata(env, { [MetadataKey.RETRY_ATTEMPT]: attempt }), ctx);
        if (result.kind !== "error") return result;
        const delayMs = nextDelay(attempt, result.error, ctx.signal);
        if (delayMs === undefined) return { kind: "error", error: withDetails(result.error, { attempts: attempt }) };
        try {
          await sleep(delayMs, ctx.signal);
        } catch {
          return { kind: "error", error: withDetails(result.error, { attempts: attempt }) };
        }
      }
    };

  const outbound: OutboundMiddleware =
    (next) =>
    async (env, call): Promise<OutboundResult> => {
      if (!outKinds.has(call.kind)) return next(env, call);
      for (let attempt = 1; ; attempt++) {
        try {
          return await next(withMetadata(env, { [MetadataKey.RETRY_ATTEMPT]: attempt }), call);
        } catch (thrown: unknown) {
          const error = toAcpError(thrown);
          const delayMs = nextDelay(attempt, error, call.signal);
          if (delayMs === undefined) throw withDetails(error, { attempts: attempt });
          try {
            await sleep(delayMs, call.signal);
          } catch (canceled: unknown) {
            // the caller gave up while we waited: CANCELED, as the bus reports an aborted call
            throw withDetails(toAcpError(canceled), { attempts: attempt, lastErrorCode: error.code });
          }
        }
      }
    };

  return { inbound, outbound };
}
