/**
 * {@link TaskStore} and {@link PushConfigStore} on a NATS JetStream KV bucket (spec/jetstream.md
 * "A2A task store on KV"): tasks and push configs survive a restart of the A2A server and of
 * nats-server, several servers can share one bucket, every write is a compare-and-set on the
 * key's revision, and terminal tasks (with their push configs) expire by a per-message TTL.
 * Same semantics and bounds as the memory stores (memory-store.ts).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { isTerminalTaskState, type Task } from "../../generated/a2a/index.js";
import { BackpressureDropError, InvalidRequestError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import {
  openBucket,
  parseScanned,
  read,
  readAt,
  revisionConflict,
  RevisionMismatch,
  scan,
  serializer,
  token,
  ttlSeconds,
  write,
  type KvBucket,
  type Stored,
} from "./kv-bucket.js";
import { createKvPushConfigStore, type KvPushConfigStore, type TaskTtlLookup } from "./kv-push-store.js";
import { byListOrder, pageAfter, PUSH_CONFIGS_PER_TASK_DEFAULT, statusTime, TASK_STORE_DEFAULTS } from "./memory-store.js";
import type { TaskPage, TaskQuery, TaskRecord, TaskStore } from "./task-store.js";

export { revisionConflict } from "./kv-bucket.js";

/** Default bucket name. */
export const KV_TASK_BUCKET_DEFAULT = "oaio_a2a";
/** Default of {@link KvStoreOptions.casRetries}. */
export const KV_CAS_RETRIES_DEFAULT = 5;

export interface KvStoreOptions {
  /** Bucket name (letters, digits, - and _). Default "oaio_a2a". Created when missing. */
  bucket?: string;
  /** Replicas of the bucket when it is created. Default 1. */
  replicas?: number;
  /** Bytes the bucket may hold (a write past it fails). Default: no byte limit beyond the task bounds. */
  maxBytes?: number;
  /** As {@link MemoryTaskStoreOptions}: tasks per tenant. Default 10,000. */
  maxTasksPerTenant?: number;
  /** Tasks across tenants. Default 100,000. */
  maxTasks?: number;
  /** How long a terminal task stays readable, ms, rounded up to whole seconds (min 1 s). Default 1 h. */
  terminalTtlMs?: number;
  /** Push configs per task. Default 10. */
  maxConfigsPerTask?: number;
  /** How often `update` re-reads and retries after losing a compare-and-set. Default 5. */
  casRetries?: number;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
}

/** A task as read with its revision, for explicit compare-and-set ({@link KvTaskStore.updateAt}). */
export interface RevisionedTask {
  readonly record: TaskRecord;
  readonly revision: number;
}

/** The KV task store: a {@link TaskStore} plus explicit revisions. */
export interface KvTaskStore extends TaskStore, AsyncDisposable {
  /** The task with its revision (undefined as in `get`). */
  getRevisioned(tenant: string, id: string): Promise<RevisionedTask | undefined>;
  /**
   * Replaces the task only if it is still at `revision`; resolves with the new revision.
   * @throws TransportFailureError (retryable, details.reason "revision_conflict") when another writer changed it since.
   */
  updateAt(tenant: string, task: Task, revision: number): Promise<number>;
}

/** Both stores on one bucket; `close` closes both (the NATS connection stays the caller's). */
export interface KvA2aStores extends AsyncDisposable {
  readonly tasks: KvTaskStore;
  readonly pushConfigs: KvPushConfigStore;
  readonly bucket: string;
  close(): Promise<void>;
}

/** What a task key holds. */
interface TaskValue {
  readonly tenant: string;
  readonly owner: string;
  readonly task: Task;
  /** Revision of the create (the creation order); absent until the first update. */
  readonly createdSeq?: number;
  /** When the task first reached a terminal state, ms. */
  readonly terminalAt?: number;
}

function positive(name: string, v: number | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min) throw invalidArgument("openKvA2aStores", name, v, `an integer >= ${min}`);
  return v;
}

const taskKey = (tenant: string, id: string): string => `t.${token(tenant)}.${token(id)}`;

