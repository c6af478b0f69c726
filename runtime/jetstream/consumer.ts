/**
 * Durable consumption (spec/jetstream.md "Consumers"): members sharing a durable name pull
 * from one JetStream consumer and share its messages. Each message is decoded, handed to the
 * handler (inside the inbound middleware, with its context propagated) and then:
 * acknowledged after success; nak'ed with the backoff delay after a retryable failure; after
 * `maxDeliver` deliveries or a non-retryable failure, dead-lettered to the DLQ stream and
 * terminated. While a handler runs, in-progress acks keep the message from being redelivered.
 * At most `maxInFlight` handlers run per member.
 */
import { jetstream, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { MetadataKey } from "../../generated/ts/constants.js";
import { AcpError, CodecFailureError, TransportFailureError, errorFromCode } from "../../generated/ts/errors.js";
import type { Envelope } from "../../generated/ts/types.js";
import type { Bus, InboundContext, InboundHandler, InboundMiddleware, InboundResult } from "../bus/types.js";
import { contextFromEnvelope, runWithContext } from "../context/index.js";
import { decode, nowRfc3339 } from "../envelope/index.js";
import { composeInbound } from "../middleware/compose.js";
import { backoffFor, ensureConsumer, resolveSettings, type ConsumerSettings } from "./consumer-config.js";
import { publishDeadLetter } from "./dlq.js";
import { invalidArgument } from "./errors.js";
import type { StreamLayout } from "./layout.js";
import type { Publisher } from "./publish.js";
import { manager } from "./streams.js";

/** What a durable handler sees besides the payload. */
export interface DurableContext {
  /** The decoded envelope; `metadata["acp.retry.attempt"]` is the delivery count. */
  readonly envelope: Envelope;
  readonly subject: string;
  /** The envelope's event_id (the Nats-Msg-Id): the key for idempotency. */
  readonly eventId: string;
  /** The message's sequence in its stream. */
  readonly streamSequence: number;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly stream: string;
  readonly consumer: string;
  /** Fires when the subscription closes and its drain time is up. */
  readonly signal: AbortSignal;
  /** Resets the ack-wait timer now (the runtime also does so every `workingIntervalMs`). */
  working(): void;
}

/** Handles one durable message; a throw is a failure (retryable per the error's `retryable`). */
export type DurableHandler<P = unknown> = (payload: P, ctx: DurableContext) => void | Promise<void>;

/** Options of a durable subscription or work-queue worker. */
export interface ConsumeOptions extends ConsumerSettings {
  /** Handlers running at once in this member (default 64); at most as many more are buffered. */
  maxInFlight?: number;
  /** In-progress ack interval while a handler runs, ms (default ackWaitMs / 3). */
  workingIntervalMs?: number;
  /** Dead-letter to the DLQ stream (default true); false only terminates. */
  deadLetter?: boolean;
  /** Inbound middleware around the handler (validation, logging, trace, timeout…; not the in-process retry). */
  inbound?: readonly InboundMiddleware[];
  /** How long close() waits for running handlers before aborting them, ms (default 10,000). */
  drainTimeoutMs?: number;
  /** Told about failures the subscription handled (nak, dead letter, dead-letter publish failure). */
  onFailure?: (info: { error: AcpError; action: "nak" | "dead_letter" | "term" | "dead_letter_failed"; seq: number; deliveries: number }) => void;
}

/** Counters of one subscription member. */
export interface DurableStats {
  delivered: number;
  acked: number;
  naked: number;
  deadLettered: number;
  terminated: number;
  deadLetterFailures: number;
  inFlight: number;
}

/** A running durable subscription (one member of its consumer group). */
export interface DurableSubscription extends AsyncDisposable {
  readonly stream: string;
  readonly durable: string;
  readonly filterSubject: string;
  stats(): DurableStats;
  /** Stops pulling, waits for running handlers (up to the drain time), then resolves. Unacked messages are redelivered to other members after ackWait. */
  close(): Promise<void>;
  /** Resolves once closed. */
  readonly closed: Promise<void>;
}

/** What a consumer needs from its durable bus. */
export interface ConsumerDeps {
  readonly nc: NatsConnection;
  readonly bus: Bus;
  readonly layout: StreamLayout;
  readonly publisher: Publisher;
  readonly maxBytes: number | undefined;
  readonly inbound: readonly InboundMiddleware[];
}

const NONE: InboundResult = { kind: "none" };

/** The {@link DurableContext} of one delivery (a class: no closures per message). */
class Delivery implements DurableContext {
  readonly #m: JsMsg;
  readonly subject: string;
  readonly eventId: string;
  readonly streamSequence: number;

  constructor(
    m: JsMsg,
    readonly envelope: Envelope,
    readonly deliveryCount: number,
    readonly stream: string,
    readonly consumer: string,
    readonly signal: AbortSignal,
  ) {
    this.#m = m;
    this.subject = m.subject;
    this.eventId = envelope.event_id;
    this.streamSequence = m.seq;
  }

  working(): void {
    this.#m.working();
  }
}

function asAcpError(thrown: unknown): AcpError {
  if (thrown instanceof AcpError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return errorFromCode("AGENT_UNAVAILABLE", message || "handler failed", { cause: thrown });
}

/**
 * Joins (creating or updating) durable consumer `durable` on `stream` filtered to `filter`
 * and starts handling its messages.
 */
export async function consume<P>(
  deps: ConsumerDeps,
  stream: string,
  filter: string,
  durable: string,
  handler: DurableHandler<P>,
  opts: ConsumeOptions = {},
): Promise<DurableSubscription> {
  const api = `durable subscription ${durable}`;
  if (typeof handler !== "function") throw invalidArgument(api, "handler", typeof handler, "a function");
  const settings = resolveSettings(api, opts);
  const maxInFlight = opts.maxInFlight ?? 64;
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) throw invalidArgument(api, "maxInFlight", maxInFlight, "a positive integer");
  const workingMs = opts.workingIntervalMs ?? Math.max(50, Math.floor(settings.ackWaitMs / 3));
  const { nc } = deps;
  const jsm = await manager(nc);
  await ensureConsumer(nc, jsm, stream, durable, filter, settings);
  const consumer = await jetstream(nc).consumers.get(stream, durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: maxInFlight });

  const stats: DurableStats = { delivered: 0, acked: 0, naked: 0, deadLettered: 0, terminated: 0, deadLetterFailures: 0, inFlight: 0 };
  const abort = new AbortController();
  const middleware = [...deps.inbound, ...(opts.inbound ?? [])];
  const chain: InboundHandler | undefined =
    middleware.length === 0
      ? undefined
      : composeInbound(middleware)(async (env, ictx): Promise<InboundResult> => {
          const dctx = (ictx as InboundContext & { durable: DurableContext }).durable;
          await handler(env.payload as P, dctx.envelope === env ? dctx : { ...dctx, envelope: env });
          return NONE;
        });
  const decodeOpts = deps.maxBytes === undefined ? undefined : { maxBytes: deps.maxBytes };
  /** Messages whose handler runs, with when it started: one timer sends their in-progress acks. */
  const active = new Map<JsMsg, number>();
  const ticker = setInterval(
    () => {
      const due = Date.now() - workingMs;
      for (const [m, since] of active) {
        if (since > due) continue;
        m.working();
        active.set(m, Date.now());
      }
    },
    Math.max(25, Math.floor(workingMs / 2)),
  );
  ticker.unref();
  let inFlight = 0;
  let slotWaiter: (() => void) | undefined;
  let idleWaiter: (() => void) | undefined;

  async function fail(m: JsMsg, error: AcpError, deliveries: number, env: Envelope | undefined): Promise<void> {
    if (error.retryable && deliveries < settings.maxDeliver) {
      m.nak(backoffFor(settings, deliveries));
      stats.naked++;
      opts.onFailure?.({ error, action: "nak", seq: m.seq, deliveries });
      return;
    }
    if (opts.deadLetter === false) {
      m.term(error.message.slice(0, 200));
      stats.terminated++;
      opts.onFailure?.({ error, action: "term", seq: m.seq, deliveries });
      return;
    }
    try {
      await publishDeadLetter(
        deps.publisher,
        deps.layout,
        m.data,
        {
          stream,
          seq: m.seq,
          subject: m.subject,
          consumer: durable,
          deliveries,
          errorCode: error.code,
          error: error.message,
          eventId: env?.event_id,
          eventType: env?.event_type,
          tenant: env?.tenant_id,
        },
        nowRfc3339(),
      );
      m.term(`dead-lettered: ${error.code}`);
      stats.deadLettered++;
      opts.onFailure?.({ error, action: "dead_letter", seq: m.seq, deliveries });
    } catch (dlqErr: unknown) {
      // not dropped: redelivered later, and dead-lettered again then
      m.nak(backoffFor(settings, deliveries));
      stats.deadLetterFailures++;
      opts.onFailure?.({ error: asAcpError(dlqErr), action: "dead_letter_failed", seq: m.seq, deliveries });
    }
  }

  function release(): void {
    inFlight--;
    stats.inFlight = inFlight;
    const w = slotWaiter;
    slotWaiter = undefined;
    w?.();
    if (inFlight === 0) idleWaiter?.();
  }

  function failThenRelease(m: JsMsg, error: AcpError, deliveries: number, env: Envelope | undefined): void {
    fail(m, error, deliveries, env)
      .catch(() => undefined)
      .finally(release);
  }

  /** After the handler: ack, or the failure path; then the slot is free. */
  function finish(m: JsMsg, env: Envelope, deliveries: number, result: InboundResult): void {
    active.delete(m);
    if (result.kind === "error") {
      failThenRelease(m, result.error, deliveries, env);
      return;
    }
    try {
      m.ack();
      stats.acked++;
    } catch {
      // connection closed: the message is redelivered after ackWait
    }
    release();
  }

  /**
   * Handles one message. Synchronous as far as the handler is: a handler that returns without
   * a promise is acked in the same turn (no promise allocated per message on that path).
   */
  function start(m: JsMsg): void {
    stats.delivered++;
    const deliveries = m.info.deliveryCount;
    const decoded = decode(m.data, decodeOpts);
    if (!decoded.ok) {
      const e = decoded.error;
      failThenRelease(
        m,
        new CodecFailureError(`message ${m.seq} on ${m.subject} is no envelope: ${e.message}`, {
          retryable: false,
          details: { code: e.code, pointer: e.pointer },
        }),
        deliveries,
        undefined,
      );
      return;
    }
    const env = decoded.envelope; // freshly decoded: ours to annotate
    env.metadata = env.metadata === undefined ? { [MetadataKey.RETRY_ATTEMPT]: deliveries } : { ...env.metadata, [MetadataKey.RETRY_ATTEMPT]: deliveries };
    if (deliveries > settings.maxDeliver) {
      // an earlier delivery never finished (the member crashed or the handler outlived ackWait)
      failThenRelease(
        m,
        new TransportFailureError(`delivered ${deliveries} times without an ack (maxDeliver ${settings.maxDeliver})`, { retryable: false }),
        deliveries,
        env,
      );
      return;
    }
    const dctx = new Delivery(m, env, deliveries, stream, durable, abort.signal);
    active.set(m, Date.now());
    let out: unknown;
    try {
      out =
        chain === undefined
          ? runWithContext(contextFromEnvelope(env), () => handler(env.payload as P, dctx))
          : runWithContext(contextFromEnvelope(env), () =>
              chain(env, { kind: "event", subject: m.subject, queue: durable, signal: abort.signal, bus: deps.bus, durable: dctx } as InboundContext),
            );
    } catch (thrown: unknown) {
      finish(m, env, deliveries, { kind: "error", error: asAcpError(thrown) });
      return;
    }
    if (out !== null && typeof out === "object" && typeof (out as PromiseLike<unknown>).then === "function") {
      (out as PromiseLike<unknown>).then(
        (r) => finish(m, env, deliveries, chain === undefined ? NONE : (r as InboundResult)),
        (thrown: unknown) => finish(m, env, deliveries, { kind: "error", error: asAcpError(thrown) }),
      );
    } else {
      finish(m, env, deliveries, chain === undefined ? NONE : (out as InboundResult));
    }
  }

  let stopping = false;
  const loop = (async () => {
    for await (const m of messages) {
      if (inFlight >= maxInFlight) await new Promise<void>((r) => (slotWaiter = r));
      if (stopping) {
        // pulled but not started: hand it back at once instead of after ackWait
        m.nak();
        continue;
      }
      inFlight++;
      stats.inFlight = inFlight;
      try {
        start(m);
      } catch {
        // start() reports through fail(); anything else leaves the message for redelivery after ackWait
        active.delete(m);
        release();
      }
    }
  })().catch(() => undefined);

  let closing: Promise<void> | undefined;
  const drainTimeoutMs = opts.drainTimeoutMs ?? 10_000;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping = true;
      await messages.close().catch(() => undefined);
      await loop;
      // handlers still running after the drain time get their signal aborted and are left behind:
      // their messages stay unacknowledged and go to another member after ackWait
      let timer: NodeJS.Timeout | undefined;
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          idleWaiter = resolve;
          timer = setTimeout(() => {
            abort.abort(new Error("durable subscription closed"));
            resolve();
          }, drainTimeoutMs);
        });
      }
      clearTimeout(timer);
      clearInterval(ticker);
    })();
    return closing;
  };
  return {
    stream,
    durable,
    filterSubject: filter,
    stats: () => ({ ...stats }),
    close,
    get closed() {
      return (
        closing ??
        messages.closed().then(
          () => undefined,
          () => undefined,
        )
      );
    },
    [Symbol.asyncDispose]: close,
  };
}
