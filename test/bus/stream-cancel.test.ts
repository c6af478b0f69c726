/**
 * Cancellation reaches the stream handler within one round trip: a consumer that stops after
 * one delta, and a client that gives up before the handler wrote anything. Counts the deltas
 * the producer sent after the consumer stopped (spec/bus.md "Stream cancellation").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanceledError } from "../../runtime/errors.js";
import { deferred, openNetwork, waitFor, type Network } from "./fixtures.js";

/** The deltas a producer may still send after its consumer stopped: frames in flight in one round trip (measured 1 on memory, 33-129 on NATS; 100,000 before the fix). */
const MAX_AFTER_STOP = 256;

/** A producer that writes up to 100,000 deltas as fast as the bus takes them, counting what it sent. */
interface Counts {
  sent: number;
  stoppedAt: number;
  readonly aborted: { promise: Promise<unknown>; resolve(v: unknown): void };
  readonly done: { promise: Promise<void>; resolve(): void };
}

function flood(counts: Counts) {
  return async (_req: unknown, w: { signal: AbortSignal; delta(s: string): Promise<void> }): Promise<void> => {
    w.signal.addEventListener("abort", () => counts.aborted.resolve(w.signal.reason), { once: true });
    for (let i = 0; i < 100_000 && !w.signal.aborted; i++) {
      await w.delta(`token ${i}`);
      counts.sent++;
    }
    counts.done.resolve();
  };
}

function counter(): Counts {
  return { sent: 0, stoppedAt: -1, aborted: deferred<unknown>(), done: deferred<void>() };
}

describe.each(["memory", "nats"] as const)("stream cancellation over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("a consumer that breaks out after one delta stops the producer within a round trip", async () => {
    const client = await net.bus("flood-client");
    const server = await net.bus("flood-server");
    const counts = counter();
    server.handleStream("flood", flood(counts));
    await net.settle();
    for await (const f of client.streamInvoke("flood", {})) {
      if (f.type === "delta") {
        counts.stoppedAt = counts.sent;
        break; // return() → close() → agent.stream.cancel
      }
    }
    expect(await counts.aborted.promise).toBeInstanceOf(CanceledError);
    await counts.done.promise;
    const after = counts.sent - counts.stoppedAt;
    expect(after).toBeLessThanOrEqual(MAX_AFTER_STOP);
    expect(counts.sent).toBeLessThan(100_000);
    await waitFor("the server handler to finish", () => server.stats().inFlight === 0);
    expect(client.stats().pendingCalls).toBe(0);
  });

  it("an AbortSignal fired after one delta stops the producer within a round trip", async () => {
    const client = await net.bus("abort-client");
    const server = await net.bus("abort-server");
    const counts = counter();
    server.handleStream("flood-abort", flood(counts));
    await net.settle();
    const ac = new AbortController();
    const call = client.streamInvoke("flood-abort", {}, { signal: ac.signal });
    let error: unknown;
    try {
      for await (const f of call) {
        if (f.type === "delta" && counts.stoppedAt < 0) {
          counts.stoppedAt = counts.sent;
          ac.abort();
        }
      }
    } catch (err: unknown) {
      error = err;
    }
    expect(error).toMatchObject({ code: "CANCELED" });
    await counts.aborted.promise;
    await counts.done.promise;
    expect(counts.sent - counts.stoppedAt).toBeLessThanOrEqual(MAX_AFTER_STOP);
  });

  it("a client that gives up before the first frame cancels a handler that has not written anything", async () => {
    const client = await net.bus("silent-client");
    const server = await net.bus("silent-server");
    const started = deferred();
    const aborted = deferred<unknown>();
    let wrote = 0;
    server.handleStream("thinker", async (_req, w) => {
      w.signal.addEventListener("abort", () => aborted.resolve(w.signal.reason), { once: true });
      started.resolve();
      // thinks until canceled (bounded: the test's own timeout), never writing a frame
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20_000);
        w.signal.addEventListener(
          "abort",
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
      if (!w.signal.aborted) {
        await w.delta("too late");
        wrote++;
      }
    });
    await net.settle();
    const call = client.streamInvoke("thinker", {});
    await started.promise;
    await call.close("user left");
    const reason = await aborted.promise;
    expect(reason).toBeInstanceOf(CanceledError);
    expect((reason as Error).message).toContain("user left");
    expect(wrote).toBe(0);
    await waitFor("the server handler to finish", () => server.stats().inFlight === 0);
  });
});