/** Opens (creating when missing) the bucket and returns the task and push config stores on it. */
export async function openKvA2aStores(nc: NatsConnection, opts: KvStoreOptions = {}): Promise<KvA2aStores> {
  const perTenant = positive("maxTasksPerTenant", opts.maxTasksPerTenant, TASK_STORE_DEFAULTS.maxTasksPerTenant);
  const maxTasks = positive("maxTasks", opts.maxTasks, TASK_STORE_DEFAULTS.maxTasks);
  const ttlMs = Math.ceil(positive("terminalTtlMs", opts.terminalTtlMs, TASK_STORE_DEFAULTS.terminalTtlMs, 1000) / 1000) * 1000;
  const maxConfigs = positive("maxConfigsPerTask", opts.maxConfigsPerTask, PUSH_CONFIGS_PER_TASK_DEFAULT);
  const retries = positive("casRetries", opts.casRetries, KV_CAS_RETRIES_DEFAULT, 0);
  const replicas = positive("replicas", opts.replicas, 1);
  const maxBytes = opts.maxBytes === undefined ? undefined : positive("maxBytes", opts.maxBytes, 0);
  const now = opts.now ?? Date.now;
  const b = await openBucket(nc, opts.bucket ?? KV_TASK_BUCKET_DEFAULT, replicas, maxBytes);

  const expired = (v: TaskValue): boolean => v.terminalAt !== undefined && v.terminalAt + ttlMs <= now();
  const ttlOf = (v: TaskValue): number | undefined => (v.terminalAt === undefined ? undefined : ttlSeconds(v.terminalAt + ttlMs, now()));
  const lookup: TaskTtlLookup = async (taskId) => {
    let found: TaskValue | undefined;
    await scan(b, `t.*.${token(taskId)}`, (key, _rev, bytes) => (found = parseScanned<TaskValue>(key, bytes)));
    return found === undefined ? undefined : ttlOf(found);
  };
  const pushConfigs = createKvPushConfigStore(b, maxConfigs, lookup);
  const tasks = createKvTaskStore(b, { perTenant, maxTasks, ttlMs, retries, now, expired, ttlOf, pushConfigs: pushConfigs.expireWithTask });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await tasks.close();
      await pushConfigs.close();
    })());
  return { tasks, pushConfigs, bucket: b.bucket, close, [Symbol.asyncDispose]: close };
}

interface TaskStoreParts {
  perTenant: number;
  maxTasks: number;
  ttlMs: number;
  retries: number;
  now: () => number;
  expired: (v: TaskValue) => boolean;
  ttlOf: (v: TaskValue) => number | undefined;
  /** Gives the task's push configs the task's remaining TTL. */
  pushConfigs: (taskId: string, ttlSeconds: number) => Promise<void>;
}

