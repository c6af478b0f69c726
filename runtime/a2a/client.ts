/**
 * A2A 1.0 JSON-RPC client (spec: Client responsibilities): reads the Agent Card (client-card.ts),
 * calls unary methods, reads SSE streams (bounded reads in client-http.ts). Error responses become an {@link A2aError} with the reason of their
 * code (the code itself in `wire`); answers that are not a JSON-RPC response of the right shape
 * become INVALID_AGENT_RESPONSE.
 */
import {
  A2A_PROTOCOL_VERSION,
  A2A_VERSION_HEADER,
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
import { sseMessages } from "../http/sse-messages.js";
import { a2aErrors } from "./errors.js";
import { errorFromJsonRpc } from "./jsonrpc.js";
import { jsonRpcEndpoint, readAgentCard } from "./client-card.js";
import { A2A_CLIENT_MAX_RESPONSE_BYTES, boundedEvents, fetchOrFail, readBody, type A2aClientOptions } from "./client-http.js";

export { agentCardProblem, agentCardUrl, fetchAgentCard, jsonRpcEndpoint, readAgentCard, type FetchedAgentCard } from "./client-card.js";
export { A2A_CLIENT_MAX_RESPONSE_BYTES, type A2aClientOptions } from "./client-http.js";

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const STREAM_KEYS = ["task", "message", "statusUpdate", "artifactUpdate"] as const;

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
