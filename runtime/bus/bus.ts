/**
 * createBus: publish / subscribe / invoke / streamInvoke / handleInvoke / handleStream /
 * close over any {@link Transport}, wire-compatible with deployed OpenAgentIO SDKs
 * (spec/bus.md "Wire format", spec/interop.md). See spec/bus.md.
 */
import type { Envelope } from "../../generated/ts/types.js";
import type { PayloadOf } from "../../generated/ts/event-map.js";
import { AcpError, AgentUnavailableError, CanceledError, TransportFailureError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import { TraceIdSource, currentContext, outboundContext, type ContextFields } from "../context/index.js";
import { DEFAULT_MAX_BYTES } from "../envelope/index.js";
import { DEFAULT_MAX_GAP, DEFAULT_MAX_PENDING } from "../stream/reassembler.js";
import type { PublishOptions as TransportPublishOptions, Transport } from "../transport/types.js";
import { request } from "./caller.js";
import { checked, checkedHandler } from "./checks.js";
import { EnvelopeFactory } from "./build.js";
import { composeOutbound } from "./compose.js";
import { SENT_PROMISE, sentVoid, type BusCore, type PendingCall } from "./core.js";
import { InboxMux } from "./inbox.js";
import { DEFAULT_RECONNECT_GRACE_MS, Link } from "./link.js";
import { EnvelopeBody, type Provenance } from "./local.js";
import { InboundGate } from "./inbound-decode.js";
import { Registration, type AnyHandler } from "./registration.js";
import { resultOf } from "./replies.js";
import { toSendError } from "./send-errors.js";
import { Counters, Log } from "./stats.js";
import { StreamCallImpl } from "./stream-call.js";
import { CancelRegistry } from "./stream-writer.js";
import { Subjects, assertBusToken, assertTenant } from "./subjects.js";
import type {
  Bus,
  BusOptions,
  BusStats,
  EventHandler,
  HandleOptions,
  InvokeHandler,
  InvokeOptions,
  OutboundCall,
  OutboundResult,
  PublishOptions,
  StreamCall,
  StreamHandler,
  StreamInvokeOptions,
  Subscription,
  SubscribeOptions,
  Validated,
} from "./types.js";

/** Default of {@link BusOptions.defaultTimeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default of {@link StreamClientDefaults.idleTimeoutMs}. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Default of {@link StreamClientDefaults.maxBuffered}. */
export const DEFAULT_MAX_BUFFERED = 65_536;
/** Default of {@link StreamClientDefaults.maxBufferedBytes}: 8 MiB (three slow readers of one gateway hold at most 24 MiB). */
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Default of {@link BusOptions.drainTimeoutMs}. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** After aborting handlers at close, how long to wait for them before closing without them. */
const ABORT_GRACE_MS = 1000;
const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

function positive(value: number | undefined, fallback: number, what: string, api = "createBus"): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw invalidArgument(api, what, value, "a positive number");
  return value;
}

class BusImpl implements Bus {
  readonly agentId: string;
  readonly prefix: string;
  readonly tenant: string | undefined;
  readonly transport: Transport;
  readonly subjects: Subjects;
  readonly closed: Promise<void>;
  readonly #core: BusCore;
  readonly #cancels: CancelRegistry;
  readonly #registrations = new Set<Registration>();
  readonly #ownsTransport: boolean;
  readonly #drainTimeoutMs: number;
  readonly #stopStatus: () => void;
  #state = OPEN;
  #closing: Promise<void> | undefined;
  #resolveClosed!: () => void;

