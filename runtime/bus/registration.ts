/**
 * A handler registration: one transport subscription whose messages pass the inbound gate,
 * then the inbound middleware chain, then the handler, inside the envelope's propagated
 * context. Invokes get a reply, streams a terminal frame, events nothing; a bad request with
 * a readable `reply_to` gets an INVALID_REQUEST error reply. Tracks handlers in flight so
 * unsubscribe and bus close can wait for them.
 */
import type { Envelope, ErrorPayload } from "../../generated/ts/types.js";
import { InvalidRequestError, type AcpError } from "../../generated/ts/errors.js";
import { ERROR_CODES } from "../../generated/ts/constants.js";
import { copyContext, hasContext } from "../../generated/ts/envelope-facts.js";
import { contextFromEnvelope, currentContext, runWithContext } from "../context/index.js";
import type { TransportMessage, TransportSubscription } from "../transport/types.js";
import { composeInbound } from "./compose.js";
import { SENT_PROMISE, type BusCore } from "./core.js";
import { ReplySubjects, STATE, coreHandler, isEmpty, replyable, type AnyHandler, type InboundState, type StatefulContext } from "./handlers.js";
import type { Inbound } from "./inbound-decode.js";
import { errorPayload, inheritMetadata, resultPayload, toAcpError } from "./replies.js";
import { Writer, type CancelRegistry } from "./stream-writer.js";
import { tenantOfSubject } from "./subjects.js";
import type { InboundHandler, InboundKind, InboundResult, Subscription } from "./types.js";

export type { AnyHandler } from "./handlers.js";

export class Registration implements Subscription {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly closed: Promise<void>;
  readonly kind: InboundKind;
  readonly #core: BusCore;
  readonly #cancels: CancelRegistry;
  /** The inbound middleware around the user's handler (without middleware, the handler's core step itself). */
  readonly #chain: InboundHandler;
  readonly #tsub: TransportSubscription;
  /** Aborted when the bus gives up waiting for handlers (events and invokes share it). */
  readonly #controller = new AbortController();
  readonly #streams = new Set<AbortController>();
  readonly #replySubjects: ReplySubjects;
  readonly #onClosed: (reg: Registration) => void;
  #active = 0;
  #idle: (() => void)[] = [];
  #closing: Promise<void> | undefined;
  #resolveClosed!: () => void;

  /** The invoke / stream target served (dotted targets included); undefined for events. */
  readonly #target: string | undefined;
  /**
   * The tenant of the subject this registration listens on (undefined: untenanted). Every
   * message it handles is bound to it: the handler, its context and its sends work in this
   * tenant, whatever the envelope says (a disagreeing `tenant_id` is refused).
   */
  readonly #tenant: string | undefined;

