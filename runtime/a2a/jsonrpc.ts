/**
 * The JSON-RPC binding (A2A spec: JSON-RPC binding): parse one request object, build success and
 * error responses, format Server-Sent Events, and assign JSON-RPC error codes. The handler raises
 * {@link A2aError}s with a reason; this module alone turns a reason into a JSON-RPC code (and a
 * received code back into a reason). No knowledge of A2A methods.
 */
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcRequest, JsonRpcResponse } from "../../generated/a2a/index.js";
import { A2A_ERRORS, A2aErrorCode, JSONRPC_VERSION, acpCodeToJsonRpc, jsonRpcError } from "../../generated/a2a/index.js";
import { AcpError } from "../../generated/ts/errors.js";
import { A2A_ERROR_REASONS, A2aError, a2aErrors, type A2aErrorReason } from "./errors.js";

/** The JSON-RPC error code A2A assigns to `reason`. */
export function jsonRpcCodeOf(reason: A2aErrorReason): number {
  const info = A2A_ERROR_REASONS.get(reason);
  return info === undefined ? A2aErrorCode.InternalError : A2aErrorCode[info.name];
}

/** The JSON-RPC error object for any thrown value (other AcpError codes via the error catalogue). */
export function toJsonRpcError(err: unknown): JsonRpcErrorObject {
  if (err instanceof A2aError) return jsonRpcError(jsonRpcCodeOf(err.reason), err.message);
  if (err instanceof AcpError) return jsonRpcError(acpCodeToJsonRpc(err.code), err.message);
  return jsonRpcError(A2aErrorCode.InternalError, err instanceof Error ? err.message : "Internal error");
}

/**
 * The {@link A2aError} for a JSON-RPC error object a peer answered with: the reason of its code
 * (INTERNAL_ERROR for a code A2A does not define), the code and data kept in `wire`.
 */
export function errorFromJsonRpc(error: Readonly<Record<string, unknown>>): A2aError {
  const code = typeof error["code"] === "number" ? error["code"] : A2aErrorCode.InternalError;
  const reason = (A2A_ERRORS[code]?.reason ?? "INTERNAL_ERROR") as A2aErrorReason;
  const message = typeof error["message"] === "string" ? error["message"] : `JSON-RPC error ${code}`;
  return new A2aError(reason, message, { wire: { binding: "jsonrpc", code, ...(error["data"] === undefined ? {} : { data: error["data"] }) } });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The id to answer with, or null when the request has none usable. */
export function idOf(body: unknown): JsonRpcId {
  if (!isObject(body)) return null;
  const id = body["id"];
  return typeof id === "string" || (typeof id === "number" && Number.isInteger(id)) ? id : null;
}

/**
 * Checks a parsed body is one JSON-RPC 2.0 request: jsonrpc "2.0", a string method, an id
 * that is a string, an integer or null (or absent), params an object if present.
 * @throws A2aError INVALID_REQUEST naming the defect.
 */
export function parseRequest(body: unknown): JsonRpcRequest {
  if (!isObject(body)) throw a2aErrors.invalidRequest(Array.isArray(body) ? "batches are not supported" : "the body must be a JSON object");
  if (body["jsonrpc"] !== JSONRPC_VERSION) throw a2aErrors.invalidRequest(`jsonrpc must be "${JSONRPC_VERSION}"`);
  if (typeof body["method"] !== "string" || body["method"] === "") throw a2aErrors.invalidRequest("method must be a non-empty string");
  if ("id" in body) {
    const id = body["id"];
    if (!(typeof id === "string" || id === null || (typeof id === "number" && Number.isInteger(id))))
      throw a2aErrors.invalidRequest("id must be a string, an integer or null");
  }
  const req: JsonRpcRequest = { jsonrpc: "2.0", method: body["method"] };
  if ("id" in body) req.id = body["id"] as JsonRpcId;
  if ("params" in body) req.params = body["params"];
  return req;
}

export function resultResponse(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: "2.0", id, result };
}

export function errorResponse(id: JsonRpcId, error: JsonRpcErrorObject): JsonRpcResponse {
  return { jsonrpc: "2.0", id, error };
}

/** One SSE event carrying `data` as JSON (data lines never contain raw newlines: JSON escapes them). */
export function sseEvent(data: unknown, event?: string, id?: string): string {
  return `${event ? `event: ${event}\n` : ""}${id ? `id: ${id}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
}
