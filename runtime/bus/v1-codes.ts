/**
 * Error codes for schema_version 1 peers. Deployed SDKs (openagentio 0.3.0) know a closed list
 * of codes; the catalogue's `extension` codes (PERMISSION_DENIED, CANCELED) are unknown to them
 * (the deployed Go HTTP adapter answers PERMISSION_DENIED with HTTP 500). An error reply to a v1
 * request therefore carries the nearest deployed code, and the precise code in
 * `payload.cause["acp.code"]`, which deployed readers pass along without interpreting. Readers
 * here recover it. spec/errors.md "Extension codes and v1 peers".
 */
import type { Envelope, ErrorPayload } from "../../generated/ts/types.js";
import { ERROR_CODES, type ErrorCodeName } from "../../generated/ts/constants.js";

/** Where the precise code of a downgraded error travels: a key of `payload.cause`. */
export const PRECISE_CODE_KEY = "acp.code";

/** The nearest code a deployed (v1) peer knows, for each extension code. */
export const V1_NEAREST: Readonly<Record<string, ErrorCodeName>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ErrorCodeName>, {
    /** authenticated but not allowed: deployed peers only know "auth failed" (401, not retryable) */
    PERMISSION_DENIED: "AUTH_FAILURE",
    /** the work was stopped before it finished: to a deployed caller the agent could not do it */
    CANCELED: "AGENT_UNAVAILABLE",
  }),
);

function isExtension(code: string): boolean {
  return Object.hasOwn(ERROR_CODES, code) && ERROR_CODES[code as ErrorCodeName].extension;
}

/** True when `request` came from a schema_version 1 peer (no or an older schema_version). */
export function isV1Request(request: Envelope | undefined): boolean {
  if (request === undefined) return false;
  const v: unknown = request.schema_version;
  return typeof v !== "number" || v < 2;
}

/**
 * `payload` as a v1 peer can read it: an extension code becomes its nearest deployed code
 * (`retryable` kept), the precise one moves to `cause["acp.code"]`. Other payloads unchanged.
 */
export function forV1(payload: ErrorPayload): ErrorPayload {
  if (!isExtension(payload.code)) return payload;
  const nearest = V1_NEAREST[payload.code] ?? "AGENT_UNAVAILABLE";
  return { ...payload, code: nearest, cause: { ...(payload.cause ?? {}), [PRECISE_CODE_KEY]: payload.code } };
}

/** The precise code of an error payload: `cause["acp.code"]` when it names an extension code, else `code`. */
export function preciseCode(payload: { code: string; cause?: unknown }): string {
  const cause = payload.cause;
  if (cause !== null && typeof cause === "object" && !Array.isArray(cause) && Object.hasOwn(cause, PRECISE_CODE_KEY)) {
    const precise = (cause as Record<string, unknown>)[PRECISE_CODE_KEY];
    if (typeof precise === "string" && isExtension(precise)) return precise;
  }
  return payload.code;
}
