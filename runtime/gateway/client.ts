/**
 * A small TypeScript client of the gateway: `fetch` for the requests and
 * `eventsource-parser` for the SSE stream. Errors come back as the catalogue's typed
 * errors (from the ErrorPayload body); a stream whose connection drops before its terminal
 * frame can resume with `Last-Event-ID`.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { CanceledError, CodecFailureError, TransportFailureError, type AcpError } from "../../generated/ts/errors.js";
import { errorFromPayload, invalidArgument } from "../errors.js";
import { decode, EnvelopeDecodeError, isTerminal } from "../envelope/index.js";
import { sseMessages } from "../http/sse-messages.js";

/** Options of {@link GatewayClient}. */
export interface GatewayClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Bearer token, or a function returning a fresh one per request. */
  token?: string | (() => string | Promise<string>);
  /** Extra headers on every request. */
  headers?: Readonly<Record<string, string>>;
  /** fetch implementation (default the global one). */
  fetch?: typeof fetch;
}

/** Per-call context (sent as the X-* headers) and controls. */
export interface CallOptions {
  tenantId?: string;
  sessionId?: string;
  conversationId?: string;
  userId?: string;
  channel?: string;
  traceId?: string;
  traceparent?: string;
  /** Asks the gateway for this timeout (X-Timeout-Ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
}

/** Options of {@link GatewayClient.invoke}. */
export interface InvokeCallOptions<T> extends CallOptions {
  /**
   * Checks the reply payload before it is returned as `T`: a type guard, such as a generated
   * validator (`validatePayload[...]` from openagentio/generated, whose ajv `errors` then name
   * the defect). A payload it refuses rejects with CODEC_FAILURE. Without it, `T` is an
   * assertion: the payload is whatever the agent answered, typed `T` unchecked.
   */
  validate?: (value: unknown) => value is T;
}

/** Options of {@link GatewayClient.stream}. */
export interface StreamOptions extends CallOptions {
  /** Resume this stream instead of starting one (a frame's event_id, or the X-Stream-Id). */
  lastEventId?: string;
  /** Reconnect with Last-Event-ID when the connection drops before the terminal frame (default 0 attempts). */
  resumeAttempts?: number;
}

/** One SSE event of a stream. */
export interface SseFrame {
  /** The SSE `event:` (the envelope's event_type). */
  readonly event: string;
  /** The SSE `id:` (the envelope's event_id). */
  readonly id: string | undefined;
  readonly envelope: Envelope;
}

/** A running stream: iterate it once; `close()` disconnects (the gateway then cancels the handler). */
export interface GatewayStream extends AsyncIterable<SseFrame>, AsyncDisposable {
  /** The gateway's stream id (X-Stream-Id), once the response arrived. */
  readonly streamId: string | undefined;
  /** The id of the last frame received. */
  readonly lastEventId: string | undefined;
  /** Heartbeat comments received. */
  readonly heartbeats: number;
  close(): Promise<void>;
}

const CONTEXT_HEADERS: ReadonlyArray<[keyof CallOptions, string]> = [
  ["tenantId", "x-tenant-id"],
  ["sessionId", "x-session-id"],
  ["conversationId", "x-conversation-id"],
  ["userId", "x-user-id"],
  ["channel", "x-channel"],
  ["traceId", "x-trace-id"],
  ["traceparent", "x-traceparent"],
];

/** ": <pointer> <message>" of an ajv-style validator's first error, or "" when it names none. */
function validatorProblem(validate: (value: unknown) => boolean): string {
  const errors = (validate as { errors?: unknown }).errors;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (first === null || typeof first !== "object") return "";
  const { instancePath, message } = first as { instancePath?: unknown; message?: unknown };
  return `: ${typeof instancePath === "string" && instancePath !== "" ? instancePath : "(root)"} ${typeof message === "string" ? message : "is invalid"}`;
}

/** The typed error of a non-2xx response. */
async function errorOf(res: Response): Promise<AcpError> {
  const text = await res.text().catch(() => "");
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === "object" && typeof (body as { code?: unknown }).code === "string") {
      const err = errorFromPayload(body);
      Object.defineProperty(err, "status", { value: res.status, enumerable: false });
      return err;
    }
  } catch {
    // not an ErrorPayload: fall through
  }
  return new TransportFailureError(`gateway answered ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ""}`, {
    retryable: res.status >= 500,
    details: { status: res.status },
  });
}

/**
 * A 2xx response's JSON body, or undefined when it has none. Deployed gateways (the Go SDK's
 * HTTP adapter) answer 202 with an empty body: the request succeeded, so an empty body is
 * "no content", not a failure. A non-empty body that is not JSON is a defect of the peer.
 */
