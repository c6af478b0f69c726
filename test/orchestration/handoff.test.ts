/**
 * Agent handoff (spec/orchestration.md "Agent handoff") end to end: on NATS (a real
 * nats-server) the handing-off agents and the agents they hand off to run in two separate
 * processes (test/orchestration/handoff-agents.ts), so every handoff crosses processes; on the
 * memory transport the same handlers run in-process. The caller is this process.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetadataKey } from "../../generated/ts/constants.js";
import { AcpError } from "../../generated/ts/errors.js";
import { createBus, createMemoryTransport, parseTraceparent, runWithContext, type Bus, type StreamFrame } from "../../runtime/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { answerChainOf, deadlineMetadata, handoffFrameOf, handoffRefusal, invokeWithHandoff } from "../../runtime/orchestration/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { startPeerProcess, type PeerProcess } from "../helpers/bus-peer.js";
import { waitFor } from "../bus/fixtures.js";
import { registerRole, type Role } from "./handoff-agents.js";

type Json = Record<string, unknown>;
const AGENTS = join(REPO_ROOT, "test", "orchestration", "handoff-agents.ts");
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

/** The agents of one transport kind: their reports so far, and close(). */
interface Agents {
  events(): Json[];
  close(): Promise<void>;
}

async function startAgents(kind: "memory" | "nats", url: string | undefined, memory: ReturnType<typeof createMemoryTransport> | undefined): Promise<Agents> {
  if (kind === "memory") {
    const events: Json[] = [];
    const buses = (["front", "back"] as Role[]).map((role) => {
      const bus = createBus({ agentId: `ho-${role}`, transport: memory! });
      registerRole(bus, role, (e) => events.push(e));
      return bus;
    });
    return { events: () => events, close: async () => void (await Promise.all(buses.map((b) => b.close()))) };
  }
  const peers: PeerProcess[] = [];
  for (const role of ["front", "back"] as Role[]) {
    peers.push(await startPeerProcess(`handoff ${role}`, process.execPath, ["--import", "tsx", AGENTS, "--role", role, "--nats", url!]));
  }
  return { events: () => peers.flatMap((p) => p.events), close: async () => void (await Promise.all(peers.map((p) => p.close()))) };
}

function seenBy(agents: Agents, target: string): Json[] {
  return agents.events().filter((e) => e["event"] === "seen" && e["target"] === target);
}

async function collect(call: AsyncIterable<StreamFrame>): Promise<StreamFrame[]> {
  const frames: StreamFrame[] = [];
  for await (const f of call) frames.push(f);
  return frames;
}

async function rejection(p: Promise<unknown>): Promise<AcpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AcpError);
  return err as AcpError;
}

