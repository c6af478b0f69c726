/**
 * What the bus knows of its transport's connection, for "no responders" answers: while the
 * connection is down, and for a grace period after it came back, nobody answering may only
 * mean that the handlers' own connections have not resubscribed yet (every client of a
 * restarted server reconnects on its own schedule). Then "no responders" is a retryable
 * AGENT_UNAVAILABLE and an invoke sends again within its deadline; otherwise it is NO_HANDLER.
 * spec/bus.md "No responders and reconnects".
 */
import { AgentUnavailableError, type AcpError } from "../../generated/ts/errors.js";
import { noHandlerError } from "./send-errors.js";

/** Default of {@link BusOptions.reconnectGraceMs}. */
export const DEFAULT_RECONNECT_GRACE_MS = 5000;

export class Link {
  readonly graceMs: number;
  #offline = false;
  /** `performance.now()` of the last reconnect; -Infinity when never. */
  #reconnectedAt = Number.NEGATIVE_INFINITY;

  constructor(graceMs: number) {
    this.graceMs = graceMs;
  }

  disconnected(): void {
    this.#offline = true;
  }

  reconnected(): void {
    this.#offline = false;
    this.#reconnectedAt = performance.now();
  }

  /** True between a `disconnected` and the next `reconnected` status. */
  get offline(): boolean {
    return this.#offline;
  }

  /** True while disconnected or within the grace period after a reconnect. */
  recovering(): boolean {
    return this.#offline || performance.now() - this.#reconnectedAt < this.graceMs;
  }

  /** The error for "no responders" on `subject`: retryable AGENT_UNAVAILABLE while recovering, else NO_HANDLER. */
  noResponders(target: unknown, subject: string): AcpError {
    if (!this.recovering()) return noHandlerError(target, subject);
    return new AgentUnavailableError(
      `no handler for target ${JSON.stringify(target ?? subject)} answered on ${subject} while the connection is recovering from a reconnect: handlers may not have resubscribed yet; retry`,
      { retryable: true, details: { subject, target, reconnecting: true } },
    );
  }
}
