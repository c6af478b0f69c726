/**
 * The params of each A2A method. {@link readParams} reads them as ProtoJSON of the method's
 * request message (lf.a2a.v1, runtime/a2a/proto.ts): lowerCamel and original field names
 * (`taskId`, `task_id`), unknown fields dropped, every value checked against its type (strict
 * RFC 3339 timestamps, enum names, int32, base64 bytes). The checks below then see only
 * canonical values and add what the proto cannot say (required fields, ranges, URLs). The 0.3
 * params of the legacy method names are turned into 1.0 params first. Every defect is an
 * InvalidParamsError (-32602) naming the field.
 */
import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import {
  pushConfigFromV03,
  sendParamsFromV03,
  type A2aMethodName,
  type ListTasksRequest,
  type Message,
  type SendMessageRequest,
  type TaskPushNotificationConfig,
} from "../../generated/a2a/index.js";
import { a2aErrors } from "./errors.js";
import { normalizeProtoJson, type A2aProto } from "./proto.js";

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** google.protobuf.* types keep their own JSON forms (Struct: any keys; Timestamp: a string). */
const isWellKnown = (m: DescMessage): boolean => m.typeName.startsWith("google.protobuf.");

/**
 * A copy of `json` without the keys `desc` does not define (recursively). Values of well-known
 * types are decoded alone here so that an error names the field's JSON path.
 */
function dropUnknown(desc: DescMessage, json: Obj, path: string): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(json)) {
    const f = desc.fields.find((x) => x.jsonName === key || x.name === key);
    if (f === undefined) continue;
    out[key] = fieldValue(f, value, `${path}.${f.jsonName}`);
  }
  return out;
}

/** Refuses an enum value the proto does not define, naming the field and the values it takes. */
function checkEnum(e: DescEnum, v: unknown, path: string): void {
  if (v === null || typeof v === "number" || (typeof v === "string" && e.values.some((x) => x.name === v))) return;
  throw a2aErrors.invalidParams(`${path} must be one of ${e.values.map((x) => x.name).join(", ")}; got ${JSON.stringify(v)}`);
}

/**
 * Refuses an object key `__proto__` anywhere in a free-form JSON value (Struct metadata, Value
 * data): JSON.parse keeps it as an own key, but the first plain `obj[key] = value` copy downstream
 * (envelope metadata, an agent's code) turns it into the copy's prototype, so its keys would be
 * inherited past every own-key filter (`acp.*`). Bounded by the body's maxDepth.
 */
function refuseProtoKeys(v: unknown, path: string): void {
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) refuseProtoKeys(x, `${path}[${i}]`);
    return;
  }
  if (!isObject(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (k === "__proto__") throw a2aErrors.invalidParams(`${path} has the key "__proto__", which this server does not accept in JSON values; rename it`);
    refuseProtoKeys(x, `${path}.${k}`);
  }
}

function fieldValue(f: DescField, value: unknown, path: string): unknown {
  if (f.fieldKind === "enum") checkEnum(f.enum, value, path);
  if (f.fieldKind === "list" && f.listKind === "enum" && Array.isArray(value)) for (const [i, v] of value.entries()) checkEnum(f.enum, v, `${path}[${i}]`);
  const sub = f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message") ? f.message : undefined;
  if (sub === undefined || value === null) return value;
  const one = (v: unknown, p: string): unknown => {
    if (isWellKnown(sub)) {
      try {
        normalizeProtoJson(sub, v, false);
      } catch (err: unknown) {
        throw a2aErrors.invalidParams(`${p}: ${err instanceof Error ? err.message : String(err)}`);
      }
      refuseProtoKeys(v, p);
      return v;
    }
    return isObject(v) ? dropUnknown(sub, v, p) : v;
  };
  return Array.isArray(value) && f.fieldKind === "list" ? value.map((v, i) => one(v, `${path}[${i}]`)) : one(value, path);
}

/**
 * The params of `method` as canonical ProtoJSON of its request message: lowerCamel names,
 * unknown fields dropped, defaults left out. Absent params are `{}`.
 * @throws A2aError INVALID_PARAMS naming the field whose value is not of its type.
 */
export function readParams(proto: A2aProto, method: A2aMethodName, params: unknown): Obj {
  const desc = proto.method(method)?.input;
  if (desc === undefined) throw a2aErrors.methodNotFound(method);
  if (params === undefined || params === null) return {};
  if (!isObject(params)) throw a2aErrors.invalidParams(`params must be an object (a ${desc.typeName} in ProtoJSON)`);
  const known = dropUnknown(desc, params, "params");
  try {
    // Strict on what is left: an enum value the proto does not define is an error, not a silent default.
    return normalizeProtoJson(desc, known, false) as Obj;
  } catch (err: unknown) {
    throw a2aErrors.invalidParams(`params (${desc.typeName}): ${err instanceof Error ? err.message : String(err)}`);
  }
}

