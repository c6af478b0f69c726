/**
 * Cancellation through the gateway's SSE route reaches the agent's handler within one round
 * trip: an HTTP client that stops after one delta, and one that leaves before the first frame
 * (before and after the response headers went out). Real nats-server, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanceledError } from "../../runtime/errors.js";
import { openRig, post, SseReader, type Rig } from "./fixture.js";
import { deferred, waitFor } from "../middleware/net.js";

/** Deltas the producer may still send after the HTTP client stopped (frames in flight in one round trip). */
const MAX_AFTER_STOP = 512;

let rig: Rig;
interface Run {
  sent: number;
  stoppedAt: number;
  readonly started: ReturnType<typeof deferred<void>>;
  readonly aborted: ReturnType<typeof deferred<unknown>>;
  readonly done: ReturnType<typeof deferred<void>>;
}
const runs = new Map<string, Run>();
function run(id: string): Run {
  let r = runs.get(id);
  if (r === undefined) {
    r = { sent: 0, stoppedAt: -1, started: deferred<void>(), aborted: deferred<unknown>(), done: deferred<void>() };
    runs.set(id, r);
  }
  return r;
}

beforeAll(async () => {
  rig = await openRig({ heartbeatMs: 50, resume: false });
  // up to 100,000 deltas as fast as the bus takes them
  rig.agents.handleStream("flood", async (req: { id: string }, w) => {
    const r = run(req.id);
    w.signal.addEventListener("abort", () => r.aborted.resolve(w.signal.reason), { once: true });
    r.started.resolve();
    for (let i = 0; i < 100_000 && !w.signal.aborted; i++) {
      await w.delta(`token ${i}`);
      r.sent++;
    }
    r.done.resolve();
  });
  // thinks until canceled, writing nothing (bounded by the test timeout)
  rig.agents.handleStream("thinker", async (req: { id: string }, w) => {
    const r = run(req.id);
    w.signal.addEventListener("abort", () => r.aborted.resolve(w.signal.reason), { once: true });
    r.started.resolve();
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 25_000);
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
      r.sent++;
    }
    r.done.resolve();
  });
  await rig.net.settle();
});
afterAll(async () => {
  await rig.close();
});

describe("SSE cancellation reaches the handler", () => {
  it("an HTTP client that stops after one delta stops the producer within a round trip", async () => {
    const r = run("f1");
    const res = await post(`${rig.url}/v1/agents/flood/stream`, { id: "f1" });
    expect(res.status).toBe(200);
    const reader = new SseReader(res);
    let ev = await reader.next();
    while (ev !== undefined && ev.event !== "agent.response.delta") ev = await reader.next();
    expect(ev?.event).toBe("agent.response.delta");
    r.stoppedAt = r.sent;
    await reader.cancel();
    expect(await r.aborted.promise).toBeInstanceOf(CanceledError);
    await r.done.promise;
    expect(r.sent - r.stoppedAt).toBeLessThanOrEqual(MAX_AFTER_STOP);
    expect(r.sent).toBeLessThan(100_000);
    await waitFor("gateway stream closed", () => rig.gateway.stats().retainedStreams === 0);
  });

  it("a client that leaves after the headers but before the first frame cancels the handler", async () => {
    const r = run("t1");
    const res = await post(`${rig.url}/v1/agents/thinker/stream`, { id: "t1" });
    expect(res.status).toBe(200); // heartbeat committed the headers
    await r.started.promise;
    await new SseReader(res).cancel();
    expect(await r.aborted.promise).toBeInstanceOf(CanceledError);
    await r.done.promise;
    expect(r.sent).toBe(0);
    await waitFor("gateway stream closed", () => rig.gateway.stats().retainedStreams === 0);
  });

  it("a client that leaves before the response headers cancels the handler", async () => {
    // no heartbeat: nothing is written before the first frame
    const gw = await rig.extraGateway({ heartbeatMs: 0 });
    const r = run("t2");
    const ac = new AbortController();
    const pending = post(`${gw.url}/v1/agents/thinker/stream`, { id: "t2" }, {}, { signal: ac.signal });
    await r.started.promise;
    ac.abort();
    await expect(pending).rejects.toThrow();
    expect(await r.aborted.promise).toBeInstanceOf(CanceledError);
    await r.done.promise;
    expect(r.sent).toBe(0);
    await waitFor("gateway stream closed", () => gw.stats().retainedStreams === 0);
  });
});
