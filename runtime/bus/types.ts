/**
 * Public types of the bus: options, the {@link Bus} interface, handler and context types,
 * the {@link StreamWriter}, stream frames, and middleware signatures.
 *
 * Middleware are plain functions `(next) => handler` (spec/middleware.md): recover,
 * logging, trace, timeout, retry, dead-letter, circuit breaker, rate limit and validation
 * can each be written as one {@link InboundMiddleware} or {@link OutboundMiddleware}.
 * Wire facts (subjects, reply_to, correlation, metadata inheritance) follow spec/bus.md "Wire format".
 */
import type { Envelope, ErrorPayload, PayloadOf, ResponseDeltaPayload } from "../../generated/ts/index.js";
import type { PayloadCheck } from "./checks.js";
import type { AcpError } from "../../generated/ts/errors.js";
import type { Transport } from "../transport/types.js";
import type { ContextFields } from "../context/index.js";

export type { Envelope, ErrorPayload, ContextFields };

/** `strict`: inbound envelopes must pass the full envelope and payload schema. `lenient`: see {@link BusOptions.validation}. */
export type ValidationMode = "strict" | "lenient";

/**
 * Structured logger, call-compatible with pino (`logger.warn({ reason }, "message")`).
 * Every method is optional; the bus logs nothing when no logger is given.
 */
export interface BusLogger {
  debug?(fields: Record<string, unknown>, msg: string): void;
  info?(fields: Record<string, unknown>, msg: string): void;
  warn?(fields: Record<string, unknown>, msg: string): void;
  error?(fields: Record<string, unknown>, msg: string): void;
}

/** Middleware lists, applied in array order: the first entry is the outermost wrapper. */
export interface BusMiddleware {
  /** Wraps every inbound envelope on its way to a handler (events, invokes, streams). */
  inbound?: readonly InboundMiddleware[];
  /** Wraps every envelope this bus sends (publish, invoke and stream requests, replies, frames). */
  outbound?: readonly OutboundMiddleware[];
}

/** Bounds and timeouts of stream clients; defaults match deployed SDKs. */
export interface StreamClientDefaults {
  /** Overall time for the whole stream, ms. Default: {@link BusOptions.defaultTimeoutMs}. */
  timeoutMs?: number;
  /** Longest silence between two frames, ms, before the stream fails with AGENT_TIMEOUT. Default 30,000. */
  idleTimeoutMs?: number;
  /** A frame whose seq is this far ahead of the next expected one fails the stream (BACKPRESSURE_DROP). Default 1024. */
  maxGap?: number;
  /** More out-of-order frames than this waiting for a gap fails the stream (BACKPRESSURE_DROP). Default 256. */
  maxPending?: number;
  /** More in-order frames than this waiting for the consumer fails the stream (BACKPRESSURE_DROP). Default 65,536. */
  maxBuffered?: number;
  /**
   * More wire bytes than this of frames waiting for the consumer (in order, plus out-of-order
   * ones held for a gap) fails the stream (BACKPRESSURE_DROP; the frames are dropped and the
   * server is sent a cancel). Default 8 MiB.
   */
  maxBufferedBytes?: number;
}

/** Options of {@link createBus}. */
export interface BusOptions {
  /** This agent's id: `from` of what it sends. One subject token (no dots, white space or wildcards). */
  agentId: string;
  /** Carries the bytes: `createMemoryTransport()` or `connectNats()`. The bus does not close it unless {@link ownsTransport}. */
  transport: Transport;
  /** Close the transport in {@link Bus.close}, and when `createBus` refuses the options (it throws). Default false. */
  ownsTransport?: boolean;
  /** Subject prefix. Default `acp.v1`. */
  prefix?: string;
  /**
   * Default tenant: outbound envelopes without `tenant_id` get it, and are routed to
   * `{p}.{tenant}.…` subjects; handlers and subscriptions listen on the tenant's subjects.
   */
  tenant?: string;
  middleware?: BusMiddleware;
  /**
   * Inbound validation. `strict` (default): an envelope that fails decoding or the schema
   * never reaches a handler. `lenient`: an envelope that is well-formed JSON with a string
   * `event_type` but fails the schema is still delivered, counted in
   * {@link BusStats.lenientAccepted} and logged; bytes that are not JSON are always rejected.
   */
  validation?: ValidationMode;
  /** 2 (default): dual-write `phase` and `event_type`. 1: write v1 envelopes only, as deployed SDKs. */
  schemaVersion?: 1 | 2;
  /** Timeout of invoke and stream calls, ms. Default 30,000. */
  defaultTimeoutMs?: number;
  /** Defaults for stream clients. */
  stream?: StreamClientDefaults;
  /** Largest inbound envelope in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** How long {@link Bus.close} waits for in-flight handlers before aborting them, ms. Default 10,000. */
  drainTimeoutMs?: number;
  /**
   * After the transport reconnects, how long "no responders" means "handlers may still be
   * resubscribing" (retryable AGENT_UNAVAILABLE; invoke sends again within its deadline)
   * rather than NO_HANDLER, ms. Also while disconnected. Default 5,000.
   */
  reconnectGraceMs?: number;
  logger?: BusLogger;
}

