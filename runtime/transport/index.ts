/**
 * Transports: one small interface ({@link Transport}), an in-process implementation
 * ({@link createMemoryTransport}) and NATS ({@link connectNats}). See spec/transports.md.
 */
export { createMemoryTransport, DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_PENDING } from "./memory.js";
export { connectNats } from "./nats.js";
export { TransportError, TransportErrorCode, isTransportError } from "./errors.js";
export { TransportStatusType } from "./types.js";
export {
  assertQueue,
  assertSubject,
  assertToken,
  hasWildcard,
  queueProblem,
  subjectMatches,
  subjectProblem,
  tokenProblem,
} from "./subject.js";

export type { MemoryTransportOptions, QueuePick } from "./memory.js";
export type { NatsTransport, NatsTransportOptions } from "./nats.js";
export { DEFAULT_RECONNECT_BUFFER_BYTES } from "./nats-options.js";
export type { TransportErrorOptions } from "./errors.js";
export type { SubjectKind } from "./subject.js";
export type {
  MessageBody,
  MessageHandler,
  PublishOptions,
  StatusListener,
  SubscribeOptions,
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "./types.js";