  constructor(
    core: BusCore,
    cancels: CancelRegistry,
    handler: AnyHandler,
    subject: string,
    queue: string | undefined,
    onClosed: (reg: Registration) => void,
    target?: string,
  ) {
    this.#target = target;
    this.#core = core;
    this.#cancels = cancels;
    this.kind = handler.kind;
    this.subject = subject;
    this.queue = queue;
    this.#onClosed = onClosed;
    this.#tenant = tenantOfSubject(core.subjects.prefix, subject);
    this.#replySubjects = new ReplySubjects(core.inboxDot);
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
    let env = inbound.envelope;
    let replyTo: string | undefined;
    if (this.kind !== "event" && env.reply_to !== undefined) {
      replyTo = this.#replySubjects.check(env.reply_to);
      if (replyTo === undefined) {
        this.#refuse(env, msg.subject);
        return;
      }
    }
    if (env.tenant_id !== this.#tenant) {
      // A tenant-scoped deployed publish carries no tenant_id: the subject's tenant is filled in
      // (on a copy: a local envelope may be shared). Any other disagreement is refused.
      if (env.tenant_id !== undefined || this.#tenant === undefined) {
        this.#refuseTenant(env, msg.subject, replyTo);
        return;
      }
      env = { ...env, tenant_id: this.#tenant };
    }
    this.#active++;
    this.#core.counters.inFlight++;
    this.#dispatch(env, msg.subject, replyTo);
  }

  /** A request whose reply_to is no inbox subject: not handled, not answered; counted and logged. */
  #refuse(env: Envelope, subject: string): void {
    this.#core.counters.refusedReplyTo++;
    this.#core.log.warn(
      {
        subject,
        event_id: env.event_id,
        from: env.from,
        tenant_id: env.tenant_id,
        reply_to: env.reply_to,
        inbox_prefix: this.#core.transport.inboxPrefix,
      },
      "request refused: reply_to is not an inbox subject",
    );
  }

  /**
   * A message whose envelope names another tenant than the subject it arrived on: not
   * handled; counted and logged; a request with an inbox reply_to is answered INVALID_REQUEST
   * (the answer carries the arrival tenant, not the claimed one).
   */
  #refuseTenant(env: Envelope, subject: string, replyTo: string | undefined): void {
    const core = this.#core;
    core.counters.refusedTenant++;
    const claimed: unknown = env.tenant_id;
    core.log.warn(
      {
        subject,
        event_id: env.event_id,
        from: env.from,
        tenant_id: claimed,
        subject_tenant: this.#tenant ?? null,
      },
      "message refused: tenant_id is not the tenant of the subject it arrived on",
    );
    if (this.kind === "event" || replyTo === undefined) return;
    const expected = this.#tenant === undefined ? "no tenant_id (the subject is untenanted)" : `tenant_id ${JSON.stringify(this.#tenant)} or none`;
    const error = new InvalidRequestError(
      `invalid tenant_id ${JSON.stringify(claimed)}: the request arrived on ${subject}, whose tenant is ${this.#tenant === undefined ? "none" : JSON.stringify(this.#tenant)}; ` +
        `send it to that tenant's subject, or send ${expected}`,
    );
    const bound: Envelope = { ...env };
    if (this.#tenant === undefined) delete bound.tenant_id;
    else bound.tenant_id = this.#tenant;
    const payload: ErrorPayload = { ...errorPayload(error, bound), cause: { pointer: "/tenant_id", expected, got: claimed } };
    const reply = core.factory.reply(bound, core.agentId, undefined, "agent.response.error", payload, true);
    core.send(reply, { kind: "reply", subject: replyTo, timeoutMs: undefined, signal: undefined, bus: core.bus }, true).catch((err: unknown) => {
      this.#sendFailed(bound, subject, err);
    });
  }

  #sendFailed(env: Envelope, subject: string, err: unknown): void {
    this.#core.log.warn({ subject, event_id: env.event_id, reason: err instanceof Error ? err.message : String(err) }, "could not send the reply");
  }

  #settled = (): void => {
    this.#active--;
    this.#core.counters.inFlight--;
    if (this.#active === 0 && this.#idle.length > 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w();
    }
  };

  /**
   * The one inbound path, with or without middleware: the chain runs inside the envelope's
   * context; what it answers is sent (reply, terminal frame, nothing for events), then the
   * message is settled. A handler that answers without a promise, passed through unchanged by
   * the chain, is concluded in the same turn (handlers.ts InboundState.settled): no promise hop,
   * whether or not middleware is configured.
   */
  #dispatch(env: Envelope, subject: string, replyTo: string | undefined): void {
    const core = this.#core;
    const replyMetadata: Record<string, unknown> = {};
    let writer: Writer | undefined;
    let controller = this.#controller;
    if (this.kind === "stream") {
      controller = new AbortController();
      if (this.#controller.signal.aborted) controller.abort(this.#controller.signal.reason);
      this.#streams.add(controller);
      if (replyTo !== undefined) {
        const cancelTo = this.#cancels.add(env.event_id, controller, env);
        writer = new Writer(core, env, replyTo, replyMetadata, controller.signal, cancelTo);
      }
    }
    const state: InboundState = { replyMetadata, writer };
    const ctx: StatefulContext = {
      kind: this.kind,
      subject,
      queue: this.queue,
      signal: controller.signal,
      bus: core.bus,
      [STATE]: state,
    };
    let out: Promise<InboundResult>;
    try {
      // Entering a context costs (async hooks); skip it when there is nothing to propagate or to hide.
      out = !hasContext(env) && currentContext() === undefined ? this.#chain(env, ctx) : runWithContext(contextFromEnvelope(env), () => this.#chain(env, ctx));
    } catch (err: unknown) {
      // a middleware that throws instead of rejecting
      this.#conclude(env, subject, replyTo, { kind: "error", error: toAcpError(err) }, writer, replyMetadata, controller);
      return;
    }
    if (out === state.settled && state.result !== undefined) {
      this.#conclude(env, subject, replyTo, state.result, writer, replyMetadata, controller);
      return;
    }
    Promise.resolve(out).then(
      (result) => this.#conclude(env, subject, replyTo, result, writer, replyMetadata, controller),
      (err: unknown) => this.#conclude(env, subject, replyTo, { kind: "error", error: toAcpError(err) }, writer, replyMetadata, controller),
    );
  }

  /** The end of a message: send what the result calls for, then settle once that send is done. */
  #conclude(
    env: Envelope,
    subject: string,
    replyTo: string | undefined,
    result: InboundResult,
    writer: Writer | undefined,
    replyMetadata: Record<string, unknown>,
    controller: AbortController,
  ): void {
    let sending: Promise<unknown> | undefined;
    try {
      sending = this.#finish(env, replyTo, result, writer, replyMetadata, controller.signal);
    } catch (err: unknown) {
      this.#sendFailed(env, subject, err);
    }
    if (sending === undefined || sending === SENT_PROMISE) {
      this.#ended(env, controller);
      return;
    }
    sending.then(
      () => this.#ended(env, controller),
      (err: unknown) => {
        this.#sendFailed(env, subject, err);
        this.#ended(env, controller);
      },
    );
  }

  /** A message is done with: a stream's cancel listening ends, then it is settled. */
  #ended(env: Envelope, controller: AbortController): void {
    if (this.kind === "stream") {
      this.#streams.delete(controller);
      this.#cancels.remove(env.event_id);
    }
    this.#settled();
  }

  /** Counts a failure and sends what the result calls for; the send's promise, if any. */
  #finish(
    env: Envelope,
    replyTo: string | undefined,
    result: InboundResult,
    writer: Writer | undefined,
    replyMetadata: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<unknown> | undefined {
    const core = this.#core;
    if (result.kind === "error") {
      core.counters.handlerErrors++;
      core.log.warn(
        { subject: this.subject, event_id: env.event_id, event_type: env.event_type, code: result.error.code, reason: result.error.message },
        "handler failed",
      );
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
    const reply =
      result.kind === "error"
        ? core.factory.reply(env, core.agentId, metadata, "agent.response.error", errorPayload(result.error, env), true)
        : core.factory.reply(env, core.agentId, metadata, "agent.response.final", resultPayload(result.kind === "value" ? result.value : undefined), true);
    return core.send(reply, { kind: "reply", subject: replyTo, timeoutMs: undefined, signal: undefined, bus: core.bus }, true);
  }

  /** A bad request whose reply_to is readable gets an INVALID_REQUEST error reply. */
  #replyInvalid(inbound: Extract<Inbound, { ok: false }>, subject: string): void {
    const raw = inbound.raw;
    const replyTo = replyable(raw?.reply_to, this.#core.inboxDot);
    if (raw === undefined || replyTo === undefined) return;
    const { error } = inbound;
    const payload: ErrorPayload = {
      code: "INVALID_REQUEST",
      message: error.message,
      retryable: ERROR_CODES.INVALID_REQUEST.retryable,
      cause: { pointer: error.pointer, expected: error.expected, got: error.got },
    };
    const init: Partial<Envelope> & { event_type: string } = {
      event_type: "agent.response.error",
      is_final: true,
      from: raw.to ?? this.#target ?? subject,
      payload: payload as Envelope["payload"],
    };
    if (raw.event_id !== undefined) init.correlation_id = raw.event_id;
    if (raw.from !== undefined) init.to = raw.from;
    copyContext(raw.value, init);
    this.#core
      .send(this.#core.envelope(init), { kind: "reply", subject: replyTo, timeoutMs: undefined, signal: undefined, bus: this.#core.bus })
      .catch((err: unknown) => {
        this.#core.log.warn({ subject: replyTo, reason: err instanceof Error ? err.message : String(err) }, "could not send the INVALID_REQUEST reply");
      });
  }
}
