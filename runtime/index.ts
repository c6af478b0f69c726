/**
 * openagentio: the public entry of the TypeScript runtime.
 * Each line re-exports one folder's curated index; internals stay internal.
 */
export * from "./envelope/index.js";
export * from "./errors.js";
export * from "./stream/index.js";
export {
  ERROR_CODES,
  EVENT_TYPES,
  ErrorCode,
  EventType,
  FrameType,
  LATEST_SCHEMA_VERSION,
  MetadataKey,
  PHASES,
  Phase,
  SPEC_VERSION,
} from "../generated/ts/constants.js";
export type { EventTypeName, FrameTypeName, MetadataKeyName } from "../generated/ts/constants.js";
export type { EventMap, PayloadOf } from "../generated/ts/event-map.js";

export { createMemoryTransport, connectNats, TransportError, TransportErrorCode, TransportStatusType, isTransportError } from "./transport/index.js";
export type {
  MemoryTransportOptions, MessageHandler, NatsTransport, NatsTransportOptions, StatusListener, Transport, TransportMessage,
  TransportStatus, TransportSubscription,
  PublishOptions as TransportPublishOptions, SubscribeOptions as TransportSubscribeOptions,
} from "./transport/index.js";
export * from "./bus/index.js";
export * from "./a2a/index.js";
export * from "./middleware/index.js";
export * from "./gateway/index.js";
