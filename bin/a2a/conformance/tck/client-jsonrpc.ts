/** The JSON-RPC binding's client for the TCK checks: raw fetch, one POST per call, SSE for streams. */
import { sseMessages } from "../../../../runtime/http/sse-messages.js";
import { errorInfoOf, eventQueue, type A2aMethod, type BindingClient, type CallOptions, type CallResult, type Obj, type StreamCall } from "./types.js";

/** Headers of a call: A2A-Version 1.0, the credentials unless anonymous, then the call's own. */
export function callHeaders(auth: Readonly<Record<string, string>>, o: CallOptions = {}): Record<string, string> {
  return { "A2A-Version": "1.0", ...(o.anonymous ? {} : auth), ...(o.headers ?? {}) };
}

function rpcError(e: Obj): CallResult["error"] {
  return { code: e["code"], message: String(e["message"] ?? ""), ...errorInfoOf(e["data"]), body: e };
}

/** A JSON-RPC client of the endpoint `url`, sending `auth` headers on every call. */
export function jsonRpcClient(url: string, auth: Readonly<Record<string, string>> = {}): BindingClient {
  let id = 0;
  const body = (method: string, params: Obj): string => {
    id += 1;
    return JSON.stringify({ jsonrpc: "2.0", id, method, params });
  };
  return {
    binding: "JSONRPC",
    url,
    async call(method: A2aMethod, params: Obj, o: CallOptions = {}): Promise<CallResult> {
      const res = await fetch(url, { method: "POST", headers: { ...callHeaders(auth, o), "content-type": "application/json" }, body: body(method, params) });
      const contentType = res.headers.get("content-type") ?? "";
      const text = await res.text();
      let envelope: Obj;
      try {
        envelope = JSON.parse(text) as Obj;
      } catch {
        return { ok: false, status: res.status, contentType, error: { code: res.status, message: `not JSON (HTTP ${res.status}): ${text.slice(0, 200)}` } };
      }
      if (envelope["error"] !== undefined) return { ok: false, status: res.status, contentType, envelope, error: rpcError(envelope["error"] as Obj) };
      return { ok: true, status: res.status, contentType, envelope, value: envelope["result"] as Obj };
    },
    async stream(method, params, o: CallOptions = {}): Promise<StreamCall> {
      const ac = new AbortController();
      const res = await fetch(url, {
        method: "POST",
        headers: { ...callHeaders(auth, o), "content-type": "application/json", accept: "text/event-stream" },
        body: body(method, params),
        signal: ac.signal,
      });
      const contentType = res.headers.get("content-type") ?? "";
      const q = eventQueue();
      const envelopes: Obj[] = [];
      if (!contentType.startsWith("text/event-stream") || res.body === null) {
        const text = await res.text().catch(() => "");
        let e: Obj | undefined;
        try {
          e = JSON.parse(text) as Obj;
        } catch {
          e = undefined;
        }
        if (e !== undefined) envelopes.push(e);
        q.end(e?.["error"] ? rpcError(e["error"] as Obj) : { code: res.status, message: `not an event stream (${contentType}): ${text.slice(0, 200)}` });
      } else {
        const events = sseMessages(res.body);
        void (async () => {
          try {
            for await (const m of events) {
              const e = JSON.parse(m.data) as Obj;
              envelopes.push(e);
              if (e["error"] !== undefined) {
                q.end(rpcError(e["error"] as Obj));
                return;
              }
              q.push(e["result"] as Obj);
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
        envelopes,
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
