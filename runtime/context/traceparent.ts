/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header):
 * `version-traceid-parentid-flags`, lowercase hex, `00-<32>-<16>-<2>`. Parsing, formatting,
 * and fresh ids from a pooled random buffer (one `randomFillSync` per 512 ids).
 */
import { randomFillSync } from "node:crypto";

/** A parsed traceparent. */
export interface TraceParent {
  readonly version: string;
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  readonly spanId: string;
  /** 2 hex digits (01 = sampled). */
  readonly flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** Parses a traceparent; `undefined` when it is not a valid one (version ff, zero ids, bad hex). */
export function parseTraceparent(value: unknown): TraceParent | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  const m = TRACEPARENT.exec(text);
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  if (version === "ff" || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  // Version 00 has exactly four fields.
  if (version === "00" && text.length !== 55) return undefined;
  return { version, traceId, spanId, flags };
}

/** Formats a version-00 traceparent. */
export function formatTraceparent(traceId: string, spanId: string, flags = "01"): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** True for 32 lowercase hex digits, not all zero (a W3C trace id). */
export function isW3cTraceId(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{32}$/.test(value) && value !== ZERO_TRACE;
}

const POOL_BYTES = 4096;

/** Hands out random hex ids from a pooled buffer; one per caller (no shared state between owners). */
export class TraceIdSource {
  readonly #pool = Buffer.allocUnsafe(POOL_BYTES);
  #offset = POOL_BYTES;

  #hex(bytes: number): string {
    for (;;) {
      if (this.#offset + bytes > POOL_BYTES) {
        randomFillSync(this.#pool);
        this.#offset = 0;
      }
      const id = this.#pool.toString("hex", this.#offset, this.#offset + bytes);
      this.#offset += bytes;
      if (!/^0+$/.test(id)) return id; // all-zero ids are invalid
    }
  }

  /** A new 16-hex-digit span id. */
  spanId(): string {
    return this.#hex(8);
  }

  /** A new 32-hex-digit trace id. */
  traceId(): string {
    return this.#hex(16);
  }
}
