/**
 * The bridge's typed error: an {@link AcpError} that also carries the JSON-RPC code A2A
 * answers with (TaskNotFoundError -32001 … VersionNotSupportedError -32009, and the JSON-RPC
 * standard codes). The ACP code comes from schema/a2a/mapping.json (`acp_code`).
 */
import { AcpError } from "../../generated/ts/errors.js";
import { A2A_ERRORS, A2aErrorCode, acpCodeToJsonRpc, jsonRpcError, jsonRpcToAcpCode, type JsonRpcErrorObject } from "../../generated/a2a/index.js";

/** An A2A protocol error: `rpcCode` is what goes on the wire, `code` the ACP catalogue code. */
export class A2aRpcError extends AcpError {
  readonly rpcCode: number;
  /** `data` of the JSON-RPC error object received from a peer, if any. */
  readonly rpcData: unknown;

  constructor(rpcCode: number, message?: string, options: { cause?: unknown; data?: unknown } = {}) {
    super(jsonRpcToAcpCode(rpcCode), message ?? A2A_ERRORS[rpcCode]?.message ?? `JSON-RPC error ${rpcCode}`, options.cause === undefined ? {} : { cause: options.cause });
    this.name = A2A_ERRORS[rpcCode]?.name ?? "A2aRpcError";
    this.rpcCode = rpcCode;
    this.rpcData = options.data;
  }
}

/** Shorthands for the errors the server raises. */
export const rpcErrors = {
  parse: (why: string) => new A2aRpcError(A2aErrorCode.JSONParseError, `Invalid JSON payload: ${why}`),
  invalidRequest: (why: string) => new A2aRpcError(A2aErrorCode.InvalidRequestError, `Invalid JSON-RPC request: ${why}`),
  methodNotFound: (method: string) => new A2aRpcError(A2aErrorCode.MethodNotFoundError, `Method not found: ${method}`),
  invalidParams: (why: string) => new A2aRpcError(A2aErrorCode.InvalidParamsError, `Invalid params: ${why}`),
  taskNotFound: (id: string) => new A2aRpcError(A2aErrorCode.TaskNotFoundError, `Task not found: ${id}`),
  notCancelable: (id: string, state: string) => new A2aRpcError(A2aErrorCode.TaskNotCancelableError, `Task ${id} cannot be canceled in state ${state}`),
  pushNotSupported: () => new A2aRpcError(A2aErrorCode.PushNotificationNotSupportedError),
  unsupported: (why: string) => new A2aRpcError(A2aErrorCode.UnsupportedOperationError, `This operation is not supported: ${why}`),
  contentType: (why: string) => new A2aRpcError(A2aErrorCode.ContentTypeNotSupportedError, `Incompatible content types: ${why}`),
  invalidAgentResponse: (why: string) => new A2aRpcError(A2aErrorCode.InvalidAgentResponseError, `Invalid agent response: ${why}`),
  extendedCardNotConfigured: () => new A2aRpcError(A2aErrorCode.ExtendedAgentCardNotConfiguredError),
  versionNotSupported: (v: string, supported: readonly string[]) =>
    new A2aRpcError(A2aErrorCode.VersionNotSupportedError, `A2A version '${v}' is not supported; supported: ${supported.join(", ")}`),
  internal: (why: string) => new A2aRpcError(A2aErrorCode.InternalError, why),
} as const;

/** The JSON-RPC error object for any thrown value (AcpError codes via the error catalogue). */
export function toJsonRpcError(err: unknown): JsonRpcErrorObject {
  if (err instanceof A2aRpcError) return jsonRpcError(err.rpcCode, err.message);
  if (err instanceof AcpError) return jsonRpcError(acpCodeToJsonRpc(err.code), err.message);
  return jsonRpcError(A2aErrorCode.InternalError, err instanceof Error ? err.message : "Internal error");
}
