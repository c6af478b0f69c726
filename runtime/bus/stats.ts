/** The bus' counters and its optional logger, shared by its parts. */
import type { BusLogger, BusStats } from "./types.js";

/** Mutable counters; {@link snapshot} copies them. */
export class Counters {
  sent = 0;
  received = 0;
  rejectedCodec = 0;
  rejectedInvalid = 0;
  lenientAccepted = 0;
  handlerErrors = 0;
  inFlight = 0;
  duplicateFrames = 0;
  unmatchedReplies = 0;
  sendErrors = 0;
  refusedReplyTo = 0;
  refusedTenant = 0;

  snapshot(pendingCalls: number): BusStats {
    return {
      sent: this.sent,
      received: this.received,
      rejected: { codec: this.rejectedCodec, invalid: this.rejectedInvalid, total: this.rejectedCodec + this.rejectedInvalid },
      lenientAccepted: this.lenientAccepted,
      handlerErrors: this.handlerErrors,
      inFlight: this.inFlight,
      pendingCalls,
      duplicateFrames: this.duplicateFrames,
      unmatchedReplies: this.unmatchedReplies,
      sendErrors: this.sendErrors,
      refusedReplyTo: this.refusedReplyTo,
      refusedTenant: this.refusedTenant,
    };
  }
}

/** Logs through an optional {@link BusLogger}, adding the agent id to every line. */
export class Log {
  readonly #logger: BusLogger | undefined;
  readonly #agentId: string;

  constructor(logger: BusLogger | undefined, agentId: string) {
    this.#logger = logger;
    this.#agentId = agentId;
  }

  debug(fields: Record<string, unknown>, msg: string): void {
    this.#logger?.debug?.({ agent: this.#agentId, ...fields }, msg);
  }

  info(fields: Record<string, unknown>, msg: string): void {
    this.#logger?.info?.({ agent: this.#agentId, ...fields }, msg);
  }

  warn(fields: Record<string, unknown>, msg: string): void {
    this.#logger?.warn?.({ agent: this.#agentId, ...fields }, msg);
  }

  error(fields: Record<string, unknown>, msg: string): void {
    this.#logger?.error?.({ agent: this.#agentId, ...fields }, msg);
  }
}
