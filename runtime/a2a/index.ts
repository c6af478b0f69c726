/**
 * The A2A bridge: serve a bus target as an A2A 1.0 agent (JSON-RPC + SSE, 0.3 form for an
 * empty A2A-Version), and call a remote A2A agent as a bus target. See spec/a2a.md.
 */
export { a2aPlugin, startA2aServer } from "./server.js";
export type { A2aPluginOptions, A2aServer, StartA2aServerOptions } from "./server.js";
export { A2aBridge } from "./bridge.js";
export type { A2aLimits, A2aServerOptions } from "./bridge.js";
export { ANONYMOUS_CALLER, authenticate, cardSecurity, resolveAuth } from "./auth.js";
export type { A2aAuth, A2aCaller } from "./auth.js";
export { TASK_MANAGER_DEFAULTS } from "./task-manager.js";
export type { A2aHttpOptions } from "./http.js";
export { buildAgentCard, cardInfoFromContract, withLegacyFields } from "./agent-card.js";
export type { AgentCardInfo, AgentContractLike, CardCapabilities, CardSecurity } from "./agent-card.js";
export { A2aRpcError, toJsonRpcError } from "./errors.js";
export { negotiateVersion, SERVED_VERSIONS } from "./version.js";
export type { WireVersion } from "./version.js";
export { createMemoryPushConfigStore, createMemoryTaskStore, PUSH_CONFIGS_PER_TASK_DEFAULT, TASK_STORE_DEFAULTS } from "./memory-store.js";
export type { MemoryPushConfigStoreOptions, MemoryTaskStoreOptions } from "./memory-store.js";
export { openKvA2aStores, KV_TASK_BUCKET_DEFAULT, KV_CAS_RETRIES_DEFAULT } from "./kv-store.js";
export type { KvA2aStores, KvStoreOptions, KvTaskStore, RevisionedTask } from "./kv-store.js";
export type { A2aKvStoreOption } from "./server.js";
export type { PushConfigStore, StoredPushConfig, TaskPage, TaskQuery, TaskRecord, TaskStore } from "./task-store.js";
export { createPushDelivery } from "./push-delivery.js";
export type { PushDelivery, PushDeliveryOptions, PushDeliveryStats } from "./push-delivery.js";
export { checkWebhookUrl, isPrivateAddress } from "./ssrf.js";
export type { WebhookGuardOptions } from "./ssrf.js";
export { A2aClient, fetchAgentCard, jsonRpcEndpoint } from "./client.js";
export type { A2aClientOptions } from "./client.js";
export { registerRemoteAgent, resultFromParts } from "./remote-agent.js";
export type { RemoteAgent, RemoteAgentOptions } from "./remote-agent.js";
