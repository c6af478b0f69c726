import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createUuidV7Generator, isUuid, uuidv7, uuidv7Timestamp, uuidVersion } from "../../runtime/envelope/ids.js";

function bytesOf(id: string): number[] {
  const hex = id.replaceAll("-", "");
  return Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

describe("uuidv7", () => {
  it("sets version 7 and the RFC 9562 variant", () => {
    for (let i = 0; i < 5000; i++) {
      const id = uuidv7();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const b = bytesOf(id);
      expect(b[6]! >> 4).toBe(7);
      expect(b[8]! >> 6).toBe(0b10);
      expect(isUuid(id)).toBe(true);
      expect(uuidVersion(id)).toBe(7);
    }
  });

  it("embeds the clock's millisecond timestamp (big-endian, 48 bits)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), (ms) => {
        const id = createUuidV7Generator(() => ms)();
        expect(uuidv7Timestamp(id)).toBe(ms);
      }),
      { numRuns: 500 },
    );
  });

  it("is strictly increasing within one millisecond, across milliseconds and when the clock steps back", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 300 }), (steps) => {
        let clock = 1_750_000_000_000;
        const next = createUuidV7Generator(() => clock);
        let previous = next();
        for (const step of steps) {
          clock += step;
          const id = next();
          expect(id > previous).toBe(true);
          previous = id;
        }
      }),
      { numRuns: 200 },
    );
  });

  it("keeps ids unique and ordered across many calls in the same millisecond", () => {
    const next = createUuidV7Generator(() => 42);
    const ids = Array.from({ length: 20_000 }, () => next());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // the timestamp only moves forward if the 42-bit counter overflows, which 20k calls cannot do from a 41-bit seed
    expect(uuidv7Timestamp(ids.at(-1)!)).toBe(42);
  });

  it("different generators draw different random bits", () => {
    const a = createUuidV7Generator(() => 1)();
    const b = createUuidV7Generator(() => 1)();
    expect(a).not.toBe(b);
  });
});

describe("isUuid", () => {
  it("accepts v4 and v7 in either case and rejects the rest", () => {
    expect(isUuid("f47ac10b-58cc-4372-a567-0e02b2c3d479")).toBe(true);
    expect(isUuid("0190A3C2-7B1E-7C3A-8F00-123456789ABC")).toBe(true);
    expect(isUuid("f47ac10b58cc4372a5670e02b2c3d479")).toBe(false);
    expect(isUuid("f47ac10b-58cc-0372-a567-0e02b2c3d479")).toBe(false); // version 0
    expect(isUuid("f47ac10b-58cc-4372-c567-0e02b2c3d479")).toBe(false); // variant 110
    expect(isUuid(42)).toBe(false);
    expect(uuidv7Timestamp("f47ac10b-58cc-4372-a567-0e02b2c3d479")).toBeUndefined();
  });
});