  constructor(opts: BusOptions) {
    assertBusToken(opts.agentId, "agent id");
    if (opts.tenant !== undefined) assertTenant(opts.tenant);
    if (opts.schemaVersion !== undefined && opts.schemaVersion !== 1 && opts.schemaVersion !== 2) {
      throw invalidArgument("createBus", "schemaVersion", opts.schemaVersion, "1 or 2");
    }
    const validation = opts.validation ?? "strict";
    if (validation !== "strict" && validation !== "lenient") {
      throw invalidArgument("createBus", "validation", validation, `"strict" or "lenient"`);
    }
    this.agentId = opts.agentId;
    this.tenant = opts.tenant;
    this.transport = opts.transport;
    this.subjects = new Subjects(opts.prefix ?? "acp.v1");
    this.prefix = this.subjects.prefix;
    const inboxRoot = opts.transport.inboxPrefix.split(".")[0];
    if (this.prefix.split(".")[0] === inboxRoot) {
      throw invalidArgument(
        "createBus",
        "prefix",
        this.prefix,
        `a prefix that does not start with the transport's inbox prefix token "${inboxRoot}" (inboxes and agent subjects must not overlap): choose another prefix`,
      );
    }
    this.#ownsTransport = opts.ownsTransport ?? false;
    this.#drainTimeoutMs = positive(opts.drainTimeoutMs, DEFAULT_DRAIN_TIMEOUT_MS, "drainTimeoutMs");
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    const defaultTimeoutMs = positive(opts.defaultTimeoutMs, DEFAULT_TIMEOUT_MS, "defaultTimeoutMs");
    const counters = new Counters();
    const log = new Log(opts.logger, opts.agentId);
    const schemaVersion = opts.schemaVersion ?? 2;
    const transport = opts.transport;
    const link = new Link(opts.reconnectGraceMs === 0 ? 0 : positive(opts.reconnectGraceMs, DEFAULT_RECONNECT_GRACE_MS, "reconnectGraceMs"));
    // One send path for every transport: an envelope goes to `transport.publish` as a body
    // whose form (bytes, or a sealed in-process copy) the transport picks (local.ts).
    const publishEnvelope = (subject: string, env: Envelope, o?: TransportPublishOptions, provenance: Provenance = "foreign"): boolean => {
      const body = new EnvelopeBody(env, provenance);
      transport.publish(subject, body, o);
      return body.sealed;
    };
    // The innermost send. `own`: the envelope comes straight from the bus' factory, with no
    // outbound middleware in between that could have changed it (local.ts Provenance).
    const terminal = (env: Envelope, call: OutboundCall, own = false): Promise<OutboundResult> => {
      if (call.kind === "invoke") return request(core, env, call, own);
      // a stream call keeps its request envelope: vouched, not handed over
      const provenance: Provenance = !own ? "foreign" : call.kind === "stream" ? "vouched" : "handed-over";
      try {
        publishEnvelope(call.subject, env, call.kind === "stream" && env.reply_to !== undefined ? { reply: env.reply_to } : undefined, provenance);
      } catch (err: unknown) {
        return Promise.reject(toSendError(err, call.subject));
      }
      counters.sent++;
      return SENT_PROMISE;
    };
    const middleware = opts.middleware?.outbound ?? [];
    const chain = composeOutbound(middleware, terminal);
    // Every send goes through `send`; without middleware the chain is the terminal itself.
    const send = middleware.length === 0 ? terminal : (env: Envelope, call: OutboundCall): Promise<OutboundResult> => chain(env, call);
    const s = opts.stream ?? {};
    const factory = new EnvelopeFactory(schemaVersion);
    const core: BusCore = {
      bus: this,
      agentId: opts.agentId,
      tenant: opts.tenant,
      transport,
      subjects: this.subjects,
      schemaVersion,
      defaultTimeoutMs,
      streamDefaults: {
        timeoutMs: positive(s.timeoutMs, defaultTimeoutMs, "stream.timeoutMs"),
        idleTimeoutMs: positive(s.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, "stream.idleTimeoutMs"),
        maxGap: positive(s.maxGap, DEFAULT_MAX_GAP, "stream.maxGap"),
        maxPending: positive(s.maxPending, DEFAULT_MAX_PENDING, "stream.maxPending"),
        maxBuffered: positive(s.maxBuffered, DEFAULT_MAX_BUFFERED, "stream.maxBuffered"),
        maxBufferedBytes: positive(s.maxBufferedBytes, DEFAULT_MAX_BUFFERED_BYTES, "stream.maxBufferedBytes"),
      },
      counters,
      log,
      gate: new InboundGate(validation, positive(opts.maxBytes, DEFAULT_MAX_BYTES, "maxBytes"), counters, log),
      inbox: new InboxMux(transport, counters),
      ids: new TraceIdSource(),
      inbound: opts.middleware?.inbound,
      send,
      pending: new Set<PendingCall>(),
      link,
      inboxDot: `${transport.inboxPrefix}.`,
      envelope: (init) => factory.build(init),
      factory,
      publishEnvelope,
    };
    this.#core = core;
    this.#cancels = new CancelRegistry(core);
    this.#stopStatus = transport.onStatus((status) => {
      if (status.type === "error" && status.unsent !== undefined) counters.sendErrors += status.unsent;
      if (status.type === "disconnected" || status.type === "reconnecting") core.link.disconnected();
      else if (status.type === "reconnected") core.link.reconnected();
      if (status.type === "disconnected" || status.type === "reconnected" || status.type === "closed") {
        log.info({ transport: transport.name, status: status.type }, `transport ${status.type}`);
      } else if (status.type === "error") {
        log.warn({ transport: transport.name, code: status.error.code, reason: status.error.message }, "transport error");
      } else if (status.type === "slow_consumer") {
        log.warn({ transport: transport.name, subject: status.subject, dropped: status.dropped }, "slow consumer: messages dropped");
      }
    });
  }

  // ---- sending

  /** Context fields of an outbound envelope (explicit > propagated); none outside handlers without explicit ones. */
  #context(explicit: ContextFields | undefined): ContextFields | undefined {
    const base = currentContext();
    return explicit !== undefined || base !== undefined ? outboundContext(this.#core.ids, explicit, base) : undefined;
  }

  /** An envelope this bus sends: context fields, else the bus tenant, route it (spec/bus.md). */
  #outbound(
    eventType: string,
    to: string | undefined,
    payload: unknown,
    opts: { context?: ContextFields; metadata?: Record<string, unknown> } | undefined,
  ): Envelope {
    return this.#core.factory.outbound(eventType, this.agentId, to, this.#context(opts?.context), this.tenant, payload, opts?.metadata);
  }

  #assertCanSend(what: string): void {
    if (this.#state === CLOSED) throw new TransportFailureError(`bus ${this.agentId} is closed: cannot ${what}`, { retryable: false });
  }

  publish<T extends string>(eventType: T, payload: PayloadOf<T>, opts?: PublishOptions): Promise<void> {
    try {
      this.#assertCanSend("publish");
      const env = this.#outbound(eventType, undefined, payload, opts);
      const subject = this.subjects.events(eventType, env.tenant_id);
      const sent = this.#core.send(env, { kind: "publish", subject, timeoutMs: undefined, signal: opts?.signal, bus: this }, true);
      return opts?.confirm === true ? sent.then(() => this.#confirm(subject)) : sentVoid(sent);
    } catch (err: unknown) {
      return Promise.reject(err);
    }
  }

  /** Resolves once the transport has what was sent so far (NATS: the server's PONG after it). */
  async #confirm(subject: string): Promise<void> {
    try {
      await this.transport.flush();
    } catch (err: unknown) {
      const cause = toSendError(err, subject);
      throw new TransportFailureError(`publish to ${subject} not confirmed: ${cause.message}; it may or may not have reached the server`, {
        retryable: cause.retryable,
        cause,
        details: { subject, confirmed: false },
      });
    }
  }

  publishEnvelope(env: Envelope, subject?: string): Promise<void> {
    try {
      this.#assertCanSend("publish");
      const to = subject ?? this.subjects.events(env.event_type, typeof env.tenant_id === "string" ? env.tenant_id : this.tenant);
      return sentVoid(this.#core.send(env, { kind: "publish", subject: to, timeoutMs: undefined, signal: undefined, bus: this }));
    } catch (err: unknown) {
      return Promise.reject(err);
    }
  }

  /** The request envelope of an invoke or stream. */
  #request(target: string, payload: unknown, opts: InvokeOptions | undefined): Envelope {
    return this.#outbound("agent.message.received", target, payload, opts);
  }

  /**
   * Resolves with `then(reply)` of the terminal final reply (one promise hop): the same path,
   * and cost, with or without outbound middleware.
   */
  #invoke<R>(target: string, payload: unknown, opts: InvokeOptions | undefined, then: (reply: Envelope) => R): Promise<R> {
    try {
      this.#assertCanSend("invoke");
      const env = this.#request(target, payload, opts);
      const subject = this.subjects.invoke(target, env.tenant_id);
      const timeoutMs = positive(opts?.timeoutMs, this.#core.defaultTimeoutMs, "opts.timeoutMs", "bus.invoke");
      const call: OutboundCall = { kind: "invoke", subject, timeoutMs, signal: opts?.signal, bus: this };
      return this.#core.send(env, call, true).then((result) => then(replyOf(result, target)));
    } catch (err: unknown) {
      return Promise.reject(err);
    }
  }

  invoke<Res = unknown>(target: string, payload: unknown, opts?: InvokeOptions & Validated<Res>): Promise<Res> {
    const validate = opts?.validate;
    if (validate === undefined) return this.#invoke(target, payload, opts, resultOf) as Promise<Res>;
    return this.#invoke(target, payload, opts, (reply) =>
      checked(
        validate,
        resultOf(reply),
        `the result of invoke of ${JSON.stringify(target)}`,
        "the handler answered a value of another shape than the caller expects",
      ),
    );
  }

  async invokeEnvelope(target: string, payload: unknown, opts?: InvokeOptions): Promise<Envelope> {
    try {
      return await this.#invoke(target, payload, opts, sameReply);
    } catch (err: unknown) {
      const reply = err instanceof AcpError ? err.details?.["reply"] : undefined;
      if (reply !== undefined) return reply as Envelope;
      throw err;
    }
  }

  streamInvoke(target: string, payload: unknown, opts: StreamInvokeOptions = {}): StreamCall {
    this.#assertCanSend("stream");
    for (const key of ["timeoutMs", "idleTimeoutMs", "maxGap", "maxPending", "maxBuffered", "maxBufferedBytes"] as const)
      positive(opts[key], 1, `opts.${key}`, "bus.streamInvoke");
    const env = this.#request(target, payload, opts);
    return new StreamCallImpl(this.#core, env, this.subjects.invoke(target, env.tenant_id), target, opts);
  }

  // ---- receiving

  #register(handler: AnyHandler, subject: string, queue: string | undefined, target?: string): Subscription {
    if (this.#state !== OPEN) throw new TransportFailureError(`bus ${this.agentId} is closing: cannot register a handler`, { retryable: false });
    if (handler.kind !== "event") {
      for (const r of this.#registrations) {
        if (r.subject === subject && r.kind !== handler.kind && r.kind !== "event") {
          throw invalidArgument(
            `bus.handle${handler.kind === "invoke" ? "Invoke" : "Stream"}`,
            "target",
            target ?? subject,
            `a target without another kind of handler (${subject} already has an ${r.kind} handler on this bus: one target is either invoke or stream)`,
          );
        }
      }
    }
    const reg = new Registration(this.#core, this.#cancels, handler, subject, queue, (r) => this.#registrations.delete(r), target);
    this.#registrations.add(reg);
    return reg;
  }

  #tenantFor(opt: string | null | undefined): string | undefined {
    return opt === null ? undefined : (opt ?? this.tenant);
  }

  subscribe<T extends string, P = PayloadOf<T>>(pattern: T, handler: EventHandler<T, P>, opts: SubscribeOptions & Validated<P> = {}): Subscription {
    const subject = this.subjects.events(pattern, this.#tenantFor(opts.tenant), true);
    const fn = checkedHandler(opts.validate, `the payload of an event on ${subject}`, handler as EventHandler<string, unknown>);
    return this.#register({ kind: "event", fn }, subject, opts.queue);
  }

  handleInvoke<Req = unknown, Res = unknown>(target: string, handler: InvokeHandler<Req, Res>, opts: HandleOptions & Validated<Req> = {}): Subscription {
    const subject = this.subjects.invoke(target, this.#tenantFor(opts.tenant));
    const fn = checkedHandler(opts.validate, `the request of invoke of ${JSON.stringify(target)}`, handler as InvokeHandler);
    return this.#register({ kind: "invoke", fn }, subject, opts.queue ?? target, target);
  }

  handleStream<Req = unknown>(target: string, handler: StreamHandler<Req>, opts: HandleOptions & Validated<Req> = {}): Subscription {
    const subject = this.subjects.invoke(target, this.#tenantFor(opts.tenant));
    const fn = checkedHandler(opts.validate, `the request of stream of ${JSON.stringify(target)}`, handler as StreamHandler);
    return this.#register({ kind: "stream", fn }, subject, opts.queue ?? target, target);
  }

  // ---- lifecycle

  stats(): BusStats {
    return this.#core.counters.snapshot(this.#core.pending.size);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    this.#state = CLOSING;
    const core = this.#core;
    const regs = [...this.#registrations];
    const drained = Promise.all(regs.map((r) => r.unsubscribe()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.#drainTimeoutMs);
    });
    if (await Promise.race([drained.then(() => false), timedOut])) {
      const busy = regs.reduce((n, r) => n + r.active, 0);
      core.log.warn({ handlers: busy, drainTimeoutMs: this.#drainTimeoutMs }, "handlers still running at close: aborting them");
      const reason = new CanceledError(`bus ${this.agentId} closed while the handler was running`);
      for (const r of regs) r.abortAll(reason);
      clearTimeout(timer);
      const abandoned = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), ABORT_GRACE_MS);
      });
      if (await Promise.race([drained.then(() => false), abandoned])) {
        const left = regs.reduce((n, r) => n + r.active, 0);
        core.log.error({ handlers: left }, "handlers ignored their abort signal: closing without them");
      }
    }
    clearTimeout(timer);
    this.#state = CLOSED;
    const err = new CanceledError(`bus ${this.agentId} closed`, { details: { agentId: this.agentId } });
    for (const p of [...core.pending]) p.fail(err);
    core.pending.clear();
    await Promise.all([core.inbox.dispose(), this.#cancels.dispose()]);
    this.#stopStatus();
    if (this.#ownsTransport) {
      try {
        await this.transport.drain();
      } catch {
        await this.transport.close();
      }
    }
    this.#resolveClosed();
  }
}

function sameReply(reply: Envelope): Envelope {
  return reply;
}

/** The reply of an invoke's send; outbound middleware that resolves otherwise is an error. */
function replyOf(result: OutboundResult, target: string): Envelope {
  if (result.kind !== "reply") throw new AgentUnavailableError(`invoke of ${target}: outbound middleware answered without a reply`);
  return result.envelope;
}

/**
 * Creates a bus over `opts.transport`. Close it with `await bus.close()` (or `await using`).
 * With `ownsTransport: true` the bus owns the transport from this call on: when the options
 * are refused (the call throws), the transport is closed too (in the background: its `closed`
 * promise resolves once it is), so a caller that hands over a connection never leaks it.
 */
export function createBus(opts: BusOptions): Bus {
  try {
    return new BusImpl(opts);
  } catch (err: unknown) {
    if (opts?.ownsTransport === true) releaseTransport(opts.transport);
    throw err;
  }
}

/** Closes a transport the bus was given to own when construction failed; `close` never rejects here. */
function releaseTransport(transport: Transport | undefined): void {
  if (typeof transport?.close !== "function") return;
  try {
    transport.close().catch(() => undefined);
  } catch {
    // a transport whose close throws synchronously: nothing more the bus can do
  }
}
