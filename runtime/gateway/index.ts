/**
 * `openagentio/gateway`: the HTTP/SSE gateway (spec/gateway.md), a fastify server in front of
 * a bus, the Bearer JWT verifier, and a small client. Loads fastify and jose.
 */
export { createGateway, startGateway } from "./server.js";
export { createJwtVerifier } from "./auth/jwt.js";
export { CONTEXT_HEADERS } from "./context.js";
export { DEFAULT_BODY_LIMIT } from "./body.js";
export { GatewayClient } from "./client.js";

export type { Gateway, GatewayOptions, GatewayStats } from "./server.js";
export type { ResumeOptions } from "./stream-store.js";
export type { JwtKeySource, JwtVerifierOptions } from "./auth/jwt.js";
export type { AuthHook, AuthRequest, AuthResult } from "./auth/types.js";
export type { CorsOptions } from "./cors.js";
export type { CallOptions, GatewayClientOptions, GatewayStream, HealthReport, InvokeCallOptions, ProbeState, SseFrame, StreamOptions } from "./client.js";
