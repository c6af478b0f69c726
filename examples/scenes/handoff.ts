/**
 * Scene 2, agent handoff (spec/orchestration.md "Agent handoff"): a triage agent hands the
 * conversation to billing with explicit state; the caller gets billing's answer on the same
 * invoke, and on a stream sees the handoff frame before billing's frames. Billing reads the
 * state and the session it carried; a handoff back to triage is refused as a cycle.
 *
 *   npx tsx examples/scenes/handoff.ts                                  # memory transport
 *   NATS_URL=nats://127.0.0.1:4222 npx tsx examples/scenes/handoff.ts   # the same over NATS
 */
import { createBus, createMemoryTransport, runWithContext, type Transport } from "../../runtime/index.js";
import { deadlineMetadata, handoff, handoffFrameOf, handoffOf, handoffRefusal, handoffStream, invokeWithHandoff } from "../../runtime/orchestration/index.js";

async function transportFromEnv(): Promise<Transport> {
  const url = process.env["NATS_URL"];
  if (url === undefined || url === "") return createMemoryTransport();
  const { connectNats } = await import("../../runtime/nats.js");
  return connectNats({ servers: url });
}

const transport = await transportFromEnv();
const agents = createBus({ agentId: "desk", transport });
const app = createBus({ agentId: "app", transport, ownsTransport: true });

interface Question {
  text: string;
  invoice?: string;
}

// triage answers what it can and hands invoice questions to billing, with the invoice as state
agents.handleInvoke<Question>("triage", (req, ctx) =>
  req.invoice === undefined
    ? { answer: "try turning it off and on" }
    : handoff(agents, ctx, "billing", { state: { invoice: req.invoice }, reason: "invoice question" }),
);
agents.handleStream<Question>("triage-chat", async (req, w, ctx) => {
  await w.delta("Let me get billing for you. ");
  await handoffStream(agents, w, ctx, "billing-chat", { state: { invoice: req.invoice ?? "?" }, reason: "invoice question" });
});

// billing reads the state the handoff carried, and the session that came with it
agents.handleInvoke<Question>("billing", (_req, ctx) => {
  const h = handoffOf(ctx);
  return { answer: `invoice ${String(h?.state?.["invoice"])} is paid`, session: ctx.envelope.session_id, from: h?.from };
});
agents.handleStream<Question>("billing-chat", async (_req, w, ctx) => {
  await w.delta(`Billing here: invoice ${String(handoffOf(ctx)?.state?.["invoice"])} `);
  await w.delta("is paid.");
});
// two agents that hand each other the conversation: the second handoff is refused as a cycle
agents.handleInvoke("loop-a", (_req, ctx) => handoff(agents, ctx, "loop-b"));
agents.handleInvoke("loop-b", (_req, ctx) => handoff(agents, ctx, "loop-a"));
await transport.flush();

try {
  const session = { session_id: "sess-42", conversation_id: "conv-7" };
  const a = await runWithContext(session, () => invokeWithHandoff(app, "triage", { text: "was I charged?", invoice: "INV-7" }, { timeoutMs: 5_000 }));
  console.log(`invoke → ${JSON.stringify(a.value)} answeredBy=${a.answeredBy} chain=${a.chain.join(" -> ")}`);

  const shown: string[] = [];
  for await (const frame of app.streamInvoke(
    "triage-chat",
    { text: "my invoice?", invoice: "INV-8" },
    { timeoutMs: 5_000, metadata: deadlineMetadata(5_000) },
  )) {
    const h = handoffFrameOf(frame);
    if (h !== undefined) shown.push(`[handoff ${h.from} -> ${h.to}: ${h.reason}] `);
    else if (frame.type === "delta") shown.push(frame.delta ?? "");
  }
  console.log(`stream → ${shown.join("")}`);

  const refused = await invokeWithHandoff(app, "loop-a", null, { timeoutMs: 5_000 }).catch((err: unknown) => err);
  console.log(`cycle → ${handoffRefusal(refused) ?? "not refused"}: ${refused instanceof Error ? refused.message : ""}`);
} finally {
  await agents.close();
  await app.close();
}
