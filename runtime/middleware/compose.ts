/**
 * Composing middleware: folding a list into one wrapper, and {@link chain}, which puts
 * the standard middleware in the declared order of spec/middleware.md so a caller names
 * what it wants and cannot get the order wrong (dead letter outside retry, timeout per
 * attempt inside retry, recover outermost).
 */
import type { BusMiddleware, InboundHandler, InboundMiddleware, OutboundMiddleware, OutboundSend } from "../bus/types.js";

/** A middleware that applies in both directions (logging, trace, timeout, retry, rate limit, validation). */
export interface MiddlewarePair {
  readonly inbound: InboundMiddleware;
  readonly outbound: OutboundMiddleware;
}

/** Folds inbound middleware into one; the first entry is the outermost wrapper (as the bus applies lists). */
export function composeInbound(list: readonly InboundMiddleware[]): InboundMiddleware {
  return (handler: InboundHandler): InboundHandler => list.reduceRight<InboundHandler>((h, mw) => mw(h), handler);
}

/** Folds outbound middleware into one; the first entry is the outermost wrapper. */
export function composeOutbound(list: readonly OutboundMiddleware[]): OutboundMiddleware {
  return (send: OutboundSend): OutboundSend => list.reduceRight<OutboundSend>((s, mw) => mw(s), send);
}

/**
 * The standard middleware, each optional, by name. {@link chain} orders them; the
 * comments give each one's place (outermost first). Two-way middleware are given as
 * the pair their factory returns; `chain(spec, { outbound: false })` keeps one direction.
 */
export interface ChainSpec {
  /** inbound 1: catches every throw below it. */
  recover?: InboundMiddleware;
  /** inbound 2, outbound 1: a span around everything below. */
  trace?: MiddlewarePair;
  /** inbound 3, outbound 2: one line per envelope, inside the span. */
  logging?: MiddlewarePair;
  /** inbound 4, outbound 3: drop floods before doing any work. */
  rateLimit?: MiddlewarePair;
  /** inbound 5, outbound 4: reject invalid envelopes before handling or sending. */
  validation?: MiddlewarePair;
  /** inbound 6: outside retry, so only exhausted messages are dead-lettered. */
  deadLetter?: InboundMiddleware;
  /** inbound 7, outbound 5: re-runs what is below it. */
  retry?: MiddlewarePair;
  /** outbound 6: inside retry, so every attempt counts and an open circuit fails each attempt fast. */
  circuitBreaker?: OutboundMiddleware;
  /** inbound 8, outbound 7: per attempt. */
  timeout?: MiddlewarePair;
  /** Extra inbound middleware, innermost (next to the handler). */
  inbound?: readonly InboundMiddleware[];
  /** Extra outbound middleware, innermost (next to the transport). */
  outbound?: readonly OutboundMiddleware[];
}

/** Which directions {@link chain} fills (both by default). */
export interface ChainDirections {
  inbound?: boolean;
  outbound?: boolean;
}

/** The middleware lists for `BusOptions.middleware`, in the declared order of spec/middleware.md. */
export function chain(spec: ChainSpec, directions: ChainDirections = {}): Required<BusMiddleware> {
  const inbound = [
    spec.recover,
    spec.trace?.inbound,
    spec.logging?.inbound,
    spec.rateLimit?.inbound,
    spec.validation?.inbound,
    spec.deadLetter,
    spec.retry?.inbound,
    spec.timeout?.inbound,
    ...(spec.inbound ?? []),
  ];
  const outbound = [
    spec.trace?.outbound,
    spec.logging?.outbound,
    spec.rateLimit?.outbound,
    spec.validation?.outbound,
    spec.retry?.outbound,
    spec.circuitBreaker,
    spec.timeout?.outbound,
    ...(spec.outbound ?? []),
  ];
  return {
    inbound: directions.inbound === false ? [] : inbound.filter((m): m is InboundMiddleware => m !== undefined),
    outbound: directions.outbound === false ? [] : outbound.filter((m): m is OutboundMiddleware => m !== undefined),
  };
}
