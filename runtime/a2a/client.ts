/**
 * A2A 1.0 JSON-RPC client (spec: Client responsibilities): reads the Agent Card, calls unary
 * methods, reads SSE streams. Error responses become an {@link A2aError} with the reason of their
 * code (the code itself in `wire`); answers that are not a JSON-RPC response of the right shape
 * become INVALID_AGENT_RESPONSE.
 */
import {
  A2A_PROTOCOL_VERSION,
  A2A_VERSION_HEADER,
  AGENT_CARD_PATH,
  PROTOCOL_BINDING,
  type AgentCard,
  type A2aMethodName,
  type ListTasksRequest,
  type ListTasksResponse,
  type Message,
  type SendMessageRequest,
  type StreamResponse,
  type Task,
  type TaskPushNotificationConfig,
} from "../../generated/a2a/index.js";
import { A2A_GRPC_DESCRIPTOR } from "../../generated/a2a/grpc-descriptor.js";
import { AgentTimeoutError, TransportFailureError } from "../../generated/ts/errors.js";
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { sseMessages } from "../http/sse-messages.js";
import { a2aErrors, isA2aError, type A2aError } from "./errors.js";
import { loadA2aProto, normalizeProtoJson } from "./proto.js";
import { errorFromJsonRpc } from "./jsonrpc.js";

export interface A2aClientOptions {
  /** Extra headers on every request (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Per unary call (and card fetch), ms. Default 30,000. */
  timeoutMs?: number;
  /**
   * Bytes one answer may have: a card, a unary JSON-RPC response, one SSE event (the bytes
   * between two events). Past it the answer is INVALID_AGENT_RESPONSE and the connection is
   * dropped. Default {@link A2A_CLIENT_MAX_RESPONSE_BYTES}.
   */
  maxResponseBytes?: number;
}

/** Default of {@link A2aClientOptions.maxResponseBytes}: 4 MiB, the server's own body limit. */
export const A2A_CLIENT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const STREAM_KEYS = ["task", "message", "statusUpdate", "artifactUpdate"] as const;

/** An Agent Card as fetched: the checked card, the body as the agent sent it, where it came from. */
export interface FetchedAgentCard {
  /** The card in canonical ProtoJSON (lowerCamel names, unknown fields dropped), checked. */
  readonly card: AgentCard;
  /** The body as parsed, before any normalisation. */
  readonly raw: unknown;
  /** The URL the card was read from. */
  readonly url: string;
}

/**
 * Where the card of `baseUrl` lives: `baseUrl` itself when its path names a `.json` file (a card
 * URL given as is), else the well-known path on its origin.
 */
export function agentCardUrl(baseUrl: string): URL {
  const given = new URL(baseUrl);
  return given.pathname.endsWith(".json") ? given : new URL(AGENT_CARD_PATH, given);
}

/**
 * Reads and checks the Agent Card of the agent at `baseUrl` ({@link agentCardUrl}). A card that
 * cannot be fetched (no connection) is a TransportFailureError; an HTTP error, a body that is not
 * JSON or not a valid A2A 1.0 card (a field of the wrong type, a required field missing: see
 * {@link agentCardProblem}) is INVALID_AGENT_RESPONSE naming the URL and the field.
 */
