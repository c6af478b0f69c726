/**
 * A handler registration: one transport subscription whose messages pass the inbound gate,
 * then the inbound middleware chain, then the handler, inside the envelope's propagated
 * context. Invokes get a reply, streams a terminal frame, events nothing; a bad request with
 * a readable `reply_to` gets an INVALID_REQUEST error reply. Tracks handlers in flight so
 * unsubscribe and bus close can wait for them.
 */
import type { Envelope, ErrorPayload } from "../../generated/ts/types.js";
import { InvalidRequestError, type AcpError } from "../../generated/ts/errors.js";
import { CONTEXT_FIELDS, contextFromEnvelope, currentContext, runWithContext } from "../context/index.js";
import { subjectProblem, tokenProblem } from "../transport/subject.js";
import type { TransportMessage, TransportSubscription } from "../transport/types.js";
import { composeInbound } from "./compose.js";
import type { BusCore } from "./core.js";
import type { Inbound } from "./inbound-decode.js";
import { errorPayload, inheritMetadata, replyInit, resultPayload, toAcpError } from "./replies.js";
import { Writer, type CancelRegistry } from "./stream-writer.js";
import type {
  EventHandler, HandlerContext, InboundContext, InboundHandler, InboundKind, InboundResult, InvokeHandler,
  StreamHandler, Subscription,
} from "./types.js";

/** The user's handler, by kind. */
export type AnyHandler =
  | { readonly kind: "event"; readonly fn: EventHandler<string, unknown> }
  | { readonly kind: "invoke"; readonly fn: InvokeHandler }
  | { readonly kind: "stream"; readonly fn: StreamHandler };

/** Per-envelope state riding on the InboundContext (under a symbol, so copies of ctx keep it). */
const STATE = Symbol("oaio.bus.inbound-state");
interface InboundState {
  readonly replyMetadata: Record<string, unknown>;
  readonly writer: Writer | undefined;
}
type StatefulContext = InboundContext & { readonly [STATE]?: InboundState };

const NONE: InboundResult = Object.freeze({ kind: "none" });

function stateOf(ctx: InboundContext): InboundState {
  return (ctx as StatefulContext)[STATE] ?? { replyMetadata: {}, writer: undefined };
}

function handlerContext(env: Envelope, ctx: InboundContext, state: InboundState): HandlerContext {
  return { envelope: env, subject: ctx.subject, signal: ctx.signal, replyMetadata: state.replyMetadata };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}

function toNone(): InboundResult {
  return NONE;
}

function toValue(value: unknown): InboundResult {
  return { kind: "value", value };
}

/**
 * The innermost inbound handler for a user handler. Event and invoke handlers that return
 * without a promise cost no extra promise hop (a throw still becomes a rejection).
 */
function coreHandler(handler: AnyHandler): InboundHandler {
  switch (handler.kind) {
    case "event":
      return (env, ctx) => {
        let out: unknown;
        try {
          out = handler.fn(env.payload, handlerContext(env, ctx, stateOf(ctx)));
        } catch (err: unknown) {
          return Promise.reject(err);
        }
        return isPromiseLike(out) ? Promise.resolve(out).then(toNone) : Promise.resolve(NONE);
      };
    case "invoke":
      return (env, ctx) => {
        let value: unknown;
        try {
          value = handler.fn(env.payload, handlerContext(env, ctx, stateOf(ctx)));
        } catch (err: unknown) {
          return Promise.reject(err);
        }
        return isPromiseLike(value) ? Promise.resolve(value).then(toValue) : Promise.resolve(toValue(value));
      };
    case "stream":
      return async (env, ctx) => {
        const state = stateOf(ctx);
        if (state.writer === undefined) throw new InvalidRequestError("stream request without a usable reply_to");
        const value: unknown = await handler.fn(env.payload, state.writer, handlerContext(env, ctx, state));
        return value === undefined ? NONE : { kind: "value", value };
      };
  }
}

/** True when the envelope carries a field that context propagation would pass on. */
function propagates(env: Envelope): boolean {
  for (const key of CONTEXT_FIELDS) if (typeof env[key] === "string") return true;
  return false;
}

function isEmpty(obj: Record<string, unknown>): boolean {
  for (const _ in obj) return false;
  return true;
}

