/**
 * Dropping duplicates: at-least-once delivery hands a handler the same event again after a
 * lost ack, a crash or a redelivery. {@link createIdempotencyFilter} remembers the event ids
 * handled successfully — bounded: the oldest are forgotten first beyond `maxEntries` — and
 * {@link idempotent} wraps a durable handler so a remembered event is acknowledged without
 * running it again. The window is what the bound holds: size it above the number of events
 * that can be redelivered (maxAckPending × members, plus what arrives during ackWait).
 */
import { invalidArgument } from "./errors.js";
import type { DurableContext, DurableHandler } from "./consumer.js";

/** A bounded set of handled event ids. */
export interface IdempotencyFilter {
  /** True when `eventId` was remembered (handled before). */
  has(eventId: string): boolean;
  /** Remembers `eventId`, forgetting the oldest id when full. */
  remember(eventId: string): void;
  /** Ids remembered now (≤ maxEntries). */
  readonly size: number;
  readonly maxEntries: number;
  /** Duplicates {@link idempotent} dropped so far. */
  readonly duplicates: number;
  /** Counts one dropped duplicate (called by {@link idempotent}). */
  countDuplicate(): void;
}

/** Options of {@link createIdempotencyFilter}. */
export interface IdempotencyOptions {
  /** Most ids remembered (default 100,000; ~100 bytes each). */
  maxEntries?: number;
}

/** A bounded filter (insertion-ordered; the oldest id goes first). */
export function createIdempotencyFilter(opts: IdempotencyOptions = {}): IdempotencyFilter {
  const maxEntries = opts.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw invalidArgument("idempotency filter", "maxEntries", maxEntries, "a positive integer");
  const ids = new Set<string>();
  let duplicates = 0;
  return {
    has: (id) => ids.has(id),
    remember(id) {
      if (ids.has(id)) return;
      if (ids.size >= maxEntries) {
        const oldest = ids.values().next();
        if (oldest.done !== true) ids.delete(oldest.value);
      }
      ids.add(id);
    },
    get size() {
      return ids.size;
    },
    maxEntries,
    get duplicates() {
      return duplicates;
    },
    countDuplicate() {
      duplicates++;
    },
  };
}

/**
 * Wraps `handler`: an event whose id the filter remembers is acknowledged without running
 * the handler (and counted); after the handler succeeds its id is remembered. A failed
 * handling is not remembered, so its redelivery runs again.
 */
export function idempotent<P>(filter: IdempotencyFilter, handler: DurableHandler<P>): DurableHandler<P> {
  return async (payload: P, ctx: DurableContext) => {
    if (filter.has(ctx.eventId)) {
      filter.countDuplicate();
      return;
    }
    await handler(payload, ctx);
    filter.remember(ctx.eventId);
  };
}
