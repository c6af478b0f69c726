/**
 * Write coalescing for a socket transport (spec/transports.md "Write coalescing"). nats.js
 * writes its buffer to the socket on a microtask after the first publish; a caller awaiting
 * each publish (or a stream handler awaiting each frame) would therefore cost one socket write
 * per message. The coalescer sends the first message of a burst at once (no added latency for
 * a lone request or reply) and queues the ones that follow within the same event-loop turn,
 * handing them over together on `setImmediate`, in order. When a burst had followers (a
 * producer writing in a loop, e.g. a stream handler that yields every few frames), the next
 * burst, if it starts within {@link STEADY_MS}, queues its first message too, so a steady producer costs one write per turn, not two;
 * a burst of one message ends that. A burst that reaches
 * {@link MAX_QUEUED} messages or {@link MAX_QUEUED_BYTES} is handed over at once (the queue
 * never grows without bound when a producer never yields). A queued message whose hand-over
 * throws goes to `lost` (its publish had already returned).
 */

/** Messages queued before they are handed over without waiting for the turn to end. */
export const MAX_QUEUED = 512;
/** Bytes queued before they are handed over at once. */
export const MAX_QUEUED_BYTES = 1024 * 1024;
/** A burst that starts this soon after a burst with followers queues its first message too. */
const STEADY_MS = 1;

/** One message on its way to the socket. */
export interface Outgoing {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly reply: string | undefined;
}

export class Coalescer {
  readonly #send: (m: Outgoing) => void;
  readonly #lost: (m: Outgoing, err: unknown) => void;
  #queue: Outgoing[] | undefined;
  #queuedBytes = 0;
  #timer: ReturnType<typeof setImmediate> | undefined;
  /** The last burst had followers: the next one queues its first message too. */
  #steady = false;
  /** Messages published in the open burst. */
  #count = 0;
  /** When the last burst ended (performance.now()). */
  #endedAt = 0;

  /** `send` hands one message to the connection (throwing what it throws); `lost` hears of queued ones it refused. */
  constructor(send: (m: Outgoing) => void, lost: (m: Outgoing, err: unknown) => void) {
    this.#send = send;
    this.#lost = lost;
  }

  /** Sends now (throwing what `send` throws) or queues behind an open burst. */
  publish(m: Outgoing): void {
    this.#count++;
    if (this.#queue !== undefined) {
      this.#queue.push(m);
      this.#queuedBytes += m.data.byteLength;
      if (this.#queue.length >= MAX_QUEUED || this.#queuedBytes >= MAX_QUEUED_BYTES) this.#handOver();
      return;
    }
    if (this.#steady && performance.now() - this.#endedAt < STEADY_MS) {
      this.#queue = [m];
      this.#queuedBytes = m.data.byteLength;
    } else {
      this.#send(m);
      this.#queue = [];
    }
    this.#timer = setImmediate(this.#end);
  }

  /** Hands every queued message over and closes the burst (the next publish is sent at once). */
  flush(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#end();
    this.#steady = false;
  }

  readonly #end = (): void => {
    this.#timer = undefined;
    this.#steady = this.#count > 1;
    this.#count = 0;
    if (this.#steady) this.#endedAt = performance.now();
    this.#handOver();
    this.#queue = undefined;
  };

  /** Sends what is queued, in order; the burst stays open. */
  #handOver(): void {
    const queue = this.#queue;
    if (queue === undefined || queue.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const m of queue) {
      try {
        this.#send(m);
      } catch (err: unknown) {
        this.#lost(m, err);
      }
    }
  }
}
