import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentUnavailableError } from "../../runtime/errors.js";
import type { Gateway } from "../../runtime/gateway/index.js";
import { openRig, post, SseReader, type Rig } from "./fixture.js";
import { deferred, waitFor } from "../middleware/net.js";

let rig: Rig;
/** Per stream request (by payload id): was the handler's signal aborted, and did it finish. */
const runs = new Map<string, { aborted: boolean; finished: boolean }>();
const gates = new Map<string, ReturnType<typeof deferred<void>>>();

beforeAll(async () => {
  rig = await openRig({ heartbeatMs: 50, resume: false });
  // writes deltas until told to stop or canceled
  rig.agents.handleStream("endless", async (req: { id: string }, w) => {
    const run = { aborted: false, finished: false };
    runs.set(req.id, run);
    w.signal.addEventListener("abort", () => (run.aborted = true));
    let i = 0;
    while (!w.signal.aborted && i < 100_000) {
      await w.delta(`piece ${i++}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    run.finished = true;
  });
  // waits for a gate between frames
  rig.agents.handleStream("gated", async (req: { id: string; frames: number }, w) => {
    const run = { aborted: false, finished: false };
    runs.set(req.id, run);
    w.signal.addEventListener("abort", () => (run.aborted = true));
    await w.started();
    for (let i = 0; i < req.frames; i++) {
      const gate = deferred();
      gates.set(`${req.id}:${i}`, gate);
      await Promise.race([gate.promise, new Promise((r) => w.signal.addEventListener("abort", r))]);
      if (w.signal.aborted) return;
      await w.delta(`d${i}`);
    }
    await w.final("all");
    run.finished = true;
  });
  rig.agents.handleStream("quiet", async (_req, w) => {
    await new Promise((r) => setTimeout(r, 200));
    await w.final("after silence");
  });
  rig.agents.handleStream("five", async (_req, w) => {
    for (let i = 0; i < 5; i++) await w.delta(String(i));
    await w.final("five");
  });
  rig.agents.handleStream("breaks", async (_req, w) => {
    await w.delta("first");
    throw new AgentUnavailableError("model crashed");
  });
  await rig.net.settle();
});
afterAll(async () => {
  await rig.close();
});

const open = (gw: Gateway | Rig, target: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  post(`${gw.url}/v1/agents/${target}/stream`, body, headers);

async function idle(gw: Gateway): Promise<void> {
  await waitFor("gateway streams closed", () => gw.stats().retainedStreams === 0 && gw.stats().activeStreams === 0);
  await waitFor("no pending calls", () => rig.gwBus.stats().pendingCalls === 0);
  await waitFor("agents idle", () => rig.agents.stats().inFlight === 0);
}

describe("SSE streams", () => {
  it("sends heartbeat comments while the agent is quiet (headers go out before the first frame)", async () => {
    const res = await open(rig, "quiet", {});
    expect(res.status).toBe(200);
    const reader = new SseReader(res);
    await reader.untilComment();
    expect(reader.comments[0]).toBe("ping");
    expect(reader.events).toHaveLength(0);
    const all = await reader.all();
    expect(all.map((e) => e.event)).toEqual(["agent.response.final"]);
  });

  it("a client disconnect mid-stream aborts the bus stream and the handler; nothing leaks", async () => {
    const res = await open(rig, "endless", { id: "d1" });
    const reader = new SseReader(res);
    expect((await reader.next())?.event).toBe("agent.response.delta");
    expect((await reader.next())?.event).toBe("agent.response.delta");
    await reader.cancel();
    await waitFor("handler aborted", () => runs.get("d1")?.aborted === true);
    await waitFor("handler returned", () => runs.get("d1")?.finished === true);
    await idle(rig.gateway);
  });

  it("an error before the first frame is an HTTP status; after it, a terminal error event", async () => {
    // (a gateway that commits the response only at its first heartbeat, 10 s: the error comes first)
    const patient = await rig.extraGateway({ heartbeatMs: 10_000 });
    const early = await open(patient, "nobody", {});
    expect(early.status).toBe(404);
    expect(await early.json()).toMatchObject({ code: "NO_HANDLER" });
    const res = await open(rig, "breaks", {});
    expect(res.status).toBe(200);
    const got = await new SseReader(res).all();
    expect(got.map((e) => e.event)).toEqual(["agent.response.delta", "agent.response.error"]);
    expect(got[1]!.envelope).toMatchObject({ is_final: true, payload: { code: "AGENT_UNAVAILABLE", message: "model crashed", retryable: true } });
  });

  it("a stream that times out after its first frame ends with a synthesized error event", async () => {
    const res = await open(rig, "gated", { id: "t1", frames: 2 }, { "x-timeout-ms": "150" });
    const got = await new SseReader(res).all();
    expect(got.map((e) => e.event)).toEqual(["agent.response.started", "agent.response.error"]);
    expect(got[1]!.envelope).toMatchObject({
      event_type: "agent.response.error",
      is_final: true,
      correlation_id: res.headers.get("x-stream-id"),
      payload: { code: "AGENT_TIMEOUT" },
    });
    await waitFor("handler told", () => runs.get("t1")?.aborted === true);
    await idle(rig.gateway);
  });

  it("without resume, Last-Event-ID is answered 410 clearly", async () => {
    const res = await open(rig, "gated", {}, { "last-event-id": "0190a9b2-0000-7000-8000-000000000000" });
    expect(res.status).toBe(410);
    expect(((await res.json()) as { message: string }).message).toMatch(/keeps no streams for resume/);
  });
});

describe("Last-Event-ID resume", () => {
  it("a client that reconnects within the window gets the frames it missed, then the rest, without duplicates", async () => {
    const gw = await rig.extraGateway({ resume: { windowMs: 10_000 } });
    const res = await open(gw, "gated", { id: "r1", frames: 3 });
    const streamId = res.headers.get("x-stream-id")!;
    const first = new SseReader(res);
    const started = await first.next();
    gates.get("r1:0")!.resolve();
    const d0 = await first.next();
    expect(d0?.event).toBe("agent.response.delta");
    await first.cancel();
    await waitFor("gateway saw the disconnect", () => gw.stats().activeStreams === 1);
    gates.get("r1:1")?.resolve();
    await waitFor("d1 written while nobody listens", () => gates.has("r1:2"));

    const again = await open(gw, "gated", {}, { "last-event-id": d0!.id! });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-stream-id")).toBe(streamId);
    const reader = new SseReader(again);
    expect((await reader.next())?.envelope.payload).toEqual({ delta: "d1" });
    gates.get("r1:2")!.resolve();
    const rest = await reader.all();
    expect(rest.map((e) => e.event)).toEqual(["agent.response.delta", "agent.response.delta", "agent.response.final"]);
    const ids = [started!.id, d0!.id, ...rest.map((e) => e.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(rest.map((e) => e.envelope.seq)).toEqual([2, 3, 4]);
    expect(runs.get("r1")).toEqual({ aborted: false, finished: true });

    // a finished stream stays resumable for the window (a client that lost the final frame)
    const tail = await open(gw, "gated", {}, { "last-event-id": d0!.id! });
    expect((await new SseReader(tail).all()).map((e) => e.envelope.seq)).toEqual([2, 3, 4]);
    // the stream id resumes from the start
    const whole = await open(gw, "gated", {}, { "last-event-id": streamId });
    expect(await new SseReader(whole).all()).toHaveLength(5);
    // another target's route does not resume it
    expect((await open(gw, "endless", {}, { "last-event-id": d0!.id! })).status).toBe(410);
  });

  it("only the last retainFrames frames are kept: older ids and the stream id then answer 410", async () => {
    const gw = await rig.extraGateway({ resume: { windowMs: 10_000, retainFrames: 2 } });
    const res = await open(gw, "five", {});
    const streamId = res.headers.get("x-stream-id")!;
    const all = await new SseReader(res).all();
    expect(all).toHaveLength(6);
    expect((await open(gw, "five", {}, { "last-event-id": streamId })).status).toBe(410);
    expect((await open(gw, "five", {}, { "last-event-id": all[0]!.id! })).status).toBe(410);
    const tail = await open(gw, "five", {}, { "last-event-id": all[4]!.id! });
    expect((await new SseReader(tail).all()).map((e) => e.id)).toEqual([all[5]!.id]);
  });

  it("resuming a finished stream never keeps its session: every one is freed after the window", async () => {
    // maxStreams 5: leaked sessions would leave later streams unresumable (410)
    const gw = await rig.extraGateway({ resume: { windowMs: 100, maxStreams: 5 } });
    const round = async (): Promise<void> => {
      const res = await open(gw, "five", {});
      const all = await new SseReader(res).all();
      expect(all).toHaveLength(6);
      const again = await open(gw, "five", {}, { "last-event-id": all[3]!.id! });
      expect(again.status).toBe(200);
      expect((await new SseReader(again).all()).map((e) => e.id)).toEqual([all[4]!.id, all[5]!.id]);
    };
    for (let i = 0; i < 5; i++) await round();
    await waitFor("every session freed after the window", () => gw.stats().retainedStreams === 0);
    // the resumable slots came back: more rounds still resume
    for (let i = 0; i < 5; i++) await round();
    await waitFor("every session freed again", () => gw.stats().retainedStreams === 0);
  });

  it("a client that does not come back within the window: the handler is aborted", async () => {
    const gw = await rig.extraGateway({ resume: { windowMs: 100 } });
    const res = await open(gw, "endless", { id: "w1" });
    const reader = new SseReader(res);
    await reader.next();
    await reader.cancel();
    await waitFor("handler aborted after the window", () => runs.get("w1")?.aborted === true);
    await waitFor("gateway forgot it", () => gw.stats().retainedStreams === 0);
    await idle(gw);
  });

  it("closing the gateway ends open streams and their handlers", async () => {
    const gw = await rig.extraGateway({ resume: { windowMs: 10_000 } });
    const res = await open(gw, "endless", { id: "c1" });
    const reader = new SseReader(res);
    await reader.next();
    await gw.close();
    await reader.all();
    await waitFor("handler aborted", () => runs.get("c1")?.aborted === true);
    expect(gw.stats()).toEqual({ activeStreams: 0, retainedStreams: 0 });
  });
});