async function bodyOf(res: Response, signal: AbortSignal | undefined): Promise<unknown> {
  if (res.status === 204) return undefined;
  let text: string;
  try {
    text = await res.text();
  } catch (err: unknown) {
    // the connection failed mid-body (undici: "TypeError: terminated"): the call may have run,
    // so not retryable
    if (signal?.aborted === true) throw new CanceledError("request canceled", { cause: err });
    throw new TransportFailureError(`gateway answered ${res.status}, then the body was cut off: ${err instanceof Error ? err.message : String(err)}`, {
      retryable: false,
      details: { status: res.status },
      cause: err,
    });
  }
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TransportFailureError(`gateway answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`, {
      retryable: false,
      details: { status: res.status },
    });
  }
}

/** What a health probe found. */
export type ProbeState =
  /** 2xx. */
  | "ok"
  /** The route answered, but not 2xx (503: not ready, or down). */
  | "failing"
  /** The server answered 404 or 405: it has no such route (the deployed Go adapter has none). */
  | "no-route"
  /** No HTTP answer at all (connection refused, reset, DNS). */
  | "unreachable";

/** The gateway's liveness (`/healthz`) and readiness (`/readyz`). */
export interface HealthReport {
  readonly healthz: ProbeState;
  readonly readyz: ProbeState;
}

/** Client of the gateway's routes. */
export class GatewayClient {
  readonly #base: string;
  readonly #opts: GatewayClientOptions;
  readonly #fetch: typeof fetch;

  constructor(opts: GatewayClientOptions) {
    this.#base = opts.url.replace(/\/+$/, "");
    this.#opts = opts;
    this.#fetch = opts.fetch ?? fetch;
  }

  async #headers(opts: CallOptions | undefined, extra: Record<string, string>): Promise<Record<string, string>> {
    const h: Record<string, string> = { ...this.#opts.headers, ...extra };
    const token = typeof this.#opts.token === "function" ? await this.#opts.token() : this.#opts.token;
    if (token !== undefined) h["authorization"] = `Bearer ${token}`;
    for (const [key, header] of CONTEXT_HEADERS) {
      const value = opts?.[key];
      if (typeof value === "string") h[header] = value;
    }
    if (opts?.timeoutMs !== undefined) h["x-timeout-ms"] = String(Math.ceil(opts.timeoutMs));
    return { ...h, ...opts?.headers };
  }

