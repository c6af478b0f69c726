/**
 * The HTTP+JSON (REST) binding's client for the TCK checks: the A2A 1.0 paths (as the TCK
 * calls them: POST /message:send, GET /tasks/{id}, GET /tasks?contextId=..., POST
 * /tasks/{id}:cancel, POST /tasks/{id}:subscribe, .../pushNotificationConfigs, GET
 * /extendedAgentCard), query parameters in camelCase, SSE for streams.
 */
import { sseMessages } from "../../../../runtime/http/sse-messages.js";
import { callHeaders } from "./client-jsonrpc.js";
import { errorInfoOf, eventQueue, type A2aMethod, type BindingClient, type CallOptions, type CallResult, type Obj, type StreamCall } from "./types.js";

interface Route {
  readonly verb: "GET" | "POST" | "DELETE";
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly body?: Obj;
}

/** A field of params by its lowerCamel or original (snake_case) name. */
function field(p: Obj, camel: string): unknown {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return p[camel] ?? p[snake];
}

const enc = encodeURIComponent;

/** Where a method goes on the HTTP+JSON binding (query parameters in camelCase). */
export function restRoute(method: A2aMethod, p: Obj): Route {
  const id = String(field(p, "id") ?? "");
  const taskId = String(field(p, "taskId") ?? "");
  const query = (names: readonly string[]): Record<string, string> => {
    const q: Record<string, string> = {};
    for (const n of names) {
      const v = field(p, n);
      if (v !== undefined && v !== null) q[n] = String(v);
    }
    return q;
  };
  switch (method) {
    case "SendMessage":
      return { verb: "POST", path: "/message:send", body: p };
    case "SendStreamingMessage":
      return { verb: "POST", path: "/message:stream", body: p };
    case "GetTask":
      return { verb: "GET", path: `/tasks/${enc(id)}`, query: query(["historyLength"]) };
    case "ListTasks":
      return {
        verb: "GET",
        path: "/tasks",
        query: query(["contextId", "status", "pageSize", "pageToken", "historyLength", "statusTimestampAfter", "includeArtifacts"]),
      };
    case "CancelTask":
      return { verb: "POST", path: `/tasks/${enc(id)}:cancel`, body: {} };
    case "SubscribeToTask":
      return { verb: "POST", path: `/tasks/${enc(id)}:subscribe`, body: {} };
    case "CreateTaskPushNotificationConfig": {
      const { task_id: _a, taskId: _b, ...config } = p;
      return { verb: "POST", path: `/tasks/${enc(taskId)}/pushNotificationConfigs`, body: config };
    }
    case "GetTaskPushNotificationConfig":
      return { verb: "GET", path: `/tasks/${enc(taskId)}/pushNotificationConfigs/${enc(id)}` };
    case "ListTaskPushNotificationConfigs":
      return { verb: "GET", path: `/tasks/${enc(taskId)}/pushNotificationConfigs`, query: query(["pageSize", "pageToken"]) };
    case "DeleteTaskPushNotificationConfig":
      return { verb: "DELETE", path: `/tasks/${enc(taskId)}/pushNotificationConfigs/${enc(id)}` };
    case "GetExtendedAgentCard":
      return { verb: "GET", path: "/extendedAgentCard" };
  }
}

/** The AIP-193 error of an HTTP error answer. */
function httpError(status: number, text: string): NonNullable<CallResult["error"]> {
  let body: Obj | undefined;
  try {
    body = JSON.parse(text) as Obj;
  } catch {
    body = undefined;
  }
  const e = (body?.["error"] ?? {}) as Obj;
  return { code: status, message: String(e["message"] ?? text.slice(0, 200)), ...errorInfoOf(e["details"]), body };
}

/** A REST client of the interface base URL `base`, sending `auth` headers on every call. */
export function restClient(base: string, auth: Readonly<Record<string, string>> = {}): BindingClient {
  const root = base.replace(/\/+$/, "");
  const target = (r: Route): string => {
    const qs = new URLSearchParams(r.query ?? {}).toString();
    return `${root}${r.path}${qs ? `?${qs}` : ""}`;
  };
  const init = (r: Route, o: CallOptions, accept: string): RequestInit => ({
    method: r.verb,
    headers: { ...callHeaders(auth, o), accept, ...(r.body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
  });
  return {
    binding: "HTTP+JSON",
    url: root,
    async call(method, params, o: CallOptions = {}): Promise<CallResult> {
      const r = restRoute(method, params);
      const res = await fetch(target(r), init(r, o, "application/json"));
      const contentType = res.headers.get("content-type") ?? "";
      const text = await res.text();
      if (res.status >= 400) return { ok: false, status: res.status, contentType, error: httpError(res.status, text) };
      let value: Obj;
      try {
        value = text === "" ? {} : (JSON.parse(text) as Obj);
      } catch {
        return { ok: false, status: res.status, contentType, error: { code: res.status, message: `not JSON: ${text.slice(0, 200)}` } };
      }
      return { ok: true, status: res.status, contentType, value };
    },
    async stream(method, params, o: CallOptions = {}): Promise<StreamCall> {
      const r = restRoute(method, params);
      const ac = new AbortController();
      const res = await fetch(target(r), { ...init(r, o, "text/event-stream"), signal: ac.signal });
      const contentType = res.headers.get("content-type") ?? "";
      const q = eventQueue();
      if (res.status >= 400 || !contentType.startsWith("text/event-stream") || res.body === null) {
        const text = await res.text().catch(() => "");
        q.end(res.status >= 400 ? httpError(res.status, text) : { code: res.status, message: `not an event stream (${contentType}): ${text.slice(0, 200)}` });
      } else {
        const events = sseMessages(res.body);
        void (async () => {
          try {
            for await (const m of events) {
              const e = JSON.parse(m.data) as Obj;
              if (e["error"] !== undefined && typeof e["error"] === "object") {
                q.end({ code: (e["error"] as Obj)["code"] ?? "STREAM", message: String((e["error"] as Obj)["message"] ?? ""), body: e });
                return;
              }
              q.push(e);
            }
            q.end();
          } catch (err: unknown) {
            q.end(ac.signal.aborted ? undefined : { code: "STREAM", message: (err as Error).message });
          }
        })();
      }
      return {
        get error() {
          return q.error;
        },
        contentType,
        envelopes: [],
        next: (t) => q.next(t),
        close: async () => {
          ac.abort();
          q.end();
        },
      };
    },
    close: async () => undefined,
  };
}
