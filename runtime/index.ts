/**
 * `openagentio`: the core entry. Envelopes, typed errors, the bus with its in-process
 * transport, context propagation and stream reassembly; it loads ajv and nothing heavier
 * (no fastify, jose, pino, limiter or NATS client). Each edge has its own entry:
 * `openagentio/nats`, `/jetstream`, `/gateway`, `/a2a`, `/a2a/kv`, `/middleware`, `/generated`
 * (README "Entry points"; test/surface/entry-points.test.ts checks what each one loads).
 */

// envelopes
export {
  DEFAULT_MAX_BYTES,
  EnvelopeDecodeError,
  canonicalize,
  createEnvelope,
  createUuidV7Generator,
  decode,
  decodeOrThrow,
  effectivePhase,
  encode,
  encodeCanonical,
  formatRfc3339,
  isEnvelopeDecodeError,
  isPhase,
  isTerminal,
  isUuid,
  nowRfc3339,
  parseRfc3339,
  uuidVersion,
  uuidv7,
  uuidv7Timestamp,
  validate,
  withDualWrite,
} from "./envelope/index.js";

// catalogue constants
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

// errors
export {
  AcpError,
  AgentTimeoutError,
  AgentUnavailableError,
  AuthFailureError,
  BackpressureDropError,
  CanceledError,
  CodecFailureError,
  InvalidRequestError,
  NoHandlerError,
  PermissionDeniedError,
  TransportFailureError,
  errorFromCode,
  errorFromPayload,
  isAcpError,
  toErrorPayload,
} from "./errors.js";

// bus and the in-process transport
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_TIMEOUT_MS,
  createBus,
} from "./bus/bus.js";
export { RESERVED_TENANTS } from "./bus/subjects.js";
export { errorFromReply, isErrorReply, resultOf } from "./bus/replies.js";
export { createMemoryTransport } from "./transport/memory.js";
export { TransportError, TransportErrorCode, isTransportError } from "./transport/errors.js";
export { TransportStatusType } from "./transport/types.js";

// context propagation
export { contextFromEnvelope, currentContext, formatTraceparent, parseTraceparent, runWithContext } from "./context/index.js";

// stream reassembly
export { DEFAULT_MAX_GAP, DEFAULT_MAX_PENDING, StreamReassembler, createReassembler, finalValue, reassembleAll } from "./stream/index.js";

export type { Envelope } from "../generated/ts/types.js";
export type { EventMap, PayloadOf } from "../generated/ts/event-map.js";
export type { ErrorCodeName, EventTypeName, FrameTypeName, MetadataKeyName } from "../generated/ts/constants.js";
export type {
  CreateOptions,
  DecodeOptions,
  DecodeResult,
  EnvelopeDecodeErrorCode,
  EnvelopeDecodeErrorInit,
  PhaseName,
  UuidV7Generator,
} from "./envelope/index.js";
export type { AcpErrorOptions, ErrorPayload, ToErrorPayloadOptions } from "./errors.js";
export type {
  BareJson,
  Bus,
  BusLogger,
  BusMiddleware,
  BusOptions,
  BusStats,
  ContextFields,
  EventHandler,
  FinalFrameOptions,
  FinalPhase,
  FrameOptions,
  HandleOptions,
  HandlerContext,
  InboundContext,
  InboundHandler,
  InboundKind,
  InboundMiddleware,
  InboundResult,
  InvokeHandler,
  InvokeOptions,
  OutboundCall,
  OutboundKind,
  OutboundMiddleware,
  OutboundResult,
  OutboundSend,
  PublishOptions,
  SendOptions,
  StreamCall,
  StreamClientDefaults,
  StreamFrame,
  StreamHandler,
  StreamInvokeOptions,
  StreamWriter,
  SubjectBuilder,
  SubscribeOptions,
  Subscription,
  ValidationMode,
} from "./bus/types.js";
export type { MemoryTransportOptions } from "./transport/memory.js";
export type { TransportErrorOptions } from "./transport/errors.js";
export type {
  MessageHandler,
  StatusListener,
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
  PublishOptions as TransportPublishOptions,
  SubscribeOptions as TransportSubscribeOptions,
} from "./transport/types.js";
export type { TraceParent } from "./context/index.js";
export type { ReassemblerOptions, ReassemblyStep, StreamOutcome, StreamOutcomeKind } from "./stream/index.js";
