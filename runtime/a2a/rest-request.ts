/**
 * The HTTP+JSON (REST) binding's request side (A2A 1.0 section 11, the google.api.http options of
 * a2a.proto): which operation a method and path name, and the operation's params built from the
 * path (task id, config id, tenant), the query string (GET and DELETE) or the JSON body (POST).
 * Every params object goes through the ProtoJSON reader of the operation's request message, so
 * lowerCamel and original field names are both accepted and unknown fields are dropped; the
 * protocol-neutral handler (rpc-handler.ts) gets the same params as over JSON-RPC.
 */
import { ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";
import type { A2aMethodName } from "../../generated/a2a/index.js";
import { a2aErrors } from "./errors.js";
import { normalizeProtoJson, type A2aProto } from "./proto.js";

/** One operation a REST request names, with the params its path carries. */
export interface RestRoute {
  readonly method: A2aMethodName;
  /** Fields taken from the path (`id`, `taskId`, `tenant`). */
  readonly pathParams: Readonly<Record<string, string>>;
  /** True when the params come from the body (POST), false for the query string. */
  readonly fromBody: boolean;
  /** A streaming operation (answered as SSE). */
  readonly streaming: boolean;
}

type Verb = "GET" | "POST" | "DELETE";

/** Path segments after the optional tenant, to the route (undefined: no operation). */
function matchSegments(verb: Verb, s: readonly string[]): (Omit<RestRoute, "pathParams" | "fromBody"> & { pathParams: Record<string, string> }) | undefined {
  const [a, b, c, d, ...rest] = s;
  if (rest.length > 0 || a === undefined) return undefined;
  const r = (method: A2aMethodName, pathParams: Record<string, string> = {}, streaming = false) => ({ method, pathParams, streaming });
  if (s.length === 1) {
    if (verb === "POST" && a === "message:send") return r("SendMessage");
    if (verb === "POST" && a === "message:stream") return r("SendStreamingMessage", {}, true);
    if (verb === "GET" && a === "tasks") return r("ListTasks");
    if (verb === "GET" && a === "extendedAgentCard") return r("GetExtendedAgentCard");
    return undefined;
  }
  if (a !== "tasks" || b === undefined || b === "") return undefined;
  if (s.length === 2) {
    const colon = b.lastIndexOf(":");
    const id = b.slice(0, colon);
    const action = colon > 0 ? b.slice(colon + 1) : "";
    // GET {id}:subscribe is a2a.proto's binding; the TCK and the SDKs' clients POST it.
    if (action === "subscribe" && (verb === "GET" || verb === "POST")) return r("SubscribeToTask", { id }, true);
    if (verb === "GET") return r("GetTask", { id: b });
    if (verb === "POST" && action === "cancel") return r("CancelTask", { id });
    return undefined;
  }
  if (c !== "pushNotificationConfigs") return undefined;
  if (s.length === 3) {
    if (verb === "POST") return r("CreateTaskPushNotificationConfig", { taskId: b });
    if (verb === "GET") return r("ListTaskPushNotificationConfigs", { taskId: b });
    return undefined;
  }
  if (d === undefined || d === "") return undefined;
  if (verb === "GET") return r("GetTaskPushNotificationConfig", { taskId: b, id: d });
  if (verb === "DELETE") return r("DeleteTaskPushNotificationConfig", { taskId: b, id: d });
  return undefined;
}

/**
 * The operation `verb path` names, `path` relative to the binding's base (no query string).
 * A first segment that is not an operation is the tenant (`/{tenant}/tasks/{id}`). A task id
 * ending in `:subscribe` or `:cancel` is the action, not part of the id. A `.` or `..` segment
 * matches nothing (the path is not resolved).
 * @throws A2aError INVALID_PARAMS for a malformed percent-encoding; undefined when nothing matches.
 */
export function matchRestRoute(verb: string, path: string): RestRoute | undefined {
  if (verb !== "GET" && verb !== "POST" && verb !== "DELETE") return undefined;
  let segments: string[];
  try {
    segments = path
      .replace(/^\/+/, "")
      .split("/")
      .map((s) => decodeURIComponent(s));
  } catch {
    throw a2aErrors.invalidParams(`the path ${JSON.stringify(path)} is not valid percent-encoding`);
  }
  // dot segments (also %2e-encoded) name no operation: a path means what it says, never a resolved form
  if (segments.some((s) => s === "." || s === "..")) return undefined;
  const plain = matchSegments(verb, segments);
  if (plain !== undefined) return { ...plain, fromBody: verb === "POST" };
  const [tenant, ...rest] = segments;
  if (tenant === undefined || tenant === "" || rest.length === 0) return undefined;
  const tenanted = matchSegments(verb, rest);
  return tenanted === undefined ? undefined : { ...tenanted, pathParams: { ...tenanted.pathParams, tenant }, fromBody: verb === "POST" };
}

const INTEGER_32 = new Set([ScalarType.INT32, ScalarType.UINT32, ScalarType.SINT32, ScalarType.FIXED32, ScalarType.SFIXED32]);

/** An enum value from a query string: its name, its number, or its name without the shared prefix in any case (`working`). */
function enumValue(e: DescEnum, raw: string): string | number {
  if (e.values.some((v) => v.name === raw)) return raw;
  if (/^-?\d+$/.test(raw)) return Number(raw);
  // sharedPrefix is lower snake case ("task_state_"); the value names are upper case
  const short = `${(e.sharedPrefix ?? "").toUpperCase()}${raw.toUpperCase().replace(/-/g, "_")}`;
  return e.values.some((v) => v.name === short) ? short : raw;
}

function scalarValue(t: ScalarType, raw: string): unknown {
  if (t === ScalarType.BOOL) return raw === "true" ? true : raw === "false" ? false : raw;
  if (INTEGER_32.has(t) && /^-?\d+$/.test(raw)) return Number(raw);
  if ((t === ScalarType.DOUBLE || t === ScalarType.FLOAT) && raw.trim() !== "" && !Number.isNaN(Number(raw))) return Number(raw);
  return raw; // strings, bytes (base64) and 64-bit integers are strings in ProtoJSON
}

function fieldValue(f: DescField, raws: readonly string[]): unknown {
  const last = raws[raws.length - 1] ?? "";
  switch (f.fieldKind) {
    case "scalar":
      return scalarValue(f.scalar, last);
    case "enum":
      return enumValue(f.enum, last);
    case "list": {
      const items = raws.flatMap((r) => r.split(","));
      if (f.listKind === "scalar") return items.map((i) => scalarValue(f.scalar, i));
      if (f.listKind === "enum") return items.map((i) => enumValue(f.enum, i));
      break;
    }
    case "message":
      // Well-known types with a string JSON form (Timestamp, Duration, wrappers) pass through.
      if (f.message.typeName.startsWith("google.protobuf.")) return last;
      break;
    default:
      break;
  }
  throw a2aErrors.invalidParams(
    `query parameter ${f.jsonName} is a ${f.fieldKind === "list" ? "list of messages" : f.fieldKind}, which a query string cannot carry; use the JSON-RPC or gRPC binding`,
  );
}

/** Query parameters to a ProtoJSON object of `desc`: each name is the field's lowerCamel or original name; others are ignored (ProtoJSON drops unknown fields). */
export function queryToJson(desc: DescMessage, query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    const f = desc.fields.find((x) => x.jsonName === key || x.name === key);
    if (f !== undefined) out[f.jsonName] = fieldValue(f, query.getAll(key));
  }
  return out;
}

