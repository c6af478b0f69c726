/**
 * mergeStreams() over the memory transport and a real nats-server (spec/orchestration.md
 * "Merged streams"): frames of every stream in one iterable, each stream's frames in order; a
 * stream's failure as a frame or, with failFast, thrown; early break, the deadline and the
 * caller's signal cancel every open stream and the cancel reaches the handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcpError } from "../../runtime/errors.js";
import type { Bus, StreamWriter, Subscription } from "../../runtime/bus/index.js";
import { mergeStreams, type MergedFrame } from "../../runtime/orchestration/index.js";
import { openNetwork, waitFor, type Network } from "../bus/fixtures.js";

describe.each(["memory", "nats"] as const)("mergeStreams over %s", (kind) => {
  let net: Network;
  let client: Bus;
  let server: Bus;
  const subs: Subscription[] = [];
  /** Handlers of `endless` whose signal fired, and how many are running. */
  const endless = { cancels: 0, running: 0, calls: 0 };

  beforeAll(async () => {
    net = await openNetwork(kind);
    client = await net.bus("merge-client");
    server = await net.bus("merge-agents");
    subs.push(
      // writes req.count deltas "<target>:<i>", then final { count }
      server.handleStream<{ count: number; name: string }>("writer", async (req, w) => {
        await w.started();
        for (let i = 0; i < req.count; i++) await w.delta(`${req.name}:${i}`);
        await w.final({ count: req.count });
      }),
      // writes deltas until canceled
      server.handleStream("endless", async (_req, w: StreamWriter) => {
        endless.calls++;
        endless.running++;
        try {
          await w.started();
          for (let i = 0; !w.signal.aborted; i++) await w.delta(`tick ${i}`);
          endless.cancels++;
        } finally {
          endless.running--;
        }
      }),
      // writes started, then waits for its cancel
      server.handleStream("quiet", async (_req, w: StreamWriter) => {
        endless.calls++;
        endless.running++;
        try {
          await w.started();
          await new Promise<void>((resolve) => w.signal.addEventListener("abort", () => resolve(), { once: true }));
          endless.cancels++;
        } finally {
          endless.running--;
        }
      }),
    );
    await net.settle();
  });
  afterAll(async () => {
    await Promise.all(subs.map((s) => s.unsubscribe()));
    await net.close();
  });

  async function collect(it: AsyncIterable<MergedFrame>): Promise<MergedFrame[]> {
    const out: MergedFrame[] = [];
    for await (const f of it) out.push(f);
    return out;
  }

  it("merges the frames of every stream, each stream's in order, and ends when all have ended", async () => {
    const frames = await collect(
      mergeStreams(client, [
        { target: "writer", request: { count: 5, name: "a" } },
        { target: "writer", request: { count: 3, name: "b" } },
        { target: "writer", request: { count: 0, name: "c" } },
      ]),
    );
    for (const [index, name, count] of [
      [0, "a", 5],
      [1, "b", 3],
      [2, "c", 0],
    ] as const) {
      const own = frames.filter((f) => f.index === index);
      expect(own.map((f) => f.frame.type)).toEqual(["started", ...Array<string>(count).fill("delta"), "final"]);
      expect(own.flatMap((f) => (f.frame.type === "delta" ? [f.frame.delta] : []))).toEqual(Array.from({ length: count }, (_, i) => `${name}:${i}`));
      expect(own.every((f) => f.target === "writer")).toBe(true);
      const last = own.at(-1)!.frame;
      expect(last.type === "final" && last.result).toEqual({ count });
    }
    expect(frames.length).toBe(5 + 3 + 0 + 3 * 2);
  });

  it("a buffer of one frame loses nothing: producers wait for the consumer", async () => {
    const frames = await collect(
      mergeStreams(
        client,
        [
          { target: "writer", request: { count: 40, name: "x" } },
          { target: "writer", request: { count: 40, name: "y" } },
        ],
        { maxBuffered: 1 },
      ),
    );
    for (const name of ["x", "y"]) {
      expect(frames.flatMap((f) => (f.frame.type === "delta" && f.frame.delta?.startsWith(name) ? [f.frame.delta] : []))).toEqual(
        Array.from({ length: 40 }, (_, i) => `${name}:${i}`),
      );
    }
  });

  it("breaking out after the first frame cancels every stream, and the cancel reaches each handler", async () => {
    const before = endless.cancels;
    const merged = mergeStreams(client, [
      { target: "endless", request: {} },
      { target: "endless", request: {} },
    ]);
    let got = 0;
    for await (const _f of merged) {
      got++;
      break;
    }
    expect(got).toBe(1);
    await waitFor("both producers see the cancel", () => endless.cancels === before + 2);
    await waitFor("both producers end", () => endless.running === 0);
    // a stream that had no frame yet at the break lets go of its route once its first frame names the cancel address
    await waitFor("no stream call is left waiting", () => client.stats().pendingCalls === 0);
  });

  it("a stream's failure is an error frame of that call; the others go on", async () => {
    const frames = await collect(
      mergeStreams(client, [
        { target: "writer", request: { count: 2, name: "ok" } },
        { target: "nobody-streams-here", request: {} },
      ]),
    );
    const failed = frames.filter((f) => f.index === 1);
    expect(failed.length).toBe(1);
    const err = failed[0]!.frame;
    expect(err.type === "error" && err.error.code).toBe("NO_HANDLER");
    expect(failed[0]!.target).toBe("nobody-streams-here");
    expect(frames.filter((f) => f.index === 0).map((f) => f.frame.type)).toEqual(["started", "delta", "delta", "final"]);
  });

  it("failFast: the first failure cancels every stream and the iteration throws it", async () => {
    const before = endless.cancels;
    const merged = mergeStreams(
      client,
      [
        { target: "quiet", request: {} },
        { target: "nobody-streams-here", request: {} },
      ],
      { failFast: true },
    );
    const err = await collect(merged).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AcpError);
    expect((err as AcpError).code).toBe("NO_HANDLER");
    await waitFor("the other stream's handler sees the cancel", () => endless.cancels === before + 1);
    // a stream canceled before its first frame came keeps its route until the server's first
    // frame names the cancel address (spec/bus.md "Stream cancellation (extension)"), then lets go
    await waitFor("no stream call is left waiting", () => client.stats().pendingCalls === 0);
  });

  it("the deadline ends open streams with AGENT_TIMEOUT frames and cancels their handlers", async () => {
    const before = endless.cancels;
    const frames = await collect(
      mergeStreams(
        client,
        [
          { target: "quiet", request: {} },
          { target: "writer", request: { count: 1, name: "d" } },
        ],
        { timeoutMs: 300 },
      ),
    );
    const quiet = frames.filter((f) => f.index === 0).map((f) => f.frame);
    expect(quiet.map((f) => f.type)).toEqual(["started", "error"]);
    expect(quiet[1]!.type === "error" && quiet[1]!.error.code).toBe("AGENT_TIMEOUT");
    expect(frames.filter((f) => f.index === 1).at(-1)!.frame.type).toBe("final");
    await waitFor("the quiet handler sees the cancel", () => endless.cancels === before + 1);
  });

  it("the caller's signal cancels every stream (CANCELED frames) and reaches the handlers", async () => {
    const before = endless.cancels;
    const ac = new AbortController();
    const merged = mergeStreams(
      client,
      [
        { target: "quiet", request: {} },
        { target: "quiet", request: {} },
      ],
      { signal: ac.signal },
    );
    const frames: MergedFrame[] = [];
    for await (const f of merged) {
      frames.push(f);
      if (frames.filter((x) => x.frame.type === "started").length === 2) ac.abort(new Error("user left"));
    }
    expect(frames.filter((f) => f.frame.type === "error").map((f) => f.frame.type === "error" && f.frame.error.code)).toEqual(["CANCELED", "CANCELED"]);
    await waitFor("both handlers see the cancel", () => endless.cancels === before + 2);
  });
});

describe("mergeStreams refuses bad arguments with INVALID_REQUEST naming the field", () => {
  const bus = {} as Bus;
  it.each([
    ["empty calls", () => mergeStreams(bus, []), "calls"],
    ["maxBuffered 0", () => mergeStreams(bus, [{ target: "a", request: 1 }], { maxBuffered: 0 }), "opts.maxBuffered"],
    ["timeout not positive", () => mergeStreams(bus, [{ target: "a", request: 1 }], { timeoutMs: 0 }), "opts.timeoutMs"],
  ] as const)("%s", (_name, run, field) => {
    let err: unknown;
    try {
      run();
    } catch (e: unknown) {
      err = e;
    }
    expect(err).toBeInstanceOf(AcpError);
    expect((err as AcpError).code).toBe("INVALID_REQUEST");
    expect((err as AcpError).details?.["field"]).toBe(field);
  });
});
