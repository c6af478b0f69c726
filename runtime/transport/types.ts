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
   * The {@link MessageBody} the publisher passed to {@link Transport.publish}, when the
   * transport delivered it inside this process without producing bytes (it may; a socket
   * transport never does). `data` is then that body's bytes, produced on first read.
   */
  readonly body?: MessageBody;
}

/**
 * A message that `publish` takes in place of bytes (spec/transports.md "Message bodies"):
 * what it holds is the publisher's business; the transport takes exactly one of its two forms,
 * inside `publish`, so later changes to the publisher's objects never travel.
 */
export interface MessageBody {
  /** The message's bytes as they are now (the same bytes on every call). A transport that sends bytes calls it. */
  bytes(): Uint8Array;
  /**
   * For a transport that delivers inside this process: fixes the body as it is now, without
   * producing bytes, and returns an upper bound of its byte length; -1 when it can only travel
   * as `bytes()`. Receivers then get it as `msg.body`.
   */
  seal(): number;
  /**
   * Called once after a sealed body was routed, before any receiver runs, with the number of
   * subscriptions it was handed to (each receives it once; some may still discard it unread).
   */
  routed(receivers: number): void;
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
  /**
   * A handler threw, or the server reported an error, or messages `publish` had accepted could
   * not be sent (`unsent`: how many); the transport carries on.
   */
  | { readonly type: "error"; readonly error: TransportError; readonly unsent?: number }
  | { readonly type: "closed"; readonly error?: TransportError };

export type StatusListener = (status: TransportStatus) => void;

export interface Transport extends AsyncDisposable {
  /** `"memory"`, `"nats"`, … */
  readonly name: string;
  /** Resolves (never rejects) when the transport has closed: `undefined`, or the error that closed it. */
  readonly closed: Promise<TransportError | undefined>;
  /**
   * Sends `data` to `subject` (a literal subject): bytes, or a {@link MessageBody} whose form
   * the transport picks (the same checks and errors either way; the size limit applies to the
   * bytes). Asynchronous: handlers never run inside it. Throws `INVALID_REQUEST` for a bad
   * subject, `TRANSPORT_FAILURE` once closed. The transport may keep a reference to `data`:
   * do not mutate it afterwards.
   */
  publish(subject: string, data: Uint8Array | MessageBody, opts?: PublishOptions): void;
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