/** Options common to every send. */
export interface SendOptions {
  /** Explicit context fields; they win over the propagated context. */
  context?: ContextFields;
  /** Metadata of the outbound envelope. Keys starting `acp.` are the runtime's. */
  metadata?: Record<string, unknown>;
  /** Aborts the call: invoke rejects with CANCELED, a stream ends and is canceled. */
  signal?: AbortSignal;
}

/** Options of {@link Bus.publish}. */
export interface PublishOptions extends SendOptions {
  /**
   * Resolve only once the transport confirms it has the message: NATS, the server has
   * received it (a PING/PONG after it, waiting for a reconnect first when disconnected);
   * memory, it has been handed to every subscriber's handler. Rejects TRANSPORT_FAILURE
   * (retryable) when the connection drops first — the message may or may not have arrived —
   * or closes. Default false: resolve once the transport accepted it (spec/bus.md "What a
   * resolved publish means").
   */
  confirm?: boolean;
}

/** Options of {@link Bus.invoke}. */
export interface InvokeOptions extends SendOptions {
  /** ms; default {@link BusOptions.defaultTimeoutMs}. */
  timeoutMs?: number;
}

/**
 * The `validate` option of {@link Bus.invoke} (the result), {@link Bus.subscribe} (each
 * payload), {@link Bus.handleInvoke} and {@link Bus.handleStream} (each request): a type guard,
 * e.g. a generated validator, that makes the call's type parameter checked at run time.
 * invoke: a result that fails rejects with INVALID_REQUEST; handleInvoke / handleStream: a
 * request that fails is answered INVALID_REQUEST; subscribe: an event that fails is not
 * handled (counted in `handlerErrors`, logged). Without it the type parameter is an assertion.
 */
export interface Validated<T> {
  validate?: PayloadCheck<T>;
}

/** Options of {@link Bus.streamInvoke}. */
export interface StreamInvokeOptions extends SendOptions, StreamClientDefaults {
  /**
   * false (default): a terminal error frame, a timeout or an overflow makes the iterator
   * throw the {@link AcpError}. true: it is yielded as an `error` frame, then iteration ends.
   */
  yieldErrors?: boolean;
}

/** Options of {@link Bus.subscribe}. */
export interface SubscribeOptions {
  /** Queue group: each event goes to one member. Default: none (fan-out). */
  queue?: string;
  /** Subscribe to the subjects of this tenant; `null`: the untenanted subjects. Default: the bus tenant, if any. */
  tenant?: string | null;
}

/** Options of {@link Bus.handleInvoke} and {@link Bus.handleStream}. */
export interface HandleOptions {
  /** Queue group. Default: the target (load-balanced across instances, as deployed SDKs). */
  queue?: string;
  /** Serve the subject of this tenant; `null`: the untenanted subject. Default: the bus tenant, if any. */
  tenant?: string | null;
}

/** What a handler sees besides the payload. */
export interface HandlerContext {
  /** The decoded inbound envelope (read-only). */
  readonly envelope: Envelope;
  /** The subject it arrived on. */
  readonly subject: string;
  /** Fires when the caller cancels (streams), or when the bus closes and the drain time is up. */
  readonly signal: AbortSignal;
  /** Metadata to add to the reply; overrides keys inherited from the request. */
  readonly replyMetadata: Record<string, unknown>;
}

/**
 * Handles one event of type `T`. The payload type is the EventMap entry for standard event
 * types; for custom types it is `unknown` unless the handler declares its own (`P`).
 */
export type EventHandler<T extends string = string, P = PayloadOf<T>> = (payload: P, ctx: HandlerContext) => void | Promise<void>;

