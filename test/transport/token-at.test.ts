import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LiteralSubjectCheck, isTokenAt, subjectProblem, tokenProblem } from "../../runtime/transport/subject.js";

describe("isTokenAt", () => {
  it("accepts exactly what tokenProblem accepts for the rest of the string", () => {
    const chars = fc.constantFrom("a", "b", "1", ".", "*", ">", " ", "\t", "\u00a0", "é", "_", "-");
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 8 }).map((c) => c.join("")),
        fc.nat(9),
        (s, start) => {
          expect(isTokenAt(s, start)).toBe(tokenProblem(s.slice(start)) === undefined);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("LiteralSubjectCheck", () => {
  it("gives subjectProblem's verdict on every subject of a sequence sharing prefixes", () => {
    const token = fc.constantFrom("a", "b1", "", "*", ">", "a b", "x\t", "é", "_-");
    const subject = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join("."));
    fc.assert(
      fc.property(fc.array(subject, { maxLength: 12 }), (subjects) => {
        const check = new LiteralSubjectCheck();
        for (const s of subjects) expect(check.valid(s), s).toBe(subjectProblem(s, "publish") === undefined);
      }),
      { numRuns: 1000 },
    );
  });
});
