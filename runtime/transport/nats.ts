/**
 * The NATS core transport on nats.js v3 (@nats-io/transport-node). A thin mapping:
 * subscriptions use nats.js callbacks (called in order, straight from the socket reader),
 * status events map to {@link TransportStatus}, errors to {@link TransportError} codes.
 * Reconnects forever by default; publishes made while disconnected are buffered by nats.js.
 * See spec/transports.md.
 */
import {
  connect, createInbox, type Msg, type MsgCallback, type NatsConnection, type NodeConnectionOptions,
  type Status, type Subscription,
} from "@nats-io/transport-node";
import { TransportError, TransportErrorCode, closedError } from "./errors.js";
import { fromNatsError } from "./nats-errors.js";
import { StatusEmitter } from "./status.js";
import { assertQueue, assertSubject } from "./subject.js";
import type {
  MessageHandler, PublishOptions, StatusListener, SubscribeOptions, Transport, TransportMessage,
  TransportStatus, TransportSubscription,
} from "./types.js";

export interface NatsTransportOptions {
  /** Server URL(s), e.g. `"nats://127.0.0.1:4222"`. */
  servers: string | string[];
  /** Client name shown by the server's monitoring. */
  name?: string;
  /** Token authentication (exclusive with user/pass). */
  token?: string;
  user?: string;
  pass?: string;
  /** Reconnect attempts per server before giving up; `-1` (the default) never gives up. */
  maxReconnectAttempts?: number;
  /** Wait between reconnect attempts to one server. Default 2000 ms. */
  reconnectTimeWaitMs?: number;
  /** Upper bound of a random delay added to `reconnectTimeWaitMs`. Default 100 ms. */
  reconnectJitterMs?: number;
  /** Handshake timeout for one connection attempt. Default 20,000 ms. */
  timeoutMs?: number;
  /** Client ping interval (detects dead connections). Default 2 minutes. */
  pingIntervalMs?: number;
  /** Unanswered pings before the connection is considered stale. Default 2. */
  maxPingOut?: number;
  /** Keep trying when no server answers the first connect (counts toward `maxReconnectAttempts`). Default false. */
  waitOnFirstConnect?: boolean;
  /** Do not deliver this connection's own publishes to its subscriptions. Default false. */
  noEcho?: boolean;
}

/** A {@link Transport} over NATS; `connection` is the nats.js connection (for JetStream, benchmarks). */
export interface NatsTransport extends Transport {
  readonly name: "nats";
  readonly connection: NatsConnection;
}

const NAME = "nats";

function natsMessage(msg: Msg): TransportMessage {
  const data = msg.data;
  // A server "no responders" status: no payload, header status 503.
  const noResponders = data.length === 0 && msg.headers?.code === 503;
  return { subject: msg.subject, data, reply: msg.reply || undefined, noResponders };
}

class NatsSubscription implements TransportSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly closed: Promise<void>;
  readonly #sub: Subscription;

  constructor(sub: Subscription, subject: string, queue: string | undefined) {
    this.#sub = sub;
    this.subject = subject;
    this.queue = queue;
    this.closed = sub.closed.then(() => undefined, () => undefined);
  }

  /** Always 0: nats.js hands messages to the handler as they are read (see spec/transports.md). */
  get dropped(): number {
    return 0;
  }

  unsubscribe(): void {
    if (this.#sub.isClosed()) return;
    try {
      this.#sub.unsubscribe();
    } catch {
      // The connection closed meanwhile: the subscription is closed too.
    }
  }

  async drain(): Promise<void> {
    if (!this.#sub.isClosed() && !this.#sub.isDraining()) {
      try {
        await this.#sub.drain();
      } catch {
        // Connection closed meanwhile: nothing more will be delivered either way.
      }
    }
    await this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.drain();
  }
}

class NatsTransportImpl implements NatsTransport {
  readonly name = NAME;
  readonly connection: NatsConnection;
  readonly closed: Promise<TransportError | void>;
  readonly #status = new StatusEmitter();
  readonly #statusLoop: Promise<void>;

  constructor(nc: NatsConnection) {
    this.connection = nc;
    this.#statusLoop = this.#watch().catch(() => undefined);
    this.closed = nc.closed().then(async (err) => {
      await this.#statusLoop;
      const error = err === undefined ? undefined : fromNatsError(err, "nats transport: connection closed");
      this.#status.emit(error === undefined ? { type: "closed" } : { type: "closed", error });
      this.#status.clear();
      return error;
    });
  }

  publish(subject: string, data: Uint8Array, opts?: PublishOptions): void {
    if (this.connection.isClosed()) throw closedError(NAME, "publish");
    assertSubject(subject, "publish");
    const reply = opts?.reply;
    if (reply !== undefined) assertSubject(reply, "publish", "reply subject");
    if (!(data instanceof Uint8Array)) {
      throw new TransportError(TransportErrorCode.InvalidRequest, `nats transport: data for ${JSON.stringify(subject)} must be a Uint8Array`, { subject });
    }
    try {
      this.connection.publish(subject, data, reply === undefined ? undefined : { reply });
    } catch (err) {
      throw fromNatsError(err, `nats transport: cannot publish to ${JSON.stringify(subject)}`, subject);
    }
  }