/**
 * Handles one invoke. The returned value becomes `agent.response.final` with the value as
 * payload, as deployed SDKs write it (no payload for `undefined`; spec/bus.md "Wire format"); a throw becomes `agent.response.error` (an {@link AcpError} keeps its
 * code, anything else becomes AGENT_UNAVAILABLE with the error's message; see spec/bus.md).
 */
export type InvokeHandler<Req = unknown, Res = unknown> = (request: Req, ctx: HandlerContext) => Res | Promise<Res>;

/** Options of one stream frame. */
export interface FrameOptions {
  /** Metadata of this frame, over the inherited request metadata. */
  metadata?: Record<string, unknown>;
}

/**
 * The phases an `agent.response.final` may carry (schema/catalog/event-types.json
 * `allowed_phases`): `completed`, or an interrupted phase — the response ends, the task waits
 * for the caller (A2A INPUT_REQUIRED / AUTH_REQUIRED).
 */
export type FinalPhase = "completed" | "input_required" | "auth_required";

/** Options of the terminal `final` frame. */
export interface FinalFrameOptions extends FrameOptions {
  /**
   * `phase` of the final envelope. Default `completed` (the dual-written default).
   * `input_required` / `auth_required`: the handler asks the caller for input or
   * authorization; the caller's next request continues the conversation. A phase the
   * catalogue does not allow on agent.response.final rejects with INVALID_REQUEST. A
   * `schemaVersion: 1` bus writes no `phase` at all (v1 envelopes have none).
   */
  phase?: FinalPhase;
}

/**
 * Writes the frames of one stream response to the caller. seq runs from 0 across all
 * frames. After `final` or `error` every write is ignored (and `ended` is true).
 */
export interface StreamWriter {
  /** Fires when the client cancels (agent.stream.cancel) or the bus gives up on the handler. */
  readonly signal: AbortSignal;
  /** True once a terminal frame was written. */
  readonly ended: boolean;
  /** `agent.response.started` with optional `{ meta }`. */
  started(meta?: Record<string, unknown>, opts?: FrameOptions): Promise<void>;
  /** `agent.response.delta`: a text piece, or a `{ delta?, data? }` payload. */
  delta(piece: string | ResponseDeltaPayload, opts?: FrameOptions): Promise<void>;
  /**
   * Terminal `agent.response.final` with payload `{ result }` (no payload when result is
   * undefined); `opts.phase` marks an interrupted response (input_required, auth_required).
   */
  final(result?: unknown, opts?: FinalFrameOptions): Promise<void>;
  /** Terminal `agent.response.error`: an AcpError keeps its code; other errors are wrapped. */
  error(err: unknown, opts?: FrameOptions): Promise<void>;
  /**
   * A non-terminal event frame, e.g. `agent.tool.call`: same seq counter, reply fields and
   * metadata as the other frames, the event type's default `phase`; the caller gets it as
   * `{ type: "event", envelope }`. A terminal event type (agent.tool.result,
   * agent.task.completed, agent.response.final / error: they would end the stream) or an empty
   * one rejects with INVALID_REQUEST.
   */
  event<T extends string>(eventType: T, payload: PayloadOf<T>, opts?: FrameOptions): Promise<void>;
}

/**
 * Handles one stream request by writing frames. If it returns without a terminal frame,
 * the bus writes `final` with the returned value (if any); a throw becomes an `error` frame.
 */
export type StreamHandler<Req = unknown> = (request: Req, writer: StreamWriter, ctx: HandlerContext) => unknown;

/** A JSON value that is not an object: what a deployed (schema_version 1) writer may send as a bare payload. */
export type BareJson = string | number | boolean | null | readonly unknown[];

/**
 * One frame of a stream, in seq order. `meta` and `data` are objects, except from a deployed
 * (schema_version 1) writer that sent a bare value: a non-object started payload is `meta`, a
 * bare string delta is `delta`, any other bare delta payload is `data` (spec/bus.md).
 */
export type StreamFrame =
  | { readonly type: "started"; readonly meta: Record<string, unknown> | BareJson | undefined; readonly envelope: Envelope }
  | { readonly type: "delta"; readonly delta: string | undefined; readonly data: Record<string, unknown> | BareJson | undefined; readonly envelope: Envelope }
  | { readonly type: "final"; readonly result: unknown; readonly envelope: Envelope }
  /** Only with `yieldErrors`: the stream's error; `envelope` is absent for local errors (timeout, overflow). */
  | { readonly type: "error"; readonly error: AcpError; readonly envelope: Envelope | undefined }
  /** Any other event type sent on the stream (e.g. agent.tool.call). */
  | { readonly type: "event"; readonly envelope: Envelope };

