/**
 * Helpers shared by the middleware in this folder (not exported from index.ts):
 * turning anything thrown into a catalogue {@link AcpError} (or an `error` result), copying an envelope with
 * extra metadata, and abortable sleeps.
 */
import type { Envelope } from "../../generated/ts/types.js";
import type { InboundContext, InboundHandler, InboundResult } from "../bus/types.js";
import type { ErrorCodeName } from "../../generated/ts/constants.js";
import { AcpError, CanceledError, errorFromCode } from "../../generated/ts/errors.js";

/** Has a string `code` and boolean `retryable` (TransportError and friends). */
function isCodedError(err: unknown): err is Error & { code: string; retryable: boolean } {
  if (!(err instanceof Error)) return false;
  const { code, retryable } = err as Error & { code?: unknown; retryable?: unknown };
  return typeof code === "string" && typeof retryable === "boolean" && /^[A-Z][A-Z0-9_]*$/.test(code);
}

/**
 * Anything thrown as an {@link AcpError}: AcpErrors as they are; errors with a catalogue
 * `code` and `retryable` (TransportError) keep both; anything else becomes `fallback`
 * (default AGENT_UNAVAILABLE, as the bus reports handler throws) with its catalogue
 * `retryable`.
 */
export function toAcpError(err: unknown, fallback: ErrorCodeName = "AGENT_UNAVAILABLE"): AcpError {
  if (err instanceof AcpError) return err;
  if (isCodedError(err)) return errorFromCode(err.code, err.message, { retryable: err.retryable, cause: err });
  const message = err instanceof Error ? err.message : `non-error value thrown: ${describe(err)}`;
  return errorFromCode(fallback, message || "handler failed", { cause: err });
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null || typeof value !== "object") return String(value);
  return Object.prototype.toString.call(value);
}

/** The result of `next(env, ctx)`, a throw turned into an `error` result (as the bus would turn it). */
export async function handled(next: InboundHandler, env: Envelope, ctx: InboundContext): Promise<InboundResult> {
  try {
    return await next(env, ctx);
  } catch (thrown: unknown) {
    return { kind: "error", error: toAcpError(thrown) };
  }
}

/** The same error with extra `details` (AcpError fields are read-only, so a copy). */
export function withDetails(err: AcpError, extra: Readonly<Record<string, unknown>>): AcpError {
  const copy = errorFromCode(err.code, err.message, {
    retryable: err.retryable,
    cause: err.cause,
    details: { ...err.details, ...extra },
  });
  if (err.stack !== undefined) copy.stack = err.stack;
  return copy;
}

/** A shallow copy of `env` whose metadata has `extra` on top. */
export function withMetadata(env: Envelope, extra: Readonly<Record<string, unknown>>): Envelope {
  const metadata = env.metadata;
  return { ...env, metadata: metadata === undefined ? { ...extra } : { ...metadata, ...extra } };
}

/** The CANCELED error for an aborted signal (its reason when that is already an AcpError). */
export function abortError(signal: AbortSignal, what: string): AcpError {
  const reason: unknown = signal.reason;
  if (reason instanceof AcpError) return reason;
  return new CanceledError(`${what} canceled`, { cause: reason });
}

/** Resolves after `ms`, or rejects with CANCELED as soon as `signal` aborts. Leaves no timer behind. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, "wait"));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal, "wait"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `env.to`, else the last token of an invoke subject (`{p}[.{tenant}].invoke.{target}`), else undefined. */
export function targetOf(env: Envelope, subject: string | undefined): string | undefined {
  if (typeof env.to === "string" && env.to !== "") return env.to;
  if (subject === undefined) return undefined;
  const at = subject.lastIndexOf(".invoke.");
  return at < 0 ? undefined : subject.slice(at + ".invoke.".length);
}
