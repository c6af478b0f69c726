/**
 * Slow SSE readers on a NATS-backed gateway cost bounded memory: three readers that stop
 * reading, each of a stream of 60,000 × 8 KB deltas, grow the heap by less than 64 MB (measured
 * after a forced GC); each gets BACKPRESSURE_DROP, its producer is canceled, and a stream read
 * at the same time completes. Real nats-server, real HTTP (spec/bus.md "Stream buffers").
 */
import { request, type IncomingMessage } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope } from "../../runtime/index.js";
import { openRig, post, SseReader, type Rig } from "./fixture.js";
import { deferred, waitFor } from "../middleware/net.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const FRAMES = 60_000;
const PIECE = "x".repeat(8 * 1024);
const READERS = 3;
const MAX_GROWTH = 64 * 1024 * 1024;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

interface Run {
  sent: number;
  readonly ended: ReturnType<typeof deferred<"aborted" | "finished">>;
}
const runs = new Map<string, Run>();

/** A reader that takes the response head and the first chunk, then stops reading (TCP backpressure). */
interface SlowReader {
  readonly res: IncomingMessage;
  /** Reads the rest to the end; the events. */
  finish(): Promise<Envelope[]>;
}

function slowReader(url: string, body: unknown): Promise<SlowReader> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      const events: Envelope[] = [];
      const parser = createParser({ onEvent: (e) => events.push(JSON.parse(e.data) as Envelope) });
      res.setEncoding("utf8");
      res.once("data", (chunk: string) => {
        parser.feed(chunk);
        res.pause();
        resolve({
          res,
          finish: () =>
            new Promise((done, fail) => {
              res.on("data", (c: string) => parser.feed(c));
              res.once("end", () => done(events));
              res.once("error", fail);
              res.resume();
            }),
        });
      });
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end(JSON.stringify(body));
  });
}

let rig: Rig;
beforeAll(async () => {
  // the gateway's defaults (resume on): only the bus' stream buffer bounds decide
  rig = await openRig({ heartbeatMs: 0 });
  rig.agents.handleStream("big", async (req: { id: string }, w) => {
    const run: Run = { sent: 0, ended: deferred<"aborted" | "finished">() };
    runs.set(req.id, run);
    for (let i = 0; i < FRAMES && !w.signal.aborted; i++) {
      await w.delta(PIECE);
      run.sent++;
    }
    if (!w.signal.aborted) await w.final({ frames: run.sent });
    run.ended.resolve(w.signal.aborted ? "aborted" : "finished");
  });
  rig.agents.handleStream("small", async (_req, w) => {
    for (let i = 0; i < 100; i++) await w.delta(`s${i}`);
    return { done: true };
  });
  await rig.net.settle();
}, 60_000);
afterAll(async () => {
  await rig.close();
});

describe("slow SSE readers over NATS", () => {
  it("three readers that stop reading 60,000 × 8 KB streams: heap growth < 64 MB, BACKPRESSURE_DROP to each, others complete", async () => {
    // warm up (code paths, pools) before the baseline
    await new SseReader(await post(`${rig.url}/v1/agents/small/stream`, {})).all();
    const before = heapAfterGc();

    const readers: SlowReader[] = [];
    for (let i = 0; i < READERS; i++) readers.push(await slowReader(`${rig.url}/v1/agents/big/stream`, { id: `slow${i}` }));
    await waitFor("every producer started", () => runs.size === READERS);

    // another stream read meanwhile is unaffected
    const other = await new SseReader(await post(`${rig.url}/v1/agents/small/stream`, {})).all();
    expect(other).toHaveLength(101);
    expect(other[100]!.event).toBe("agent.response.final");

    const outcomes = await Promise.all([...runs.values()].map((r) => r.ended.promise));
    const growth = heapAfterGc() - before;
    const sent = [...runs.values()].map((r) => r.sent);
    expect(outcomes, `frames sent per producer: ${sent.join(", ")}`).toEqual(["aborted", "aborted", "aborted"]);
    expect(growth, `heap growth ${(growth / 1048576).toFixed(1)} MB`).toBeLessThan(MAX_GROWTH);
    for (const n of sent) expect(n).toBeLessThan(FRAMES);

    for (const r of readers) {
      const events = await r.finish();
      const last = events[events.length - 1]!;
      expect(last.event_type).toBe("agent.response.error");
      expect((last.payload as { code?: string }).code).toBe("BACKPRESSURE_DROP");
      // what arrived before the error is an in-order prefix of the stream
      const seqs = events.slice(0, -1).map((e) => e.seq ?? 0);
      expect(seqs).toEqual(seqs.map((_, i) => i));
    }
    await waitFor("agents idle", () => rig.agents.stats().inFlight === 0);
    await waitFor("no pending calls", () => rig.gwBus.stats().pendingCalls === 0);
  }, 120_000);
});
