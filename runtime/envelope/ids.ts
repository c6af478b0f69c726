/**
 * Event ids: UUID version 7 (RFC 9562 §5.7).
 *
 * Layout: 48-bit Unix timestamp in ms, version 7, a 42-bit counter (12 bits of
 * rand_a + the first 30 bits of rand_b, RFC 9562 §6.2 method 1) and 32 random
 * bits. The counter is reseeded with random bits (top bit clear) each new ms and
 * incremented within one ms, so ids from one generator sort in creation order.
 * If the clock goes backwards or the counter overflows, the generator keeps
 * using (and if needed advances) its last timestamp instead of going back.
 * Random bits come from `crypto.getRandomValues` in batches.
 */

/** Char codes of the 16 lowercase hex digits, indexed by nibble. */
const HEX_CODES = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const DASH = 0x2d;

/** Char code of the hex digit for bits `shift`..`shift + 3` of `value`. */
const hex = (value: number, shift: number): number => HEX_CODES[(value >>> shift) & 0xf]!;

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;

const POOL_WORDS = 1024;
const COUNTER_MAX = 2 ** 42 - 1;
const TWO_30 = 2 ** 30;

/** A function returning a new UUIDv7 string on each call. */
export type UuidV7Generator = () => string;

/**
 * Creates an independent UUIDv7 generator with its own random pool and counter.
 * `now` (default `Date.now`) is injectable for tests.
 */
export function createUuidV7Generator(now: () => number = Date.now): UuidV7Generator {
  const pool = new Uint32Array(POOL_WORDS);
  let poolIndex = POOL_WORDS;
  let lastMs = -1;
  let counter = 0;

  const random32 = (): number => {
    if (poolIndex === POOL_WORDS) {
      crypto.getRandomValues(pool);
      poolIndex = 0;
    }
    return pool[poolIndex++] ?? 0;
  };

  const reseed = (): void => {
    // 41 random bits: 11 high bits, 30 low bits; bit 42 stays clear so the
    // counter has room to grow within the millisecond.
    counter = (random32() & 0x7ff) * TWO_30 + (random32() & (TWO_30 - 1));
  };

  return (): string => {
    const ms = now();
    if (ms > lastMs) {
      lastMs = ms;
      reseed();
    } else if (counter < COUNTER_MAX) {
      counter++;
    } else {
      lastMs++; // counter exhausted: borrow the next millisecond
      reseed();
    }
    const hi = Math.floor(counter / TWO_30); // 12 bits → rand_a
    const lo = counter % TWO_30; // 30 bits → top of rand_b
    const tail = random32();
    const tsHigh = Math.floor(lastMs / 0x10000); // top 32 bits of the 48-bit timestamp
    const tsLow = lastMs % 0x10000;
    // One string made from its 36 char codes: no intermediate strings per id (a hot path: every envelope).
    return String.fromCharCode(
      hex(tsHigh, 28),
      hex(tsHigh, 24),
      hex(tsHigh, 20),
      hex(tsHigh, 16),
      hex(tsHigh, 12),
      hex(tsHigh, 8),
      hex(tsHigh, 4),
      hex(tsHigh, 0),
      DASH,
      hex(tsLow, 12),
      hex(tsLow, 8),
      hex(tsLow, 4),
      hex(tsLow, 0),
      DASH,
      HEX_CODES[7]!,
      hex(hi, 8),
      hex(hi, 4),
      hex(hi, 0),
      DASH,
      HEX_CODES[0x8 | (lo >>> 28)]!,
      hex(lo, 24),
      hex(lo, 20),
      hex(lo, 16),
      DASH,
      hex(lo, 12),
      hex(lo, 8),
      hex(lo, 4),
      hex(lo, 0),
      hex(tail, 28),
      hex(tail, 24),
      hex(tail, 20),
      hex(tail, 16),
      hex(tail, 12),
      hex(tail, 8),
      hex(tail, 4),
      hex(tail, 0),
    );
  };
}

let defaultGenerator: UuidV7Generator | undefined;

/**
 * Returns a new UUIDv7. Uses one lazily created module-private generator, so ids
 * from one process are monotonic; use {@link createUuidV7Generator} for an
 * isolated sequence (or an injected clock).
 */
export function uuidv7(): string {
  defaultGenerator ??= createUuidV7Generator();
  return defaultGenerator();
}

/** True for a UUID in 8-4-4-4-12 hex form with version 1-8 and the RFC 9562 variant (the envelope's event_id rule). */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_PATTERN.test(value);
}

/** The version digit of a UUID string, or undefined when `value` is not a UUID. */
export function uuidVersion(value: string): number | undefined {
  return isUuid(value) ? Number.parseInt(value.charAt(14), 16) : undefined;
}

/** The Unix timestamp (ms) embedded in a UUIDv7, or undefined for other strings. */
export function uuidv7Timestamp(value: string): number | undefined {
  if (uuidVersion(value) !== 7) return undefined;
  return Number.parseInt(value.slice(0, 8) + value.slice(9, 13), 16);
}