function nonEmpty(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw a2aErrors.invalidParams(`${path}.${key} is required (a non-empty string)`);
  return v;
}
function intIn(o: Obj, key: string, path: string, min: number, max = 2 ** 31 - 1): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || v < min || v > max) throw a2aErrors.invalidParams(`${path}.${key} must be an integer from ${min} to ${max}; got ${String(v)}`);
  return v;
}

/** A client Message (canonical): messageId, role ROLE_USER, at least one part with content. */
export function checkMessage(v: unknown, path = "params.message"): Message {
  if (!isObject(v)) throw a2aErrors.invalidParams(`${path} is required (a Message)`);
  nonEmpty(v, "messageId", path);
  if (v["role"] !== "ROLE_USER") throw a2aErrors.invalidParams(`${path}.role must be ROLE_USER; got ${JSON.stringify(v["role"] ?? null)}`);
  const parts = v["parts"];
  if (!Array.isArray(parts) || parts.length === 0) throw a2aErrors.invalidParams(`${path}.parts must be a non-empty array of Part`);
  parts.forEach((p: Obj, i) => {
    // the proto reader refuses two contents; none is left to say
    if (["text", "raw", "url", "data"].every((k) => p[k] === undefined))
      throw a2aErrors.invalidParams(`${path}.parts[${i}] must have one of text, raw, url, data`);
  });
  return v as unknown as Message;
}

/** A push config (canonical) with an http(s) url (taskId optional inside SendMessage). */
export function checkPushConfig(v: unknown, path: string): TaskPushNotificationConfig {
  if (!isObject(v)) throw a2aErrors.invalidParams(`${path} must be an object`);
  const url = nonEmpty(v, "url", path);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw a2aErrors.invalidParams(`${path}.url is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw a2aErrors.invalidParams(`${path}.url must be http or https`);
  // userinfo would be a credential (sent as Basic auth) echoed to every principal of the tenant
  if (parsed.username !== "" || parsed.password !== "")
    throw a2aErrors.invalidParams(
      `${path}.url must not carry credentials (user:password@); send them in ${path}.authentication (scheme and credentials), which is never echoed`,
    );
  if (isObject(v["authentication"])) nonEmpty(v["authentication"], "scheme", `${path}.authentication`);
  return v as unknown as TaskPushNotificationConfig;
}

/** SendMessage / SendStreamingMessage params (canonical). */
export function checkSendParams(p: Obj): SendMessageRequest {
  checkMessage(p["message"]);
  const c = p["configuration"];
  if (isObject(c)) {
    intIn(c, "historyLength", "params.configuration", 0);
    if (c["taskPushNotificationConfig"] !== undefined) checkPushConfig(c["taskPushNotificationConfig"], "params.configuration.taskPushNotificationConfig");
  }
  return p as unknown as SendMessageRequest;
}

/** GetTask / CancelTask / SubscribeToTask params (canonical). */
export function checkIdParams(p: Obj): { id: string; historyLength?: number } {
  const id = nonEmpty(p, "id", "params");
  const historyLength = intIn(p, "historyLength", "params", 0);
  return { id, ...(historyLength === undefined ? {} : { historyLength }) };
}

/** ListTasks params (canonical): pageSize 1..maxPageSize, historyLength >= 0. */
export function checkListParams(p: Obj, maxPageSize: number): ListTasksRequest {
  intIn(p, "pageSize", "params", 1, maxPageSize);
  intIn(p, "historyLength", "params", 0);
  return p as ListTasksRequest;
}

/** Get/Delete push config params (canonical). */
export function checkConfigRef(p: Obj): { taskId: string; id: string } {
  return { taskId: nonEmpty(p, "taskId", "params"), id: nonEmpty(p, "id", "params") };
}

/** ListTaskPushNotificationConfigs params (canonical): pageSize 0 (all) or more. */
export function checkConfigList(p: Obj): { taskId: string; pageSize: number; pageToken: string } {
  const taskId = nonEmpty(p, "taskId", "params");
  const pageSize = intIn(p, "pageSize", "params", 0) ?? 0;
  return { taskId, pageSize, pageToken: typeof p["pageToken"] === "string" ? p["pageToken"] : "" };
}

/** The 1.0 params of a 0.3 call (method already resolved to its 1.0 name). */
export function paramsFromV03(method: A2aMethodName, v: unknown): unknown {
  if (!isObject(v ?? {})) throw a2aErrors.invalidParams("params must be an object");
  const p = (v ?? {}) as Obj;
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
