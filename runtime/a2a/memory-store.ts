/**
 * In-memory {@link TaskStore} and {@link PushConfigStore}: one process, nothing survives a
 * restart. Both are bounded (spec/a2a.md "Cost per event and limits"): tasks per tenant and in all, a TTL for
 * terminal tasks, configs per task. Full means a typed error, never the eviction of a task
 * that can still change.
 */
import { BackpressureDropError, InvalidRequestError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import { isTerminalTaskState, type Task } from "../../generated/a2a/index.js";
import type { PushConfigStore, StoredPushConfig, TaskPage, TaskQuery, TaskRecord, TaskStore } from "./task-store.js";

const copy = <T>(v: T): T => structuredClone(v);

/** Defaults of {@link MemoryTaskStoreOptions}. */
export const TASK_STORE_DEFAULTS = Object.freeze({ maxTasksPerTenant: 10_000, maxTasks: 100_000, terminalTtlMs: 3_600_000 });
/** Default of {@link MemoryPushConfigStoreOptions.maxConfigsPerTask}. */
export const PUSH_CONFIGS_PER_TASK_DEFAULT = 10;

export interface MemoryTaskStoreOptions {
  /** Tasks one tenant may hold (any state, terminal ones until their TTL). Default 10,000. */
  maxTasksPerTenant?: number;
  /** Tasks the store may hold across tenants. Default 100,000. */
  maxTasks?: number;
  /** How long a terminal task stays readable, ms. Default 3,600,000 (1 h). */
  terminalTtlMs?: number;
  /** Called for each task dropped after its TTL (the bridge drops its push configs). */
  onExpire?: (tenant: string, id: string) => void;
  /** Clock, ms (tests). Default Date.now. */
  now?: () => number;
}

interface Stored {
  readonly tenant: string;
  readonly owner: string;
  task: Task;
  /** Creation order (ties of the status timestamp sort newest created first). */
  readonly seq: number;
}

interface TenantTasks {
  /** Insertion order is creation order. */
  readonly tasks: Map<string, Stored>;
  /** Terminal tasks by id → expiry time; insertion order is expiry order (one TTL for all). */
  readonly expiring: Map<string, number>;
}

function positive(api: string, name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw invalidArgument(api, name, v, "a positive integer");
  return v;
}

/**
 * Where a ListTasks page ends: the sort key (status time, creation order) of its last task. The
 * next page starts after it, so tasks created or updated between two page requests shift no
 * page boundary (an updated task moves ahead of the cursor, it is not listed twice).
 */
export interface ListCursor {
  readonly updated: number;
  readonly order: number;
}

/** The opaque page token for `c`. */
export function encodeCursor(c: ListCursor): string {
  return Buffer.from(`c:${c.updated}:${c.order}`).toString("base64url");
}

/** The cursor of a page token this server issued. @throws InvalidRequestError for any other string. */
export function decodeCursor(token: string): ListCursor {
  const m = /^c:(\d{1,16}):(\d{1,16})$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  const c = m === null ? undefined : { updated: Number(m[1]), order: Number(m[2]) };
  if (c === undefined || encodeCursor(c) !== token) throw new InvalidRequestError(`page token ${JSON.stringify(token)} was not issued by this server`);
  return c;
}

/** Most recently updated first, then newest created first. */
export const byListOrder = (a: ListCursor, b: ListCursor): number => b.updated - a.updated || b.order - a.order;

/** One page of `sorted` (in {@link byListOrder}) after `pageToken`, and the token of the next. */
export function pageAfter<T extends ListCursor>(sorted: readonly T[], pageSize: number, pageToken: string | undefined): { page: T[]; nextPageToken: string } {
  const from = pageToken ? decodeCursor(pageToken) : undefined;
  const start = from === undefined ? 0 : sorted.findIndex((x) => byListOrder(x, from) > 0);
  const page = start < 0 ? [] : sorted.slice(start, start + pageSize);
  const last = page.at(-1);
  const more = start >= 0 && start + page.length < sorted.length;
  return { page, nextPageToken: more && last !== undefined ? encodeCursor(last) : "" };
}

/** A task's status timestamp, ms (0 when it has none): ListTasks sorts by it, most recent first. */
export function statusTime(t: Task): number {
  const ms = t.status.timestamp === undefined ? Number.NaN : Date.parse(t.status.timestamp);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Creates an in-memory task store. */
export function createMemoryTaskStore(opts: MemoryTaskStoreOptions = {}): TaskStore {
  const perTenant = positive("createMemoryTaskStore", "maxTasksPerTenant", opts.maxTasksPerTenant, TASK_STORE_DEFAULTS.maxTasksPerTenant);
  const maxTasks = positive("createMemoryTaskStore", "maxTasks", opts.maxTasks, TASK_STORE_DEFAULTS.maxTasks);
  const ttl = positive("createMemoryTaskStore", "terminalTtlMs", opts.terminalTtlMs, TASK_STORE_DEFAULTS.terminalTtlMs);
  const now = opts.now ?? Date.now;
  const tenants = new Map<string, TenantTasks>();
  let total = 0;
  let created = 0;

  /** Drops the tenant's terminal tasks whose TTL is over (oldest first, stops at the first live one). */
  const sweep = (tenant: string, t: TenantTasks): void => {
    const at = now();
    for (const [id, expires] of t.expiring) {
      if (expires > at) break;
      t.expiring.delete(id);
      if (t.tasks.delete(id)) total -= 1;
      opts.onExpire?.(tenant, id);
    }
    if (t.tasks.size === 0) tenants.delete(tenant);
  };
  const sweepAll = (): void => {
    for (const [tenant, t] of [...tenants]) sweep(tenant, t);
  };
  const live = (tenant: string): TenantTasks | undefined => {
    const t = tenants.get(tenant);
    if (t !== undefined) sweep(tenant, t);
    return tenants.get(tenant);
  };

  return {
    async create(rec: TaskRecord) {
      let t = live(rec.tenant);
      if (t?.tasks.has(rec.task.id)) throw new InvalidRequestError(`task ${rec.task.id} exists already`);
      if (total >= maxTasks) sweepAll();
      t = tenants.get(rec.tenant);
      const count = t?.tasks.size ?? 0;
      if (count >= perTenant || total >= maxTasks) {
        const [limit, value] = count >= perTenant ? ["maxTasksPerTenant", perTenant] : ["maxTasks", maxTasks];
        throw new BackpressureDropError(
          `the task store is full: ${count >= perTenant ? `tenant ${JSON.stringify(rec.tenant)} holds` : "the server holds"} ${value} tasks (${limit}); ` +
            `terminal tasks are dropped ${ttl} ms after they end (terminalTtlMs); retry later or raise ${limit}`,
          { details: { scope: limit, limit: value } },
        );
      }
      if (t === undefined) tenants.set(rec.tenant, (t = { tasks: new Map(), expiring: new Map() }));
      t.tasks.set(rec.task.id, { tenant: rec.tenant, owner: rec.owner, task: copy(rec.task), seq: ++created });
      total += 1;
      if (isTerminalTaskState(rec.task.status.state)) t.expiring.set(rec.task.id, now() + ttl);
    },
    async get(tenant, id) {
      const s = live(tenant)?.tasks.get(id);
      return s === undefined ? undefined : { tenant: s.tenant, owner: s.owner, task: copy(s.task) };
    },
    async update(tenant, task) {
      const t = live(tenant);
      const s = t?.tasks.get(task.id);
      if (t === undefined || s === undefined) return;
      const was = s.task.status.state;
      if (isTerminalTaskState(was) && was !== task.status.state) {
        // as the KV store: a terminal state is final
        throw new InvalidRequestError(`task ${task.id} is already ${was} (a terminal state); it cannot become ${task.status.state}`, {
          details: { field: "task.status.state", value: task.status.state },
        });
      }
      s.task = copy(task);
      if (isTerminalTaskState(task.status.state) && !t.expiring.has(task.id)) t.expiring.set(task.id, now() + ttl);
    },
    async list(tenant: string, q: TaskQuery): Promise<TaskPage> {
      const after = q.statusTimestampAfter === undefined ? undefined : Date.parse(q.statusTimestampAfter);
      const all = [...(live(tenant)?.tasks.values() ?? [])]
        .map((s) => ({ task: s.task, updated: statusTime(s.task), order: s.seq }))
        // most recently updated first (A2A 1.0 ListTasks), then newest created first
        .sort(byListOrder)
        .filter(
          ({ task: t }) =>
            (q.contextId === undefined || t.contextId === q.contextId) &&
            (q.state === undefined || t.status.state === q.state) &&
            (after === undefined || (t.status.timestamp !== undefined && Date.parse(t.status.timestamp) >= after)),
        );
      const { page, nextPageToken } = pageAfter(all, q.pageSize, q.pageToken);
      return { tasks: page.map((x) => copy(x.task)), nextPageToken, totalSize: all.length };
    },
    async close() {
      tenants.clear();
      total = 0;
    },
  };
}

export interface MemoryPushConfigStoreOptions {
  /** Configs one task may have. Default 10. */
  maxConfigsPerTask?: number;
}

/** Creates an in-memory push config store. */
export function createMemoryPushConfigStore(opts: MemoryPushConfigStoreOptions = {}): PushConfigStore {
  const max = positive("createMemoryPushConfigStore", "maxConfigsPerTask", opts.maxConfigsPerTask, PUSH_CONFIGS_PER_TASK_DEFAULT);
  const byTask = new Map<string, Map<string, StoredPushConfig>>();
  return {
    async set(config) {
      let m = byTask.get(config.taskId);
      if (m !== undefined && !m.has(config.id) && m.size >= max) {
        throw new BackpressureDropError(`task ${config.taskId} has ${max} push notification configs, the most allowed (maxConfigsPerTask); delete one first`, {
          details: { scope: "maxConfigsPerTask", limit: max },
        });
      }
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
      const m = byTask.get(taskId);
      const deleted = m?.delete(id) ?? false;
      if (m?.size === 0) byTask.delete(taskId);
      return deleted;
    },
    async deleteTask(taskId) {
      byTask.delete(taskId);
    },
    async close() {
      byTask.clear();
    },
  };
}
