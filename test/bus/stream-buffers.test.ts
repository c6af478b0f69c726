/**
 * A stream's frames waiting for the consumer are bounded in bytes (spec/bus.md "Stream
 * buffers"): a consumer that stops reading gets BACKPRESSURE_DROP once more than
 * `maxBufferedBytes` wait, the frames waiting are dropped, and the server is canceled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanceledError } from "../../runtime/errors.js";
import { deferred, openNetwork, waitFor, type Network } from "./fixtures.js";

const PIECE = "y".repeat(1024);

describe.each(["memory", "nats"] as const)("stream buffer bounds over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("a consumer that stops reading gets BACKPRESSURE_DROP past maxBufferedBytes; the producer is canceled", async () => {
    const client = await net.bus("buf-client");
    const server = await net.bus("buf-server");
    const aborted = deferred<unknown>();
    let sent = 0;
    server.handleStream("kb-deltas", async (_req, w) => {
      w.signal.addEventListener("abort", () => aborted.resolve(w.signal.reason), { once: true });
      for (let i = 0; i < 10_000 && !w.signal.aborted; i++) {
        await w.delta(PIECE);
        sent++;
      }
    });
    await net.settle();
    const call = client.streamInvoke("kb-deltas", {}, { maxBufferedBytes: 64 * 1024 });
    const it = call[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    // stop reading until the server was canceled
    expect(await aborted.promise).toBeInstanceOf(CanceledError);
    expect(sent).toBeLessThan(10_000);
    // the next read is the error: the frames that waited were dropped
    const err = await it.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "BACKPRESSURE_DROP", details: { maxBufferedBytes: 64 * 1024 } });
    expect((err as Error).message).toContain("maxBufferedBytes");
    await waitFor("server idle", () => server.stats().inFlight === 0);
    await waitFor("no pending calls", () => client.stats().pendingCalls === 0);
  });
});
