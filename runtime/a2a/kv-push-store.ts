/**
 * {@link PushConfigStore} on the A2A KV bucket (kv-store.ts): key `p.<taskId>.<configId>`
 * (each token encoded), bounded per task, and expiring with its task: a config on a terminal
 * task carries the task's remaining TTL. Both sides write first and read second (a config set
 * looks the task up after its write; a task turning terminal lists its configs after its
 * write), so whichever comes second gives the config its TTL.
 */
import { BackpressureDropError, InvalidRequestError } from "../../generated/ts/errors.js";
import { purge, read, revisionConflict, RevisionMismatch, scan, serializer, token, write, parseScanned, type KvBucket } from "./kv-bucket.js";
import type { PushConfigStore, StoredPushConfig } from "./task-store.js";

/** The remaining TTL (s) of the task `taskId` when it is terminal; undefined otherwise (or unknown). */
export type TaskTtlLookup = (taskId: string) => Promise<number | undefined>;

/** What a config key holds. */
interface ConfigValue {
  readonly config: StoredPushConfig;
  /** Revision of the first write (list order); absent until the config is replaced. */
  readonly createdSeq?: number;
}

/** The push config store plus the hook the task store calls when a task turns terminal. */
export interface KvPushConfigStore extends PushConfigStore, AsyncDisposable {
  /** Gives every config of `taskId` a TTL of `ttlSeconds`. */
  expireWithTask(taskId: string, ttlSeconds: number): Promise<void>;
}

const configKey = (taskId: string, id: string): string => `p.${token(taskId)}.${token(id)}`;

/** Creates the push config store on an opened bucket (use openKvA2aStores). */
export function createKvPushConfigStore(b: KvBucket, max: number, taskTtl: TaskTtlLookup): KvPushConfigStore {
  const sets = serializer();
  let closed = false;
  const open = (): void => {
    if (closed) throw new InvalidRequestError(`the A2A KV push config store on bucket ${b.bucket} is closed; open a new one with openKvA2aStores`);
  };
  /** Re-writes the config at `key` with a TTL (CAS; a lost race re-reads, a few times). */
  const withTtl = async (key: string, ttl: number): Promise<void> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await read<ConfigValue>(b, key);
      if (cur === undefined) return;
      try {
        await write(b, key, cur.value, cur.revision, ttl);
        return;
      } catch (err: unknown) {
        if (!(err instanceof RevisionMismatch)) throw err;
      }
    }
  };
  const all = async (taskId: string): Promise<{ key: string; order: number; value: ConfigValue }[]> => {
    const out: { key: string; order: number; value: ConfigValue }[] = [];
    await scan(b, `p.${token(taskId)}.*`, (key, revision, bytes) => {
      const value = parseScanned<ConfigValue>(key, bytes);
      out.push({ key, order: value.createdSeq ?? revision, value });
    });
    return out.sort((x, y) => x.order - y.order);
  };
  const store: KvPushConfigStore = {
    async set(config) {
      open();
      await sets(async () => {
        const key = configKey(config.taskId, config.id);
        for (let attempt = 0; ; attempt++) {
          const cur = await read<ConfigValue>(b, key);
          if (cur === undefined) {
            const count = await scan(b, `p.${token(config.taskId)}.*`);
            if (count >= max) {
              throw new BackpressureDropError(
                `task ${config.taskId} has ${max} push notification configs, the most allowed (maxConfigsPerTask); delete one first`,
                {
                  details: { scope: "maxConfigsPerTask", limit: max },
                },
              );
            }
          }
          const value: ConfigValue = cur === undefined ? { config } : { config, createdSeq: cur.value.createdSeq ?? cur.revision };
          try {
            await write(b, key, value, cur?.revision ?? 0);
            break;
          } catch (err: unknown) {
            if (!(err instanceof RevisionMismatch)) throw err;
            if (attempt >= 5) throw revisionConflict(`push notification config ${config.id} of task ${config.taskId}`, cur?.revision ?? 0);
          }
        }
        const ttl = await taskTtl(config.taskId);
        if (ttl !== undefined) await withTtl(key, ttl);
      });
    },
    async get(taskId, id) {
      open();
      return (await read<ConfigValue>(b, configKey(taskId, id)))?.value.config;
    },
    async list(taskId) {
      open();
      return (await all(taskId)).map((c) => c.value.config);
    },
    async delete(taskId, id) {
      open();
      return (await purge(b, configKey(taskId, id))) > 0;
    },
    async deleteTask(taskId) {
      open();
      await purge(b, `p.${token(taskId)}.*`);
    },
    async expireWithTask(taskId, ttl) {
      for (const c of await all(taskId)) await withTtl(c.key, ttl);
    },
    async close() {
      closed = true;
      await sets(async () => undefined);
    },
    [Symbol.asyncDispose]: () => store.close(),
  };
  return store;
}
