/**
 * The A2A bridge: serve a bus target as an A2A 1.0 agent (JSON-RPC + SSE, 0.3 form for an
 * empty A2A-Version), and call a remote A2A agent as a bus target. See spec/a2a.md.
 */
export { a2aPlugin, startA2aServer } from "./server.js";
export type { A2aPluginOptions, A2aServer, StartA2aServerOptions } from "./server.js";
export { A2aBridge } from "./bridge.js";
export type { A2aServerOptions } from "./bridge.js";
export type { A2aHttpOptions } from "./http.js";
export { buildAgentCard, cardInfoFromContract, withLegacyFields } from "./agent-card.js";
export type { AgentCardInfo, AgentContractLike, CardCapabilities } from "./agent-card.js";
export { A2aRpcError, toJsonRpcError } from "./errors.js";
export { negotiateVersion, SERVED_VERSIONS } from "./version.js";
export type { WireVersion } from "./version.js";
export { createMemoryPushConfigStore, createMemoryTaskStore } from "./memory-store.js";
export type { PushConfigStore, TaskPage, TaskQuery, TaskStore } from "./task-store.js";
export { createPushDelivery } from "./push-delivery.js";
export type { PushDelivery, PushDeliveryOptions, PushDeliveryStats } from "./push-delivery.js";
export { checkWebhookUrl, isPrivateAddress } from "./ssrf.js";
export type { WebhookGuardOptions } from "./ssrf.js";
export { A2aClient, fetchAgentCard, jsonRpcEndpoint } from "./client.js";
export type { A2aClientOptions } from "./client.js";
export { registerRemoteAgent, resultFromParts } from "./remote-agent.js";
export type { RemoteAgent, RemoteAgentOptions } from "./remote-agent.js";
