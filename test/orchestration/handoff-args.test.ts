/**
 * Agent handoff in one process (memory transport): the options a handler passes are checked
 * (INVALID_REQUEST naming the field), the handing-off agent stops waiting at the caller's
 * deadline, and nothing is left pending on its bus.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcpError } from "../../generated/ts/errors.js";
import { createBus, createMemoryTransport, type Bus, type HandlerContext } from "../../runtime/index.js";
import {
  MAX_STATE_BYTES,
  answerChainOf,
  handoffFrameOf,
  deadlineMetadata,
  handoff,
  handoffOf,
  handoffStream,
  invokeWithHandoff,
  type HandoffOptions,
} from "../../runtime/orchestration/index.js";
import { envelopeToStreamEvents } from "../../generated/a2a/functions.js";
import type { StreamFrame } from "../../runtime/index.js";
import { waitFor } from "../bus/fixtures.js";
import { latch } from "./agents.js";

const transport = createMemoryTransport();
let agent: Bus;
let client: Bus;
/** What the next call of "ho.args" hands off with. */
let next: { target: string; opts: HandoffOptions } = { target: "ho.b", opts: {} };
const blockB = latch();
const handoffErrors: string[] = [];
const afterFinal: string[] = [];

beforeAll(async () => {
  agent = createBus({ agentId: "agent", transport });
  client = createBus({ agentId: "client", transport });
  agent.handleInvoke("ho.args", (_req, ctx) => handoff(agent, ctx, next.target, next.opts));
  agent.handleStream("ho.args-stream", (_req, _w, ctx) => handoffStream(agent, "not a writer" as never, ctx, "ho.b"));
  agent.handleStream("ho.after-final", async (_req, w, ctx) => {
    await w.final("done");
    try {
      await handoffStream(agent, w, ctx, "ho.b");
    } catch (err: unknown) {
      afterFinal.push(err instanceof Error ? err.message : String(err));
    }
  });
  agent.handleInvoke("ho.b", (req) => ({ b: req }));
  agent.handleInvoke("ho.slow-a", async (_req, ctx) => {
    try {
      return await handoff(agent, ctx, "ho.slow-b");
    } catch (err: unknown) {
      handoffErrors.push(err instanceof AcpError ? err.code : String(err));
      throw err;
    }
  });
  // a chain of three: x -> y -> z, as invokes and as streams; z-ask asks the caller for input
  agent.handleInvoke("ho.x", (_req, ctx) => handoff(agent, ctx, "ho.y", { state: { step: 1 } }));
  agent.handleInvoke("ho.y", (_req, ctx) => handoff(agent, ctx, "ho.z", { state: { step: 2 } }));
  agent.handleInvoke("ho.z", (_req, ctx) => ({ z: handoffOf(ctx)?.state, chain: handoffOf(ctx)?.chain }));
  agent.handleStream("ho.sx", (_req, w, ctx) => handoffStream(agent, w, ctx, "ho.sy"));
  agent.handleStream("ho.sy", async (_req, w, ctx) => {
    await w.delta("y ");
    await handoffStream(agent, w, ctx, "ho.z-ask", { reason: "needs the customer" });
  });
  agent.handleStream("ho.z-ask", async (_req, w) => {
    await w.delta("which invoice?");
    await w.final({ question: "which invoice?" }, { phase: "input_required", metadata: { "z.note": "asked" } });
  });
  agent.handleInvoke("ho.slow-b", async () => {
    await blockB.wait();
    return "late";
  });
});

afterAll(async () => {
  blockB.open();
  await client.close();
  await agent.close();
  await transport.close();
});

async function refused(target: string, opts: HandoffOptions): Promise<string> {
  next = { target, opts };
  const err = await client.invoke("ho.args", null).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AcpError);
  expect((err as AcpError).code).toBe("INVALID_REQUEST");
  return (err as AcpError).message;
}