/** The request message of `route`'s operation. */
export function requestDesc(proto: A2aProto, route: RestRoute): DescMessage {
  const desc = proto.method(route.method)?.input;
  if (desc === undefined) throw a2aErrors.internal(`the A2A descriptor has no method ${route.method}`);
  return desc;
}

/**
 * The params of `route`: the body (POST) or query (GET, DELETE) read as the operation's request
 * message, with the path's fields set. A body field that names the path's field differently is
 * refused (INVALID_PARAMS naming both).
 */
export function routeParams(proto: A2aProto, route: RestRoute, input: Record<string, unknown>): Record<string, unknown> {
  const desc = requestDesc(proto, route);
  let json: Record<string, unknown>;
  try {
    json = normalizeProtoJson(desc, input) as Record<string, unknown>;
  } catch (err: unknown) {
    throw a2aErrors.invalidParams(
      `${route.fromBody ? "the body" : "the query string"} is not a ${desc.name}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  for (const [key, value] of Object.entries(route.pathParams)) {
    const given = json[key];
    if (given !== undefined && given !== "" && given !== value) {
      throw a2aErrors.invalidParams(
        `${key} ${JSON.stringify(given)} in the ${route.fromBody ? "body" : "query"} is not the path's ${JSON.stringify(value)}; send one or the same`,
      );
    }
    json[key] = value;
  }
  return json;
}
