/**
 * Protocol-neutral A2A request handler: one function per method (spec: Protocol Operations),
 * taking 1.0 params and answering 1.0 results or an event stream. Transport framing (JSON-RPC,
 * SSE, 0.3 shapes) lives in http.ts.
 */
import { uuidv7 } from "../envelope/ids.js";
import {
  PARTS,
  type A2aMethodName,
  type AgentCard,
  type ListTasksResponse,
  type SendMessageRequest,
  type StreamResponse,
  type Task,
  type TaskPushNotificationConfig,
} from "../../generated/a2a/index.js";
import { checkTenant, type A2aCaller } from "./auth.js";
import { a2aErrors } from "./errors.js";
import { checkConfigRef, checkIdParams, checkListParams, checkPushConfig, checkSendParams } from "./params.js";
import { checkWebhookUrl, type WebhookGuardOptions } from "./ssrf.js";
import type { TaskManager } from "./task-manager.js";
import type { PushConfigStore } from "./task-store.js";
import type { CardCapabilities } from "./agent-card.js";

export interface RpcHandlerDeps {
  manager: TaskManager;
  pushStore: PushConfigStore | undefined;
  guard: WebhookGuardOptions;
  capabilities: CardCapabilities;
  maxPageSize: number;
  defaultPageSize: number;
  /** The extended card, when configured. */
  extendedCard: (() => AgentCard) | undefined;
}

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
  constructor(private readonly d: RpcHandlerDeps) {}

  /**
   * Runs `method` for `caller`: every task it touches is one of the caller's tenant. `signal`
   * aborts when the caller gives up (a gRPC deadline or cancel): a blocking SendMessage then
   * cancels the task it started, so its bus call ends.
   */
  async handle(caller: A2aCaller, method: A2aMethodName, params: unknown, signal?: AbortSignal): Promise<RpcOutcome> {
    const tenant = typeof params === "object" && params !== null ? (params as Record<string, unknown>)["tenant"] : undefined;
    if (tenant !== undefined && typeof tenant !== "string") throw a2aErrors.invalidParams("params.tenant must be a string");
    checkTenant(caller, tenant);
    switch (method) {
      case "SendMessage": {
        const req = await this.checkSend(params);
        const { taskId } = await this.d.manager.send(caller, req, false);
        const task = req.configuration?.returnImmediately ? await this.d.manager.get(caller, taskId) : await this.settled(caller, taskId, signal);
        if (task === undefined) throw a2aErrors.taskNotFound(taskId);
        return result({ task: shapeTask(task, req.configuration?.historyLength) });
      }
      case "SendStreamingMessage": {
        this.need("streaming");
        const req = await this.checkSend(params);
        const { events } = await this.d.manager.send(caller, req, true);
        if (events === undefined) throw a2aErrors.internal("the task manager returned no event stream");
        return { kind: "stream", events };
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
            throw a2aErrors.invalidParams(err instanceof Error ? err.message : String(err));
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
      case "SubscribeToTask":
        this.need("streaming");
        return { kind: "stream", events: await this.d.manager.subscribe(caller, checkIdParams(params).id) };
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
        const p = typeof params === "object" && params !== null ? (params as Record<string, unknown>) : {};
        if (typeof p["taskId"] !== "string" || p["taskId"] === "") throw a2aErrors.invalidParams("params.taskId must be a non-empty string");
        await this.taskMustExist(caller, p["taskId"]);
        return result({ configs: (await store.list(p["taskId"])).map(redactPushConfig), nextPageToken: "" });
      }
      case "DeleteTaskPushNotificationConfig": {
        const store = this.pushStore();
        const ref = checkConfigRef(params);
        await this.taskMustExist(caller, ref.taskId);
        if (!(await store.delete(ref.taskId, ref.id))) throw a2aErrors.invalidParams(`task ${ref.taskId} has no push notification config ${ref.id}`);
        return result(null);
      }
      case "GetExtendedAgentCard": {
        if (this.d.extendedCard === undefined) throw a2aErrors.extendedCardNotConfigured();
        return result(this.d.extendedCard());
      }
    }
  }

  /** The task once settled; when `signal` aborts first, the task is canceled (its bus call closed). */
  private async settled(caller: A2aCaller, taskId: string, signal: AbortSignal | undefined): Promise<Task> {
    if (signal === undefined) return this.d.manager.settled(caller, taskId);
    const cancel = (): void => void this.d.manager.cancel(caller, taskId).catch(() => undefined);
    if (signal.aborted) cancel();
    else signal.addEventListener("abort", cancel, { once: true });
    try {
      return await this.d.manager.settled(caller, taskId);
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
  private async checkSend(params: unknown): Promise<SendMessageRequest> {
    const req = checkSendParams(params);
    this.checkOutputModes(req.configuration?.acceptedOutputModes);
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

  private checkOutputModes(accepted: readonly string[] | undefined): void {
    if (accepted === undefined || accepted.length === 0) return;
    const ok = accepted.some(
      (m) => m === "*/*" || PARTS.outputModes.includes(m) || (m.endsWith("/*") && PARTS.outputModes.some((o) => o.startsWith(m.slice(0, -1)))),
    );
    if (!ok) throw a2aErrors.contentType(`the agent produces ${PARTS.outputModes.join(", ")}; accepted: ${accepted.join(", ")}`);
  }
}
