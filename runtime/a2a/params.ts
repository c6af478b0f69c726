/**
 * Checks the params of each A2A method (1.0 shapes, a2a.proto field names in camelCase) and
 * turns the 0.3 params of the legacy method names into them. Every defect is an
 * InvalidParamsError (-32602) naming the field.
 */
import {
  TASK_STATE_TO_PHASE,
  pushConfigFromV03,
  sendParamsFromV03,
  type A2aMethodName,
  type GetTaskRequest,
  type ListTasksRequest,
  type Message,
  type Part,
  type SendMessageRequest,
  type TaskPushNotificationConfig,
  type TaskStateName,
} from "../../generated/a2a/index.js";
import { a2aErrors } from "./errors.js";

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function obj(v: unknown, path: string): Obj {
  if (!isObject(v)) throw a2aErrors.invalidParams(`${path} must be an object`);
  return v;
}
function str(o: Obj, key: string, path: string, required: true): string;
function str(o: Obj, key: string, path: string, required?: false): string | undefined;
function str(o: Obj, key: string, path: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || (required && v === "")) throw a2aErrors.invalidParams(`${path}.${key} must be a ${required ? "non-empty " : ""}string`);
  return v;
}
function int(o: Obj, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw a2aErrors.invalidParams(`${path}.${key} must be an integer from ${min} to ${max}`);
  return v;
}

function part(v: unknown, path: string): Part {
  const p = obj(v, path);
  const kinds = ["text", "raw", "url", "data"].filter((k) => p[k] !== undefined);
  if (kinds.length !== 1) throw a2aErrors.invalidParams(`${path} must have exactly one of text, raw, url, data`);
  for (const k of ["text", "raw", "url"]) if (p[k] !== undefined && typeof p[k] !== "string") throw a2aErrors.invalidParams(`${path}.${k} must be a string`);
  if (p["metadata"] !== undefined) obj(p["metadata"], `${path}.metadata`);
  return p as Part;
}

/** A client Message: messageId, role ROLE_USER, at least one part. */
export function checkMessage(v: unknown, path = "params.message"): Message {
  const m = obj(v, path);
  str(m, "messageId", path, true);
  if (m["role"] !== "ROLE_USER") throw a2aErrors.invalidParams(`${path}.role must be ROLE_USER`);
  if (!Array.isArray(m["parts"]) || m["parts"].length === 0) throw a2aErrors.invalidParams(`${path}.parts must be a non-empty array`);
  m["parts"].forEach((p, i) => {
    part(p, `${path}.parts[${i}]`);
  });
  str(m, "contextId", path);
  str(m, "taskId", path);
  if (m["metadata"] !== undefined) obj(m["metadata"], `${path}.metadata`);
  return m as unknown as Message;
}

/** A push config with a url (taskId optional inside SendMessage). */
export function checkPushConfig(v: unknown, path: string): TaskPushNotificationConfig {
  const c = obj(v, path);
  const url = str(c, "url", path, true);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw a2aErrors.invalidParams(`${path}.url is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw a2aErrors.invalidParams(`${path}.url must be http or https`);
  str(c, "id", path);
  str(c, "taskId", path);
  str(c, "token", path);
  if (c["authentication"] !== undefined) str(obj(c["authentication"], `${path}.authentication`), "scheme", `${path}.authentication`, true);
  return c as unknown as TaskPushNotificationConfig;
}

export function checkSendParams(v: unknown): SendMessageRequest {
  const p = obj(v, "params");
  checkMessage(p["message"]);
  str(p, "tenant", "params");
  if (p["metadata"] !== undefined) obj(p["metadata"], "params.metadata");
  if (p["configuration"] !== undefined) {
    const c = obj(p["configuration"], "params.configuration");
    int(c, "historyLength", "params.configuration", 0);
    if (c["returnImmediately"] !== undefined && typeof c["returnImmediately"] !== "boolean")
      throw a2aErrors.invalidParams("params.configuration.returnImmediately must be a boolean");
    const modes = c["acceptedOutputModes"];
    if (modes !== undefined && !(Array.isArray(modes) && modes.every((m) => typeof m === "string")))
      throw a2aErrors.invalidParams("params.configuration.acceptedOutputModes must be an array of strings");
    if (c["taskPushNotificationConfig"] !== undefined) checkPushConfig(c["taskPushNotificationConfig"], "params.configuration.taskPushNotificationConfig");
  }
  return p as unknown as SendMessageRequest;
}

export function checkIdParams(v: unknown): { id: string; historyLength?: number; tenant?: string } {
  const p = obj(v, "params");
  const id = str(p, "id", "params", true);
  const historyLength = int(p, "historyLength", "params", 0);
  const tenant = str(p, "tenant", "params");
  return { id, ...(historyLength === undefined ? {} : { historyLength }), ...(tenant === undefined ? {} : { tenant }) };
}

export function checkListParams(v: unknown, maxPageSize: number): ListTasksRequest {
  const p = v === undefined ? {} : obj(v, "params");
  const status = p["status"];
  if (status !== undefined && !(typeof status === "string" && (status === "TASK_STATE_UNSPECIFIED" || TASK_STATE_TO_PHASE[status] !== undefined))) {
    throw a2aErrors.invalidParams("params.status must be a TaskState");
  }
  const after = str(p, "statusTimestampAfter", "params");
  if (after !== undefined && Number.isNaN(Date.parse(after))) throw a2aErrors.invalidParams("params.statusTimestampAfter must be an ISO 8601 timestamp");
  const req: ListTasksRequest = {};
  const ctx = str(p, "contextId", "params");
  if (ctx) req.contextId = ctx;
  if (typeof status === "string" && status !== "TASK_STATE_UNSPECIFIED") req.status = status as TaskStateName;
  const size = int(p, "pageSize", "params", 1, maxPageSize);
  if (size !== undefined) req.pageSize = size;
  const token = str(p, "pageToken", "params");
  if (token) req.pageToken = token;
  const hl = int(p, "historyLength", "params", 0);
  if (hl !== undefined) req.historyLength = hl;
  if (after !== undefined) req.statusTimestampAfter = after;
  if (p["includeArtifacts"] !== undefined) {
    if (typeof p["includeArtifacts"] !== "boolean") throw a2aErrors.invalidParams("params.includeArtifacts must be a boolean");
    req.includeArtifacts = p["includeArtifacts"];
  }
  return req;
}

export function checkConfigRef(v: unknown): { taskId: string; id: string } {
  const p = obj(v, "params");
  return { taskId: str(p, "taskId", "params", true), id: str(p, "id", "params", true) };
}

/** The 1.0 params of a 0.3 call (method already resolved to its 1.0 name). */
export function paramsFromV03(method: A2aMethodName, v: unknown): unknown {
  const p = obj(v ?? {}, "params");
  try {
    switch (method) {
      case "SendMessage":
      case "SendStreamingMessage":
        return sendParamsFromV03(p);
      case "CreateTaskPushNotificationConfig":
        return pushConfigFromV03(p);
      case "GetTaskPushNotificationConfig":
      case "DeleteTaskPushNotificationConfig":
        return { taskId: p["id"], id: p["pushNotificationConfigId"] };
      case "ListTaskPushNotificationConfigs":
        return { taskId: p["id"] };
      default:
        return p;
    }
  } catch (err: unknown) {
    throw a2aErrors.invalidParams(err instanceof Error ? err.message : String(err));
  }
}

/** GetTask's params as a request. */
export function toGetTask(v: unknown): GetTaskRequest {
  return checkIdParams(v);
}
