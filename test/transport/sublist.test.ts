import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasWildcard, subjectMatches, subjectProblem } from "../../runtime/transport/subject.js";
import { Sublist } from "../../runtime/transport/sublist.js";

interface Item {
  readonly id: number;
  readonly pattern: string;
  readonly queue: string | undefined;
}

const token = fc.constantFrom("a", "b", "c");
const literal = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join("."));
const pattern = fc
  .array(fc.constantFrom("a", "b", "*"), { minLength: 1, maxLength: 4 })
  .chain((t) => fc.boolean().map((gt) => (gt ? [...t.slice(0, -1), ">"] : t).join(".")));

describe("subject rules", () => {
  it("accepts literal and wildcard subjects where NATS does", () => {
    expect(subjectProblem("acp.v1.events.agent.message.received", "publish")).toBeUndefined();
    expect(subjectProblem("acp.*.invoke.>", "subscribe")).toBeUndefined();
    expect(subjectProblem("acp.*", "publish")).toMatch(/wildcard/);
    expect(subjectProblem("a.>.b", "subscribe")).toMatch(/last token/);
    expect(subjectProblem("a\u00a0b", "publish")).toMatch(/U\+00A0/);
  });

  it("subjectMatches follows `*` and `>`", () => {
    expect(subjectMatches("a.*", "a.b")).toBe(true);
    expect(subjectMatches("a.*", "a.b.c")).toBe(false);
    expect(subjectMatches("a.>", "a")).toBe(false);
    expect(subjectMatches(">", "a.b")).toBe(true);
    expect(hasWildcard("a.b")).toBe(false);
    expect(hasWildcard("a.*.b")).toBe(true);
  });
});

describe("Sublist", () => {
  it("matches exactly what brute force matches, across inserts, removals and the cache", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pattern, queue: fc.option(fc.constantFrom("q1", "q2"), { nil: undefined }), remove: fc.boolean() }), { maxLength: 12 }),
        fc.array(literal, { minLength: 1, maxLength: 6 }),
        (specs, subjects) => {
          const list = new Sublist<Item>(4);
          const items = specs.map((s, id) => ({ id, pattern: s.pattern, queue: s.queue }));
          for (const s of subjects) list.match(s); // warm the cache, then mutate
          for (const it of items) list.insert(it.pattern, it);
          const kept = items.filter((_, i) => !specs[i]!.remove);
          for (const it of items) if (specs[it.id]!.remove) expect(list.remove(it.pattern, it)).toBe(true);
          expect(list.size).toBe(kept.length);
          for (const subject of subjects) {
            const want = kept.filter((it) => subjectMatches(it.pattern, subject));
            for (let pass = 0; pass < 2; pass++) {
              const got = list.match(subject);
              expect(got.plain.map((i) => i.id).sort()).toEqual(
                want
                  .filter((i) => i.queue === undefined)
                  .map((i) => i.id)
                  .sort(),
              );
              const groups = Object.fromEntries(got.groups.map((g) => [g.name, g.members.map((m) => m.id).sort()]));
              const wantGroups: Record<string, number[]> = {};
              for (const it of want) if (it.queue !== undefined) (wantGroups[it.queue] ??= []).push(it.id);
              for (const k of Object.keys(wantGroups)) wantGroups[k]!.sort();
              expect(groups).toEqual(wantGroups);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("remove reports a missing item", () => {
    const list = new Sublist<Item>();
    const it = { id: 1, pattern: "a.b", queue: undefined };
    expect(list.remove("a.b", it)).toBe(false);
    list.insert("a.b", it);
    expect(list.remove("a.*", it)).toBe(false);
    expect(list.remove("a.b", it)).toBe(true);
    expect(list.size).toBe(0);
  });
});
