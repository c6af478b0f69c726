/**
 * The in-process transport: NATS core semantics (subjects, `*` / `>` wildcards, queue
 * groups, reply subjects, no-responders) without a server. Delivery is asynchronous and
 * batched: `publish` only buffers; a scheduler run (a microtask, and every so often a
 * `setImmediate` so timers and I/O get their turn) hands buffered messages to handlers.
 * See spec/transports.md for the semantics and where they differ from NATS.
 */
import { randomBytes } from "node:crypto";
import { invalidArgument } from "../errors.js";
import { TransportError, TransportErrorCode, assertData, assertHandler, closedError, handlerThrewError } from "./errors.js";
import { MemorySubscription, type SubscriptionHost } from "./memory-subscription.js";
import { StatusEmitter } from "./status.js";
import { DEFAULT_INBOX_PREFIX, LiteralSubjectCheck, assertQueue, assertSubject, subjectProblem } from "./subject.js";
import { Sublist, type MatchResult } from "./sublist.js";
import type {
  MessageBody,
  MessageHandler,
  PublishOptions,
  StatusListener,
  SubscribeOptions,
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "./types.js";

/** How a queue group picks the member that gets a message. */
export type QueuePick = "round-robin" | "random";

export interface MemoryTransportOptions {
  /** Default `maxPending` for subscriptions that don't set one. Default 65,536. */
  maxPending?: number;
  /** Queue group member selection. Default `"round-robin"` (NATS picks at random). */
  queuePick?: QueuePick;
  /** Largest `data` accepted by `publish`, in bytes. Default 1 MiB (NATS' default max_payload). */
  maxPayload?: number;
  /** Prefix of inbox subjects (a dotted subject without wildcards). Default `_INBOX`. */
  inboxPrefix?: string;
}

export const DEFAULT_MAX_PENDING = 65_536;
export const DEFAULT_MAX_PAYLOAD = 1_048_576;
/** Messages delivered on microtasks before the scheduler yields to the event loop once. */
const YIELD_EVERY = 8192;

const EMPTY = new Uint8Array(0);
const OPEN = 0;
const DRAINING = 1;
const CLOSED = 2;

interface FlushWaiter {
  readonly targets: ReadonlyArray<readonly [MemorySubscription, number]>;
  resolve(): void;
  reject(err: unknown): void;
}

/** A sealed {@link MessageBody} on its way: `data` is the body's bytes, produced on first read. */
class BodyMessage implements TransportMessage {
  readonly subject: string;
  readonly reply: string | undefined;
  readonly body: MessageBody;
  readonly noResponders = false;

  constructor(subject: string, reply: string | undefined, body: MessageBody) {
    this.subject = subject;
    this.reply = reply;
    this.body = body;
  }

  get data(): Uint8Array {
    return this.body.bytes();
  }
}

function positiveInt(value: unknown, api: string, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) throw invalidArgument(api, field, value, "a positive integer");
  return value;
}

class MemoryTransport implements Transport, SubscriptionHost {
  readonly name = "memory";
  readonly closed: Promise<TransportError | undefined>;

  readonly #maxPending: number;
  readonly #maxPayload: number;
  readonly #random: boolean;
  readonly #sublist = new Sublist<MemorySubscription>();
  /** Subscriptions not yet closed (including draining ones, no longer in the sublist). */
  readonly #subs = new Set<MemorySubscription>();
  readonly #status = new StatusEmitter();
  readonly inboxPrefix: string;
  readonly #inboxPrefix: string;
  #inboxSeq = 0;
  readonly #replySubjects = new LiteralSubjectCheck();
  #state = OPEN;
  #ready: MemorySubscription[] = [];
  #spare: MemorySubscription[] = [];
  #scheduled = false;
  #immediate: NodeJS.Immediate | undefined;
  #sinceYield = 0;
  #flushWaiters: FlushWaiter[] = [];
  #draining: Promise<void> | undefined;
  #resolveClosed!: (v: TransportError | undefined) => void;

