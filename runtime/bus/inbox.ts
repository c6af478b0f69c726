/**
 * One wildcard subscription `<inbox>.*` carries the replies of every call of a bus (as
 * nats.js' request mux does): each call gets `<inbox>.<token>` and a route; a reply is
 * handed to its call's route by the last token. Replies to no route are counted as unmatched
 * replies in the bus' counters.
 */
import type { Transport, TransportMessage, TransportSubscription } from "../transport/types.js";
import type { Counters } from "./stats.js";

/** Receives the messages of one call: a function, or an object with `deliver` (no closure per call). */
export interface RouteTarget {
  deliver(msg: TransportMessage): void;
}
export type Route = RouteTarget | ((msg: TransportMessage) => void);

/**
 * The route number in a reply subject's last token (base 36 as `open` writes it, no leading
 * zero), read in place; -1 for anything else.
 */
export function routeNumber(subject: string, start: number): number {
  const length = subject.length - start;
  if (length <= 0 || length > 10 || (length > 1 && subject.charCodeAt(start) === 0x30)) return -1;
  let n = 0;
  for (let i = start; i < subject.length; i++) {
    const c = subject.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) n = n * 36 + (c - 0x30);
    else if (c >= 0x61 && c <= 0x7a) n = n * 36 + (c - 0x57);
    else return -1;
  }
  return n;
}

/**
 * A subscription to a fresh inbox subject, made on first use: the subject itself, or with
 * `wildcard` every `<subject>.<token>`. `close` unsubscribes and waits for the end; a later
 * use subscribes to a new inbox.
 */
export class LazyInbox {
  readonly #transport: Transport;
  readonly #wildcard: boolean;
  readonly #handler: (msg: TransportMessage) => void;
  #subject: string | undefined;
  #sub: TransportSubscription | undefined;

  constructor(transport: Transport, wildcard: boolean, handler: (msg: TransportMessage) => void) {
    this.#transport = transport;
    this.#wildcard = wildcard;
    this.#handler = handler;
  }

  /** The inbox subject (without `.*`); subscribes on first use. */
  get subject(): string {
    if (this.#subject === undefined) {
      const subject = this.#transport.newInbox();
      this.#sub = this.#transport.subscribe(this.#wildcard ? `${subject}.*` : subject, {}, this.#handler);
      this.#subject = subject;
    }
    return this.#subject;
  }

  /** Unsubscribes (if subscribed) and waits until the subscription has ended. */
  async close(): Promise<void> {
    const sub = this.#sub;
    this.#sub = undefined;
    this.#subject = undefined;
    if (sub !== undefined) {
      sub.unsubscribe();
      await sub.closed;
    }
  }
}

export class InboxMux {
  /** Routes by number (small integers: no string hashing per reply). */
  readonly #routes = new Map<number, Route>();
  readonly #inbox: LazyInbox;
  /** Where a reply subject's last token starts (the inbox subject's length + 1). */
  #tokenStart = 0;
  #next = 0;

  /** `counters.unmatchedReplies` counts messages that match no route (late replies). */
  constructor(transport: Transport, counters: Counters) {
    this.#inbox = new LazyInbox(transport, true, (msg) => {
      const route = this.#routes.get(routeNumber(msg.subject, this.#tokenStart));
      if (route === undefined) counters.unmatchedReplies++;
      else if (typeof route === "function") route(msg);
      else route.deliver(msg);
    });
  }

  /** Opens a route; returns its reply subject. */
  open(route: Route): { subject: string; token: number } {
    const base = this.#inbox.subject;
    this.#tokenStart = base.length + 1;
    const n = this.#next++;
    this.#routes.set(n, route);
    return { subject: `${base}.${n.toString(36)}`, token: n };
  }

  /** Closes a route; later messages to it are unmatched. */
  close(token: number): void {
    this.#routes.delete(token);
  }

  /** Unsubscribes. Routes still open get nothing more. */
  dispose(): Promise<void> {
    this.#routes.clear();
    return this.#inbox.close();
  }
}