export async function readAgentCard(baseUrl: string, opts: A2aClientOptions = {}): Promise<FetchedAgentCard> {
  const url = agentCardUrl(baseUrl);
  const res = await fetchOrFail(`agent card at ${url.href}`, url, { headers: { ...opts.headers, [A2A_VERSION_HEADER]: A2A_PROTOCOL_VERSION } }, opts.timeoutMs);
  const text = await readBody(res, `agent card at ${url.href}`, opts, undefined);
  if (!res.ok) throw a2aErrors.invalidAgentResponse(`agent card at ${url.href}: HTTP ${res.status}${text ? ` ${truncate(text)}` : ""}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw a2aErrors.invalidAgentResponse(
      `agent card at ${url.href} is not JSON (content-type ${res.headers.get("content-type") ?? "none"}): ${truncate(text)}`,
    );
  }
  const checked = agentCardProblem(raw);
  if (typeof checked === "string")
    throw a2aErrors.invalidAgentResponse(`agent card at ${url.href} is not a valid A2A ${A2A_PROTOCOL_VERSION} card: ${checked}`);
  return { card: checked, raw, url: url.href };
}

/** Fetches the checked Agent Card of the agent at `baseUrl` (see {@link readAgentCard}). */
export async function fetchAgentCard(baseUrl: string, opts: A2aClientOptions = {}): Promise<AgentCard> {
  return (await readAgentCard(baseUrl, opts)).card;
}

/**
 * `value` as an A2A 1.0 AgentCard in canonical ProtoJSON, or what is wrong with it: the field of
 * the wrong type (the ProtoJSON reader's message), or the first required field
 * (`google.api.field_behavior = REQUIRED` in the A2A proto) that is missing or empty, by its path
 * (`supportedInterfaces[0].url`). Of the required repeated fields only `supportedInterfaces` must
 * be non-empty (a client needs an interface; ProtoJSON writers leave other empty lists out).
 */
export function agentCardProblem(value: unknown): AgentCard | string {
  if (!isObject(value)) return `expected a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`;
  const proto = loadA2aProto();
  const desc = proto.message(CARD_TYPE);
  if (desc === undefined) return `the A2A descriptor has no ${CARD_TYPE}`;
  let card: unknown;
  try {
    card = normalizeProtoJson(desc, value);
  } catch (err: unknown) {
    return err instanceof Error ? err.message : String(err);
  }
  const missing = missingRequired(desc, card, "");
  if (missing !== undefined) return `${missing} is required (missing or empty)`;
  return card as AgentCard;
}

const CARD_TYPE = "lf.a2a.v1.AgentCard";
const REQUIRED_REPEATED = new Set(["lf.a2a.v1.AgentCard.supported_interfaces"]);

/** The path of the first required field of `desc` missing in `json` (canonical ProtoJSON), recursing into messages. */
function missingRequired(desc: DescMessage, json: unknown, path: string): string | undefined {
  if (!isObject(json)) return undefined;
  for (const field of desc.fields) {
    const at = `${path}${path === "" ? "" : "."}${field.jsonName}`;
    const value = json[field.jsonName];
    const required = isRequired(field);
    if (field.fieldKind === "list") {
      const list = Array.isArray(value) ? value : [];
      if (required && REQUIRED_REPEATED.has(`${field.parent.typeName}.${field.name}`) && list.length === 0) return at;
      if (field.listKind === "message") {
        for (const [i, item] of list.entries()) {
          const m = missingRequired(field.message, item, `${at}[${i}]`);
          if (m !== undefined) return m;
        }
      }
      continue;
    }
    if (value === undefined) {
      if (required && field.fieldKind !== "map") return at;
      continue;
    }
    if (field.fieldKind === "message") {
      const m = missingRequired(field.message, value, at);
      if (m !== undefined) return m;
    }
  }
  return undefined;
}

/** Whether the A2A proto marks `field` REQUIRED (google.api.field_behavior, read from the descriptor). */
function isRequired(field: DescField): boolean {
  return requiredFields().has(`${field.parent.typeName}.${field.name}`);
}

let required: Set<string> | undefined;
/** `package.Message.field` of every field the descriptor marks `[google.api.field_behavior] = REQUIRED`. */
function requiredFields(): Set<string> {
  if (required !== undefined) return required;
  const out = new Set<string>();
  type Msg = { name?: string; field?: { name?: string; options?: Record<string, unknown> }[]; nestedType?: Msg[] };
  const walk = (prefix: string, msgs: readonly Msg[] | undefined): void => {
    for (const m of msgs ?? []) {
      const name = `${prefix}.${m.name ?? ""}`;
      for (const f of m.field ?? []) {
        const behavior = f.options?.["[google.api.field_behavior]"];
        if (Array.isArray(behavior) && behavior.includes("REQUIRED")) out.add(`${name}.${f.name ?? ""}`);
      }
      walk(name, m.nestedType);
    }
  };
  for (const file of A2A_GRPC_DESCRIPTOR?.file ?? []) walk(String(file["package"] ?? ""), file["messageType"] as Msg[] | undefined);
  required = out;
  return out;
}

/**
 * The body of a unary answer, at most `maxResponseBytes` (else INVALID_AGENT_RESPONSE, the body
 * canceled); the timeout firing while it is read is an AgentTimeoutError too.
 */
async function readBody(res: Response, what: string, opts: A2aClientOptions, signal: AbortSignal | undefined): Promise<string> {
  const max = opts.maxResponseBytes ?? A2A_CLIENT_MAX_RESPONSE_BYTES;
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(what, max);
  }
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(what, max);
      }
      chunks.push(value);
    }
  } catch (err: unknown) {
    if (isA2aError(err) || signal?.aborted) throw err;
    if (err instanceof Error && err.name === "TimeoutError")
      throw new AgentTimeoutError(`${what}: no answer within ${opts.timeoutMs ?? 30_000} ms`, { cause: err });
    throw new TransportFailureError(`${what}: the connection broke while reading the answer: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(what: string, max: number): A2aError {
  return a2aErrors.invalidAgentResponse(`${what}: the answer is over ${max} bytes (maxResponseBytes)`);
}

/**
 * `body` with a bound on the bytes between two SSE events: `eventSeen()` resets the count;
 * past `max` the stream errors with INVALID_AGENT_RESPONSE (an event that never ends cannot
 * grow the parser's buffer without bound).
 */
function boundedEvents(body: ReadableStream<Uint8Array>, what: string, max: number): { stream: ReadableStream<Uint8Array>; eventSeen(): void } {
  let pending = 0;
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        pending += chunk.byteLength;
        if (pending > max) ctl.error(a2aErrors.invalidAgentResponse(`${what}: an SSE event over ${max} bytes (maxResponseBytes)`));
        else ctl.enqueue(chunk);
      },
    }),
  );
  return { stream, eventSeen: () => void (pending = 0) };
}

