/**
 * The transport interface: bytes in, bytes out. A transport knows subjects, queue
 * groups and reply subjects (NATS core semantics); it knows nothing of envelopes.
 * Implementations: `memory.ts` (in-process), `nats.ts` (NATS core). See spec/transports.md.
 */
import type { TransportError } from "./errors.js";

/** A message as a subscription handler receives it. Treat it as read-only: it may be shared. */
export interface TransportMessage {
  /** The literal subject the message was published to. */
  readonly subject: string;
  readonly data: Uint8Array;
  /** Where the publisher wants replies, if anywhere. */
  readonly reply?: string;
  /**
   * True for the empty message a transport delivers to a publish's reply subject when
   * nobody subscribes to the published subject (NATS status 503 "no responders").
   */
  readonly noResponders: boolean;
  /**
   * In-process only: the {@link LocalBody} the publisher handed to {@link Transport.publishLocal}.
   * `data` is then that body's bytes, produced on first read. Absent for messages that
   * arrived as bytes (every NATS message, every plain `publish`).
   */
  readonly local?: LocalBody;
}

/**
 * A message body that can stay an object inside one process (spec/transports.md "Local
 * bodies"): its bytes are produced only if some receiver reads `data`. The transport knows
 * nothing of what it holds; the bus puts envelopes in it.
 */
export interface LocalBody {
  /** An upper bound of `bytes().byteLength`, known without producing the bytes. */
  readonly maxByteLength: number;
  /** The message bytes: the same bytes on every call (produced once). */
  bytes(): Uint8Array;
  /**
   * Optional: `publishLocal` calls it once, before any receiver runs, with the number of
   * subscriptions the message was handed to (each receives it once; some may still discard
   * it unread, e.g. when unsubscribed first).
   */
  routed?(receivers: number): void;
}

export interface PublishOptions {
  /** Reply subject carried with the message (usually from {@link Transport.newInbox}). */
  reply?: string;
}

export interface SubscribeOptions {
  /** Queue group: each message goes to one member of each group; plain subscribers all get it. */
  queue?: string;
  /**
   * Bound on messages buffered for this subscription and not yet handed to the handler.
   * When full, the newest message is dropped and counted in `dropped` (see spec/transports.md).
   */
  maxPending?: number;
}

/**
 * Receives each message. Called one message at a time, in publish order per subscription,
 * never inside `publish`. A throw is caught and reported as an `error` status.
 */
export type MessageHandler = (msg: TransportMessage) => void;

export interface TransportSubscription extends AsyncDisposable {
  readonly subject: string;
  readonly queue: string | undefined;
  /** Messages dropped because the pending buffer was full. */
  readonly dropped: number;
  /** Resolves (never rejects) once the subscription delivers nothing more. */
  readonly closed: Promise<void>;
  /** Stops delivery now; buffered messages are discarded. Idempotent. */
  unsubscribe(): void;
  /** Stops taking new messages, delivers those already buffered or in flight, then closes. */
  drain(): Promise<void>;
}

/** Status events, as an `as const` object with the derived union of their `type`. */
export const TransportStatusType = {
  Disconnected: "disconnected",
  Reconnecting: "reconnecting",
  Reconnected: "reconnected",
  SlowConsumer: "slow_consumer",
  Error: "error",
  Closed: "closed",
} as const;
export type TransportStatusType = (typeof TransportStatusType)[keyof typeof TransportStatusType];

export type TransportStatus =
  | { readonly type: "disconnected"; readonly server?: string }
  | { readonly type: "reconnecting" }
  | { readonly type: "reconnected"; readonly server?: string }
  /** A subscription's buffer overflowed; reported once per overflow episode. */
  | { readonly type: "slow_consumer"; readonly subject: string; readonly queue?: string; readonly pending: number; readonly dropped: number }
  /** A handler threw, or the server reported an error; the transport carries on. */
  | { readonly type: "error"; readonly error: TransportError }
  | { readonly type: "closed"; readonly error?: TransportError };

export type StatusListener = (status: TransportStatus) => void;

export interface Transport extends AsyncDisposable {
  /** `"memory"`, `"nats"`, … */
  readonly name: string;
  /** Resolves (never rejects) when the transport has closed: `undefined`, or the error that closed it. */
  readonly closed: Promise<TransportError | void>;
  /**
   * Sends `data` to `subject` (a literal subject). Asynchronous: handlers never run inside it.
   * Throws `INVALID_REQUEST` for a bad subject, `TRANSPORT_FAILURE` once closed.
   * The transport may keep a reference to `data`: do not mutate it afterwards.
   */
  publish(subject: string, data: Uint8Array, opts?: PublishOptions): void;
  /**
   * Optional (the memory transport has it; NATS has not): `publish` of `body.bytes()` that
   * hands receivers the body itself as `msg.local`, producing the bytes only when a receiver
   * reads `msg.data`. Same checks and errors as `publish` (the size limit applies to the bytes).
   */
  publishLocal?(subject: string, body: LocalBody, opts?: PublishOptions): void;
  /**
   * Delivers messages published to `subject` (wildcards `*`, `>` allowed) to `handler`.
   * Throws `INVALID_REQUEST` for a bad subject or queue, `TRANSPORT_FAILURE` once closing.
   */
  subscribe(subject: string, opts: SubscribeOptions, handler: MessageHandler): TransportSubscription;
  /** A fresh, unique reply subject `<inboxPrefix>.<unique>`. */
  newInbox(): string;
  /**
   * The dotted prefix of every {@link newInbox} subject (default `_INBOX`). The bus answers
   * requests only on subjects under it (spec/bus.md "Where replies may go").
   */
  readonly inboxPrefix: string;
  /** Resolves once what was published before is through the transport (memory: delivered; NATS: at the server). */
  flush(): Promise<void>;
  /** Stops new subscriptions, drains every subscription, then closes. Publishing stays open meanwhile. */
  drain(): Promise<void>;
  /** Closes now: buffered messages are discarded, `closed` resolves. Idempotent. */
  close(): Promise<void>;
  /** Listens to status events; returns a function that stops listening. */
  onStatus(listener: StatusListener): () => void;
}
