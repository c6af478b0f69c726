/**
 * Protocol-neutral A2A request handler: one function per method (spec: Protocol Operations),
 * taking 1.0 params and answering 1.0 results or an event stream. Transport framing (JSON-RPC,
 * SSE, 0.3 shapes) lives in http.ts.
 */
import { uuidv7 } from "../envelope/ids.js";
import { AcpError, AuthFailureError, BackpressureDropError } from "../../generated/ts/errors.js";
import {
  PARTS,
  type A2aMethodName,
  type AgentCard,
  type ListTasksResponse,
  type SendMessageRequest,
  type SendMessageResponse,
  type StreamResponse,
  type Task,
  type TaskPushNotificationConfig,
} from "../../generated/a2a/index.js";
import { checkTenant, type A2aCaller } from "./auth.js";
import { a2aErrors } from "./errors.js";
import { checkConfigList, checkConfigRef, checkIdParams, checkListParams, checkPushConfig, checkSendParams, readParams } from "./params.js";
import { loadA2aProto, type A2aProto } from "./proto.js";
import { checkWebhookUrl, type WebhookGuardOptions } from "./ssrf.js";
import type { SendOutcome, TaskManager } from "./task-manager.js";
import type { PushConfigStore } from "./task-store.js";
import type { CardCapabilities } from "./agent-card.js";

export interface RpcHandlerDeps {
  manager: TaskManager;
  pushStore: PushConfigStore | undefined;
  guard: WebhookGuardOptions;
  capabilities: CardCapabilities;
  maxPageSize: number;
  defaultPageSize: number;
  /** The extended card, when configured, for the JSON-RPC endpoint a request came to (undefined: the server's own). */
  extendedCard: ((endpoint: string | undefined) => AgentCard) | undefined;
  /** The A2A proto the params are read with (default: loaded once per handler). */
  proto?: A2aProto;
  /**
   * Streams (SendStreamingMessage, SubscribeToTask) one tenant may hold open at once, over every
   * binding; one more is refused with BackpressureDropError. Default {@link RPC_HANDLER_DEFAULTS}.
   */
  maxStreamsPerTenant?: number;
  /**
   * The media types the agent takes (the card's defaultInputModes and its skills' inputModes;
   * the wildcard of all types and `type/` + `*` families match). A message part whose mediaType matches none is
   * refused with ContentTypeNotSupportedError. Default: PARTS.inputModes (schema/a2a/mapping.json).
   */
  inputModes?: readonly string[];
}

/** Defaults of {@link RpcHandlerDeps}. */
export const RPC_HANDLER_DEFAULTS = Object.freeze({ maxStreamsPerTenant: 1_000 });

/** A unary result or a stream of events. */
export type RpcOutcome = { readonly kind: "result"; readonly value: unknown } | { readonly kind: "stream"; readonly events: AsyncIterable<StreamResponse> };

/** A task with at most `historyLength` history messages (none for 0) and, unless asked, no artifacts. */
export function shapeTask(task: Task, historyLength: number | undefined, includeArtifacts = true): Task {
  const out: Task = { ...task };
  if (historyLength !== undefined) {
    if (historyLength === 0) delete out.history;
    else out.history = (task.history ?? []).slice(-historyLength);
  }
  if (!includeArtifacts) delete out.artifacts;
  return out;
}

const result = (value: unknown): RpcOutcome => ({ kind: "result", value });

/** `events` with `f` applied to each; `return()` reaches the source at once (a closed stream unsubscribes without waiting for an event). */
function mapEvents(events: AsyncIterable<StreamResponse>, f: (e: StreamResponse) => StreamResponse): AsyncIterable<StreamResponse> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<StreamResponse> {
      const it = events[Symbol.asyncIterator]();
      return {
        next: async () => {
          const r = await it.next();
          return r.done ? r : { done: false, value: f(r.value) };
        },
        return: async (value?: unknown) => (it.return ? it.return(value) : { done: true, value: undefined }),
      };
    },
  };
}