/** The body's start, for error messages. */
function truncate(text: string): string {
  const t = text.trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/**
 * The JSON-RPC 1.0 endpoint a card offers, if any: the first interface whose binding is JSONRPC
 * (any case) and whose version is 1.0 (or 1.0.x), its URL resolved against `cardUrl` when relative.
 */
export function jsonRpcEndpoint(card: AgentCard, cardUrl?: string): string | undefined {
  const found = card.supportedInterfaces.find(
    (i) =>
      i.protocolBinding.toUpperCase() === PROTOCOL_BINDING &&
      (i.protocolVersion === A2A_PROTOCOL_VERSION || i.protocolVersion.startsWith(`${A2A_PROTOCOL_VERSION}.`)),
  );
  if (found === undefined) return undefined;
  try {
    return new URL(found.url, cardUrl).href;
  } catch {
    return found.url;
  }
}

/**
 * `fetch` whose failures say what happened: no connection → TransportFailureError, the timeout
 * → AgentTimeoutError; an abort by the caller's signal is rethrown as it is.
 */
async function fetchOrFail(what: string, url: URL | string, init: RequestInit, timeoutMs: number | null | undefined, signal?: AbortSignal): Promise<Response> {
  const ms = timeoutMs === null ? undefined : (timeoutMs ?? 30_000);
  const timeout = ms === undefined ? undefined : AbortSignal.timeout(ms);
  const signals = [signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  try {
    return await fetch(url, { ...init, ...(signals.length === 0 ? {} : { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) }) });
  } catch (err: unknown) {
    if (signal?.aborted) throw err;
    if (timeout?.aborted) throw new AgentTimeoutError(`${what}: no answer within ${ms} ms`, { cause: err });
    const cause =
      err instanceof Error && err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err instanceof Error ? err.message : String(err);
    throw new TransportFailureError(`cannot reach ${what}: ${cause}`, { cause: err });
  }
}

/** Talks A2A 1.0 JSON-RPC to one endpoint. */
export class A2aClient {
  private nextId = 1;

  constructor(
    readonly endpoint: string,
    private readonly opts: A2aClientOptions = {},
  ) {}

  /** A client for the agent at `baseUrl`, from its card's JSON-RPC 1.0 interface. */
  static async connect(baseUrl: string, opts: A2aClientOptions = {}): Promise<{ client: A2aClient; card: AgentCard }> {
    const { card, url } = await readAgentCard(baseUrl, opts);
    const endpoint = jsonRpcEndpoint(card, url);
    if (endpoint === undefined) {
      const offered = card.supportedInterfaces.map((i) => `${i.protocolBinding} ${i.protocolVersion}`).join(", ");
      throw a2aErrors.invalidAgentResponse(
        `the agent card of ${card.name} offers no ${PROTOCOL_BINDING} ${A2A_PROTOCOL_VERSION} interface (it offers ${offered})`,
      );
    }
    return { client: new A2aClient(endpoint, opts), card };
  }

  /** SendMessage: the Task (or the agent's Message). */
  async sendMessage(req: SendMessageRequest, signal?: AbortSignal): Promise<{ task: Task } | { message: Message }> {
    const r = await this.call("SendMessage", req, signal);
    if (isObject(r) && (isObject(r["task"]) || isObject(r["message"]))) return r as { task: Task } | { message: Message };
    throw a2aErrors.invalidAgentResponse("SendMessage result has neither task nor message");
  }

  sendStreamingMessage(req: SendMessageRequest, signal?: AbortSignal): AsyncIterable<StreamResponse> {
    return this.stream("SendStreamingMessage", req, signal);
  }

  subscribeToTask(id: string, signal?: AbortSignal): AsyncIterable<StreamResponse> {
    return this.stream("SubscribeToTask", { id }, signal);
  }

  /**
   * GetTask. The result is checked for what a Task must have (`id`, `contextId`, `status.state`
   * strings); its other fields are typed as the agent sent them (an assertion, not a schema check).
   */
  async getTask(id: string, historyLength?: number): Promise<Task> {
    return taskResult("GetTask", await this.call("GetTask", { id, ...(historyLength === undefined ? {} : { historyLength }) }));
  }

  /** ListTasks. The result is checked for a `tasks` array of Tasks (as {@link getTask} checks one). */
  async listTasks(req: ListTasksRequest = {}): Promise<ListTasksResponse> {
    const r = await this.call("ListTasks", req);
    if (!isObject(r) || !Array.isArray(r["tasks"])) throw a2aErrors.invalidAgentResponse("ListTasks result has no tasks array");
    for (const t of r["tasks"]) taskResult("ListTasks", t);
    return r as unknown as ListTasksResponse;
  }

  /** CancelTask, checked as {@link getTask}. */
  async cancelTask(id: string): Promise<Task> {
    return taskResult("CancelTask", await this.call("CancelTask", { id }));
  }

  /**
   * CreateTaskPushNotificationConfig. The result is checked to be an object with a string `url`;
   * its other fields are an assertion.
   */
  async createPushConfig(cfg: TaskPushNotificationConfig): Promise<TaskPushNotificationConfig> {
    const r = await this.call("CreateTaskPushNotificationConfig", cfg);
    if (!isObject(r) || typeof r["url"] !== "string")
      throw a2aErrors.invalidAgentResponse("CreateTaskPushNotificationConfig result is not a push notification config (no url)");
    return r as unknown as TaskPushNotificationConfig;
  }

  /** One JSON-RPC call; resolves with `result`. */
  async call(method: A2aMethodName, params: unknown, signal?: AbortSignal): Promise<unknown> {
    const id = this.nextId++;
    const res = await this.post(method, id, params, "application/json", this.opts.timeoutMs ?? 30_000, signal);
    const text = await readBody(res, method, this.opts, signal);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw a2aErrors.invalidAgentResponse(`${method}: HTTP ${res.status} with a body that is not JSON`);
    }
    return unwrap(body, id, method);
  }

  /** A streaming call: each SSE event's JSON-RPC result as a StreamResponse. */
  async *stream(method: A2aMethodName, params: unknown, signal?: AbortSignal): AsyncGenerator<StreamResponse> {
    const id = this.nextId++;
    const res = await this.post(method, id, params, "text/event-stream", null, signal);
    if (!res.headers.get("content-type")?.startsWith("text/event-stream")) {
      const text = await readBody(res, method, this.opts, signal);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: unwrap says it is no JSON-RPC response
      }
      unwrap(body, id, method);
      throw a2aErrors.invalidAgentResponse(`${method}: expected text/event-stream, got ${res.headers.get("content-type") ?? "no content type"}`);
    }
    if (res.body === null) return;
    const { stream: sse, eventSeen } = boundedEvents(res.body, method, this.opts.maxResponseBytes ?? A2A_CLIENT_MAX_RESPONSE_BYTES);
    try {
      for await (const event of sseMessages(sse)) {
        eventSeen();
        let body: unknown;
        try {
          body = JSON.parse(event.data);
        } catch {
          throw a2aErrors.invalidAgentResponse(`${method}: SSE data is not JSON`);
        }
        const result = unwrap(body, id, method);
        if (!isObject(result) || !STREAM_KEYS.some((k) => isObject(result[k])))
          throw a2aErrors.invalidAgentResponse(`${method}: SSE result is not a StreamResponse`);
        yield result as StreamResponse;
      }
    } finally {
      await sse.cancel().catch(() => undefined);
    }
  }

  private post(method: string, id: number, params: unknown, accept: string, timeoutMs: number | null, signal: AbortSignal | undefined): Promise<Response> {
    return fetchOrFail(
      `${method} at ${this.endpoint}`,
      this.endpoint,
      {
        method: "POST",
        headers: { ...this.opts.headers, "content-type": "application/json", accept, [A2A_VERSION_HEADER]: A2A_PROTOCOL_VERSION },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
      },
      timeoutMs,
      signal,
    );
  }
}