  constructor(opts: MemoryTransportOptions) {
    this.#maxPending = positiveInt(opts.maxPending ?? DEFAULT_MAX_PENDING, "createMemoryTransport", "maxPending");
    this.#maxPayload = positiveInt(opts.maxPayload ?? DEFAULT_MAX_PAYLOAD, "createMemoryTransport", "maxPayload");
    this.inboxPrefix = opts.inboxPrefix ?? DEFAULT_INBOX_PREFIX;
    const problem = subjectProblem(this.inboxPrefix, "publish");
    if (problem !== undefined)
      throw invalidArgument("createMemoryTransport", "inboxPrefix", this.inboxPrefix, `a dotted subject without wildcards (it ${problem})`);
    this.#inboxPrefix = `${this.inboxPrefix}.${randomBytes(9).toString("hex")}`;
    const pick = opts.queuePick ?? "round-robin";
    if (pick !== "round-robin" && pick !== "random") {
      throw invalidArgument("createMemoryTransport", "queuePick", pick, `"round-robin" or "random"`);
    }
    this.#random = pick === "random";
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** Bytes are delivered as they are; a {@link MessageBody} is sealed and delivered as `msg.body` (or as its bytes when it can't be sealed). */
  publish(subject: string, body: Uint8Array | MessageBody, opts?: PublishOptions): void {
    const match = this.#matchForPublish(subject, opts?.reply);
    if (!(body instanceof Uint8Array)) {
      assertData(this.name, subject, body);
      const bound = body.seal();
      if (bound >= 0) {
        if (bound > this.#maxPayload) {
          const size = body.bytes().byteLength;
          if (size > this.#maxPayload) throw this.#tooLarge(subject, size);
        }
        body.routed(this.#deliver(match, new BodyMessage(subject, opts?.reply, body)));
        return;
      }
    }
    const data = body instanceof Uint8Array ? body : body.bytes();
    if (data.byteLength > this.#maxPayload) throw this.#tooLarge(subject, data.byteLength);
    this.#deliver(match, { subject, data, reply: opts?.reply, noResponders: false });
  }

  /** Checks a publish (open, literal subject and reply subject) and matches its subject. */
  #matchForPublish(subject: string, reply: string | undefined): MatchResult<MemorySubscription> {
    if (this.#state === CLOSED) throw closedError(this.name, "publish");
    let match = this.#sublist.tail(subject) ?? this.#sublist.cached(subject);
    if (match === undefined) {
      assertSubject(subject, "publish");
      match = this.#sublist.compute(subject);
    }
    if (reply !== undefined) this.#assertReply(reply);
    return match;
  }

  /** Checks a reply subject (only its last token once its prefix passed: {@link LiteralSubjectCheck}). */
  #assertReply(reply: string): void {
    if (typeof reply === "string" && this.#replySubjects.valid(reply)) return;
    assertSubject(reply, "publish", "reply subject");
  }

  #tooLarge(subject: string, size: number): TransportError {
    return new TransportError(
      TransportErrorCode.InvalidRequest,
      `memory transport: message for ${JSON.stringify(subject)} is ${size} bytes, more than maxPayload ${this.#maxPayload}`,
      { subject },
    );
  }

  /** Routes `msg`; returns how many subscriptions took it. */
  #deliver(match: MatchResult<MemorySubscription>, msg: TransportMessage): number {
    const receivers = this.#route(match, msg);
    const reply = msg.reply;
    if (match.plain.length + match.groups.length === 0 && reply !== undefined) {
      // Mirror of NATS status 503: an empty message on the reply subject.
      this.#route(this.#sublist.match(reply), { subject: reply, data: EMPTY, reply: undefined, noResponders: true });
    }
    return receivers;
  }

  subscribe(subject: string, opts: SubscribeOptions, handler: MessageHandler): TransportSubscription {
    if (this.#state !== OPEN) throw closedError(this.name, "subscribe");
    assertSubject(subject, "subscribe");
    const queue = opts.queue;
    if (queue !== undefined) assertQueue(queue);
    const maxPending = opts.maxPending === undefined ? this.#maxPending : positiveInt(opts.maxPending, "memory transport subscribe", "opts.maxPending");
    assertHandler(this.name, subject, handler);
    const sub = new MemorySubscription(this, subject, queue, maxPending, handler);
    this.#sublist.insert(subject, sub);
    this.#subs.add(sub);
    return sub;
  }

  newInbox(): string {
    return `${this.#inboxPrefix}${(this.#inboxSeq++).toString(36)}`;
  }

  flush(): Promise<void> {
    if (this.#state === CLOSED) return Promise.reject(closedError(this.name, "flush"));
    const targets: Array<readonly [MemorySubscription, number]> = [];
    for (const sub of this.#subs) if (sub.pending > 0) targets.push([sub, sub.accepted]);
    if (targets.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#flushWaiters.push({ targets, resolve, reject }));
  }

  drain(): Promise<void> {
    if (this.#state === CLOSED) return Promise.resolve();
    if (this.#draining === undefined) {
      this.#state = DRAINING;
      const subs = [...this.#subs];
      this.#draining = Promise.all(subs.map((s) => s.drain())).then(() => this.close());
    }
    return this.#draining;
  }

  close(): Promise<void> {
    if (this.#state === CLOSED) return this.closed.then(() => undefined);
    this.#state = CLOSED;
    for (const sub of [...this.#subs]) sub.unsubscribe();
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    this.#ready = [];
    const waiters = this.#flushWaiters;
    this.#flushWaiters = [];
    for (const w of waiters) w.reject(closedError(this.name, "flush"));
    this.#status.emit({ type: "closed" });
    this.#status.clear();
    this.#resolveClosed(undefined);
    return this.closed.then(() => undefined);
  }

  onStatus(listener: StatusListener): () => void {
    return this.#status.on(listener);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.drain();
  }

  // SubscriptionHost

  detach(sub: MemorySubscription): void {
    this.#sublist.remove(sub.subject, sub);
  }

  finished(sub: MemorySubscription): void {
    this.#subs.delete(sub);
  }

  ready(sub: MemorySubscription): void {
    this.#ready.push(sub);
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#sinceYield >= YIELD_EVERY) {
      this.#sinceYield = 0;
      this.#immediate = setImmediate(this.#run);
    } else {
      queueMicrotask(this.#run);
    }
  }

  statusSoon(status: TransportStatus): void {
    this.#status.emitSoon(status);
  }

  handlerFailed(sub: MemorySubscription, msg: TransportMessage, err: unknown): void {
    this.#status.emit({ type: "error", error: handlerThrewError(this.name, sub.subject, msg.subject, err) });
  }

  // Delivery

  /** Hands `msg` to every plain subscriber and one member per queue group; returns how many took it. */
  #route(match: MatchResult<MemorySubscription>, msg: TransportMessage): number {
    let taken = 0;
    const plain = match.plain;
    for (let i = 0; i < plain.length; i++) if (plain[i]!.enqueue(msg)) taken++;
    const groups = match.groups;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      const n = g.members.length;
      let k: number;
      if (this.#random) k = Math.floor(Math.random() * n);
      else {
        k = g.next % n;
        g.next = k + 1;
      }
      if (g.members[k]!.enqueue(msg)) taken++;
    }
    return taken;
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    this.#immediate = undefined;
    if (this.#state === CLOSED) return;
    const batch = this.#ready;
    this.#ready = this.#spare;
    let delivered = 0;
    for (let i = 0; i < batch.length; i++) delivered += batch[i]!.deliver();
    batch.length = 0;
    this.#spare = batch;
    this.#sinceYield += delivered;
    if (this.#flushWaiters.length > 0) this.#settleFlushes();
  };

  #settleFlushes(): void {
    const still: FlushWaiter[] = [];
    for (const w of this.#flushWaiters) {
      if (w.targets.every(([sub, n]) => sub.isClosed || sub.taken >= n)) w.resolve();
      else still.push(w);
    }
    this.#flushWaiters = still;
  }
}

/**
 * Creates an in-process transport with NATS core semantics.
 * Throws the invalid-argument error (`INVALID_REQUEST`, runtime/errors.ts) for a bad option.
 */
export function createMemoryTransport(opts: MemoryTransportOptions = {}): Transport {
  return new MemoryTransport(opts);
}