/** `events`, calling `release` once when the stream ends, fails or is closed (`return()`). */
function counted(events: AsyncIterable<StreamResponse>, release: () => void): AsyncIterable<StreamResponse> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<StreamResponse> {
      const it = events[Symbol.asyncIterator]();
      return {
        next: async () => {
          try {
            const r = await it.next();
            if (r.done) release();
            return r;
          } catch (err: unknown) {
            release();
            throw err;
          }
        },
        return: async (value?: unknown) => {
          release();
          return it.return ? it.return(value) : { done: true, value: undefined };
        },
      };
    },
  };
}

/** An opaque page token for a position in a list. */
const encodeOffset = (n: number): string => Buffer.from(`o:${n}`).toString("base64url");
function decodeOffset(token: string, field: string): number {
  const n = Number.parseInt(Buffer.from(token, "base64url").toString("utf8").replace(/^o:/, ""), 10);
  if (!Number.isInteger(n) || n < 0 || encodeOffset(n) !== token)
    throw a2aErrors.invalidParams(`${field} ${JSON.stringify(token)} was not issued by this server`);
  return n;
}

/** A push config as answered: its secrets (token, credentials) are never echoed back. */
export function redactPushConfig(cfg: TaskPushNotificationConfig): TaskPushNotificationConfig {
  const out: TaskPushNotificationConfig = { ...cfg };
  delete out.token;
  delete out.tenant;
  if (cfg.authentication !== undefined) out.authentication = { scheme: cfg.authentication.scheme };
  return out;
}

/** Dispatches A2A methods for one server. */
export class RpcHandler {
  private readonly proto: A2aProto;
  private readonly maxStreams: number;
  /** Open streams by tenant (a tenant leaves the map when its last stream ends: at most one entry per tenant streaming). */
  private readonly streams = new Map<string, number>();

  constructor(private readonly d: RpcHandlerDeps) {
    this.proto = d.proto ?? loadA2aProto();
    this.maxStreams = d.maxStreamsPerTenant ?? RPC_HANDLER_DEFAULTS.maxStreamsPerTenant;
  }

  /** Open streams of `tenant`. */
  openStreams(tenant: string): number {
    return this.streams.get(tenant) ?? 0;
  }

  /**
   * Takes one of the tenant's stream slots (before any work: a refused stream creates no task and
   * no subscriber) and returns its release, called once the stream ends, is closed or fails.
   * @throws BackpressureDropError when the tenant holds maxStreamsPerTenant streams.
   */
  private takeStream(caller: A2aCaller): () => void {
    const open = this.openStreams(caller.tenant);
    if (open >= this.maxStreams)
      throw new BackpressureDropError(
        `tenant ${JSON.stringify(caller.tenant)} has ${open} streams open (maxStreamsPerTenant ${this.maxStreams}); close one (or read it to its end) before opening another`,
      );
    this.streams.set(caller.tenant, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.openStreams(caller.tenant) - 1;
      if (left > 0) this.streams.set(caller.tenant, left);
      else this.streams.delete(caller.tenant);
    };
  }

  /** `make()`'s stream holding one of the caller's stream slots until it ends (released at once if `make` fails). */
  private async stream(caller: A2aCaller, make: () => Promise<AsyncIterable<StreamResponse>>): Promise<RpcOutcome> {
    const release = this.takeStream(caller);
    let events: AsyncIterable<StreamResponse>;
    try {
      events = await make();
    } catch (err: unknown) {
      release();
      throw err;
    }
    return { kind: "stream", events: counted(events, release) };
  }