/** `value` as a Task when it has what every Task has (id, contextId, status.state), else INVALID_AGENT_RESPONSE. */
function taskResult(method: string, value: unknown): Task {
  const status = isObject(value) ? value["status"] : undefined;
  if (
    !isObject(value) ||
    typeof value["id"] !== "string" ||
    typeof value["contextId"] !== "string" ||
    !isObject(status) ||
    typeof status["state"] !== "string"
  ) {
    throw a2aErrors.invalidAgentResponse(`${method} result is not a Task (it needs string id, contextId and status.state)`);
  }
  return value as unknown as Task;
}

/** `result` of a JSON-RPC response for request `id`; its error as an A2aError (reason from the code, code in `wire`). */
function unwrap(body: unknown, id: number, method: string): unknown {
  if (!isObject(body) || body["jsonrpc"] !== "2.0") throw a2aErrors.invalidAgentResponse(`${method}: not a JSON-RPC 2.0 response`);
  if (isObject(body["error"])) {
    throw errorFromJsonRpc(body["error"]);
  }
  if (body["id"] !== id) throw a2aErrors.invalidAgentResponse(`${method}: response id ${JSON.stringify(body["id"])} does not match request id ${id}`);
  if (!("result" in body)) throw a2aErrors.invalidAgentResponse(`${method}: response has neither result nor error`);
  return body["result"];
}
