/**
 * Write coalescing for socket transports. nats.js writes its buffer to the socket on a
 * microtask after the first publish; a caller awaiting each `publish` (or a stream handler
 * awaiting each `delta`) therefore costs one socket write per message. The cork sends the
 * first message of a burst at once (no added latency for a lone request or reply) and queues
 * the ones that follow within the same event-loop turn, handing them to the transport together
 * on `setImmediate`, in order. A queued message that the transport refuses is logged and
 * counted: its send had already resolved. A burst that reaches {@link MAX_QUEUED} messages or
 * {@link MAX_QUEUED_BYTES} is handed over at once (the queue never grows without bound when a
 * producer never yields). While the transport is disconnected nothing is queued: a publish goes
 * straight to the transport, which holds it or refuses it (BACKPRESSURE_DROP) synchronously,
 * so a publish the transport cannot take rejects instead of resolving (spec/bus.md).
 */
import type { PublishOptions, Transport } from "../transport/types.js";
import type { Link } from "./link.js";
import type { Counters, Log } from "./stats.js";

/** Messages queued before they are handed to the transport without waiting for the turn to end. */
export const MAX_QUEUED = 512;
/** Bytes queued before they are handed over at once. */
export const MAX_QUEUED_BYTES = 1024 * 1024;

interface Queued {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly opts: PublishOptions | undefined;
}

export class Cork {
  readonly #transport: Transport;
  readonly #counters: Counters;
  readonly #log: Log;
  readonly #link: Link;
  #queue: Queued[] | undefined;
  #queuedBytes = 0;
  #timer: ReturnType<typeof setImmediate> | undefined;

  constructor(transport: Transport, counters: Counters, log: Log, link: Link) {
    this.#link = link;
    this.#transport = transport;
    this.#counters = counters;
    this.#log = log;
  }

  /** Publishes now (throwing what the transport throws) or queues behind an open burst. */
  publish(subject: string, data: Uint8Array, opts: PublishOptions | undefined): void {
    if (this.#link.offline) {
      // what is queued goes first (order), then this one, refused or held synchronously
      this.#handOver();
      this.#transport.publish(subject, data, opts);
      return;
    }
    if (this.#queue !== undefined) {
      this.#queue.push({ subject, data, opts });
      this.#queuedBytes += data.byteLength;
      if (this.#queue.length >= MAX_QUEUED || this.#queuedBytes >= MAX_QUEUED_BYTES) this.#handOver();
      return;
    }
    this.#transport.publish(subject, data, opts);
    this.#queue = [];
    this.#timer = setImmediate(this.#flush);
  }

  /** Hands every queued message to the transport and closes the burst. */
  flush(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#flush();
  }

  #flush = (): void => {
    this.#timer = undefined;
    this.#handOver();
    this.#queue = undefined;
  };

  /** Publishes what is queued, in order; the burst stays open. */
  #handOver(): void {
    const queue = this.#queue;
    if (queue === undefined || queue.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const m of queue) {
      try {
        this.#transport.publish(m.subject, m.data, m.opts);
      } catch (err: unknown) {
        this.#counters.sendErrors++;
        this.#log.warn({ subject: m.subject, reason: err instanceof Error ? err.message : String(err) }, "could not send a queued message");
      }
    }
  }
}
