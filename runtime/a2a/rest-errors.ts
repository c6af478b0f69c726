/**
 * Errors of the HTTP+JSON binding (A2A 1.0 section 11.6, AIP-193): the body is
 * `{"error": {code, status, message, details}}` with `code` the HTTP status, `status` the
 * google.rpc.Code name and `details` one `google.rpc.ErrorInfo` whose `reason` is the A2A reason
 * (domain `a2a-protocol.org`). An A2A error's HTTP status and status name come from A2A_ERRORS
 * (the one table every binding maps reasons through); another AcpError keeps its catalogue HTTP
 * status (PERMISSION_DENIED 403, BACKPRESSURE_DROP 429, ...) and carries its ACP code in the
 * ErrorInfo metadata.
 */
import { A2A_ERRORS, acpCodeToJsonRpc } from "../../generated/a2a/index.js";
import { AcpError } from "../../generated/ts/errors.js";
import { HttpError, statusOfCode } from "../gateway/errors.js";
import { A2A_ERROR_REASONS, A2aError } from "./errors.js";

/** The ErrorInfo domain A2A defines. */
export const A2A_ERROR_DOMAIN = "a2a-protocol.org";
/** The `@type` of a google.rpc.ErrorInfo detail. */
export const ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo";

/** One google.rpc.ErrorInfo detail as ProtoJSON. */
export interface RestErrorInfo {
  "@type": typeof ERROR_INFO_TYPE;
  reason: string;
  domain: typeof A2A_ERROR_DOMAIN;
  metadata?: Record<string, string>;
}

/** The AIP-193 error body. */
export interface RestErrorBody {
  error: { code: number; status: string; message: string; details: RestErrorInfo[] };
}

/** An error answer: HTTP status, extra headers, body. */
export interface RestErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: RestErrorBody;
}

/** google.rpc.Code names of the HTTP statuses a non-A2A error can have (the canonical HTTP mapping of google.rpc.Code). */
const STATUS_NAME: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  413: "INVALID_ARGUMENT",
  415: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

function info(reason: string, metadata?: Record<string, string>): RestErrorInfo {
  return { "@type": ERROR_INFO_TYPE, reason, domain: A2A_ERROR_DOMAIN, ...(metadata ? { metadata } : {}) };
}

function answer(status: number, statusName: string, message: string, detail: RestErrorInfo, headers: Record<string, string> = {}): RestErrorAnswer {
  return { status, headers, body: { error: { code: status, status: statusName, message, details: [detail] } } };
}

/**
 * The answer for anything thrown while serving a REST request. `status` overrides the HTTP
 * status (413 for a body over the limit).
 */
export function restErrorOf(err: unknown, status?: number): RestErrorAnswer {
  if (err instanceof HttpError) {
    const inner = restErrorOf(err.error, err.status);
    return { ...inner, headers: { ...err.headers } };
  }
  if (err instanceof A2aError) {
    const facts = A2A_ERROR_REASONS.get(err.reason);
    const http = status ?? facts?.httpStatus ?? 500;
    return answer(http, status === undefined ? (facts?.grpcStatus ?? "INTERNAL") : (STATUS_NAME[http] ?? "UNKNOWN"), err.message, info(err.reason));
  }
  if (err instanceof AcpError) {
    const reason = A2A_ERRORS[acpCodeToJsonRpc(err.code)]?.reason ?? "INTERNAL_ERROR";
    const http = status ?? statusOfCode(err.code);
    return answer(http, STATUS_NAME[http] ?? "UNKNOWN", err.message, info(reason, { acpCode: err.code }));
  }
  const http = status ?? 500;
  return answer(http, STATUS_NAME[http] ?? "INTERNAL", err instanceof Error ? err.message : "Internal error", info("INTERNAL_ERROR"));
}
