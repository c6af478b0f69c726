/**
 * One subscription of the memory transport: a bounded FIFO of messages not yet handed to
 * the handler, delivered by the transport's scheduler (never inside `publish`).
 * Overflow policy (spec/transports.md): drop the newest message, count it in `dropped`,
 * report `slow_consumer` once per episode; an episode ends when the buffer is empty again.
 */
import type { Member } from "./sublist.js";
import type { MessageHandler, TransportMessage, TransportStatus, TransportSubscription } from "./types.js";

/** What a subscription needs from its transport. */
export interface SubscriptionHost {
  /** Stops routing new messages to `sub` (idempotent). */
  detach(sub: MemorySubscription): void;
  /** `sub` has closed: forget it. */
  finished(sub: MemorySubscription): void;
  /** `sub` has messages to deliver: put it on the run queue. */
  ready(sub: MemorySubscription): void;
  /** Reports a status after the current call returns (never inside `publish`). */
  statusSoon(status: TransportStatus): void;
  /** A handler threw while handling `msg`. */
  handlerFailed(sub: MemorySubscription, msg: TransportMessage, err: unknown): void;
}

const ACTIVE = 0;
const DRAINING = 1;
const CLOSED = 2;
type State = typeof ACTIVE | typeof DRAINING | typeof CLOSED;

export class MemorySubscription implements TransportSubscription, Member {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly closed: Promise<void>;
  /** Messages ever accepted into the buffer (read by `flush`). */
  accepted = 0;
  /** Messages taken out of the buffer, delivered or discarded (read by `flush`). */
  taken = 0;
  /** True while on the transport's run queue. */
  scheduled = false;

  readonly #host: SubscriptionHost;
  readonly #handler: MessageHandler;
  readonly #maxPending: number;
  #buf: TransportMessage[] = [];
  #head = 0;
  #state: State = ACTIVE;
  #dropped = 0;
  #slow = false;
  #resolveClosed!: () => void;

  constructor(host: SubscriptionHost, subject: string, queue: string | undefined, maxPending: number, handler: MessageHandler) {
    this.#host = host;
    this.subject = subject;
    this.queue = queue;
    this.#maxPending = maxPending;
    this.#handler = handler;
    this.closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Messages buffered and not yet handed to the handler. */
  get pending(): number {
    return this.#buf.length - this.#head;
  }

  get isClosed(): boolean {
    return this.#state === CLOSED;
  }

  /** Called by `publish`: buffers `msg` (true), or drops it when the buffer is full or the subscription is closing (false). */
  enqueue(msg: TransportMessage): boolean {
    if (this.#state !== ACTIVE) return false;
    if (this.#buf.length - this.#head >= this.#maxPending) {
      this.#dropped++;
      if (!this.#slow) {
        this.#slow = true;
        this.#host.statusSoon({
          type: "slow_consumer",
          subject: this.subject,
          ...(this.queue === undefined ? {} : { queue: this.queue }),
          pending: this.pending,
          dropped: this.#dropped,
        });
      }
      return false;
    }
    this.#buf.push(msg);
    this.accepted++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.#host.ready(this);
    }
    return true;
  }

  /**
   * Called by the scheduler: hands the messages buffered now to the handler, in order.
   * Messages that arrive meanwhile wait for the next run. Returns how many were handed over.
   */
  deliver(): number {
    this.scheduled = false;
    let n = this.#buf.length - this.#head;
    const count = n;
    while (n-- > 0 && this.#state !== CLOSED) {
      const msg = this.#buf[this.#head++]!;
      this.taken++;
      try {
        this.#handler(msg);
      } catch (err) {
        this.#host.handlerFailed(this, msg, err);
      }
    }
    if (this.#state === CLOSED) return count;
    if (this.#head === this.#buf.length) {
      this.#buf.length = 0;
      this.#head = 0;
      this.#slow = false;
      if (this.#state === DRAINING) this.#finish();
    } else {
      this.#buf = this.#buf.slice(this.#head);
      this.#head = 0;
      if (!this.scheduled) {
        this.scheduled = true;
        this.#host.ready(this);
      }
    }
    return count;
  }

  unsubscribe(): void {
    if (this.#state === CLOSED) return;
    this.#host.detach(this);
    this.taken += this.pending;
    this.#finish();
  }

  drain(): Promise<void> {
    if (this.#state === ACTIVE) {
      this.#state = DRAINING;
      this.#host.detach(this);
      if (this.pending === 0) this.#finish();
    }
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.drain();
  }

  #finish(): void {
    this.#state = CLOSED;
    this.#buf = [];
    this.#head = 0;
    this.#host.finished(this);
    this.#resolveClosed();
  }
}
