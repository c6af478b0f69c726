/**
 * Where the A2A server keeps tasks and push notification configs. Values are plain JSON
 * (A2A 1.0 shapes) plus the tenant and owner of each task, so a JetStream KV store can
 * implement the same interfaces later (key `<tenant>.<taskId>`; `create` is a KV create,
 * `update` a put, TTL a per-key TTL). Every method is scoped by tenant: a task of another
 * tenant is indistinguishable from one that does not exist.
 */
import type { Task, TaskPushNotificationConfig, TaskStateName } from "../../generated/a2a/index.js";

/** A ListTasks query, already validated. */
export interface TaskQuery {
  readonly contextId?: string;
  readonly state?: TaskStateName;
  /** Only tasks whose status timestamp is at or after this (ISO 8601). */
  readonly statusTimestampAfter?: string;
  readonly pageSize: number;
  /** Opaque token from a previous page. */
  readonly pageToken?: string;
}

export interface TaskPage {
  readonly tasks: readonly Task[];
  /** Empty when there are no more pages. */
  readonly nextPageToken: string;
  /** Matching tasks before paging. */
  readonly totalSize: number;
}

/** A stored task and who it belongs to. */
export interface TaskRecord {
  /** The tenant of the caller that created it ("" when the caller is bound to no tenant). */
  readonly tenant: string;
  /** The principal that created it. */
  readonly owner: string;
  readonly task: Task;
}

/**
 * Tasks by tenant and id. Implementations copy values in and out: callers may mutate what
 * they get. The task manager writes at task creation and at each status change (not per
 * artifact chunk), so one write may cost O(task) without making a stream O(n²).
 */
export interface TaskStore {
  /**
   * Adds a new task.
   * @throws BackpressureDropError (code BACKPRESSURE_DROP) when the tenant or the store holds
   * as many tasks as allowed; only terminal tasks past their TTL are ever evicted to make room.
   */
  create(record: TaskRecord): Promise<void>;
  /** The task `id` of `tenant`, or undefined (unknown, expired, or another tenant's). */
  get(tenant: string, id: string): Promise<TaskRecord | undefined>;
  /**
   * Replaces the task (created before, same tenant). A terminal state starts its TTL and is
   * final: @throws InvalidRequestError (INVALID_REQUEST) when the stored task is terminal and
   * `task` has another state.
   */
  update(tenant: string, task: Task): Promise<void>;
  /**
   * Matching tasks of `tenant`, most recently updated first (status timestamp descending; ties
   * newest created first). @throws AcpError INVALID_REQUEST for a bad page token.
   */
  list(tenant: string, query: TaskQuery): Promise<TaskPage>;
  close(): Promise<void>;
}

/** A push notification config as stored (id and taskId always set). */
export type StoredPushConfig = TaskPushNotificationConfig & { id: string; taskId: string };

/** Push notification configs by task and config id (the caller checks the task's tenant first). */
export interface PushConfigStore {
  /**
   * Stores `config`, replacing one with the same id.
   * @throws BackpressureDropError when the task already has the most configs allowed.
   */
  set(config: StoredPushConfig): Promise<void>;
  get(taskId: string, id: string): Promise<StoredPushConfig | undefined>;
  list(taskId: string): Promise<StoredPushConfig[]>;
  /** True when something was deleted. */
  delete(taskId: string, id: string): Promise<boolean>;
  /** Drops every config of a task (the task expired). */
  deleteTask(taskId: string): Promise<void>;
  close(): Promise<void>;
}
