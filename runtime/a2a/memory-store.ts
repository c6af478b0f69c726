/** In-memory {@link TaskStore} and {@link PushConfigStore}: one process, nothing survives a restart. */
import { InvalidRequestError } from "../../generated/ts/errors.js";
import type { Task, TaskPushNotificationConfig } from "../../generated/a2a/index.js";
import type { PushConfigStore, TaskPage, TaskQuery, TaskStore } from "./task-store.js";

const copy = <T>(v: T): T => structuredClone(v);

function decodeToken(token: string): number {
  const n = Number.parseInt(Buffer.from(token, "base64url").toString("utf8").replace(/^o:/, ""), 10);
  if (!Number.isInteger(n) || n < 0 || Buffer.from(`o:${n}`).toString("base64url") !== token) {
    throw new InvalidRequestError(`page token ${JSON.stringify(token)} was not issued by this server`);
  }
  return n;
}

/** Creates an in-memory task store. */
export function createMemoryTaskStore(): TaskStore {
  /** Insertion order is creation order. */
  const tasks = new Map<string, Task>();
  return {
    async get(id) {
      const t = tasks.get(id);
      return t === undefined ? undefined : copy(t);
    },
    async put(task) {
      tasks.set(task.id, copy(task));
    },
    async list(q: TaskQuery): Promise<TaskPage> {
      const after = q.statusTimestampAfter === undefined ? undefined : Date.parse(q.statusTimestampAfter);
      const all = [...tasks.values()].reverse().filter((t) =>
        (q.contextId === undefined || t.contextId === q.contextId) &&
        (q.state === undefined || t.status.state === q.state) &&
        (after === undefined || (t.status.timestamp !== undefined && Date.parse(t.status.timestamp) >= after)));
      const offset = q.pageToken ? decodeToken(q.pageToken) : 0;
      const page = all.slice(offset, offset + q.pageSize);
      const next = offset + page.length;
      return { tasks: page.map(copy), nextPageToken: next < all.length ? Buffer.from(`o:${next}`).toString("base64url") : "", totalSize: all.length };
    },
    async close() {
      tasks.clear();
    },
  };
}

/** Creates an in-memory push config store. */
export function createMemoryPushConfigStore(): PushConfigStore {
  const byTask = new Map<string, Map<string, TaskPushNotificationConfig>>();
  return {
    async set(config) {
      let m = byTask.get(config.taskId);
      if (m === undefined) byTask.set(config.taskId, (m = new Map()));
      m.set(config.id, copy(config));
    },
    async get(taskId, id) {
      const c = byTask.get(taskId)?.get(id);
      return c === undefined ? undefined : copy(c);
    },
    async list(taskId) {
      return [...(byTask.get(taskId)?.values() ?? [])].map(copy);
    },
    async delete(taskId, id) {
      return byTask.get(taskId)?.delete(id) ?? false;
    },
    async close() {
      byTask.clear();
    },
  };
}