function createKvTaskStore(b: KvBucket, p: TaskStoreParts): KvTaskStore {
  const creates = serializer();
  let closed = false;
  const open = (): void => {
    if (closed) throw new InvalidRequestError(`the A2A KV task store on bucket ${b.bucket} is closed; open a new one with openKvA2aStores`);
  };
  const live = async (tenant: string, id: string): Promise<Stored<TaskValue> | undefined> => {
    const s = await read<TaskValue>(b, taskKey(tenant, id));
    return s === undefined || p.expired(s.value) || s.value.tenant !== tenant ? undefined : s;
  };
  const full = (tenant: string, count: number, limit: "maxTasksPerTenant" | "maxTasks", value: number): BackpressureDropError =>
    new BackpressureDropError(
      `the task store is full: ${limit === "maxTasksPerTenant" ? `tenant ${JSON.stringify(tenant)} holds` : "the server holds"} ${value} tasks (${limit}); ` +
        `terminal tasks are dropped ${p.ttlMs} ms after they end (terminalTtlMs); retry later or raise ${limit}`,
      { details: { scope: limit, limit: value, count } },
    );

  /** Writes `task` over the stored value at `cur` (CAS); returns the new revision. */
  const replace = async (tenant: string, cur: Stored<TaskValue>, task: Task): Promise<number> => {
    const terminal = isTerminalTaskState(task.status.state);
    const was = cur.value.task.status.state;
    if (isTerminalTaskState(was) && was !== task.status.state) {
      throw new InvalidRequestError(`task ${task.id} is already ${was} (a terminal state, written by another writer); it cannot become ${task.status.state}`, {
        details: { field: "task.status.state", value: task.status.state },
      });
    }
    const terminalAt = cur.value.terminalAt ?? (terminal ? p.now() : undefined);
    const next: TaskValue = {
      tenant,
      owner: cur.value.owner,
      task,
      createdSeq: cur.value.createdSeq ?? cur.revision,
      ...(terminalAt === undefined ? {} : { terminalAt }),
    };
    const ttl = p.ttlOf(next);
    const rev = await write(b, taskKey(tenant, task.id), next, cur.revision, ttl);
    if (ttl !== undefined && cur.value.terminalAt === undefined) await p.pushConfigs(task.id, ttl);
    return rev;
  };

  const store: KvTaskStore = {
    async create(rec: TaskRecord) {
      open();
      await creates(async () => {
        const key = taskKey(rec.tenant, rec.task.id);
        // the three reads are independent: one round trip's wait instead of three
        const [prev, count, total] = await Promise.all([read<TaskValue>(b, key), scan(b, `t.${token(rec.tenant)}.*`), scan(b, "t.*.*")]);
        if (prev !== undefined && !p.expired(prev.value)) throw new InvalidRequestError(`task ${rec.task.id} exists already`);
        if (count >= p.perTenant) throw full(rec.tenant, count, "maxTasksPerTenant", p.perTenant);
        if (total >= p.maxTasks) throw full(rec.tenant, total, "maxTasks", p.maxTasks);
        const value: TaskValue = {
          tenant: rec.tenant,
          owner: rec.owner,
          task: rec.task,
          ...(isTerminalTaskState(rec.task.status.state) ? { terminalAt: p.now() } : {}),
        };
        try {
          await write(b, key, value, prev?.revision ?? 0, p.ttlOf(value));
        } catch (err: unknown) {
          if (err instanceof RevisionMismatch) throw new InvalidRequestError(`task ${rec.task.id} exists already`);
          throw err;
        }
      });
    },
    async get(tenant, id) {
      open();
      return (await store.getRevisioned(tenant, id))?.record;
    },
    async getRevisioned(tenant, id) {
      open();
      const s = await live(tenant, id);
      return s === undefined ? undefined : { record: { tenant, owner: s.value.owner, task: s.value.task }, revision: s.revision };
    },
    async update(tenant, task) {
      open();
      // Compare-and-set with a bounded retry: a lost race re-reads the task and writes again
      // (last writer wins, except that a terminal state is final); after `retries` losses it throws.
      for (let attempt = 0; ; attempt++) {
        const cur = await live(tenant, task.id);
        if (cur === undefined) return;
        try {
          await replace(tenant, cur, task);
          return;
        } catch (err: unknown) {
          if (!(err instanceof RevisionMismatch)) throw err;
          if (attempt >= p.retries) throw revisionConflict(`task ${task.id}`, cur.revision);
        }
      }
    },
    async updateAt(tenant, task, revision) {
      open();
      const cur = await live(tenant, task.id);
      if (cur === undefined || cur.revision !== revision) throw revisionConflict(`task ${task.id}`, revision);
      try {
        return await replace(tenant, cur, task);
      } catch (err: unknown) {
        if (err instanceof RevisionMismatch) throw revisionConflict(`task ${task.id}`, revision);
        throw err;
      }
    },
    async list(tenant: string, q: TaskQuery): Promise<TaskPage> {
      open();
      const after = q.statusTimestampAfter === undefined ? undefined : Date.parse(q.statusTimestampAfter);
      // One pass over the tenant's keys keeps (order, key, revision) of each match, not the task.
      const hits: { updated: number; order: number; key: string; revision: number }[] = [];
      await scan(b, `t.${token(tenant)}.*`, (key, revision, bytes) => {
        const v = parseScanned<TaskValue>(key, bytes);
        const t = v.task;
        if (v.tenant !== tenant || p.expired(v)) return;
        if (
          (q.contextId === undefined || t.contextId === q.contextId) &&
          (q.state === undefined || t.status.state === q.state) &&
          (after === undefined || (t.status.timestamp !== undefined && Date.parse(t.status.timestamp) >= after))
        ) {
          hits.push({ updated: statusTime(t), order: v.createdSeq ?? revision, key, revision });
        }
      });
      // most recently updated first (A2A 1.0 ListTasks), then newest created first
      hits.sort(byListOrder);
      const { page, nextPageToken } = pageAfter(hits, q.pageSize, q.pageToken);
      const out: Task[] = [];
      for (const h of page) {
        const s = (await readAt<TaskValue>(b, h.key, h.revision)) ?? (await read<TaskValue>(b, h.key));
        if (s !== undefined && !p.expired(s.value)) out.push(s.value.task);
      }
      return { tasks: out, nextPageToken, totalSize: hits.length };
    },
    async close() {
      closed = true;
      await creates(async () => undefined);
    },
    [Symbol.asyncDispose]: () => store.close(),
  };
  return store;
}
