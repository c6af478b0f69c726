import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { routeNumber } from "../../runtime/bus/inbox.js";

describe("InboxMux route numbers", () => {
  it("reads back exactly the tokens open() writes, and nothing else", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => {
        expect(routeNumber(`_INBOX.abc.${n.toString(36)}`, 11)).toBe(n);
      }),
    );
    for (const bad of ["", "01", "1F", "a-b", "1.2", "zzzzzzzzzzz"]) expect(routeNumber(`_INBOX.abc.${bad}`, 11), bad).toBe(-1);
  });
});
