/** Raw HTTP helpers of the conformance checks: they speak JSON-RPC with fetch, no client library. */
import { sseMessages } from "../../../runtime/http/sse-messages.js";

export interface RpcOptions {
  /** A2A-Version header; "" sends none (0.3). Default "1.0". */
  version?: string;
  /** Raw body instead of a JSON-RPC request. */
  body?: string;
  id?: number | string;
}

export type RpcAnswer = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

/** Where a call goes: a URL, or a URL with headers (e.g. Authorization). */
export type Endpoint = string | { readonly url: string; readonly headers: Readonly<Record<string, string>> };

const urlOf = (e: Endpoint): string => (typeof e === "string" ? e : e.url);

function request(endpoint: Endpoint, method: string, params: unknown, o: RpcOptions, accept: string): RequestInit {
  const headers: Record<string, string> = { ...(typeof endpoint === "string" ? {} : endpoint.headers), "content-type": "application/json", accept };
  if ((o.version ?? "1.0") !== "") headers["A2A-Version"] = o.version ?? "1.0";
  return { method: "POST", headers, body: o.body ?? JSON.stringify({ jsonrpc: "2.0", id: o.id ?? 1, method, params }) };
}

/** One unary call; the parsed JSON-RPC response. */
export async function rpc(url: Endpoint, method: string, params: unknown, o: RpcOptions = {}): Promise<RpcAnswer> {
  return (await rpcHttp(url, method, params, o)).answer;
}

/** One unary call; the HTTP status and the parsed JSON-RPC response. */
export async function rpcHttp(
  url: Endpoint,
  method: string,
  params: unknown,
  o: RpcOptions = {},
): Promise<{ status: number; headers: Headers; answer: RpcAnswer }> {
  const res = await fetch(urlOf(url), request(url, method, params, o, "application/json"));
  return { status: res.status, headers: res.headers, answer: (await res.json()) as RpcAnswer };
}

/** `result` of a call; throws with the error when there is one. */
export async function rpcResult<T = Record<string, unknown>>(url: Endpoint, method: string, params: unknown, o: RpcOptions = {}): Promise<T> {
  const a = await rpc(url, method, params, o);
  if (a.error) throw new Error(`${method} answered error ${a.error.code}: ${a.error.message}`);
  return a.result as T;
}

/** An open SSE call: its JSON-RPC responses in order, or the plain JSON answer when it did not stream. */
export interface SseCall extends AsyncIterable<RpcAnswer> {
  readonly status: number;
  readonly contentType: string;
  close(): Promise<void>;
}

/** Opens a streaming call. */
export async function sseOpen(url: Endpoint, method: string, params: unknown, o: RpcOptions = {}): Promise<SseCall> {
  const ac = new AbortController();
  const res = await fetch(urlOf(url), { ...request(url, method, params, o, "text/event-stream"), signal: ac.signal });
  const contentType = res.headers.get("content-type") ?? "";
  const body = res.body;
  async function* iterate(): AsyncGenerator<RpcAnswer> {
    if (!contentType.startsWith("text/event-stream")) {
      yield (await res.json()) as RpcAnswer;
      return;
    }
    if (body === null) return;
    const events = sseMessages(body);
    try {
      for (;;) {
        // A body that breaks off (server gone, call aborted) ends the stream like a clean end.
        const r = await events.next().catch(() => ({ done: true as const, value: undefined }));
        if (r.done) break;
        yield JSON.parse(r.value.data) as RpcAnswer;
      }
    } finally {
      await events.return(undefined);
      await body.cancel().catch(() => undefined);
    }
  }
  const it = iterate();
  return {
    status: res.status,
    contentType,
    [Symbol.asyncIterator]: () => it,
    close: async () => {
      await it.return(undefined);
      ac.abort();
    },
  };
}

/** Every answer of a streaming call, to its end. */
export async function sseAll(url: Endpoint, method: string, params: unknown, o: RpcOptions = {}): Promise<RpcAnswer[]> {
  const call = await sseOpen(url, method, params, o);
  const out: RpcAnswer[] = [];
  for await (const a of call) out.push(a);
  return out;
}

let counter = 0;
/** A fresh message id for checks. */
export function nextMessageId(prefix = "m"): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A 1.0 user message with one text part. */
export function userText(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { messageId: nextMessageId(), role: "ROLE_USER", parts: [{ text }], ...extra };
}