function replyable(replyTo: unknown): string | undefined {
  return typeof replyTo === "string" && subjectProblem(replyTo, "publish") === undefined ? replyTo : undefined;
}

/**
 * {@link replyable} that remembers the last valid reply subject's prefix (up to its last dot):
 * replies of one caller differ only in their last token, which alone is then checked.
 */
class ReplySubjects {
  #prefix = "";

  check(replyTo: unknown): string | undefined {
    if (typeof replyTo !== "string") return undefined;
    const dot = replyTo.lastIndexOf(".");
    if (dot > 0 && dot === this.#prefix.length - 1 && replyTo.startsWith(this.#prefix)) {
      return tokenProblem(replyTo.slice(dot + 1)) === undefined ? replyTo : undefined;
    }
    if (subjectProblem(replyTo, "publish") !== undefined) return undefined;
    if (dot > 0) this.#prefix = replyTo.slice(0, dot + 1);
    return replyTo;
  }
}

export class Registration implements Subscription {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly closed: Promise<void>;
  readonly kind: InboundKind;
  readonly #core: BusCore;
  readonly #cancels: CancelRegistry;
  readonly #chain: InboundHandler;
  readonly #tsub: TransportSubscription;
  /** Aborted when the bus gives up waiting for handlers (events and invokes share it). */
  readonly #controller = new AbortController();
  readonly #streams = new Set<AbortController>();
  readonly #replySubjects = new ReplySubjects();
  readonly #onClosed: (reg: Registration) => void;
  #active = 0;
  #idle: (() => void)[] = [];
  #closing: Promise<void> | undefined;
  #resolveClosed!: () => void;

  constructor(core: BusCore, cancels: CancelRegistry, handler: AnyHandler, subject: string, queue: string | undefined, onClosed: (reg: Registration) => void) {
    this.#core = core;
    this.#cancels = cancels;
    this.kind = handler.kind;
    this.subject = subject;
    this.queue = queue;
    this.#onClosed = onClosed;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#chain = composeInbound(core.inbound, coreHandler(handler));
    this.#tsub = core.transport.subscribe(subject, queue === undefined ? {} : { queue }, (msg) => this.#onMessage(msg));
  }

  /** Handlers of this registration running now. */
  get active(): number {
    return this.#active;
  }

  unsubscribe(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.unsubscribe();
  }

  /** Fires every handler's signal (the bus' drain time is up). */
  abortAll(reason: AcpError): void {
    this.#controller.abort(reason);
    for (const c of this.#streams) c.abort(reason);
  }

  async #close(): Promise<void> {
    try {
      await this.#tsub.drain();
    } catch {
      this.#tsub.unsubscribe();
    }
    while (this.#active > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#onClosed(this);
    this.#resolveClosed();
  }

  #onMessage(msg: TransportMessage): void {
    const inbound = this.#core.gate.decodeMessage(msg);
    if (!inbound.ok) {
      if (this.kind !== "event") this.#replyInvalid(inbound, msg.subject);
      return;
    }
    this.#active++;
    this.#core.counters.inFlight++;
    // One pair of settle callbacks serves every message (no closure per message).
    void this.#run(inbound.envelope, msg.subject).then(this.#settled, this.#crashed);
  }

