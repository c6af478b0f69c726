/**
 * The NATS core transport on nats.js v3 (@nats-io/transport-node). A thin mapping:
 * subscriptions use nats.js callbacks (called in order, straight from the socket reader),
 * status events map to {@link TransportStatus}, errors to {@link TransportError} codes.
 * Reconnects forever by default. nats.js discards its outbound buffer at every dial attempt,
 * so publishes made while disconnected are held here (bounded) and sent after reconnecting.
 * Bursts of publishes are coalesced into one socket write (coalesce.ts); a {@link MessageBody}
 * is sent as its bytes. See spec/transports.md.
 */
import { connect, createInbox, type NatsConnection, type Status, type Subscription } from "@nats-io/transport-node";
import { invalidArgument } from "../errors.js";
import { Coalescer, type Outgoing } from "./coalesce.js";
import { TransportError, TransportErrorCode, assertData, assertHandler, closedError } from "./errors.js";
import { fromNatsError } from "./nats-errors.js";
import { toConnectionOptions, type NatsTransportOptions } from "./nats-options.js";
import { NatsSubscription, natsCallback } from "./nats-subscription.js";
import { StatusEmitter } from "./status.js";
import { assertQueue, assertSubject } from "./subject.js";
import type {
  MessageBody,
  MessageHandler,
  PublishOptions,
  StatusListener,
  SubscribeOptions,
  Transport,
  TransportStatus,
  TransportSubscription,
} from "./types.js";

export type { NatsTransportOptions } from "./nats-options.js";

/** A {@link Transport} over NATS; `connection` is the nats.js connection (for JetStream, benchmarks). */
export interface NatsTransport extends Transport {
  readonly name: "nats";
  readonly connection: NatsConnection;
}

const NAME = "nats";

type Held = Outgoing;