describe("handoff options", () => {
  it("a valid handoff answers (the fixture works)", async () => {
    next = { target: "ho.b", opts: { state: { k: 1 } } };
    expect(await client.invoke("ho.args", 5)).toEqual({ b: 5 });
  });

  it.each<[string, string, HandoffOptions, string]>([
    ["an empty target", "", {}, "handoff: target must be a non-empty target string"],
    ["a state that is an array", "ho.b", { state: [1] as never }, "handoff: opts.state must be a JSON object"],
    [
      "a state over the bound",
      "ho.b",
      { state: { blob: "x".repeat(MAX_STATE_BYTES) } },
      `handoff: opts.state must be at most ${MAX_STATE_BYTES} bytes of JSON`,
    ],
    ["a state with a bigint", "ho.b", { state: { n: 1n } as never }, "handoff: opts.state must be a JSON object (no cycles, no bigint)"],
    ["maxHops 0", "ho.b", { maxHops: 0 }, "handoff: opts.maxHops must be an integer from 1 to 64"],
    ["maxHops 65", "ho.b", { maxHops: 65 }, "handoff: opts.maxHops must be an integer from 1 to 64"],
    ["a reason over 4,096 characters", "ho.b", { reason: "r".repeat(4_097) }, "handoff: opts.reason must be a string of at most 4096 characters"],
    ["a metadata key of the runtime", "ho.b", { metadata: { "acp.handoff": {} } }, 'handoff: opts.metadata["acp.handoff"] must be a key not starting "acp."'],
    ["a negative timeoutMs", "ho.b", { timeoutMs: -1 }, "handoff: opts.timeoutMs must be a positive number of ms"],
  ])("refuses %s, naming the field", async (_name, target, opts, message) => {
    expect(await refused(target, opts)).toContain(message);
  });

  it("handoffStream refuses something that is not the handler's writer", async () => {
    const err = await client.invoke("ho.args-stream", null).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as AcpError).message).toContain("handoffStream: writer must be the handler's StreamWriter");
  });

  it("handoffStream after the terminal frame is a programmer mistake, named", async () => {
    const frames: unknown[] = [];
    for await (const f of client.streamInvoke("ho.after-final", null)) frames.push(f.type);
    expect(frames).toEqual(["final"]);
    await waitFor("the handler saw the refusal", () => afterFinal.length === 1);
    expect(afterFinal[0]).toContain("handoffStream: writer must be a writer that has not written its terminal frame yet");
  });

  it("handoffOf reads nothing from a request that came straight from a caller", () => {
    const ctx = {
      envelope: { spec_version: "acp/1.0", schema_version: 2, event_id: "e", event_type: "agent.message.received", occurred_at: "now" },
    } as unknown as HandlerContext;
    expect(handoffOf(ctx)).toBeUndefined();
  });

  it("deadlineMetadata writes the caller's deadline as RFC 3339", () => {
    expect(deadlineMetadata(1_500, Date.parse("2026-03-01T10:00:00Z"))).toEqual({ "acp.deadline": "2026-03-01T10:00:01.500Z" });
  });
});

describe("chains and what the frames keep", () => {
  it("A -> B -> C: the caller gets C's answer and the whole chain; C sees the state of the last hop and the chain", async () => {
    const a = await invokeWithHandoff(client, "ho.x", null, { timeoutMs: 10_000 });
    expect(a.value).toEqual({ z: { step: 2 }, chain: ["ho.x", "ho.y", "ho.z"] });
    expect(a.chain).toEqual(["ho.x", "ho.y", "ho.z"]);
    expect(a).toMatchObject({ answeredBy: "ho.z", hops: 2 });
  });

  it("a stream through two handoffs: both handoff frames in order, one seq counter, the final's input_required phase and metadata kept, the whole chain", async () => {
    const frames: StreamFrame[] = [];
    for await (const f of client.streamInvoke("ho.sx", null, { timeoutMs: 10_000 })) frames.push(f);
    expect(frames.map((f) => f.type)).toEqual(["event", "delta", "event", "delta", "final"]);
    expect(frames.map((f) => f.envelope?.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(frames.map((f) => handoffFrameOf(f)?.chain)).toEqual([["ho.sx", "ho.sy"], undefined, ["ho.sx", "ho.sy", "ho.z-ask"], undefined, undefined]);
    const final = frames[4]!;
    expect(final.envelope).toMatchObject({ phase: "input_required", metadata: { "z.note": "asked" } });
    expect(answerChainOf(final)).toEqual(["ho.sx", "ho.sy", "ho.z-ask"]);
  });

  it("the A2A mapping shows a handoff frame as a working status with one data part tagged agent.handoff", async () => {
    const frames: StreamFrame[] = [];
    for await (const f of client.streamInvoke("ho.sx", null, { timeoutMs: 10_000 })) frames.push(f);
    const env = frames[0]!.envelope!;
    const events = envelopeToStreamEvents(env, { taskId: "t1", contextId: "c1" }, { artifactId: "a1", chunks: 0 });
    expect(events).toHaveLength(1);
    const event = events[0]!;
    if (!("statusUpdate" in event)) throw new Error(`expected a statusUpdate, got ${JSON.stringify(event)}`);
    const status = event.statusUpdate.status;
    expect(status.state).toBe("TASK_STATE_WORKING");
    expect(status.message?.parts).toEqual([{ data: handoffFrameOf(frames[0]!), metadata: { "acp.event_type": "agent.handoff" } }]);
  });
});

describe("the caller's deadline at the hop", () => {
  it("the handing-off agent stops waiting for the new one when the caller's deadline passes (AGENT_TIMEOUT), and nothing stays pending", async () => {
    const err = await invokeWithHandoff(client, "ho.slow-a", null, { timeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as AcpError).code).toBe("AGENT_TIMEOUT");
    // without the deadline on the wire the hop would wait its own 30 s default
    await waitFor("the handing-off agent gives up", () => handoffErrors.length === 1, 10_000);
    expect(handoffErrors).toEqual(["AGENT_TIMEOUT"]);
    expect(agent.stats().pendingCalls).toBe(0);
    expect(client.stats().pendingCalls).toBe(0);
  });
});
