import { afterEach, describe, expect, it } from "vitest";
import {
  createMemoryTransport,
  type MemoryTransportOptions,
  type MessageHandler,
  type QueuePick,
  type Transport,
  type TransportStatus,
  type TransportSubscription,
} from "../../runtime/transport/index.js";
import { runTransportContract } from "./contract.js";
import { waitFor } from "./wait.js";

runTransportContract("memory", () => Promise.resolve(createMemoryTransport()));
runTransportContract("memory (random queue pick)", () => Promise.resolve(createMemoryTransport({ queuePick: "random" })));

describe("memory transport", () => {
  const open: Transport[] = [];
  const create = (opts?: MemoryTransportOptions): Transport => {
    const t = createMemoryTransport(opts);
    open.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  it("drops the newest messages when a subscription's buffer is full, counts them, reports slow_consumer once per episode", async () => {
    const t = create();
    const statuses: TransportStatus[] = [];
    t.onStatus((s) => statuses.push(s));
    const got: number[] = [];
    const sub = t.subscribe("ovf", { queue: "q", maxPending: 10 }, (m) => got.push(m.data[0]!));
    for (let i = 0; i < 25; i++) t.publish("ovf", Uint8Array.of(i));
    expect(sub.dropped).toBe(15);
    await t.flush();
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const slow = statuses.filter((s) => s.type === "slow_consumer");
    expect(slow).toEqual([{ type: "slow_consumer", subject: "ovf", queue: "q", pending: 10, dropped: 1 }]);
    // The buffer emptied: the episode is over, a new overflow is reported again.
    for (let i = 0; i < 12; i++) t.publish("ovf", Uint8Array.of(100 + i));
    await t.flush();
    expect(sub.dropped).toBe(17);
    expect(got.slice(10)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    expect(statuses.filter((s) => s.type === "slow_consumer")).toHaveLength(2);
  });

  it("applies the transport's default maxPending to every subscription; one slow subscriber does not hold back others", async () => {
    const t = create({ maxPending: 4 });
    const slow = t.subscribe("d", {}, () => undefined);
    const roomy = t.subscribe("d", { maxPending: 100 }, () => undefined);
    for (let i = 0; i < 50; i++) t.publish("d", Uint8Array.of(i));
    expect(slow.dropped).toBe(46);
    expect(roomy.dropped).toBe(0);
    await t.flush();
  });

  it("flush resolves once everything published before it was handed to handlers", async () => {
    const t = create();
    let n = 0;
    t.subscribe("f.>", {}, () => n++);
    t.subscribe("f.a", { queue: "g" }, () => n++);
    for (let i = 0; i < 1000; i++) t.publish("f.a", Uint8Array.of(1));
    await t.flush();
    expect(n).toBe(2000);
    await t.flush();
  });

  it("round-robin spreads a queue group evenly", async () => {
    const t = create();
    const counts = [0, 0, 0];
    for (let k = 0; k < 3; k++) t.subscribe("rr", { queue: "g" }, () => counts[k]!++);
    for (let i = 0; i < 300; i++) t.publish("rr", Uint8Array.of(i));
    await t.flush();
    expect(counts).toEqual([100, 100, 100]);
  });

  it("lets timers run while a handler keeps publishing to itself (delivery yields to the event loop)", async () => {
    const t = create();
    let timerFired = false;
    let loops = 0;
    t.subscribe("loop", {}, () => {
      loops++;
      if (!timerFired) t.publish("loop", Uint8Array.of(0));
    });
    setTimeout(() => {
      timerFired = true;
    }, 1);
    t.publish("loop", Uint8Array.of(0));
    await waitFor("the timer", () => timerFired);
    expect(loops).toBeGreaterThan(0);
    await t.flush();
  });

  it("stops a batch when the handler unsubscribes, and finishes it when the handler drains", async () => {
    const t = create();
    const a: number[] = [];
    const subA: TransportSubscription = t.subscribe("a", {}, (m) => {
      a.push(m.data[0]!);
      if (m.data[0] === 2) subA.unsubscribe();
    });
    const b: number[] = [];
    const subB: TransportSubscription = t.subscribe("b", {}, (m) => {
      b.push(m.data[0]!);
      if (m.data[0] === 2) void subB.drain();
    });
    for (let i = 0; i < 6; i++) {
      t.publish("a", Uint8Array.of(i));
      t.publish("b", Uint8Array.of(i));
    }
    await Promise.all([subA.closed, subB.closed]);
    expect(a).toEqual([0, 1, 2]);
    expect(b).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("a status listener that throws does not break delivery", async () => {
    const t = create();
    t.onStatus(() => {
      throw new Error("listener bug");
    });
    const got: number[] = [];
    t.subscribe("x", {}, (m) => {
      if (m.data[0] === 0) throw new Error("handler bug");
      got.push(m.data[0]!);
    });
    t.publish("x", Uint8Array.of(0));
    t.publish("x", Uint8Array.of(1));
    await t.flush();
    expect(got).toEqual([1]);
  });

  it("publish stays open while draining, close discards pending flushes", async () => {
    const t = create();
    const got: number[] = [];
    t.subscribe("p", {}, (m) => got.push(m.data[0]!));
    t.publish("p", Uint8Array.of(1));
    const drained = t.drain();
    t.publish("p", Uint8Array.of(2));
    await drained;
    expect(got).toEqual([1]);

    const u = create();
    u.subscribe("q", {}, () => undefined);
    u.publish("q", Uint8Array.of(1));
    const flushing = u.flush();
    await u.close();
    await expect(flushing).rejects.toMatchObject({ code: "TRANSPORT_FAILURE" });
  });

  it("rejects bad options and non-bytes data with the invalid-argument error (INVALID_REQUEST naming api, field, expected)", () => {
    const cases: Array<[MemoryTransportOptions, string]> = [
      [{ maxPending: 0 }, "maxPending"],
      [{ maxPending: 1.5 }, "maxPending"],
      [{ maxPayload: -1 }, "maxPayload"],
      [{ queuePick: "first" as QueuePick }, "queuePick"],
      [{ inboxPrefix: "a.*" }, "inboxPrefix"],
    ];
    for (const [opts, field] of cases) {
      expect(() => createMemoryTransport(opts)).toThrow(
        expect.objectContaining({
          name: "InvalidRequestError",
          code: "INVALID_REQUEST",
          details: expect.objectContaining({ api: "createMemoryTransport", field }),
        }),
      );
    }
    const t = create();
    expect(() => t.publish("s", "text" as unknown as Uint8Array)).toThrow(
      expect.objectContaining({
        code: "INVALID_REQUEST",
        details: expect.objectContaining({ field: "data", expected: "a Uint8Array or a MessageBody" }),
      }),
    );
    expect(() => t.subscribe("s", {}, undefined as unknown as MessageHandler)).toThrow(
      expect.objectContaining({
        code: "INVALID_REQUEST",
        details: expect.objectContaining({ field: "handler", expected: "a function" }),
      }),
    );
    expect(() => create({ maxPayload: 10 }).publish("s", new Uint8Array(11))).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
  });

  it("keeps no-responders and replies within one transport: another memory transport is another world", async () => {
    const a = create();
    const b = create();
    const got: boolean[] = [];
    b.subscribe("svc", {}, () => got.push(false));
    const inbox = a.newInbox();
    a.subscribe(inbox, {}, (m) => got.push(m.noResponders));
    a.publish("svc", Uint8Array.of(1), { reply: inbox });
    await a.flush();
    await b.flush();
    expect(got).toEqual([true]);
  });
});
