/**
 * timeout: bounds the time of one handling (inbound) or one send (outbound, `invoke`
 * and `stream` requests). When time is up the result is AGENT_TIMEOUT (retryable) and
 * the signal passed down aborts, so the handler or the pending call stops too.
 * spec/middleware.md "timeout".
 */
import { AgentTimeoutError } from "../../generated/ts/errors.js";
import type { InboundKind, InboundMiddleware, InboundResult, OutboundKind, OutboundMiddleware, OutboundResult } from "../bus/types.js";
import { invalidArgument } from "../errors.js";
import type { MiddlewarePair } from "./compose.js";

/** Options of {@link timeout}. */
export interface TimeoutOptions {
  /** Longest handling of one inbound envelope, ms. */
  ms: number;
  /** Longest outbound call, ms (default `ms`). For `invoke` the bus's own reply timeout is lowered to it too. */
  outboundMs?: number;
  /** Inbound kinds bounded (default all). */
  inboundKinds?: readonly InboundKind[];
  /** Outbound kinds bounded (default `invoke`). */
  outboundKinds?: readonly OutboundKind[];
}

function checkMs(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw invalidArgument("timeout", name, ms, "a positive number of ms");
  return ms;
}

/**
 * Races `run(signal)` against a timer. The signal given to `run` aborts when `parent`
 * aborts or time is up. Once time is up the outcome is `onTimeout()`, whatever `run`
 * does afterwards (it usually fails with CANCELED from the abort). No timer outlives it.
 */
async function race<T>(ms: number, parent: AbortSignal | undefined, onTimeout: () => T, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const signal = parent === undefined ? controller.signal : AbortSignal.any([parent, controller.signal]);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve(undefined);
      controller.abort(new AgentTimeoutError(`timed out after ${ms} ms`));
    }, ms);
  });
  try {
    const value = await Promise.race([run(signal), expired]);
    return timedOut ? onTimeout() : (value as T);
  } catch (err: unknown) {
    if (timedOut) return onTimeout();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Inbound and outbound timeout middleware. */
export function timeout(opts: TimeoutOptions): MiddlewarePair {
  const inMs = checkMs("ms", opts.ms);
  const outMs = checkMs("outboundMs", opts.outboundMs ?? opts.ms);
  const inKinds = new Set<InboundKind>(opts.inboundKinds ?? ["event", "invoke", "stream"]);
  const outKinds = new Set<OutboundKind>(opts.outboundKinds ?? ["invoke"]);

  const inbound: InboundMiddleware =
    (next) =>
    (env, ctx): Promise<InboundResult> => {
      if (!inKinds.has(ctx.kind)) return next(env, ctx);
      return race<InboundResult>(
        inMs,
        ctx.signal,
        () => ({
          kind: "error",
          error: new AgentTimeoutError(`handling ${env.event_type} ${env.event_id} took longer than ${inMs} ms`, { details: { timeoutMs: inMs } }),
        }),
        (signal) => next(env, { ...ctx, signal }),
      );
    };

  const outbound: OutboundMiddleware =
    (next) =>
    (env, call): Promise<OutboundResult> => {
      if (!outKinds.has(call.kind)) return next(env, call);
      const timeoutMs = call.timeoutMs === undefined ? outMs : Math.min(call.timeoutMs, outMs);
      return race<OutboundResult>(
        timeoutMs,
        call.signal,
        () => {
          throw new AgentTimeoutError(`${call.kind} to ${call.subject} took longer than ${timeoutMs} ms`, { details: { timeoutMs } });
        },
        (signal) => next(env, { ...call, signal, timeoutMs }),
      );
    };

  return { inbound, outbound };
}
