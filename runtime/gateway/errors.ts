/**
 * Errors at the HTTP edge, in one place (spec/gateway.md "Errors"): every
 * error answer is a JSON ErrorPayload `{code, message, retryable, cause?}` with the
 * catalogue's HTTP status (AUTH 401, PERMISSION 403, INVALID 400, NO_HANDLER 404,
 * TIMEOUT 504, UNAVAILABLE/TRANSPORT 502, BACKPRESSURE 429, CODEC 500, CANCELED 499).
 * HTTP-level refusals keep a catalogue code but use their HTTP status: 413 (body too
 * large), 415 (content type), 410 (stream no longer retained), 405/404 (no such route).
 */
import type { ErrorPayload } from "../../generated/ts/types.js";
import { ERROR_CODES } from "../../generated/ts/constants.js";
import { AcpError, InvalidRequestError, NoHandlerError, errorFromCode } from "../../generated/ts/errors.js";
import { toErrorPayload } from "../errors.js";

/** An AcpError with the HTTP status and headers to answer it with. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly status: number;
  readonly error: AcpError;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, error: AcpError, headers: Readonly<Record<string, string>> = {}) {
    super(error.message, { cause: error });
    this.status = status;
    this.error = error;
    this.headers = headers;
  }
}

/** The HTTP status of a catalogue code (500 for codes this runtime does not know). */
export function statusOfCode(code: string): number {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as keyof typeof ERROR_CODES].httpStatus : 500;
}

/** What to answer: status, extra headers and the ErrorPayload body. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: ErrorPayload;
}

/** The ErrorPayload of an AcpError, with `details.pointer` (and friends) carried in `cause`. */
export function errorBody(error: AcpError): ErrorPayload {
  const body = toErrorPayload(error);
  const details = error.details;
  if (details !== undefined) {
    const cause: Record<string, unknown> = { ...(body.cause ?? {}) };
    for (const key of ["pointer", "expected", "got", "target", "retryAfterMs", "timeoutMs", "scope"] as const) {
      if (details[key] !== undefined) cause[key] = details[key];
    }
    if (Object.keys(cause).length > 0) body.cause = cause;
  }
  return body;
}

/** Maps anything thrown while serving a request to the answer (fastify's own errors included). */
export function toErrorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof HttpError) {
    return { status: err.status, headers: { ...err.headers }, body: errorBody(err.error) };
  }
  const fastify = fastifyError(err);
  if (fastify !== undefined) return { status: fastify.status, headers: {}, body: errorBody(fastify.error) };
  const error =
    err instanceof AcpError ? err : errorFromCode("AGENT_UNAVAILABLE", err instanceof Error ? err.message : String(err), { retryable: false, cause: err });
  const headers: Record<string, string> = {};
  const retryAfterMs = error.details?.["retryAfterMs"];
  if (error.code === "BACKPRESSURE_DROP" || error.code === "AGENT_UNAVAILABLE") {
    if (typeof retryAfterMs === "number" && retryAfterMs >= 0) headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
  return { status: statusOfCode(error.code), headers, body: errorBody(error) };
}

/** fastify's request errors (body parsing, limits, media types) as catalogue errors. */
function fastifyError(err: unknown): { status: number; error: AcpError } | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as Error & { code?: unknown }).code;
  switch (code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, error: new InvalidRequestError(`request body is larger than the limit: ${err.message}`, { details: { pointer: "" } }) };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return {
        status: 415,
        error: new InvalidRequestError("unsupported content type: send application/json (or application/*+json)", { details: { pointer: "" } }),
      };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, error: new InvalidRequestError(err.message, { details: { pointer: "" } }) };
    case "FST_ERR_NOT_FOUND":
      return { status: 404, error: new NoHandlerError(err.message) };
    default: {
      const status = (err as Error & { statusCode?: unknown }).statusCode;
      if (typeof status === "number" && status >= 400 && status < 500 && typeof code === "string" && code.startsWith("FST_")) {
        return { status, error: new InvalidRequestError(err.message) };
      }
      return undefined;
    }
  }
}