class NatsTransportImpl implements NatsTransport {
  readonly name = NAME;
  readonly connection: NatsConnection;
  readonly closed: Promise<TransportError | undefined>;
  readonly inboxPrefix: string;
  readonly #status = new StatusEmitter();
  readonly #statusLoop: Promise<void>;
  readonly #holdLimit: number;
  #maxPayload: number;
  /** Between a `disconnect` and the following `reconnect` status: publishes are held. */
  #offline = false;
  /** The subject and reply subject last checked valid (strings never change: a repeat needs no new check). */
  #checkedSubject: string | undefined;
  #checkedReply: string | undefined;
  #held: Held[] = [];
  #heldBytes = 0;
  #onlineWaiters: Array<() => void> = [];
  readonly #bursts = new Coalescer(
    (m) => this.#send(m),
    (m, err) =>
      this.#status.emit({
        type: "error",
        unsent: 1,
        error: fromNatsError(err, `nats transport: cannot send a queued message to ${JSON.stringify(m.subject)}`, m.subject),
      }),
  );

  constructor(nc: NatsConnection, holdLimit: number, inboxPrefix: string) {
    this.connection = nc;
    this.inboxPrefix = inboxPrefix;
    this.#holdLimit = holdLimit;
    this.#maxPayload = nc.info?.max_payload ?? 1_048_576;
    this.#statusLoop = this.#watch().catch(() => undefined);
    this.closed = nc.closed().then(async (err) => {
      await this.#statusLoop;
      if (this.#held.length > 0) {
        // the hold is given up: say how much was never sent (publishes that had resolved)
        this.#status.emit({
          type: "error",
          unsent: this.#held.length,
          error: new TransportError(
            TransportErrorCode.TransportFailure,
            `nats transport: closed while disconnected: ${this.#held.length} held messages (${this.#heldBytes} bytes) were never sent`,
            { subject: this.#held[0]!.subject },
          ),
        });
      }
      this.#held = [];
      this.#heldBytes = 0;
      this.#wakeOnlineWaiters();
      const error = err === undefined ? undefined : fromNatsError(err, "nats transport: connection closed");
      this.#status.emit(error === undefined ? { type: "closed" } : { type: "closed", error });
      this.#status.clear();
      return error;
    });
  }

  /** A {@link MessageBody} is sent as its bytes (taken at once, before the checks, as a caller's encode would be). */
  publish(subject: string, body: Uint8Array | MessageBody, opts?: PublishOptions): void {
    if (!(body instanceof Uint8Array)) assertData(NAME, subject, body);
    const data = body instanceof Uint8Array ? body : body.bytes();
    if (this.connection.isClosed()) throw closedError(NAME, "publish");
    // a stream writes every frame to one subject: checked once, not per frame
    if (subject !== this.#checkedSubject) {
      assertSubject(subject, "publish");
      this.#checkedSubject = subject;
    }
    const reply = opts?.reply;
    if (reply !== undefined && reply !== this.#checkedReply) {
      assertSubject(reply, "publish", "reply subject");
      this.#checkedReply = reply;
    }
    if (data.byteLength > this.#maxPayload) throw this.#tooLarge(subject, data.byteLength);
    if (this.#offline) {
      // what a burst queued goes first (order), then this one, held or refused synchronously
      this.#bursts.flush();
      this.#hold(subject, data, reply);
      return;
    }
    this.#bursts.publish({ subject, data, reply });
  }

  /** Hands one message to nats.js, or holds it while disconnected. */
  #send(m: Outgoing): void {
    if (this.#offline) {
      this.#hold(m.subject, m.data, m.reply);
      return;
    }
    try {
      this.connection.publish(m.subject, m.data, m.reply === undefined ? undefined : { reply: m.reply });
    } catch (err) {
      throw fromNatsError(err, `nats transport: cannot publish to ${JSON.stringify(m.subject)}`, m.subject);
    }
  }

  readonly #handOverBurst = (): void => this.#bursts.flush();

  #tooLarge(subject: string, size: number): TransportError {
    return new TransportError(
      TransportErrorCode.InvalidRequest,
      `nats transport: message for ${JSON.stringify(subject)} is ${size} bytes, more than the server's max_payload ${this.#maxPayload}`,
      { subject },
    );
  }

  subscribe(subject: string, opts: SubscribeOptions, handler: MessageHandler): TransportSubscription {
    if (this.connection.isClosed() || this.connection.isDraining()) throw closedError(NAME, "subscribe");
    assertSubject(subject, "subscribe");
    const queue = opts.queue;
    if (queue !== undefined) assertQueue(queue);
    const maxPending = opts.maxPending;
    if (maxPending !== undefined && (!Number.isSafeInteger(maxPending) || maxPending < 1)) {
      throw invalidArgument(`nats transport subscribe to ${JSON.stringify(subject)}`, "opts.maxPending", maxPending, "a positive integer");
    }
    assertHandler(NAME, subject, handler);
    const callback = natsCallback(subject, handler, (s) => this.#status.emit(s));
    // what was published before goes first: a SUB never overtakes an earlier publish
    this.#bursts.flush();
    let sub: Subscription;
    try {
      sub = this.connection.subscribe(subject, queue === undefined ? { callback } : { queue, callback });
    } catch (err) {
      throw fromNatsError(err, `nats transport: cannot subscribe to ${JSON.stringify(subject)}`, subject);
    }
    return new NatsSubscription(sub, subject, queue, this.#handOverBurst);
  }

  newInbox(): string {
    return createInbox(this.inboxPrefix);
  }

  /** Hands over the open burst, waits for a reconnect when disconnected (held publishes go first), then for the server's PONG. */
  async flush(): Promise<void> {
    this.#bursts.flush();
    while (this.#offline && !this.connection.isClosed()) {
      await new Promise<void>((resolve) => this.#onlineWaiters.push(resolve));
    }
    if (this.connection.isClosed()) throw closedError(NAME, "flush");
    try {
      await this.connection.flush();
    } catch (err) {
      throw fromNatsError(err, "nats transport: flush failed");
    }
  }

  async drain(): Promise<void> {
    this.#bursts.flush();
    if (!this.connection.isClosed() && !this.connection.isDraining()) {
      try {
        await this.connection.drain();
      } catch {
        // Closed meanwhile (or by the server): `closed` carries the reason.
      }
    }
    await this.closed;
  }

  async close(): Promise<void> {
    if (!this.connection.isClosed()) {
      this.#bursts.flush();
      await this.connection.close();
    }
    await this.closed;
  }

  onStatus(listener: StatusListener): () => void {
    return this.#status.on(listener);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.drain();
  }

  #hold(subject: string, data: Uint8Array, reply: string | undefined): void {
    if (data.byteLength > this.#maxPayload) throw this.#tooLarge(subject, data.byteLength);
    const size = data.byteLength + subject.length + (reply?.length ?? 0);
    if (this.#heldBytes + size > this.#holdLimit) {
      throw new TransportError(
        TransportErrorCode.BackpressureDrop,
        `nats transport: disconnected and the reconnect buffer (${this.#holdLimit} bytes) is full; message for ${JSON.stringify(subject)} dropped`,
        { subject },
      );
    }
    this.#held.push({ subject, data, reply });
    this.#heldBytes += size;
  }

  /** Sends what was held while disconnected, in order; failures become `error` statuses. */
  #replay(): void {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const m of held) {
      try {
        this.connection.publish(m.subject, m.data, m.reply === undefined ? undefined : { reply: m.reply });
      } catch (err) {
        this.#status.emit({
          type: "error",
          unsent: 1,
          error: fromNatsError(err, `nats transport: cannot send held message to ${JSON.stringify(m.subject)}`, m.subject),
        });
      }
    }
  }

  #wakeOnlineWaiters(): void {
    const waiters = this.#onlineWaiters;
    this.#onlineWaiters = [];
    for (const wake of waiters) wake();
  }

  async #watch(): Promise<void> {
    for await (const s of this.connection.status()) {
      if (s.type === "disconnect") this.#offline = true;
      else if (s.type === "reconnect") {
        this.#maxPayload = this.connection.info?.max_payload ?? this.#maxPayload;
        this.#replay();
        this.#offline = false;
        this.#wakeOnlineWaiters();
      }
      const mapped = mapStatus(s);
      if (mapped !== undefined) this.#status.emit(mapped);
    }
  }
}

