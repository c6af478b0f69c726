/**
 * The bridge's typed error, protocol-neutral: an {@link AcpError} that carries why an A2A
 * operation failed as a {@link A2aErrorReason} (the google.rpc.ErrorInfo reasons A2A 1.0
 * defines, the same for every binding). A binding turns the reason into its own code: the
 * JSON-RPC binding in jsonrpc.ts (TaskNotFoundError -32001 …); gRPC and HTTP+JSON bindings add
 * their own mapping of the same reasons. The ACP code comes from schema/a2a/mapping.json
 * (`acp_code`).
 */
import { AcpError } from "../../generated/ts/errors.js";
import type { ErrorCodeName } from "../../generated/ts/constants.js";
import { A2A_ERRORS, type A2aErrorInfo } from "../../generated/a2a/index.js";

/** Why an A2A operation failed, independent of the binding that carries it (spec/a2a.md "Errors"). */
export type A2aErrorReason =
  | "PARSE_ERROR"
  | "INVALID_REQUEST"
  | "METHOD_NOT_FOUND"
  | "INVALID_PARAMS"
  | "INTERNAL_ERROR"
  | "TASK_NOT_FOUND"
  | "TASK_NOT_CANCELABLE"
  | "PUSH_NOTIFICATION_NOT_SUPPORTED"
  | "UNSUPPORTED_OPERATION"
  | "CONTENT_TYPE_NOT_SUPPORTED"
  | "INVALID_AGENT_RESPONSE"
  | "EXTENDED_AGENT_CARD_NOT_CONFIGURED"
  | "EXTENSION_SUPPORT_REQUIRED"
  | "VERSION_NOT_SUPPORTED";

/** Every {@link A2aErrorReason}, with its facts from the mapping (name, ACP code, default message). */
export const A2A_ERROR_REASONS: ReadonlyMap<A2aErrorReason, A2aErrorInfo> = new Map(
  Object.values(A2A_ERRORS).map((info: A2aErrorInfo) => [info.reason as A2aErrorReason, info]),
);

/** What a peer's binding sent for an error a client received (absent on errors raised here). */
export interface A2aWireError {
  readonly binding: "jsonrpc";
  /** The binding's own code (a JSON-RPC error code). */
  readonly code: number;
  /** The binding's error data, if any. */
  readonly data?: unknown;
}

/** Options of {@link A2aError}. */
export interface A2aErrorOptions {
  cause?: unknown;
  wire?: A2aWireError;
}

/** An A2A protocol error: `reason` says why, `code` is the ACP catalogue code. */
export class A2aError extends AcpError {
  readonly reason: A2aErrorReason;
  /** What the peer's binding sent, for an error received from a remote agent. */
  readonly wire: A2aWireError | undefined;

  constructor(reason: A2aErrorReason, message?: string, options: A2aErrorOptions = {}) {
    const info = A2A_ERROR_REASONS.get(reason);
    const code: ErrorCodeName = info?.acpCode ?? "AGENT_UNAVAILABLE";
    super(code, message ?? info?.message ?? reason, options.cause === undefined ? {} : { cause: options.cause });
    this.name = info?.name ?? "A2aError";
    this.reason = reason;
    this.wire = options.wire;
  }
}

/** True when `err` is an {@link A2aError}, optionally with the given reason. */
export function isA2aError(err: unknown, reason?: A2aErrorReason): err is A2aError {
  return err instanceof A2aError && (reason === undefined || err.reason === reason);
}

/** Shorthands for the errors the bridge raises. */
export const a2aErrors = {
  parse: (why: string) => new A2aError("PARSE_ERROR", `Invalid JSON payload: ${why}`),
  invalidRequest: (why: string) => new A2aError("INVALID_REQUEST", `Invalid request: ${why}`),
  methodNotFound: (method: string) => new A2aError("METHOD_NOT_FOUND", `Method not found: ${method}`),
  invalidParams: (why: string) => new A2aError("INVALID_PARAMS", `Invalid params: ${why}`),
  taskNotFound: (id: string) => new A2aError("TASK_NOT_FOUND", `Task not found: ${id}`),
  notCancelable: (id: string, state: string) => new A2aError("TASK_NOT_CANCELABLE", `Task ${id} cannot be canceled in state ${state}`),
  pushNotSupported: () => new A2aError("PUSH_NOTIFICATION_NOT_SUPPORTED"),
  unsupported: (why: string) => new A2aError("UNSUPPORTED_OPERATION", `This operation is not supported: ${why}`),
  contentType: (why: string) => new A2aError("CONTENT_TYPE_NOT_SUPPORTED", `Incompatible content types: ${why}`),
  invalidAgentResponse: (why: string) => new A2aError("INVALID_AGENT_RESPONSE", `Invalid agent response: ${why}`),
  extendedCardNotConfigured: () => new A2aError("EXTENDED_AGENT_CARD_NOT_CONFIGURED"),
  versionNotSupported: (v: string, supported: readonly string[]) =>
    new A2aError("VERSION_NOT_SUPPORTED", `A2A version '${v}' is not supported; supported: ${supported.join(", ")}`),
  internal: (why: string) => new A2aError("INTERNAL_ERROR", why),
} as const;
