import { describe, expect, it } from "vitest";
import { Sublist } from "../../runtime/transport/sublist.js";

interface Item {
  readonly id: number;
  readonly queue: string | undefined;
}

describe("Sublist match cache", () => {
  it("keeps a hot subject's result (and its round-robin cursor) while one-shot subjects age out", () => {
    const list = new Sublist<Item>(8);
    list.insert("svc.a", { id: 1, queue: "q" });
    list.insert("svc.a", { id: 2, queue: "q" });
    list.insert("_INBOX.x.*", { id: 3, queue: undefined });
    const hot = list.match("svc.a");
    hot.groups[0]!.next = 1;
    for (let i = 0; i < 1000; i++) {
      expect(list.match(`_INBOX.x.${i}`).plain.map((m) => m.id)).toEqual([3]);
      if (i % 3 === 0) expect(list.match("svc.a")).toBe(hot);
    }
    expect(list.match("svc.a").groups[0]!.next).toBe(1);
  });

  it("forgets cached results in both generations when subscriptions change", () => {
    const list = new Sublist<Item>(4);
    list.match("a.b");
    for (let i = 0; i < 2; i++) list.match(`z.${i}`); // a.b moves to the old generation
    list.insert("a.*", { id: 1, queue: undefined });
    expect(list.match("a.b").plain.map((m) => m.id)).toEqual([1]);
    list.insert("a.b", { id: 2, queue: undefined });
    expect(list.match("a.b").plain.map((m) => m.id).sort()).toEqual([1, 2]);
  });
});
