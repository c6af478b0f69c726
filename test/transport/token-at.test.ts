import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTokenAt, tokenProblem } from "../../runtime/transport/subject.js";

describe("isTokenAt", () => {
  it("accepts exactly what tokenProblem accepts for the rest of the string", () => {
    const chars = fc.constantFrom("a", "b", "1", ".", "*", ">", " ", "\t", "\u00a0", "é", "_", "-");
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 8 }).map((c) => c.join("")), fc.nat(9), (s, start) => {
        expect(isTokenAt(s, start)).toBe(tokenProblem(s.slice(start)) === undefined);
      }),
      { numRuns: 1000 },
    );
  });
});
