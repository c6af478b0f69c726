/**
 * JSON-RPC 2.0 framing (spec: JSON-RPC binding): parse one request object, build success and
 * error responses, format Server-Sent Events. No knowledge of A2A methods.
 */
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcRequest, JsonRpcResponse } from "../../generated/a2a/index.js";
import { JSONRPC_VERSION } from "../../generated/a2a/index.js";
import { rpcErrors } from "./errors.js";

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
 * @throws A2aRpcError -32600 naming the defect.
 */
export function parseRequest(body: unknown): JsonRpcRequest {
  if (!isObject(body)) throw rpcErrors.invalidRequest(Array.isArray(body) ? "batches are not supported" : "the body must be a JSON object");
  if (body["jsonrpc"] !== JSONRPC_VERSION) throw rpcErrors.invalidRequest(`jsonrpc must be "${JSONRPC_VERSION}"`);
  if (typeof body["method"] !== "string" || body["method"] === "") throw rpcErrors.invalidRequest("method must be a non-empty string");
  if ("id" in body) {
    const id = body["id"];
    if (!(typeof id === "string" || id === null || (typeof id === "number" && Number.isInteger(id)))) throw rpcErrors.invalidRequest("id must be a string, an integer or null");
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