  /**
   * Runs `method` for `caller`: every task it touches is one of the caller's tenant. `params`
   * is ProtoJSON of the method's request message (either field name; unknown fields are
   * dropped): every binding passes what it received, the reading happens here, once. `signal`
   * aborts when the caller gives up (a gRPC deadline or cancel): a blocking SendMessage then
   * cancels the task it started, so its bus call ends.
   */
  async handle(caller: A2aCaller, method: A2aMethodName, raw: unknown, signal?: AbortSignal): Promise<RpcOutcome> {
    const params = readParams(this.proto, method, raw);
    checkTenant(caller, params["tenant"]);
    switch (method) {
      case "SendMessage": {
        const req = await this.checkSend(params);
        const sent = await this.d.manager.send(caller, req, false);
        const answer = req.configuration?.returnImmediately ? { task: await this.d.manager.get(caller, sent.taskId) } : await this.answer(caller, sent, signal);
        if ("message" in answer) return result(answer);
        if (answer.task === undefined) throw a2aErrors.taskNotFound(sent.taskId);
        return result({ task: shapeTask(answer.task, req.configuration?.historyLength) });
      }
      case "SendStreamingMessage": {
        this.need("streaming");
        const req = await this.checkSend(params);
        return this.stream(caller, async () => {
          const { events } = await this.d.manager.send(caller, req, true);
          if (events === undefined) throw a2aErrors.internal("the task manager returned no event stream");
          // historyLength shapes the Task snapshots of the stream as it shapes SendMessage's answer
          const hl = req.configuration?.historyLength;
          return hl === undefined ? events : mapEvents(events, (e) => ("task" in e ? { task: shapeTask(e.task, hl) } : e));
        });
      }
      case "GetTask": {
        const p = checkIdParams(params);
        const task = await this.d.manager.get(caller, p.id);
        if (task === undefined) throw a2aErrors.taskNotFound(p.id);
        return result(shapeTask(task, p.historyLength));
      }
      case "ListTasks": {
        const q = checkListParams(params, this.d.maxPageSize);
        const pageSize = q.pageSize ?? this.d.defaultPageSize;
        const page = await this.d.manager
          .list(caller, {
            pageSize,
            ...(q.contextId ? { contextId: q.contextId } : {}),
            ...(q.status ? { state: q.status } : {}),
            ...(q.pageToken ? { pageToken: q.pageToken } : {}),
            ...(q.statusTimestampAfter ? { statusTimestampAfter: q.statusTimestampAfter } : {}),
          })
          .catch((err: unknown) => {
            // a page token the store did not issue is the caller's mistake; anything else is not
            if (err instanceof AcpError && err.code === "INVALID_REQUEST") throw a2aErrors.invalidParams(`params.pageToken: ${err.message}`);
            throw err;
          });
        const out: ListTasksResponse = {
          tasks: page.tasks.map((t) => shapeTask(t, q.historyLength, q.includeArtifacts ?? false)),
          nextPageToken: page.nextPageToken,
          pageSize,
          totalSize: page.totalSize,
        };
        return result(out);
      }
      case "CancelTask":
        return result(await this.d.manager.cancel(caller, checkIdParams(params).id));
      case "SubscribeToTask": {
        this.need("streaming");
        const { id } = checkIdParams(params);
        return this.stream(caller, () => this.d.manager.subscribe(caller, id));
      }
      case "CreateTaskPushNotificationConfig": {
        const store = this.pushStore();
        const cfg = checkPushConfig(params, "params");
        if (!cfg.taskId) throw a2aErrors.invalidParams("params.taskId must be a non-empty string");
        await this.taskMustExist(caller, cfg.taskId);
        await checkWebhookUrl(cfg.url, this.d.guard);
        const saved = { ...cfg, id: cfg.id || uuidv7(), taskId: cfg.taskId };
        delete saved.tenant;
        await store.set(saved);
        return result(redactPushConfig(saved));
      }
      case "GetTaskPushNotificationConfig": {
        const store = this.pushStore();
        const ref = checkConfigRef(params);
        await this.taskMustExist(caller, ref.taskId);
        const cfg = await store.get(ref.taskId, ref.id);
        if (cfg === undefined) throw a2aErrors.invalidParams(`task ${ref.taskId} has no push notification config ${ref.id}`);
        return result(redactPushConfig(cfg));
      }
      case "ListTaskPushNotificationConfigs": {
        const store = this.pushStore();
        const q = checkConfigList(params);
        await this.taskMustExist(caller, q.taskId);
        const all = await store.list(q.taskId);
        const offset = q.pageToken === "" ? 0 : decodeOffset(q.pageToken, "params.pageToken");
        const end = q.pageSize === 0 ? all.length : offset + q.pageSize;
        return result({ configs: all.slice(offset, end).map(redactPushConfig), nextPageToken: end < all.length ? encodeOffset(end) : "" });
      }
      case "DeleteTaskPushNotificationConfig": {
        const store = this.pushStore();
        const ref = checkConfigRef(params);
        await this.taskMustExist(caller, ref.taskId);
        // idempotent (TCK PUSH-DEL-002): a config already gone is deleted; the task must still be the caller's
        await store.delete(ref.taskId, ref.id);
        return result(null);
      }
      case "GetExtendedAgentCard": {
        // A2A 1.0 section 3.3.4: a capability the card does not declare is UnsupportedOperation.
        if (!this.d.capabilities.extendedAgentCard) throw a2aErrors.unsupported("the agent card declares capabilities.extendedAgentCard false");
        if (this.d.extendedCard === undefined) throw a2aErrors.extendedCardNotConfigured();
        // Enforced here, for every binding: the card's securityRequirements apply to this method.
        if (caller.authenticated !== true)
          throw new AuthFailureError(
            "GetExtendedAgentCard answers authenticated callers only: send the credentials the agent card's securityRequirements name",
          );
        return result(this.d.extendedCard(caller.endpoint));
      }
    }
  }

