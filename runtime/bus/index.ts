/** runtime/bus: publish / subscribe / invoke / stream over a Transport (spec/bus.md). */
export { createBus, DEFAULT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_BUFFERED, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_DRAIN_TIMEOUT_MS } from "./bus.js";
export { RESERVED_TENANTS, tenantProblem, targetProblem } from "./subjects.js";
export { resultOf, isErrorReply, errorFromReply, inheritMetadata } from "./replies.js";
export { currentContext, runWithContext, contextFromEnvelope, parseTraceparent, formatTraceparent } from "../context/index.js";
export type { TraceParent } from "../context/index.js";
export type {
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
  BareJson,
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
  Validated,
  ValidationMode,
} from "./types.js";
export type { PayloadCheck } from "./checks.js";
