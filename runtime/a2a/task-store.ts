/**
 * Where the A2A server keeps tasks and push notification configs. Values are plain JSON
 * (A2A 1.0 shapes), so a JetStream KV store can implement the same interfaces later.
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

/** Tasks by id. Implementations copy values in and out: callers may mutate what they get. */
export interface TaskStore {
  get(id: string): Promise<Task | undefined>;
  /** Creates or replaces a task. */
  put(task: Task): Promise<void>;
  /** Matching tasks, most recently created first. @throws AcpError INVALID_REQUEST for a bad page token. */
  list(query: TaskQuery): Promise<TaskPage>;
  close(): Promise<void>;
}

/** Push notification configs by task and config id. */
export interface PushConfigStore {
  /** Stores `config` (with its id and taskId set), replacing one with the same id. */
  set(config: TaskPushNotificationConfig & { id: string; taskId: string }): Promise<void>;
  get(taskId: string, id: string): Promise<TaskPushNotificationConfig | undefined>;
  list(taskId: string): Promise<TaskPushNotificationConfig[]>;
  /** True when something was deleted. */
  delete(taskId: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}
