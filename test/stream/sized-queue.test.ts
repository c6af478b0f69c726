import { describe, expect, it } from "vitest";
import { SizedQueue } from "../../runtime/stream/sized-queue.js";

describe("SizedQueue", () => {
  it("hands items out first in, first out, counting items and bytes", () => {
    const q = new SizedQueue<string>();
    q.push("a", 10);
    q.push("b", 20);
    q.push("c", 30);
    expect([q.length, q.bytes]).toEqual([3, 60]);
    expect(q.shift()).toBe("a");
    expect([q.length, q.bytes]).toEqual([2, 50]);
    q.push("d", 5);
    expect([q.shift(), q.shift(), q.shift()]).toEqual(["b", "c", "d"]);
    expect([q.length, q.bytes]).toEqual([0, 0]);
    expect(q.shift()).toBeUndefined();
  });

  it("clear drops everything", () => {
    const q = new SizedQueue<number>();
    for (let i = 0; i < 100; i++) q.push(i, 8);
    q.shift();
    q.clear();
    expect([q.length, q.bytes, q.shift()]).toEqual([0, 0, undefined]);
  });
});