  async #post(path: string, body: unknown, opts: CallOptions | undefined, extra: Record<string, string> = {}): Promise<Response> {
    const headers = await this.#headers(opts, body === undefined ? extra : { "content-type": "application/json", ...extra });
    try {
      return await this.#fetch(`${this.#base}${path}`, {
        method: "POST",
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(opts?.signal === undefined ? {} : { signal: opts.signal }),
      });
    } catch (err: unknown) {
      if (opts?.signal?.aborted === true) throw new CanceledError("request canceled", { cause: err });
      throw new TransportFailureError(`cannot reach the gateway at ${this.#base}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /**
   * Invokes `target`; resolves with the reply payload (undefined for 204), rejects with the
   * typed error. `T` is checked when `opts.validate` is given and is an unchecked assertion
   * otherwise (see {@link InvokeCallOptions.validate}).
   */
  async invoke<T = unknown>(target: string, body?: unknown, opts?: InvokeCallOptions<T>): Promise<T | undefined> {
    const res = await this.#post(`/v1/agents/${encodeURIComponent(target)}/invoke`, body, opts);
    if (!res.ok) throw await errorOf(res);
    const payload = await bodyOf(res, opts?.signal);
    if (payload === undefined || opts?.validate === undefined) return payload as T | undefined;
    if (opts.validate(payload)) return payload;
    throw new CodecFailureError(`invoke ${target}: the reply payload is not what validate accepts${validatorProblem(opts.validate)}`, {
      details: { target, payload },
    });
  }

  /**
   * Publishes an event; resolves with its event_id: from the JSON body (this gateway), else
   * the X-Event-Id header, else undefined (a deployed gateway that answers 202 with an empty
   * body accepted the event without naming it).
   */
  async emit(eventType: string, body?: unknown, opts?: CallOptions): Promise<{ event_id: string | undefined }> {
    const res = await this.#post(`/v1/events/${encodeURIComponent(eventType)}`, body, opts);
    if (!res.ok) throw await errorOf(res);
    const answer = await bodyOf(res, opts?.signal);
    const fromBody = answer !== null && typeof answer === "object" ? (answer as { event_id?: unknown }).event_id : undefined;
    const id = typeof fromBody === "string" ? fromBody : (res.headers.get("x-event-id") ?? undefined);
    return { event_id: id };
  }

  /** True when GET /healthz answers 2xx. */
  async health(): Promise<boolean> {
    return probeState(await this.#get("/healthz")) === "ok";
  }

  /** True when GET /readyz answers 2xx. */
  async ready(): Promise<boolean> {
    return probeState(await this.#get("/readyz")) === "ok";
  }

  /** Probes `/healthz` and `/readyz`, telling a failing route from a missing one and from no answer. */
  async checkHealth(): Promise<HealthReport> {
    const [healthz, readyz] = await Promise.all([this.#get("/healthz"), this.#get("/readyz")]);
    return { healthz: probeState(healthz), readyz: probeState(readyz) };
  }

  async #get(path: string): Promise<number> {
    try {
      const res = await this.#fetch(`${this.#base}${path}`, { headers: await this.#headers(undefined, {}) });
      await res.body?.cancel();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Starts (or resumes) a stream of `target`. */
  stream(target: string, body?: unknown, opts: StreamOptions = {}): GatewayStream {
    return new ClientStream((lastEventId, signal) => {
      const extra: Record<string, string> = { accept: "text/event-stream" };
      if (lastEventId !== undefined) extra["last-event-id"] = lastEventId;
      return this.#post(`/v1/agents/${encodeURIComponent(target)}/stream`, body, { ...opts, signal }, extra);
    }, opts);
  }
}

/** The state of a probe's HTTP status (0: no answer). */
function probeState(status: number): ProbeState {
  if (status === 0) return "unreachable";
  if (status >= 200 && status < 300) return "ok";
  return status === 404 || status === 405 ? "no-route" : "failing";
}

type Connect = (lastEventId: string | undefined, signal: AbortSignal) => Promise<Response>;

class ClientStream implements GatewayStream {
  streamId: string | undefined;
  lastEventId: string | undefined;
  heartbeats = 0;
  readonly #connect: Connect;
  readonly #controller = new AbortController();
  readonly #resumeAttempts: number;
  #iterating = false;

  constructor(connect: Connect, opts: StreamOptions) {
    this.#connect = connect;
    this.lastEventId = opts.lastEventId;
    this.#resumeAttempts = opts.resumeAttempts ?? 0;
    opts.signal?.addEventListener("abort", () => this.#controller.abort(opts.signal?.reason), { once: true });
  }

  close(): Promise<void> {
    this.#controller.abort(new CanceledError("stream closed by the client"));
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SseFrame> {
    if (this.#iterating)
      throw invalidArgument(
        "GatewayStream",
        "[Symbol.asyncIterator]",
        "a second iteration",
        "iterated once: open a new stream (or resume with Last-Event-ID) to read it again",
      );
    this.#iterating = true;
    let attemptsLeft = this.#resumeAttempts;
    for (;;) {
      if (this.#controller.signal.aborted) return;
      let res: Response;
      try {
        res = await this.#connect(this.lastEventId, this.#controller.signal);
      } catch (err: unknown) {
        if (this.#controller.signal.aborted) return;
        throw err;
      }
      if (!res.ok) throw await errorOf(res);
      this.streamId ??= res.headers.get("x-stream-id") ?? undefined;
      let ended = false;
      try {
        for await (const frame of this.#read(res)) {
          this.lastEventId = frame.id ?? this.lastEventId;
          yield frame;
          if (isTerminal(frame.envelope)) {
            ended = true;
            return;
          }
        }
      } catch (err: unknown) {
        if (this.#controller.signal.aborted) return;
        // a frame that is not an envelope is the gateway's fault, not the connection's: no resume
        if (err instanceof EnvelopeDecodeError) throw err;
        if (attemptsLeft <= 0) throw new TransportFailureError(`stream connection lost: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      } finally {
        if (!ended) await res.body?.cancel().catch(() => undefined);
      }
      if (this.#controller.signal.aborted) return;
      if (attemptsLeft-- <= 0) throw new TransportFailureError("stream ended before its terminal frame");
      this.lastEventId ??= this.streamId;
    }
  }

  async *#read(res: Response): AsyncGenerator<SseFrame> {
    if (res.body === null) return;
    for await (const e of sseMessages(res.body, () => this.heartbeats++)) {
      // checked, not cast: each frame's data must decode as an envelope (the SSE reader bounds its size)
      const decoded = decode(e.data, { maxBytes: Number.MAX_SAFE_INTEGER });
      if (!decoded.ok) throw decoded.error;
      yield { event: e.event ?? "message", id: e.id, envelope: decoded.envelope };
    }
  }
}
