/**
 * `openagentio/a2a`: the A2A bridge. Serve a bus target as an A2A 1.0 agent (JSON-RPC + SSE,
 * 0.3 form for an empty A2A-Version), and call a remote A2A agent as a bus target. See
 * spec/a2a.md. Loads fastify (the server) and eventsource-parser (the client); the KV stores
 * are `openagentio/a2a/kv`.
 */
export { A2A_HTTP_BINDINGS, a2aPlugin, startA2aServer } from "./server.js";
export { A2aBridge } from "./bridge.js";
export { authenticate } from "./auth.js";
export { TASK_MANAGER_DEFAULTS } from "./task-manager.js";
export { buildAgentCard, cardInfoFromContract } from "./agent-card.js";
export {
  CONTRACT_CARD_CAPABILITIES,
  CONTRACT_EXTENSION_URI,
  contractAgentCard,
  contractCardInfo,
  contractFromAgentCard,
  contractSkillRoutes,
} from "./contract-card.js";
export { PARTS_BOUNDS, a2aContent, checkParts, filePart, fileUrlPart, isA2aContent, isMessageAnswer, partBytes } from "../../generated/a2a/index.js";
export { A2A_ERROR_REASONS, A2aError, isA2aError } from "./errors.js";
export { SERVED_VERSIONS, negotiateVersion } from "./version.js";
export { PUSH_CONFIGS_PER_TASK_DEFAULT, TASK_STORE_DEFAULTS, createMemoryPushConfigStore, createMemoryTaskStore } from "./memory-store.js";
export { createPushDelivery } from "./push-delivery.js";
export { checkWebhookUrl, isPrivateAddress } from "./ssrf.js";
export { A2aClient, fetchAgentCard } from "./client.js";
export { registerRemoteAgent } from "./remote-agent.js";

export type { A2aHttpBinding, A2aKvStoreOption, A2aPluginOptions, A2aServer, StartA2aServerOptions } from "./server.js";
export type { A2aRestOptions } from "./rest.js";
export type { A2aLimits, A2aServerOptions } from "./bridge.js";
export type { A2aAuth, A2aCaller } from "./auth.js";
export type { A2aHttpOptions } from "./http.js";
export type { A2aGrpcOptions, A2aGrpcServer } from "./grpc.js";
export type { AgentCardInfo, AgentContractLike, CardCapabilities, CardSecurity } from "./agent-card.js";
export type { AgentContractSource, ContractSkillSource } from "./contract-card.js";
export type { SkillRoute } from "./skill-routes.js";
export type { A2aContent, FilePartOptions, Part, PartsBounds } from "../../generated/a2a/index.js";
export type { A2aErrorOptions, A2aErrorReason, A2aWireError } from "./errors.js";
export type { WireVersion } from "./version.js";
export type { MemoryPushConfigStoreOptions, MemoryTaskStoreOptions } from "./memory-store.js";
export type { PushConfigStore, StoredPushConfig, TaskPage, TaskQuery, TaskRecord, TaskStore } from "./task-store.js";
export type { PushDelivery, PushDeliveryOptions, PushDeliveryStats } from "./push-delivery.js";
export type { WebhookGuardOptions } from "./ssrf.js";
export type { A2aClientOptions } from "./client.js";
export type { RemoteAgent, RemoteAgentOptions } from "./remote-agent.js";
