/**
 * `openagentio/a2a/kv`: A2A task and push-config stores on JetStream KV (spec/jetstream.md
 * "A2A task store on KV"). Loads @nats-io/jetstream and @nats-io/kv; the A2A server's
 * `kvStore` option opens them itself, so import this only to open the stores by hand.
 */
export { KV_CAS_RETRIES_DEFAULT, KV_TASK_BUCKET_DEFAULT, openKvA2aStores } from "./kv-store.js";

export type { KvA2aStores, KvStoreOptions, KvTaskStore, RevisionedTask } from "./kv-store.js";