  /** What SendMessage answers once the run settles; when `signal` aborts first, the task is canceled (its bus call closed). */
  private async answer(caller: A2aCaller, sent: SendOutcome, signal: AbortSignal | undefined): Promise<SendMessageResponse> {
    if (signal === undefined) return sent.answer();
    const cancel = (): void => void this.d.manager.cancel(caller, sent.taskId).catch(() => undefined);
    if (signal.aborted) cancel();
    else signal.addEventListener("abort", cancel, { once: true });
    try {
      return await sent.answer();
    } finally {
      signal.removeEventListener("abort", cancel);
    }
  }

  private need(cap: "streaming"): void {
    if (!this.d.capabilities[cap]) throw a2aErrors.unsupported(`the agent card declares capabilities.${cap} false`);
  }

  private pushStore(): PushConfigStore {
    if (!this.d.capabilities.pushNotifications || this.d.pushStore === undefined) throw a2aErrors.pushNotSupported();
    return this.d.pushStore;
  }

  /** SendMessage / SendStreamingMessage params, their accepted output modes and inline push config (push on, webhook URL allowed). */
  private async checkSend(params: Record<string, unknown>): Promise<SendMessageRequest> {
    const req = checkSendParams(params);
    this.checkOutputModes(req.configuration?.acceptedOutputModes);
    this.checkInputModes(req.message.parts);
    const push = req.configuration?.taskPushNotificationConfig;
    if (push !== undefined) {
      this.pushStore();
      await checkWebhookUrl(push.url, this.d.guard);
    }
    return req;
  }

  /** Another tenant's task is "not found" too, so ids cannot be probed. */
  private async taskMustExist(caller: A2aCaller, id: string): Promise<void> {
    if ((await this.d.manager.get(caller, id)) === undefined) throw a2aErrors.taskNotFound(id);
  }

  /** Each part that states its mediaType must be one the agent takes (parts without one are judged by their kind elsewhere). */
  private checkInputModes(parts: readonly { mediaType?: string }[]): void {
    const modes = this.d.inputModes ?? PARTS.inputModes;
    parts.forEach((part, i) => {
      const type = part.mediaType?.split(";")[0]?.trim().toLowerCase();
      if (type === undefined || type === "" || modes.some((m) => mediaMatches(m.toLowerCase(), type))) return;
      throw a2aErrors.contentType(
        `message.parts[${i}].mediaType ${JSON.stringify(part.mediaType)} is not a type this agent takes (${modes.join(", ")}); send one of those, or declare the type in the card's defaultInputModes`,
      );
    });
  }

  private checkOutputModes(accepted: readonly string[] | undefined): void {
    if (accepted === undefined || accepted.length === 0) return;
    const ok = accepted.some(
      (m) => m === "*/*" || PARTS.outputModes.includes(m) || (m.endsWith("/*") && PARTS.outputModes.some((o) => o.startsWith(m.slice(0, -1)))),
    );
    if (!ok) throw a2aErrors.contentType(`the agent produces ${PARTS.outputModes.join(", ")}; accepted: ${accepted.join(", ")}`);
  }
}

/** True when media type `type` is in `mode`: the all-types wildcard, a `family/` + `*` wildcard, or the same type. */
function mediaMatches(mode: string, type: string): boolean {
  return mode === "*/*" || mode === type || (mode.endsWith("/*") && type.startsWith(mode.slice(0, -1)));
}
