/**
 * parallel() over the memory transport and a real nats-server (spec/orchestration.md
 * "Parallel execution"): all / any / quorum, the losers' cancel reaching their handlers,
 * the concurrency bound seen by the handlers, the deadline, the caller's signal, errors by
 * catalogue code, typed results, argument errors, and nothing left pending or open afterwards.
 * Agents wait on latches the test opens: no sleeps, no timing assertions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcpError } from "../../runtime/errors.js";
import type { Bus, Subscription } from "../../runtime/bus/index.js";
import { MAX_CALLS, parallel, type CallOutcome } from "../../runtime/orchestration/index.js";
import { expectNoLeaks, snapshotHandles } from "../helpers/leaks.js";
import { openNetwork, waitFor, type Network } from "../bus/fixtures.js";
import { latch, registerAgents, seen, type Latch, type Seen } from "./agents.js";

function codes(outcomes: readonly CallOutcome[]): (string | "ok")[] {
  return outcomes.map((o) => (o.ok ? "ok" : o.error.code));
}

describe.each(["memory", "nats"] as const)("parallel over %s", (kind) => {
  let net: Network;
  let client: Bus;
  let server: Bus;
  let n = 0;
  const subs: Subscription[] = [];
  const gates: Latch[] = [];

  /** Agents under a fresh prefix: `gate` open at once (`open: true`) or when the test opens it. */
  async function agents(open: boolean): Promise<{ p: string; s: Seen; gate: Latch }> {
    const p = `${kind}${++n}`;
    const s = seen();
    const gate = latch();
    if (open) gate.open();
    gates.push(gate);
    subs.push(...registerAgents(server, p, s, gate));
    await net.settle();
    return { p, s, gate };
  }

  beforeAll(async () => {
    net = await openNetwork(kind);
    client = await net.bus("fan-client");
    server = await net.bus("fan-agents");
  });
  afterAll(async () => {
    for (const g of gates) g.open(); // a failed test leaves no handler waiting
    await Promise.all(subs.map((s) => s.unsubscribe()));
    await net.close();
  });

  it("all: every call's outcome in input order, typed errors by code, NO_HANDLER for a missing target", async () => {
    const { p } = await agents(true);
    const r = await parallel<{ from: string; n: number }>(client, [
      { target: `${p}-ok`, request: { n: 1 } },
      { target: `${p}-fail`, request: {} },
      { target: `${p}-nobody`, request: {} },
      { target: `${p}-block`, request: {}, via: "stream" },
      { target: `${p}-ok`, request: { n: 2 } },
    ]);
    expect(codes(r.outcomes)).toEqual(["ok", "PERMISSION_DENIED", "NO_HANDLER", "ok", "ok"]);
    expect(r.outcomes.map((o) => o.target)).toEqual([`${p}-ok`, `${p}-fail`, `${p}-nobody`, `${p}-block`, `${p}-ok`]);
    const first = r.outcomes[0]!;
    expect(first.ok && first.value).toEqual({ from: `${p}-ok`, n: 1 });
    const last = r.outcomes[4]!;
    expect(last.ok && last.value.n).toBe(2);
    expect(r.outcomes[1]!.ok === false && r.outcomes[1]!.error).toBeInstanceOf(AcpError);
    expect(r.ok).toBe(false);
    expect(r.succeeded).toBe(3);
    expect(r.canceled).toEqual([]);
    expect(["PERMISSION_DENIED", "NO_HANDLER"]).toContain(r.error?.code);
  });

  it('via "stream": an invoke handler answers a stream call too, its value is the final frame\'s result', async () => {
    const { p } = await agents(true);
    const r = await parallel(client, [
      { target: `${p}-ok`, request: { n: 8 }, via: "stream" },
      { target: `${p}-fail`, request: {}, via: "stream" },
    ]);
    expect(codes(r.outcomes)).toEqual(["ok", "PERMISSION_DENIED"]);
    const v = r.outcomes[0]!;
    expect(v.ok && v.value).toEqual({ from: `${p}-ok`, n: 8 });
  });

  it("all: ok with no error when every call succeeds", async () => {
    const { p } = await agents(true);
    const r = await parallel(
      client,
      [1, 2, 3].map((i) => ({ target: `${p}-ok`, request: { n: i } })),
    );
    expect(r.ok).toBe(true);
    expect(r.error).toBeUndefined();
    expect(r.outcomes.map((o) => o.ok && (o.value as { n: number }).n)).toEqual([1, 2, 3]);
  });

  it("any: the first success wins, the losers are canceled and their handlers see the cancel", async () => {
    const fast = await agents(true);
    const slow = await agents(false);
    const reported: string[] = [];
    const r = await parallel(
      client,
      [
        { target: `${slow.p}-block`, request: {}, via: "stream" },
        { target: `${fast.p}-ok`, request: { n: 7 } },
        { target: `${slow.p}-block`, request: {}, via: "stream" },
      ],
      { mode: "any", onOutcome: (o) => reported.push(`${o.index}:${o.ok ? "ok" : o.error.code}`) },
    );
    // onOutcome reports each call once, as its outcome is known: the winner, then the canceled
    expect(reported).toEqual(["1:ok", "0:CANCELED", "2:CANCELED"]);
    expect(r.ok).toBe(true);
    expect(r.error).toBeUndefined();
    expect(codes(r.outcomes)).toEqual(["CANCELED", "ok", "CANCELED"]);
    expect(r.canceled).toEqual([
      { index: 0, target: `${slow.p}-block`, started: true },
      { index: 2, target: `${slow.p}-block`, started: true },
    ]);
    // the cancel travels to the handlers: both see it, neither ran to its own answer
    await waitFor("both losers' handlers see the cancel", () => slow.s.cancels === 2);
    await waitFor("both losers' handlers end", () => slow.s.ended === 2);
    expect(slow.s.calls).toBe(2);
    slow.gate.open();
  });

  it("any: fails with the deciding error only when every call failed", async () => {
    const { p } = await agents(true);
    const r = await parallel(
      client,
      [
        { target: `${p}-fail`, request: {} },
        { target: `${p}-nobody`, request: {} },
      ],
      { mode: "any" },
    );
    expect(r.ok).toBe(false);
    expect(codes(r.outcomes).sort()).toEqual(["NO_HANDLER", "PERMISSION_DENIED"]);
    expect(["NO_HANDLER", "PERMISSION_DENIED"]).toContain(r.error?.code);
    expect(r.canceled).toEqual([]);
  });

  it("quorum: resolves at n successes and cancels the rest", async () => {
    const fast = await agents(true);
    const slow = await agents(false);
    const r = await parallel(
      client,
      [
        { target: `${fast.p}-ok`, request: { n: 1 } },
        { target: `${slow.p}-block`, request: {}, via: "stream" },
        { target: `${fast.p}-ok`, request: { n: 2 } },
        { target: `${slow.p}-block`, request: {}, via: "stream" },
        { target: `${fast.p}-ok`, request: { n: 3 } },
      ],
      { mode: "quorum", quorum: 3 },
    );
    expect(r.ok).toBe(true);
    expect(r.succeeded).toBe(3);
    expect(codes(r.outcomes)).toEqual(["ok", "CANCELED", "ok", "CANCELED", "ok"]);
    expect(r.canceled.map((c) => c.index)).toEqual([1, 3]);
    await waitFor("the two canceled handlers see the cancel", () => slow.s.cancels === 2);
    slow.gate.open();
  });

  it("quorum: fails as soon as n can no longer be reached, without waiting for the calls still running", async () => {
    const fast = await agents(true);
    const slow = await agents(false);
    // the blocked calls would only end at the 60 s deadline: resolving proves the early decision
    const r = await parallel(
      client,
      [
        { target: `${slow.p}-block`, request: {}, via: "stream" },
        { target: `${fast.p}-fail`, request: {} },
        { target: `${slow.p}-block`, request: {}, via: "stream" },
        { target: `${fast.p}-fail`, request: {} },
      ],
      { mode: "quorum", quorum: 3, timeoutMs: 60_000 },
    );
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("PERMISSION_DENIED");
    expect(codes(r.outcomes)).toEqual(["CANCELED", "PERMISSION_DENIED", "CANCELED", "PERMISSION_DENIED"]);
    expect(r.canceled.map((c) => c.index)).toEqual([0, 2]);
    await waitFor("the running calls' handlers see the cancel", () => slow.s.cancels === 2);
    slow.gate.open();
  }, 20_000);

  it("concurrency: the handlers never see more calls in flight than the bound; the rest wait their turn", async () => {
    const { p, s, gate } = await agents(false);
    const calls = Array.from({ length: 10 }, (_, i) => ({ target: `${p}-ok`, request: { n: i } }));
    const running = parallel(client, calls, { concurrency: 3 });
    await waitFor("three calls reach the handlers", () => s.calls === 3);
    // every request the client had sent by now has arrived: an unbounded fan-out would show all 10
    await net.settle();
    await client.transport.flush();
    await server.transport.flush();
    expect(s.calls).toBe(3);
    gate.open();
    const r = await running;
    expect(r.ok).toBe(true);
    expect(s.calls).toBe(10);
    expect(s.maxInFlight).toBe(3);
    expect(r.maxInFlight).toBe(3);
    expect(r.outcomes.map((o) => o.ok && (o.value as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("deadline: calls still running end AGENT_TIMEOUT and are canceled, queued ones never start", async () => {
    const fast = await agents(true);
    const slow = await agents(false);
    const r = await parallel(
      client,
      [
        { target: `${fast.p}-ok`, request: { n: 1 } },
        { target: `${slow.p}-block`, request: {}, via: "stream" },
        { target: `${slow.p}-hold`, request: {} },
        { target: `${fast.p}-ok`, request: { n: 2 } },
      ],
      { timeoutMs: 300, concurrency: 2 },
    );
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("AGENT_TIMEOUT");
    expect(r.outcomes[0]!.ok).toBe(true);
    expect(codes(r.outcomes).slice(1)).toEqual(["AGENT_TIMEOUT", "AGENT_TIMEOUT", "AGENT_TIMEOUT"]);
    expect(r.canceled).toEqual([
      { index: 1, target: `${slow.p}-block`, started: true },
      { index: 2, target: `${slow.p}-hold`, started: true },
      { index: 3, target: `${fast.p}-ok`, started: false },
    ]);
    await waitFor("the stream handler sees the cancel", () => slow.s.cancels === 1);
    // an invoke has no cancel on the wire: the held handler runs to its end once released, its late reply dropped
    expect(slow.s.ended).toBe(1);
    const unmatched = client.stats().unmatchedReplies;
    slow.gate.open();
    await waitFor("the held invoke handler ends", () => slow.s.ended === 2);
    await waitFor("its late reply is dropped and counted", () => client.stats().unmatchedReplies === unmatched + 1);
    expect(fast.s.calls).toBe(1);
  });

  it("an onOutcome that throws does not stop the fan-out", async () => {
    const { p } = await agents(true);
    let calls = 0;
    const r = await parallel(
      client,
      [1, 2, 3].map((n) => ({ target: `${p}-ok`, request: { n } })),
      {
        onOutcome: () => {
          calls++;
          throw new Error("progress printer broke");
        },
      },
    );
    expect(calls).toBe(3);
    expect(r.ok).toBe(true);
    expect(r.succeeded).toBe(3);
  });

  it("a call's own shorter timeoutMs ends that call alone", async () => {
    const fast = await agents(true);
    const slow = await agents(false);
    const r = await parallel(
      client,
      [
        { target: `${slow.p}-hold`, request: {}, timeoutMs: 100 },
        { target: `${fast.p}-ok`, request: {} },
      ],
      { timeoutMs: 60_000, concurrency: 1 },
    );
    expect(codes(r.outcomes)).toEqual(["AGENT_TIMEOUT", "ok"]);
    expect(r.canceled).toEqual([]);
    expect(r.error?.code).toBe("AGENT_TIMEOUT");
    slow.gate.open();
    await waitFor("the held handler ends", () => slow.s.ended === 1);
  }, 20_000);

  it("the caller's signal cancels the whole fan-out with CANCELED", async () => {
    const slow = await agents(false);
    const ac = new AbortController();
    const running = parallel(
      client,
      [
        { target: `${slow.p}-block`, request: {}, via: "stream" },
        { target: `${slow.p}-block`, request: {}, via: "stream" },
      ],
      { signal: ac.signal },
    );
    await waitFor("both calls reach their handlers", () => slow.s.calls === 2);
    ac.abort(new Error("user left"));
    const r = await running;
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("CANCELED");
    expect(codes(r.outcomes)).toEqual(["CANCELED", "CANCELED"]);
    await waitFor("both handlers see the cancel", () => slow.s.cancels === 2);
    slow.gate.open();
  });

  it("validate: a result of another shape is that call's INVALID_REQUEST; typed values pass", async () => {
    const { p } = await agents(true);
    const isNumbered = (v: unknown): v is { from: string; n: number } => typeof (v as { n?: unknown } | null)?.n === "number";
    const isSmall = (v: unknown): v is { from: string; n: number } => isNumbered(v) && v.n < 5;
    const r = await parallel(
      client,
      [
        { target: `${p}-ok`, request: { n: 4 } },
        { target: `${p}-ok`, request: { n: 5 }, validate: isSmall },
        { target: `${p}-block`, request: {}, via: "stream" },
      ],
      { validate: isNumbered },
    );
    expect(codes(r.outcomes)).toEqual(["ok", "INVALID_REQUEST", "INVALID_REQUEST"]);
    const v = r.outcomes[0]!;
    expect(v.ok && v.value.n).toBe(4);
  });

  it("nothing is left pending or open once parallel() returns, even when the deadline cut calls", async () => {
    const fast = await agents(true);
    const slow = await agents(false);
    const before = snapshotHandles();
    const r = await parallel(
      client,
      [
        { target: `${fast.p}-ok`, request: {} },
        { target: `${slow.p}-hold`, request: {} },
        { target: `${slow.p}-block`, request: {}, via: "stream" },
        { target: `${fast.p}-ok`, request: {} },
      ],
      { timeoutMs: 200, concurrency: 2 },
    );
    expect(r.canceled.length).toBe(3);
    // no reply route, deadline or invoke timer of the fan-out is still there
    expect(client.stats().pendingCalls).toBe(0);
    // the NATS client's write flush runs as an Immediate: settle briefly (a leaked invoke timer would last 30 s)
    await expectNoLeaks(before, 1_000);
    slow.gate.open();
    await waitFor("the held handler ends", () => slow.s.ended === 2);
  });
});

describe("parallel with a signal aborted before it starts", () => {
  it("starts nothing: every call CANCELED and not started", async () => {
    const bus = {} as Bus; // no call may reach it
    const ac = new AbortController();
    ac.abort(new Error("gone"));
    const r = await parallel(
      bus,
      [
        { target: "a", request: 1 },
        { target: "b", request: 2 },
      ],
      { signal: ac.signal },
    );
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("CANCELED");
    expect(codes(r.outcomes)).toEqual(["CANCELED", "CANCELED"]);
    expect(r.canceled).toEqual([
      { index: 0, target: "a", started: false },
      { index: 1, target: "b", started: false },
    ]);
  });
});

describe("parallel refuses bad arguments with INVALID_REQUEST naming the field", () => {
  const bus = {} as Bus; // never reached: the checks come first
  const cases: [string, () => Promise<unknown>, string][] = [
    ["empty calls", () => parallel(bus, []), "calls"],
    ["quorum above calls.length", () => parallel(bus, [{ target: "a", request: 1 }], { mode: "quorum", quorum: 2 }), "opts.quorum"],
    ["quorum missing", () => parallel(bus, [{ target: "a", request: 1 }], { mode: "quorum" }), "opts.quorum"],
    ["concurrency 0", () => parallel(bus, [{ target: "a", request: 1 }], { concurrency: 0 }), "opts.concurrency"],
    ["timeout not positive", () => parallel(bus, [{ target: "a", request: 1 }], { timeoutMs: -1 }), "opts.timeoutMs"],
    ["an empty target", () => parallel(bus, [{ target: "", request: 1 }]), "calls[0].target"],
    [
      "more than MAX_CALLS calls",
      () =>
        parallel(
          bus,
          Array.from({ length: MAX_CALLS + 1 }, () => ({ target: "a", request: 1 })),
        ),
      "calls.length",
    ],
    ["quorum with another mode", () => parallel(bus, [{ target: "a", request: 1 }], { mode: "any", quorum: 1 }), "opts.quorum"],
  ];
  it.each(cases)("%s", async (_name, run, field) => {
    const err = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AcpError);
    expect((err as AcpError).code).toBe("INVALID_REQUEST");
    expect((err as AcpError).details?.["field"]).toBe(field);
    expect((err as AcpError).message).toContain(field);
  });
});