  subscribe(subject: string, opts: SubscribeOptions, handler: MessageHandler): TransportSubscription {
    if (this.connection.isClosed() || this.connection.isDraining()) throw closedError(NAME, "subscribe");
    assertSubject(subject, "subscribe");
    const queue = opts.queue;
    if (queue !== undefined) assertQueue(queue);
    const maxPending = opts.maxPending;
    if (maxPending !== undefined && (!Number.isSafeInteger(maxPending) || maxPending < 1)) {
      throw new TransportError(TransportErrorCode.InvalidRequest, `nats transport: maxPending must be a positive integer, got ${String(maxPending)}`, { subject });
    }
    if (typeof handler !== "function") {
      throw new TransportError(TransportErrorCode.InvalidRequest, `nats transport: handler for ${JSON.stringify(subject)} must be a function`, { subject });
    }
    const callback: MsgCallback<Msg> = (err, msg) => {
      if (err !== null) {
        this.#status.emit({ type: "error", error: fromNatsError(err, `nats transport: subscription ${JSON.stringify(subject)} failed`, subject) });
        return;
      }
      try {
        handler(natsMessage(msg));
      } catch (thrown) {
        const reason = thrown instanceof Error ? thrown.message : String(thrown);
        this.#status.emit({
          type: "error",
          error: new TransportError(
            TransportErrorCode.TransportFailure,
            `nats transport: handler of subscription ${JSON.stringify(subject)} threw on ${JSON.stringify(msg.subject)}: ${reason}`,
            { cause: thrown, subject: msg.subject, retryable: false },
          ),
        });
      }
    };
    let sub: Subscription;
    try {
      sub = this.connection.subscribe(subject, queue === undefined ? { callback } : { queue, callback });
    } catch (err) {
      throw fromNatsError(err, `nats transport: cannot subscribe to ${JSON.stringify(subject)}`, subject);
    }
    return new NatsSubscription(sub, subject, queue);
  }

  newInbox(): string {
    return createInbox();
  }

  async flush(): Promise<void> {
    if (this.connection.isClosed()) throw closedError(NAME, "flush");
    try {
      await this.connection.flush();
    } catch (err) {
      throw fromNatsError(err, "nats transport: flush failed");
    }
  }

  async drain(): Promise<void> {
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
    if (!this.connection.isClosed()) await this.connection.close();
    await this.closed;
  }

  onStatus(listener: StatusListener): () => void {
    return this.#status.on(listener);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.drain();
  }

  async #watch(): Promise<void> {
    for await (const s of this.connection.status()) {
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

function positiveOrUndefined(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) {
    throw new TransportError(TransportErrorCode.InvalidRequest, `nats transport: ${what} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}

/**
 * Connects to NATS and resolves a {@link NatsTransport}.
 * Rejects with a {@link TransportError}: `TRANSPORT_FAILURE` when no server answers,
 * `AUTH_FAILURE` when credentials are refused, `INVALID_REQUEST` for bad options.
 */
export async function connectNats(opts: NatsTransportOptions): Promise<NatsTransport> {
  const servers = opts.servers;
  if (servers === undefined || servers.length === 0) {
    throw new TransportError(TransportErrorCode.InvalidRequest, "nats transport: servers must name at least one server");
  }
  const maxReconnectAttempts = opts.maxReconnectAttempts ?? -1;
  if (!Number.isInteger(maxReconnectAttempts) || maxReconnectAttempts < -1) {
    throw new TransportError(TransportErrorCode.InvalidRequest, `nats transport: maxReconnectAttempts must be -1 or a non-negative integer, got ${String(maxReconnectAttempts)}`);
  }
  const options: NodeConnectionOptions = {
    servers,
    maxReconnectAttempts,
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.token === undefined ? {} : { token: opts.token }),
    ...(opts.user === undefined ? {} : { user: opts.user }),
    ...(opts.pass === undefined ? {} : { pass: opts.pass }),
    ...(opts.noEcho === undefined ? {} : { noEcho: opts.noEcho }),
    ...(opts.waitOnFirstConnect === undefined ? {} : { waitOnFirstConnect: opts.waitOnFirstConnect }),
    ...(opts.maxPingOut === undefined ? {} : { maxPingOut: opts.maxPingOut }),
  };
  const reconnectTimeWait = positiveOrUndefined(opts.reconnectTimeWaitMs, "reconnectTimeWaitMs");
  if (reconnectTimeWait !== undefined) options.reconnectTimeWait = reconnectTimeWait;
  const reconnectJitter = positiveOrUndefined(opts.reconnectJitterMs, "reconnectJitterMs");
  if (reconnectJitter !== undefined) options.reconnectJitter = reconnectJitter;
  const timeout = positiveOrUndefined(opts.timeoutMs, "timeoutMs");
  if (timeout !== undefined) options.timeout = timeout;
  const pingInterval = positiveOrUndefined(opts.pingIntervalMs, "pingIntervalMs");
  if (pingInterval !== undefined) options.pingInterval = pingInterval;
  let nc: NatsConnection;
  try {
    nc = await connect(options);
  } catch (err) {
    throw fromNatsError(err, `nats transport: cannot connect to ${String(servers)}`);
  }
  return new NatsTransportImpl(nc);
}
