import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatRfc3339, nowRfc3339, parseRfc3339 } from "../../runtime/envelope/time.js";

const ENVELOPE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

describe("nowRfc3339", () => {
  it("writes UTC with Z and microseconds, close to Date.now", () => {
    const before = Date.now();
    const now = nowRfc3339();
    const after = Date.now();
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(now).toMatch(ENVELOPE_PATTERN);
    const parsed = parseRfc3339(now)!;
    expect(Math.floor(parsed)).toBeGreaterThanOrEqual(before);
    expect(Math.floor(parsed)).toBeLessThanOrEqual(after);
  });
});

describe("formatRfc3339 / parseRfc3339", () => {
  it("round-trips any instant in 0000-9999 (with microseconds)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), fc.integer({ min: 0, max: 999 }), (ms, us) => {
        const text = formatRfc3339(ms, us);
        expect(text).toMatch(ENVELOPE_PATTERN);
        // a double holds epoch ms to ~0.01 ms at year 0 and ~0.0002 ms today
        expect(Math.abs(parseRfc3339(text)! - (ms + us / 1000))).toBeLessThan(0.01);
      }),
      { numRuns: 1000 },
    );
  });

  it("reads Go nanoseconds, Python microseconds, offsets and lower-case t/z", () => {
    const base = Date.UTC(2026, 0, 2, 3, 4, 5);
    expect(parseRfc3339("2026-01-02T03:04:05Z")).toBe(base);
    expect(parseRfc3339("2026-01-02T03:04:05.123Z")).toBe(base + 123);
    expect(parseRfc3339("2026-01-02T03:04:05.123456Z")).toBeCloseTo(base + 123.456, 6);
    expect(parseRfc3339("2026-01-02T03:04:05.123456789Z")).toBeCloseTo(base + 123.456789, 3);
    expect(parseRfc3339("2026-01-02T03:04:05+00:00")).toBe(base);
    expect(parseRfc3339("2026-01-02T05:34:05.5+02:30")).toBe(base + 500);
    expect(parseRfc3339("2026-01-01T22:04:05-05:00")).toBe(base);
    expect(parseRfc3339("2026-01-02t03:04:05z")).toBe(base);
    expect(parseRfc3339("2016-12-31T23:59:60Z")).toBe(Date.UTC(2017, 0, 1));
    expect(parseRfc3339("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
    expect(parseRfc3339("0001-01-01T00:00:00Z")).toBe(-62_135_596_800_000);
  });

  it("rejects what RFC 3339 does not allow", () => {
    for (const bad of [
      "2026-01-02 03:04:05Z",
      "2026-01-02T03:04:05",
      "2026-01-02T03:04:05.Z",
      "2026-01-02T03:04:05.1234567890Z",
      "2026-13-02T03:04:05Z",
      "2025-02-29T03:04:05Z",
      "2026-04-31T03:04:05Z",
      "2026-01-02T24:00:00Z",
      "2026-01-02T03:04:05+24:00",
      "2026-01-02T03:04:05+0000",
      "1767323045",
      "",
    ]) {
      expect(parseRfc3339(bad), bad).toBeUndefined();
    }
  });
});