/** nats.js status → {@link TransportStatus}; `undefined` for events the interface does not carry. */
function mapStatus(s: Status): TransportStatus | undefined {
  switch (s.type) {
    case "disconnect":
      return { type: "disconnected", server: s.server };
    case "reconnecting":
      return { type: "reconnecting" };
    case "reconnect":
      return { type: "reconnected", server: s.server };
    case "error":
      return { type: "error", error: fromNatsError(s.error, "nats transport: server error") };
    default:
      // "close" is reported from `closed`; ping, update, ldm, staleConnection, forceReconnect
      // and slowConsumer (iterators only) have no counterpart.
      return undefined;
  }
}

/**
 * Connects to NATS and resolves a {@link NatsTransport}.
 * Rejects with a {@link TransportError}: `TRANSPORT_FAILURE` when no server answers,
 * `AUTH_FAILURE` when credentials are refused, `INVALID_REQUEST` for bad options.
 */
export async function connectNats(opts: NatsTransportOptions): Promise<NatsTransport> {
  const { options, reconnectBufferBytes, inboxPrefix } = toConnectionOptions(opts);
  let nc: NatsConnection;
  try {
    nc = await connect(options);
  } catch (err) {
    throw fromNatsError(err, `nats transport: cannot connect to ${String(opts.servers)}`);
  }
  return new NatsTransportImpl(nc, reconnectBufferBytes, inboxPrefix);
}