/** A running stream call: iterate it once; `close()` stops it and tells the server. */
export interface StreamCall extends AsyncIterable<StreamFrame>, AsyncDisposable {
  /** event_id of the request (correlation_id of every frame). */
  readonly requestId: string;
  /** Stops the stream: pending iteration ends, the server is sent agent.stream.cancel. Idempotent. */
  close(reason?: string): Promise<void>;
}

/** A subscription or handler registration. */
export interface Subscription extends AsyncDisposable {
  readonly subject: string;
  readonly queue: string | undefined;
  /** Resolves (never rejects) once nothing more is delivered and in-flight handlers are done. */
  readonly closed: Promise<void>;
  /** Stops taking messages, waits for handlers in flight. Idempotent. */
  unsubscribe(): Promise<void>;
}

/** Counters, a snapshot. */
export interface BusStats {
  /** Envelopes sent (publish, requests, replies, frames). */
  sent: number;
  /** Envelopes received and decoded successfully. */
  received: number;
  /** Inbound envelopes rejected (never reached a handler), by code. */
  rejected: { codec: number; invalid: number; total: number };
  /** Envelopes delivered in `lenient` mode despite schema errors. */
  lenientAccepted: number;
  /** Handler throws and error results. */
  handlerErrors: number;
  /** Handlers running now. */
  inFlight: number;
  /** Invoke and stream calls waiting for replies now. */
  pendingCalls: number;
  /** Stream frames dropped as duplicates. */
  duplicateFrames: number;
  /** Replies that matched no pending call (late, or after a timeout). */
  unmatchedReplies: number;
  /** Messages the transport refused after their send had resolved (coalesced writes; logged). */
  sendErrors: number;
  /** Requests refused unhandled because their `reply_to` is not an inbox subject (logged). */
  refusedReplyTo: number;
  /**
   * Messages refused unhandled because their envelope's `tenant_id` is not the tenant of the
   * subject they arrived on (logged; a request with an inbox `reply_to` is answered INVALID_REQUEST).
   */
  refusedTenant: number;
}

/** The bus: one agent's view of the ACP network. Create with `createBus(options)`. */
export interface Bus extends AsyncDisposable {
  readonly agentId: string;
  readonly prefix: string;
  readonly tenant: string | undefined;
  readonly transport: Transport;
  /**
   * Broadcasts an event to `{p}[.{tenant}].events.{eventType}`. Resolves once the transport
   * accepted it (NATS: sent or held for the reconnect; memory: delivered to subscriptions'
   * buffers), or with `confirm` once the server has it. Core NATS is at-most-once: see
   * spec/bus.md "What a resolved publish means".
   */
  publish<T extends string>(eventType: T, payload: PayloadOf<T>, opts?: PublishOptions): Promise<void>;
  /**
   * Receives events whose type matches `pattern` (wildcards `*` and `>` allowed). For a
   * standard event type the payload type `PayloadOf<T>` is checked: with `validation:
   * "strict"` (the default) the envelope schema validates the payload of every standard event
   * type before a handler runs. A `P` of your own, a custom event type, or lenient validation
   * make the payload type an assertion, unless `opts.validate` checks it.
   */
  subscribe<T extends string, P = PayloadOf<T>>(pattern: T, handler: EventHandler<T, P>, opts?: SubscribeOptions & Validated<P>): Subscription;
  /**
   * Request-reply: resolves with the handler's result, rejects with a typed {@link AcpError}.
   * `Res` is an assertion (the result is whatever the handler answered) unless `opts.validate`
   * checks it.
   */
  invoke<Res = unknown>(target: string, request: unknown, opts?: InvokeOptions & Validated<Res>): Promise<Res>;
  /**
   * Like {@link invoke}, resolving with the whole terminal reply envelope, final or error
   * (local failures such as timeout or NO_HANDLER still reject).
   */
  invokeEnvelope(target: string, request: unknown, opts?: InvokeOptions): Promise<Envelope>;
  /** Starts a stream call; frames arrive in seq order, without duplicates. */
  streamInvoke(target: string, request: unknown, opts?: StreamInvokeOptions): StreamCall;
  /**
   * Answers invokes of `target` (queue group = target). `Req` is an assertion (callers may send
   * anything) unless `opts.validate` checks it.
   */
  handleInvoke<Req = unknown, Res = unknown>(target: string, handler: InvokeHandler<Req, Res>, opts?: HandleOptions & Validated<Req>): Subscription;
  /**
   * Answers stream requests of `target` (queue group = target). `Req` is an assertion unless
   * `opts.validate` checks it.
   */
  handleStream<Req = unknown>(target: string, handler: StreamHandler<Req>, opts?: HandleOptions & Validated<Req>): Subscription;
  /**
   * Sends a complete envelope as is (no context filling), through outbound middleware.
   * For edges (gateway, A2A, dead-letter): `subject` defaults to the events subject of its type.
   */
  publishEnvelope(env: Envelope, subject?: string): Promise<void>;
  /** Builds the subjects of this bus (prefix, tenant routing, validated tokens). */
  readonly subjects: SubjectBuilder;
  /** Counters, a snapshot. */
  stats(): BusStats;
  /** Stops taking new work, drains in-flight handlers, fails pending calls, then closes. Idempotent. */
  close(): Promise<void>;
  /** Resolves once the bus has closed. */
  readonly closed: Promise<void>;
}

