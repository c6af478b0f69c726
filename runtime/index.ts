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

// ---- transport exports (added by the transport engineer) ----
// ---- bus exports (added by the bus engineer), e.g. export * from "./bus/index.js"; ----
export * from "./bus/index.js";
