/**
 * One wildcard subscription `<inbox>.*` carries the replies of every call of a bus (as
 * nats.js' request mux does): each call gets `<inbox>.<token>` and a route; a reply is
 * handed to its call's route by the last token. Replies to no route are counted.
 */
import type { Transport, TransportMessage, TransportSubscription } from "../transport/types.js";

/** Receives the messages of one call: a function, or an object with `deliver` (no closure per call). */
export interface RouteTarget {
  deliver(msg: TransportMessage): void;
}
export type Route = RouteTarget | ((msg: TransportMessage) => void);

export class InboxMux {
  readonly #transport: Transport;
  readonly #routes = new Map<string, Route>();
  #base: string | undefined;
  #sub: TransportSubscription | undefined;
  #next = 0;
  /** Messages that matched no route (late replies). */
  unmatched = 0;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Number of open routes. */
  get size(): number {
    return this.#routes.size;
  }

  /** Opens a route; returns its reply subject. */
  open(route: Route): { subject: string; token: string } {
    if (this.#base === undefined) {
      const base = this.#transport.newInbox();
      const prefixLength = base.length + 1;
      this.#sub = this.#transport.subscribe(`${base}.*`, {}, (msg) => {
        const route = this.#routes.get(msg.subject.slice(prefixLength));
        if (route === undefined) this.unmatched++;
        else if (typeof route === "function") route(msg);
        else route.deliver(msg);
      });
      this.#base = base;
    }
    const token = (this.#next++).toString(36);
    this.#routes.set(token, route);
    return { subject: `${this.#base}.${token}`, token };
  }

  /** Closes a route; later messages to it are unmatched. */
  close(token: string): void {
    this.#routes.delete(token);
  }

  /** Unsubscribes. Routes still open get nothing more. */
  async dispose(): Promise<void> {
    this.#routes.clear();
    const sub = this.#sub;
    this.#sub = undefined;
    this.#base = undefined;
    if (sub !== undefined) {
      sub.unsubscribe();
      await sub.closed;
    }
  }
}