  /** #run failed outside the handler (e.g. the transport closed under it): log, then settle. */
  #crashed = (err: unknown): void => {
    this.#core.log.error({ subject: this.subject, reason: err instanceof Error ? err.message : String(err) }, "inbound dispatch failed");
    this.#settled();
  };

  #settled = (): void => {
    this.#active--;
    this.#core.counters.inFlight--;
    if (this.#active === 0 && this.#idle.length > 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w();
    }
  };

  async #run(env: Envelope, subject: string): Promise<void> {
    const core = this.#core;
    const replyTo = this.kind === "event" ? undefined : this.#replySubjects.check(env.reply_to);
    const replyMetadata: Record<string, unknown> = {};
    let writer: Writer | undefined;
    let controller = this.#controller;
    if (this.kind === "stream") {
      controller = new AbortController();
      if (this.#controller.signal.aborted) controller.abort(this.#controller.signal.reason);
      this.#streams.add(controller);
      if (replyTo !== undefined) {
        const cancelTo = this.#cancels.add(env.event_id, controller);
        writer = new Writer(core, env, replyTo, replyMetadata, controller.signal, cancelTo);
      }
    }
    const ctx: StatefulContext = {
      kind: this.kind, subject, queue: this.queue, signal: controller.signal, bus: core.bus,
      [STATE]: { replyMetadata, writer },
    };
    let result: InboundResult;
    try {
      // Entering a context costs (async hooks); skip it when there is nothing to propagate or to hide.
      result = !propagates(env) && currentContext() === undefined
        ? await this.#chain(env, ctx)
        : await runWithContext(contextFromEnvelope(env), () => this.#chain(env, ctx));
    } catch (err: unknown) {
      result = { kind: "error", error: toAcpError(err) };
    }
    try {
      const sending = this.#finish(env, replyTo, result, writer, replyMetadata, controller.signal);
      if (sending !== undefined) await sending;
    } catch (err: unknown) {
      core.log.warn({ subject, event_id: env.event_id, reason: err instanceof Error ? err.message : String(err) }, "could not send the reply");
    } finally {
      if (this.kind === "stream") {
        this.#streams.delete(controller);
        this.#cancels.remove(env.event_id);
      }
    }
  }

  /** Counts a failure and sends what the result calls for; the send's promise, if any. */
  #finish(env: Envelope, replyTo: string | undefined, result: InboundResult, writer: Writer | undefined, replyMetadata: Record<string, unknown>, signal: AbortSignal): Promise<unknown> | undefined {
    const core = this.#core;
    if (result.kind === "error") {
      core.counters.handlerErrors++;
      core.log.warn({ subject: this.subject, event_id: env.event_id, event_type: env.event_type, code: result.error.code, reason: result.error.message }, "handler failed");
    }
    if (this.kind === "event") return undefined;
    if (this.kind === "stream") {
      if (writer === undefined || writer.ended || signal.aborted) return undefined;
      if (result.kind === "error") return writer.error(result.error);
      return writer.final(result.kind === "value" ? result.value : undefined);
    }
    if (replyTo === undefined) {
      core.log.debug({ subject: this.subject, event_id: env.event_id }, "request without reply_to: no reply sent");
      return undefined;
    }
    const metadata = env.metadata === undefined && isEmpty(replyMetadata) ? undefined : inheritMetadata(env.metadata, replyMetadata);
    const reply = result.kind === "error"
      ? core.envelope(replyInit(env, core.agentId, metadata, "agent.response.error", errorPayload(result.error), undefined, true))
      : core.envelope(replyInit(env, core.agentId, metadata, "agent.response.final", resultPayload(result.kind === "value" ? result.value : undefined), undefined, true));
    return core.send(reply, { kind: "reply", subject: replyTo, timeoutMs: undefined, signal: undefined, bus: core.bus });
  }

  /** A bad request whose reply_to is readable gets an INVALID_REQUEST error reply. */
  #replyInvalid(inbound: Extract<Inbound, { ok: false }>, subject: string): void {
    const raw = inbound.raw;
    const replyTo = replyable(raw?.reply_to);
    if (raw === undefined || replyTo === undefined) return;
    const { error } = inbound;
    const payload: ErrorPayload = {
      code: "INVALID_REQUEST",
      message: error.message,
      retryable: false,
      cause: { pointer: error.pointer, expected: error.expected, got: error.got },
    };
    const init: Partial<Envelope> & { event_type: string } = {
      event_type: "agent.response.error", is_final: true, from: raw.to ?? subject.slice(subject.lastIndexOf(".") + 1), payload: payload as Envelope["payload"],
    };
    if (raw.event_id !== undefined) init.correlation_id = raw.event_id;
    if (raw.from !== undefined) init.to = raw.from;
    for (const key of ["session_id", "conversation_id", "tenant_id", "user_id", "channel", "trace_id", "span_id", "traceparent"] as const) {
      const value = raw.value[key];
      if (typeof value === "string") init[key] = value;
    }
    this.#core.send(this.#core.envelope(init), { kind: "reply", subject: replyTo, timeoutMs: undefined, signal: undefined, bus: this.#core.bus }).catch((err: unknown) => {
      this.#core.log.warn({ subject: replyTo, reason: err instanceof Error ? err.message : String(err) }, "could not send the INVALID_REQUEST reply");
    });
  }
}
