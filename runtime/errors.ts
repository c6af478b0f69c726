/**
 * Typed errors of the runtime: the generated catalogue classes (AcpError and
 * one subclass per code, generated/ts/errors.ts) and the mapping between an
 * error and the wire's ErrorPayload `{code, message, retryable, cause?}`
 * (spec/errors.md "ErrorPayload").
 */
import type { ErrorPayload } from "../generated/ts/types.js";
import type { ErrorCodeName } from "../generated/ts/constants.js";
import { ERROR_CODES } from "../generated/ts/constants.js";
import { AcpError, InvalidRequestError, errorFromCode } from "../generated/ts/errors.js";

export {
  AcpError,
  AgentTimeoutError,
  AgentUnavailableError,
  AuthFailureError,
  BackpressureDropError,
  CanceledError,
  CodecFailureError,
  InvalidRequestError,
  NoHandlerError,
  PermissionDeniedError,
  TransportFailureError,
  errorFromCode,
} from "../generated/ts/errors.js";
export type { AcpErrorOptions } from "../generated/ts/errors.js";
export type { ErrorCodeName, ErrorPayload };

/** Options of {@link toErrorPayload}. */
export interface ToErrorPayloadOptions {
  /** Code for errors that carry no catalogue code (default AGENT_UNAVAILABLE, as the bus uses for handler throws). */
  fallbackCode?: ErrorCodeName;
}

const MAX_CAUSE_DEPTH = 8;

/** True when `err` is an {@link AcpError}, optionally with the given code. */
export function isAcpError(err: unknown, code?: ErrorCodeName | (string & {})): err is AcpError {
  return err instanceof AcpError && (code === undefined || err.code === code);
}

/** True when `code` is in the error catalogue. */
export function isCatalogueCode(code: unknown): code is ErrorCodeName {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}

/**
 * The ErrorPayload for any thrown value. An {@link AcpError} keeps its code,
 * message and retryable; another Error whose `code` is a catalogue code (for
 * example a transport error) keeps that code and its boolean `retryable` if it
 * has one; anything else gets `fallbackCode` and its message. `cause` is the
 * error's `cause` as JSON data: plain objects as they are, Errors as
 * `{name, message, code?, cause?}`; left out when there is none.
 */
export function toErrorPayload(err: unknown, opts: ToErrorPayloadOptions = {}): ErrorPayload {
  const fallback = opts.fallbackCode ?? "AGENT_UNAVAILABLE";
  let code: string;
  let message: string;
  let retryable: boolean;
  if (err instanceof AcpError) {
    ({ code, message, retryable } = err);
  } else if (err instanceof Error) {
    const fields = err as Error & { code?: unknown; retryable?: unknown };
    const known = isCatalogueCode(fields.code);
    code = known ? (fields.code as ErrorCodeName) : fallback;
    message = err.message;
    retryable = known && typeof fields.retryable === "boolean" ? fields.retryable : defaultRetryable(code);
  } else {
    code = fallback;
    message = typeof err === "string" ? err : `non-error value thrown: ${safeString(err)}`;
    retryable = defaultRetryable(code);
  }
  const payload: ErrorPayload = { code, message, retryable };
  const cause = err instanceof Error ? causeData(err.cause, 0) : undefined;
  if (cause !== undefined) payload.cause = cause;
  return payload;
}

/**
 * The typed error for an ErrorPayload received from a peer: the catalogue
 * class for known codes (a plain AcpError for others), with the payload's
 * message and retryable, its `cause` as the error's cause, and the whole
 * payload in `details.payload`. A value that is not an ErrorPayload gives an
 * AGENT_UNAVAILABLE error saying so.
 */
export function errorFromPayload(payload: ErrorPayload | unknown): AcpError {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return errorFromCode("AGENT_UNAVAILABLE", `error reply without an ErrorPayload (got ${safeString(payload)})`, {
      details: { payload },
    });
  }
  const p = payload as Partial<Record<keyof ErrorPayload, unknown>>;
  const code = typeof p.code === "string" && p.code !== "" ? p.code : "AGENT_UNAVAILABLE";
  const message = typeof p.message === "string" ? p.message : `${code} (no message)`;
  return errorFromCode(code, message, {
    ...(typeof p.retryable === "boolean" ? { retryable: p.retryable } : {}),
    ...(p.cause === undefined ? {} : { cause: p.cause }),
    details: { payload },
  });
}

/**
 * The one error for a programmer mistake (a bad option or argument) anywhere in
 * the runtime: an INVALID_REQUEST error naming the API, the field, what was
 * expected and what came, with `details: {api, field, value, expected}`.
 */
export function invalidArgument(api: string, field: string, value: unknown, expected: string): InvalidRequestError {
  const shown = typeof value === "string" ? JSON.stringify(value) : safeString(value);
  return new InvalidRequestError(`${api}: ${field} must be ${expected}, got ${shown}`, {
    details: { api, field, value, expected },
  });
}

function defaultRetryable(code: string): boolean {
  return isCatalogueCode(code) ? ERROR_CODES[code].retryable : false;
}

/** JSON data describing a cause, or undefined when there is nothing to say. */
function causeData(cause: unknown, depth: number): Record<string, unknown> | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (depth >= MAX_CAUSE_DEPTH) return { message: "(cause chain truncated)" };
  if (cause instanceof Error) {
    const out: Record<string, unknown> = { name: cause.name, message: cause.message };
    const code = (cause as Error & { code?: unknown }).code;
    if (typeof code === "string" || typeof code === "number") out["code"] = code;
    const inner = causeData(cause.cause, depth + 1);
    if (inner !== undefined) out["cause"] = inner;
    return out;
  }
  if (typeof cause === "object" && !Array.isArray(cause)) {
    try {
      // a JSON round trip keeps exactly what can travel (drops functions, undefined)
      const data: unknown = JSON.parse(JSON.stringify(cause));
      if (data !== null && typeof data === "object" && !Array.isArray(data)) return data as Record<string, unknown>;
    } catch {
      // cycles, bigint: fall through to a string rendering
    }
  }
  return { message: safeString(cause) };
}

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}
