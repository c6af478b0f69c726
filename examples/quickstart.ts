/**
 * Quickstart: three agents on one bus network — request-reply, a token stream, and events —
 * on the in-process memory transport, or on NATS when NATS_URL is set.
 *
 *   npx tsx examples/quickstart.ts
 *   NATS_URL=nats://127.0.0.1:4222 npx tsx examples/quickstart.ts
 */
import { createBus, createMemoryTransport, type Bus, type Transport } from "../runtime/index.js";
import { connectNats } from "../runtime/nats.js";

async function transportFor(): Promise<Transport> {
  const url = process.env["NATS_URL"];
  return url === undefined ? createMemoryTransport() : connectNats({ servers: url, name: "quickstart" });
}

async function main(): Promise<void> {
  // One transport per process is enough; each agent gets its own bus (its own id).
  const transport = await transportFor();
  const billing: Bus = createBus({ agentId: "billing", transport });
  const writer: Bus = createBus({ agentId: "writer", transport });
  const frontDesk: Bus = createBus({ agentId: "front-desk", transport, ownsTransport: true });

  // 1. Request-reply: the handler's return value is the caller's result; a throw is a typed error.
  billing.handleInvoke<{ account: string }, { balance: number; currency: string }>("billing", async (req, ctx) => {
    // Context (session, trace…) flows into everything sent while handling: no need to pass it.
    await billing.publish("billing.balance_checked", { account: req.account });
    ctx.replyMetadata["source"] = "ledger";
    return { balance: 1042.5, currency: "EUR" };
  });

  // 2. Streaming: write started / delta… / final; the signal fires if the caller gives up.
  writer.handleStream<{ text: string }>("writer", async (req, w) => {
    await w.started({ words: req.text.split(" ").length });
    for (const word of req.text.split(" ")) {
      if (w.signal.aborted) return;
      await w.delta(`${word} `);
    }
    await w.final({ done: true });
  });

  // 3. Events: typed by the EventMap for standard event types; wildcards * and > work.
  frontDesk.subscribe("billing.>", (payload, ctx) => {
    console.log(`event ${ctx.envelope.event_type} (session ${ctx.envelope.session_id}):`, payload);
  });
  await transport.flush(); // subscriptions are live before we send (matters on NATS)

  const balance = await frontDesk.invoke("billing", { account: "ACC-1042" }, { context: { session_id: "sess-1" } });
  console.log("invoke billing →", balance);

  let text = "";
  for await (const frame of frontDesk.streamInvoke("writer", { text: "agents talk in streams too" })) {
    if (frame.type === "delta") text += frame.delta ?? "";
    if (frame.type === "final") console.log("stream writer →", JSON.stringify(text.trim()), frame.result);
  }

  try {
    await frontDesk.invoke("nobody", {});
  } catch (err) {
    console.log("invoke nobody →", (err as Error).name, (err as Error).message);
  }

  // Close drains handlers in flight; the bus that owns the transport closes it last.
  await billing.close();
  await writer.close();
  await frontDesk.close();
}

await main();
