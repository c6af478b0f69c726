/**
 * Shared types of the TCK checks: the three A2A bindings behind one small client interface,
 * so a check is written once and runs on every binding the agent's card declares.
 */

/** An A2A protocol binding (as `protocolBinding` in the card), or CARD: the agent card endpoint. */
export type Binding = "JSONRPC" | "HTTP+JSON" | "GRPC";
export type Scope = Binding | "CARD";
export const BINDINGS: readonly Binding[] = ["JSONRPC", "HTTP+JSON", "GRPC"];

/** Wire JSON under test (checks index it freely). */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose (a wrong shape fails the check)
export type Obj = Record<string, any>;

/** The A2AService methods. */
export type A2aMethod =
  | "SendMessage"
  | "SendStreamingMessage"
  | "GetTask"
  | "ListTasks"
  | "CancelTask"
  | "SubscribeToTask"
  | "CreateTaskPushNotificationConfig"
  | "GetTaskPushNotificationConfig"
  | "ListTaskPushNotificationConfigs"
  | "DeleteTaskPushNotificationConfig"
  | "GetExtendedAgentCard";

export const A2A_METHODS: readonly A2aMethod[] = [
  "SendMessage",
  "SendStreamingMessage",
  "GetTask",
  "ListTasks",
  "CancelTask",
  "SubscribeToTask",
  "CreateTaskPushNotificationConfig",
  "GetTaskPushNotificationConfig",
  "ListTaskPushNotificationConfigs",
  "DeleteTaskPushNotificationConfig",
  "GetExtendedAgentCard",
];

/** An error answer in the binding's own terms. */
export interface CallError {
  /** JSON-RPC code, HTTP status, or gRPC status name (NOT_FOUND, ...). */
  readonly code: number | string;
  readonly message: string;
  /** The google.rpc.ErrorInfo reason when the answer carries one. */
  readonly reason?: string;
  /** The ErrorInfo domain. */
  readonly domain?: string;
  /** The raw error body (JSON-RPC error object, AIP-193 body) for structure checks. */
  readonly body?: unknown;
}

/** A unary answer. */
export interface CallResult {
  readonly ok: boolean;
  /** The result (JSON-RPC `result`, the HTTP body, the gRPC response as ProtoJSON). */
  readonly value?: Obj;
  readonly error?: CallError;
  /** HTTP status (JSON and HTTP+JSON bindings). */
  readonly status?: number;
  readonly contentType?: string;
  /** The full JSON-RPC envelope (JSON-RPC only). */
  readonly envelope?: Obj;
}

/** Per-call options. */
export interface CallOptions {
  /** Extra headers (gRPC: metadata); a value of "" for A2A-Version sends the header empty. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Send no credentials (the client's default headers are left out). */
  readonly anonymous?: boolean;
}

/** An open stream: events one by one (`undefined` = the stream ended). */
export interface StreamCall {
  /** Set when the call failed instead of streaming (or broke off with an error). */
  readonly error: CallError | undefined;
  readonly contentType?: string;
  /** The next event (a StreamResponse as ProtoJSON), undefined at the end; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Obj | undefined>;
  /** The JSON-RPC envelopes read so far (JSON-RPC only). */
  readonly envelopes: readonly Obj[];
  close(): Promise<void>;
}

/** One binding's client. */
export interface BindingClient {
  readonly binding: Binding;
  /** Where it talks (URL, or host:port for gRPC). */
  readonly url: string;
  call(method: A2aMethod, params: Obj, o?: CallOptions): Promise<CallResult>;
  stream(method: "SendStreamingMessage" | "SubscribeToTask", params: Obj, o?: CallOptions): Promise<StreamCall>;
  close(): Promise<void>;
}

/** The ErrorInfo in a details / data array, if any. */
export function errorInfoOf(details: unknown): { reason?: string; domain?: string } {
  if (!Array.isArray(details)) return {};
  for (const d of details) {
    if (typeof d === "object" && d !== null && typeof (d as Obj)["reason"] === "string") {
      const o = d as Obj;
      return { reason: o["reason"], ...(typeof o["domain"] === "string" ? { domain: o["domain"] } : {}) };
    }
  }
  return {};
}

/** A queue of stream events fed by a producer, read by `next()` with a bounded wait. */
export function eventQueue(limit = 10_000): {
  push(e: Obj): void;
  end(error?: CallError): void;
  next(timeoutMs?: number): Promise<Obj | undefined>;
  readonly error: CallError | undefined;
} {
  const items: Obj[] = [];
  let ended = false;
  let failure: CallError | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  return {
    push(e) {
      if (items.length >= limit) throw new Error(`more than ${limit} unread stream events`);
      items.push(e);
      notify();
    },
    end(error) {
      ended = true;
      if (error !== undefined && failure === undefined) failure = error;
      notify();
    },
    get error() {
      return failure;
    },
    async next(timeoutMs = 10_000) {
      for (;;) {
        const e = items.shift();
        if (e !== undefined) return e;
        if (ended) return undefined;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve, reject) => {
          wake = resolve;
          timer = setTimeout(() => reject(new Error(`no stream event within ${timeoutMs} ms`)), timeoutMs);
        }).finally(() => clearTimeout(timer));
      }
    },
  };
}
