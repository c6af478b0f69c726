import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentTimeoutError, CanceledError, NoHandlerError, PermissionDeniedError, type AcpError } from "../../runtime/errors.js";
import type { Envelope } from "../../generated/ts/types.js";
import { decodeOrThrow } from "../../runtime/envelope/index.js";
import type { StreamFrame } from "../../runtime/bus/index.js";
import { deferred, openNetwork, waitFor, type Network } from "./fixtures.js";

/** Resolves once `signal` is aborted (at once if it already is). */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function collect(iter: AsyncIterable<StreamFrame>): Promise<{ frames: StreamFrame[]; error: unknown }> {
  const frames: StreamFrame[] = [];
  try {
    for await (const f of iter) frames.push(f);
    return { frames, error: undefined };
  } catch (error: unknown) {
    return { frames, error };
  }
}

describe.each(["memory", "nats"] as const)("streams over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("delivers started, deltas and final in seq order from 0, with the cancel address on the first frame", async () => {
    const client = await net.bus("s-client");
    const server = await net.bus("s-server");
    server.handleStream<{ words: string[] }>("talker", async (req, w) => {
      await w.started({ model: "tiny" });
      for (const word of req.words) await w.delta(word);
      await w.delta({ data: { tokens: req.words.length } });
      await w.final({ n: req.words.length });
    });
    await net.settle();
    const call = client.streamInvoke("talker", { words: ["a", "b", "c"] }, { context: { session_id: "sess" } });
    const { frames, error } = await collect(call);
    expect(error).toBeUndefined();
    expect(frames.map((f) => f.type)).toEqual(["started", "delta", "delta", "delta", "delta", "final"]);
    expect(frames.map((f) => f.envelope?.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(frames[0]).toMatchObject({ type: "started", meta: { model: "tiny" } });
    expect(frames.filter((f) => f.type === "delta").map((f) => (f.type === "delta" ? (f.delta ?? f.data) : undefined))).toEqual(["a", "b", "c", { tokens: 3 }]);
    expect(frames[5]).toMatchObject({ type: "final", result: { n: 3 } });
    const first = frames[0]!.envelope!;
    expect(first.metadata?.["acp.stream.cancel_to"]).toMatch(/^_INBOX\./);
    expect(frames[1]!.envelope!.metadata).toBeUndefined();
    for (const f of frames) {
      expect(f.envelope?.correlation_id).toBe(call.requestId);
      expect(f.envelope?.session_id).toBe("sess");
      expect(f.envelope?.from).toBe("talker");
      expect(f.envelope?.to).toBe("s-client");
    }
    expect(frames[5]!.envelope).toMatchObject({ is_final: true, phase: "completed", frame_type: "response.final" });
    expect(frames[1]!.envelope).toMatchObject({ phase: "working", frame_type: "response.delta" });
  });

  it("writes final with the handler's return value when it did not end the stream", async () => {
    const client = await net.bus("r-client");
    const server = await net.bus("r-server");
    server.handleStream("returner", async (_req, w) => {
      await w.delta("x");
      return "returned";
    });
    server.handleStream("silent", () => undefined);
    await net.settle();
    const a = await collect(client.streamInvoke("returner", {}));
    expect(a.frames.map((f) => f.type)).toEqual(["delta", "final"]);
    expect(a.frames[1]).toMatchObject({ type: "final", result: "returned" });
    const b = await collect(client.streamInvoke("silent", {}));
    expect(b.frames).toHaveLength(1);
    expect(b.frames[0]).toMatchObject({ type: "final", result: undefined });
  });

  it("ends with the typed error after the frames before it; yieldErrors yields it instead", async () => {
    const client = await net.bus("e-client");
    const server = await net.bus("e-server");
    server.handleStream("failer", async (_req, w) => {
      await w.delta("partial");
      throw new PermissionDeniedError("stop right there");
    });
    await net.settle();
    const thrown = await collect(client.streamInvoke("failer", {}));
    expect(thrown.frames.map((f) => f.type)).toEqual(["delta"]);
    expect(thrown.error).toBeInstanceOf(PermissionDeniedError);
    expect((thrown.error as AcpError).details?.["reply"]).toMatchObject({ event_type: "agent.response.error", seq: 1, is_final: true });
    const yielded = await collect(client.streamInvoke("failer", {}, { yieldErrors: true }));
    expect(yielded.error).toBeUndefined();
    expect(yielded.frames.map((f) => f.type)).toEqual(["delta", "error"]);
    const last = yielded.frames[1]!;
    expect(last.type === "error" && last.error.code).toBe("PERMISSION_DENIED");
    expect(last.envelope?.seq).toBe(1);
  });

  it("fires the server handler's signal when the client closes, and stops sending frames", async () => {
    const client = await net.bus("c-client");
    const server = await net.bus("c-server");
    const aborted = deferred<unknown>();
    server.handleStream("ticker", async (_req, w) => {
      w.signal.addEventListener("abort", () => aborted.resolve(w.signal.reason));
      for (let i = 0; !w.signal.aborted && i < 10_000; i++) {
        await w.delta(`t${i}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    });
    await net.settle();
    const call = client.streamInvoke("ticker", {});
    let seen = 0;
    for await (const f of call) {
      if (f.type === "delta" && ++seen === 3) break; // break → close() → agent.stream.cancel
    }
    const reason = await aborted.promise;
    expect(reason).toBeInstanceOf(CanceledError);
    expect((reason as Error).message).toMatch(/canceled by the client/);
    await waitFor("the server handler to finish", () => server.stats().inFlight === 0);
    expect(client.stats().pendingCalls).toBe(0);
  });

  it("sends the cancel once the server announces where, when the client gives up before the first frame", async () => {
    const client = await net.bus("early-client");
    const server = await net.bus("early-server");
    const started = deferred();
    const go = deferred();
    const aborted = deferred<unknown>();
    server.handleStream("late-starter", async (_req, w) => {
      w.signal.addEventListener("abort", () => aborted.resolve(w.signal.reason));
      started.resolve();
      await go.promise;
      await w.started();
      await untilAborted(w.signal);
    });
    await net.settle();
    const call = client.streamInvoke("late-starter", {});
    await started.promise;
    await call.close("changed my mind");
    go.resolve();
    expect(String(((await aborted.promise) as Error).message)).toContain("changed my mind");
  });

  it("aborts with CANCELED through an AbortSignal, and the server learns of it", async () => {
    const client = await net.bus("a-client");
    const server = await net.bus("a-server");
    const aborted = deferred();
    server.handleStream("waiter", async (_req, w) => {
      await w.started();
      await untilAborted(w.signal);
      aborted.resolve();
    });
    await net.settle();
    const ac = new AbortController();
    const call = client.streamInvoke("waiter", {}, { signal: ac.signal });
    const result = collect(call);
    await waitFor("the started frame", () => server.stats().sent >= 1);
    ac.abort();
    const { error } = await result;
    expect(error).toBeInstanceOf(CanceledError);
    await aborted.promise;
  });

  it("fails with AGENT_TIMEOUT after the idle timeout and after the overall timeout", async () => {
    const client = await net.bus("t-client");
    const server = await net.bus("t-server");
    server.handleStream("stall", async (_req, w) => {
      await w.started();
      await untilAborted(w.signal);
    });
    server.handleStream("dribble", async (_req, w) => {
      while (!w.signal.aborted) {
        await w.delta(".");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    await net.settle();
    const idle = await collect(client.streamInvoke("stall", {}, { idleTimeoutMs: 80 }));
    expect(idle.frames.map((f) => f.type)).toEqual(["started"]);
    expect(idle.error).toBeInstanceOf(AgentTimeoutError);
    expect((idle.error as Error).message).toMatch(/no frame for 80 ms/);
    const overall = await collect(client.streamInvoke("dribble", {}, { timeoutMs: 120, idleTimeoutMs: 5000 }));
    expect(overall.error).toBeInstanceOf(AgentTimeoutError);
    expect((overall.error as Error).message).toMatch(/did not finish within 120 ms/);
    expect(overall.frames.length).toBeGreaterThan(0);
    // both servers were told: their handlers end
    await waitFor("stalled handlers to be canceled", () => server.stats().inFlight === 0);
  });

  it("answers NO_HANDLER at once; invoke reads a stream handler's final; stream reads an invoke reply", async () => {
    const client = await net.bus("x-client");
    const server = await net.bus("x-server");
    server.handleStream("streamer", async (_req, w) => {
      await w.delta("ignored by invoke");
      await w.final("the end");
    });
    server.handleInvoke("plain", () => ({ pong: true }));
    await net.settle();
    const none = await collect(client.streamInvoke("no-such-streamer", {}, { timeoutMs: 60_000 }));
    expect(none.error).toBeInstanceOf(NoHandlerError);
    expect(await client.invoke("streamer", {})).toBe("the end");
    const plain = await collect(client.streamInvoke("plain", {}));
    expect(plain.frames).toHaveLength(1);
    expect(plain.frames[0]).toMatchObject({ type: "final", result: { pong: true } });
    expect(() => server.handleInvoke("streamer", () => 1)).toThrow(/already has an stream handler/);
  }, 10_000);

  it("carries many frames without loss or reordering", async () => {
    const client = await net.bus("bulk-client");
    const server = await net.bus("bulk-server");
    server.handleStream<number>("counter", async (n, w) => {
      for (let i = 0; i < n; i++) void w.delta({ data: { i } });
      await w.final(n);
    });
    await net.settle();
    const { frames, error } = await collect(client.streamInvoke("counter", 2000));
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(2001);
    frames.slice(0, 2000).forEach((f, i) => {
      expect(f.type === "delta" && (f.data as Record<string, unknown> | undefined)?.["i"]).toBe(i);
    });
    expect(client.stats().duplicateFrames).toBe(0);
  });

  it("writes frames v1-only when asked, without phase", async () => {
    const client = await net.bus("v1s-client");
    const server = await net.bus("v1s-server", { schemaVersion: 1 });
    server.handleStream("old-school", async (_req, w) => {
      await w.delta("a");
      await w.final();
    });
    await net.settle();
    const t = await net.transport();
    const seen: Envelope[] = [];
    const sub = t.subscribe("_INBOX.>", {}, (m) => {
      if (!m.noResponders) seen.push(decodeOrThrow(m.data));
    });
    await net.settle();
    const { frames } = await collect(client.streamInvoke("old-school", {}));
    expect(frames.map((f) => f.type)).toEqual(["delta", "final"]);
    await waitFor("tapped frames", () => seen.length >= 2);
    for (const env of seen) {
      expect(env.schema_version).toBe(1);
      expect(env).not.toHaveProperty("phase");
    }
    sub.unsubscribe();
  });
});