describe.each(["memory", "nats"] as const)("agent handoff over %s", (kind) => {
  let nats: NatsServer | undefined;
  let memory: ReturnType<typeof createMemoryTransport> | undefined;
  let agents: Agents;
  let client: Bus;

  beforeAll(async () => {
    if (kind === "nats") nats = await startNatsServer();
    else memory = createMemoryTransport();
    agents = await startAgents(kind, nats?.url, memory);
    const transport = kind === "nats" ? await connectNats({ servers: nats!.url }) : memory!;
    client = createBus({ agentId: "web-client", transport, ownsTransport: kind === "nats" });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await agents?.close();
    await memory?.close();
    await nats?.stop();
  });

  it("invoke: the caller gets the new agent's answer and sees who answered; the new agent gets the state, session, conversation, tenant, user and trace", async () => {
    const ctx = { session_id: "s-ho-1", conversation_id: "c-ho-1", user_id: "u-1", tenant_id: "acme", traceparent: `00-${TRACE}-${CALLER_SPAN}-01` };
    const before = seenBy(agents, "ho.billing").length;
    const answer = await runWithContext(ctx, () =>
      invokeWithHandoff(client, "ho.triage", { invoice: "INV-7" }, { timeoutMs: 10_000, metadata: { note: "vip" } }),
    );
    expect(answer.value).toEqual({ answeredBy: "ho.billing", invoice: "INV-7", request: { invoice: "INV-7" } });
    expect(answer.chain).toEqual(["ho.triage", "ho.billing"]);
    expect(answer.answeredBy).toBe("ho.billing");
    expect(answer.hops).toBe(1);

    await waitFor("billing reports what it saw", () => seenBy(agents, "ho.billing").length > before);
    const triage = seenBy(agents, "ho.triage").at(-1)!;
    const billing = seenBy(agents, "ho.billing").at(-1)!;
    for (const seen of [triage, billing]) {
      expect(seen).toMatchObject({ session_id: "s-ho-1", conversation_id: "c-ho-1", user_id: "u-1", tenant_id: "acme", note: "vip" });
      expect(parseTraceparent(seen["traceparent"])?.traceId).toBe(TRACE);
    }
    // each hop is a new span of the caller's trace
    const spans = [CALLER_SPAN, parseTraceparent(triage["traceparent"])!.spanId, parseTraceparent(billing["traceparent"])!.spanId];
    expect(new Set(spans).size).toBe(3);
    // the state and the chain travel to billing; the caller's deadline is kept as it was sent
    expect(billing["handoff"]).toEqual({
      from: "ho.triage",
      to: "ho.billing",
      reason: "invoice question",
      state: { invoice: "INV-7" },
      chain: ["ho.triage", "ho.billing"],
      max_hops: 8,
      deadline: triage["deadline"],
    });
    expect(typeof triage["deadline"]).toBe("string");
    expect(billing["deadline"]).toBe(triage["deadline"]);
    expect(triage["handoff"]).toBeNull();
  });

  it("invoke: a caller that knows nothing of handoffs gets the answer too, and the chain and the new agent's reply metadata in the reply", async () => {
    expect(await client.invoke("ho.triage", { invoice: "INV-8" })).toMatchObject({ answeredBy: "ho.billing", invoice: "INV-8" });
    const reply = await client.invokeEnvelope("ho.triage", { invoice: "INV-9" });
    expect(reply.from).toBe("ho.triage"); // the relay answers; the chain says who did
    expect(reply.metadata?.[MetadataKey.HANDOFF_CHAIN]).toEqual(["ho.triage", "ho.billing"]);
    expect(reply.metadata?.["billing.desk"]).toBe("7");
    expect(reply.metadata?.[MetadataKey.HANDOFF]).toBeUndefined(); // the state never goes back
  });

  it("stream: an agent.handoff frame (without the state), then the new agent's frames, seq going on from 0; the final names the chain", async () => {
    const ctx = { session_id: "s-ho-2", conversation_id: "c-ho-2", traceparent: `00-${TRACE}-${CALLER_SPAN}-01` };
    const before = seenBy(agents, "ho.billing-stream").length;
    const frames = await runWithContext(ctx, () =>
      collect(client.streamInvoke("ho.triage-stream", { invoice: "INV-3" }, { timeoutMs: 10_000, metadata: deadlineMetadata(10_000) })),
    );
    expect(frames.map((f) => f.type)).toEqual(["started", "delta", "event", "started", "delta", "delta", "final"]);
    expect(frames.map((f) => f.envelope?.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const shown = handoffFrameOf(frames[2]!);
    expect(shown).toMatchObject({
      from: "ho.triage-stream",
      to: "ho.billing-stream",
      reason: "invoice question",
      chain: ["ho.triage-stream", "ho.billing-stream"],
    });
    expect(shown).not.toHaveProperty("state");
    expect(frames[2]!.envelope).toMatchObject({ event_type: "agent.handoff", frame_type: "handoff", phase: "working", session_id: "s-ho-2" });
    const text = frames.flatMap((f) => (f.type === "delta" ? [f.delta] : [])).join("");
    expect(text).toBe("triage here; invoice INV-3");
    expect(frames[3]).toMatchObject({ type: "started", meta: { agent: "billing" } });
    const final = frames[6]!;
    expect(final.type === "final" && final.result).toEqual({ total: 42 });
    expect(answerChainOf(final)).toEqual(["ho.triage-stream", "ho.billing-stream"]);

    await waitFor("billing-stream reports what it saw", () => seenBy(agents, "ho.billing-stream").length > before);
    const triage = seenBy(agents, "ho.triage-stream").at(-1)!;
    const billing = seenBy(agents, "ho.billing-stream").at(-1)!;
    expect(billing).toMatchObject({ session_id: "s-ho-2", conversation_id: "c-ho-2", deadline: triage["deadline"] });
    expect(billing["handoff"]).toMatchObject({ state: { invoice: "INV-3" }, deadline: triage["deadline"] });
    expect(parseTraceparent(billing["traceparent"])?.traceId).toBe(TRACE);
    expect(parseTraceparent(billing["traceparent"])?.spanId).not.toBe(parseTraceparent(triage["traceparent"])?.spanId);
  });

  it("an invoke caller of a handing-off stream handler gets the new agent's final and the chain", async () => {
    const answer = await invokeWithHandoff(client, "ho.triage-stream", { invoice: "INV-4" }, { timeoutMs: 10_000 });
    expect(answer).toMatchObject({ value: { total: 42 }, chain: ["ho.triage-stream", "ho.billing-stream"], answeredBy: "ho.billing-stream" });
  });

  it("a cycle A -> B -> A is refused with a typed INVALID_REQUEST (cause cycle, the chain); A never runs twice", async () => {
    const before = seenBy(agents, "ho.loop-a").length;
    const err = await rejection(invokeWithHandoff(client, "ho.loop-a", null, { timeoutMs: 10_000 }));
    expect(err.code).toBe("INVALID_REQUEST");
    expect(handoffRefusal(err)).toBe("cycle");
    expect(err.cause).toMatchObject({ [MetadataKey.HANDOFF]: "cycle", chain: ["ho.loop-a", "ho.loop-b", "ho.loop-a"], target: "ho.loop-a" });
    expect(err.message).toContain("ho.loop-a -> ho.loop-b -> ho.loop-a");
    expect(seenBy(agents, "ho.loop-a").length).toBe(before + 1);
  });

  it("max hops: the hop past the limit the first handoff set is refused (cause max_hops); the agent past it never runs", async () => {
    const err = await rejection(invokeWithHandoff(client, "ho.hop1", null, { timeoutMs: 10_000 }));
    expect(handoffRefusal(err)).toBe("max_hops");
    expect(err.cause).toMatchObject({ chain: ["ho.hop1", "ho.hop2", "ho.hop3", "ho.hop4"], max_hops: 2 });
    await waitFor("hop3 ran", () => seenBy(agents, "ho.hop3").length > 0);
    expect(seenBy(agents, "ho.hop3").at(-1)!["handoff"]).toMatchObject({ chain: ["ho.hop1", "ho.hop2", "ho.hop3"], max_hops: 2 });
    expect(seenBy(agents, "ho.hop4")).toEqual([]);
  });

  it("a target nobody serves: the invoke caller gets NO_HANDLER at once, the stream caller the handoff frame then a NO_HANDLER error frame", async () => {
    const err = await rejection(invokeWithHandoff(client, "ho.to-missing", null, { timeoutMs: 20_000 }));
    expect(err.code).toBe("NO_HANDLER");
    const frames = await collect(client.streamInvoke("ho.to-missing-stream", null, { timeoutMs: 20_000, yieldErrors: true }));
    expect(frames.map((f) => f.type)).toEqual(["event", "error"]);
    expect(handoffFrameOf(frames[0]!)?.to).toBe("ho.nobody");
    const last = frames[1]!;
    expect(last.type === "error" && last.error.code).toBe("NO_HANDLER");
    expect(answerChainOf(last)).toEqual(["ho.to-missing-stream", "ho.nobody"]);
  });

  it("the caller's deadline carries over: a request whose acp.deadline has passed is not handed off (AGENT_TIMEOUT)", async () => {
    const before = seenBy(agents, "ho.billing").length;
    const err = await rejection(client.invoke("ho.triage", { invoice: "late" }, { metadata: { [MetadataKey.DEADLINE]: "2020-01-01T00:00:00Z" } }));
    expect(err.code).toBe("AGENT_TIMEOUT");
    expect(err.message).toContain("deadline 2020-01-01T00:00:00.000Z passed before the handoff");
    expect(seenBy(agents, "ho.billing").length).toBe(before);
  });

  it("cancel of the caller's stream reaches the agent answering after the handoff", async () => {
    const before = agents.events().filter((e) => e["event"] === "canceled").length;
    const call = client.streamInvoke("ho.relay-endless", null, { timeoutMs: 30_000 });
    let deltas = 0;
    for await (const f of call) {
      if (f.type === "delta" && ++deltas === 3) break; // breaking out cancels the stream
    }
    await waitFor("the endless agent reports the cancel", () => agents.events().filter((e) => e["event"] === "canceled").length === before + 1, 15_000);
    expect(agents.events().filter((e) => e["event"] === "ran-out")).toEqual([]);
  });

  it("cancel goes down a chain of two handoffs to the agent answering at its end", async () => {
    const canceled = (): Json[] => agents.events().filter((e) => e["event"] === "canceled" && e["target"] === "ho.endless-front");
    const before = canceled().length;
    const call = client.streamInvoke("ho.relay2", null, { timeoutMs: 30_000 });
    const handoffs: unknown[] = [];
    let deltas = 0;
    for await (const f of call) {
      const h = handoffFrameOf(f);
      if (h !== undefined) handoffs.push(h.chain);
      if (f.type === "delta" && ++deltas === 3) break;
    }
    expect(handoffs).toEqual([
      ["ho.relay2", "ho.mid"],
      ["ho.relay2", "ho.mid", "ho.endless-front"],
    ]);
    await waitFor("the agent at the end of the chain reports the cancel", () => canceled().length === before + 1, 15_000);
  });

  it("a forged acp.handoff that does not name this target is refused by the new agent's handoffOf", async () => {
    const forged = { from: "x", to: "ho.other", chain: ["x", "ho.other"] };
    const before = seenBy(agents, "ho.billing").length;
    await client.invoke("ho.billing", { invoice: "F" }, { metadata: { [MetadataKey.HANDOFF]: forged } }).catch(() => undefined);
    await waitFor("billing ran", () => seenBy(agents, "ho.billing").length > before);
    expect(String((seenBy(agents, "ho.billing").at(-1)!["handoff"] as Json)["refused"])).toContain('to must be the request\'s target "ho.billing"');
  });
});
