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
    expect(
      list
        .match("a.b")
        .plain.map((m) => m.id)
        .sort(),
    ).toEqual([1, 2]);
  });
});

describe("Sublist tail memo (results that don't depend on the last token)", () => {
  it("serves unique reply subjects under a wildcard from one memo, and forgets it when subscriptions change", () => {
    const list = new Sublist<Item>(8);
    list.insert("_INBOX.x.*", { id: 1, queue: undefined });
    list.insert("_INBOX.>", { id: 2, queue: undefined });
    const first = list.match("_INBOX.x.1");
    expect(first.plain.map((m) => m.id).sort()).toEqual([1, 2]);
    expect(list.tail("_INBOX.x.2")).toBe(first);
    expect(list.tail("_INBOX.x.2.3")).toBeUndefined(); // one token more: not the same level
    expect(list.tail("_INBOX.x.a b")).toBeUndefined(); // not a valid token
    expect(list.tail("_INBOX.y.2")).toBeUndefined();
    list.insert("_INBOX.x.7", { id: 3, queue: undefined });
    expect(list.tail("_INBOX.x.2")).toBeUndefined();
    expect(
      list
        .match("_INBOX.x.7")
        .plain.map((m) => m.id)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(
      list
        .match("_INBOX.x.8")
        .plain.map((m) => m.id)
        .sort(),
    ).toEqual([1, 2]);
  });

  it("keeps results with queue groups in the cache (each subject its own round-robin cursor)", () => {
    const list = new Sublist<Item>(8);
    list.insert("svc.*", { id: 1, queue: "q" });
    list.match("svc.a");
    expect(list.tail("svc.b")).toBeUndefined();
    expect(list.cached("svc.a")).toBeDefined();
  });
});