/** Subject names per spec/bus.md "Subjects and tenant routing"; throw INVALID_REQUEST naming a bad token. */
export interface SubjectBuilder {
  /** `{p}[.{tenant}].events.{eventType}`; `eventType` may be a wildcard pattern when `forSubscribe`. */
  events(eventType: string, tenant?: string, forSubscribe?: boolean): string;
  /** `{p}[.{tenant}].invoke.{target}`. */
  invoke(target: string, tenant?: string): string;
  /** `{p}[.{tenant}].dlq.{eventType}`. */
  dlq(eventType: string, tenant?: string): string;
}

// ---------------------------------------------------------------------------------------
// Middleware

/** What produced an inbound envelope for a handler. */
export type InboundKind = "event" | "invoke" | "stream";

/** What inbound middleware and the final handler see besides the envelope. */
export interface InboundContext {
  readonly kind: InboundKind;
  /** Subject the envelope arrived on. */
  readonly subject: string;
  /** Queue group of the subscription, if any. */
  readonly queue: string | undefined;
  /** Fires on stream cancel, or when the bus closes and the drain time is up. */
  readonly signal: AbortSignal;
  /** The bus handling it (publish a dead letter with `ctx.bus.publishEnvelope`). */
  readonly bus: Bus;
}

/**
 * What handling produced: a value to reply with (becomes `agent.response.final`), an error
 * (becomes `agent.response.error` when the envelope has `reply_to`, else it is logged and
 * counted), or nothing (events, and streams whose writer already ended).
 */
export type InboundResult =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "error"; readonly error: AcpError }
  | { readonly kind: "none" };

/** Handles one inbound envelope. A throw is turned into an `error` result by the bus. */
export type InboundHandler = (env: Envelope, ctx: InboundContext) => Promise<InboundResult>;

/** Wraps an inbound handler: `(next) => (env, ctx) => …`. */
export type InboundMiddleware = (next: InboundHandler) => InboundHandler;

/** What is being sent. */
export type OutboundKind = "publish" | "invoke" | "stream" | "reply" | "frame";

/** What outbound middleware see besides the envelope. Pass a changed copy to `next` to alter it. */
export interface OutboundCall {
  readonly kind: OutboundKind;
  /** Subject it goes to. */
  readonly subject: string;
  /** For `invoke`: ms to wait for the reply. */
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** The bus sending it. */
  readonly bus: Bus;
}

/**
 * What a send produced. `invoke` resolves with the terminal `reply` (always a final: an error
 * reply is thrown as its {@link AcpError}); every other kind resolves with `sent`.
 * Failures (timeout, NO_HANDLER, transport, cancel, error replies) are thrown as AcpError;
 * one built from an error reply carries the reply envelope in `details.reply`.
 */
export type OutboundResult = { readonly kind: "sent" } | { readonly kind: "reply"; readonly envelope: Envelope };

/** Sends one envelope. */
export type OutboundSend = (env: Envelope, call: OutboundCall) => Promise<OutboundResult>;

/** Wraps an outbound send: `(next) => (env, call) => …`. */
export type OutboundMiddleware = (next: OutboundSend) => OutboundSend;
