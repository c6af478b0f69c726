/**
 * A nats.js callback subscription behind {@link TransportSubscription}.
 */
import type { Msg, MsgCallback, Subscription } from "@nats-io/transport-node";
import { handlerThrewError } from "./errors.js";
import { fromNatsError } from "./nats-errors.js";
import type { MessageHandler, TransportMessage, TransportStatus, TransportSubscription } from "./types.js";

/** nats.js message → {@link TransportMessage}; a 503 status with no payload is "no responders". */
export function natsMessage(msg: Msg): TransportMessage {
  const data = msg.data;
  const noResponders = data.length === 0 && msg.headers?.code === 503;
  return { subject: msg.subject, data, reply: msg.reply || undefined, noResponders };
}

/**
 * The nats.js callback for `handler`: converts messages, and turns subscription errors and
 * handler throws into `error` statuses so delivery carries on.
 */
export function natsCallback(subject: string, handler: MessageHandler, report: (s: TransportStatus) => void): MsgCallback<Msg> {
  return (err, msg) => {
    if (err !== null) {
      report({ type: "error", error: fromNatsError(err, `nats transport: subscription ${JSON.stringify(subject)} failed`, subject) });
      return;
    }
    try {
      handler(natsMessage(msg));
    } catch (thrown) {
      report({ type: "error", error: handlerThrewError("nats", subject, msg.subject, thrown) });
    }
  };
}

export class NatsSubscription implements TransportSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly closed: Promise<void>;
  readonly #sub: Subscription;
  readonly #handOver: () => void;

  /** `handOver`: sends the transport's open burst, so an UNSUB never overtakes a publish made before it. */
  constructor(sub: Subscription, subject: string, queue: string | undefined, handOver: () => void) {
    this.#handOver = handOver;
    this.#sub = sub;
    this.subject = subject;
    this.queue = queue;
    this.closed = sub.closed.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Always 0: nats.js hands messages to the handler as they are read (see spec/transports.md). */
  get dropped(): number {
    return 0;
  }

  unsubscribe(): void {
    if (this.#sub.isClosed()) return;
    this.#handOver();
    try {
      this.#sub.unsubscribe();
    } catch {
      // The connection closed meanwhile: the subscription is closed too.
    }
  }

  async drain(): Promise<void> {
    if (!this.#sub.isClosed() && !this.#sub.isDraining()) {
      this.#handOver();
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
