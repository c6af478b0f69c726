/**
 * The live setup the conformance checks run against: a memory-transport bus with the demo
 * agent, the main A2A server (every capability on, webhooks allowed to 127.0.0.1 only) and an
 * alternate one (streaming, push and extended card off), a webhook receiver, and a bus for
 * client checks.
 */
import { createBus } from "../../bus/index.js";
import type { Bus } from "../../bus/types.js";
import { createMemoryTransport } from "../../transport/index.js";
import type { Transport } from "../../transport/types.js";
import { startA2aServer, type A2aServer } from "../server.js";
import { serveDemoAgent, type DemoAgent } from "./demo-agent.js";
import { startWebhookReceiver, type WebhookReceiver } from "./receiver.js";

export interface ConformanceEnv extends AsyncDisposable {
  /** Main server base URL (its JSON-RPC endpoint). */
  readonly url: string;
  /** Alternate server: capabilities off. */
  readonly altUrl: string;
  readonly main: A2aServer;
  readonly demo: DemoAgent;
  readonly receiver: WebhookReceiver;
  /** A bus on the same transport, for client checks. */
  readonly bus: Bus;
  close(): Promise<void>;
}

const CARD = { name: "OpenAgentIO demo agent", description: "Echoes text, streams it back, asks for input, fails on request.", version: "1.0.0" };

export async function startConformanceEnv(): Promise<ConformanceEnv> {
  const transport: Transport = createMemoryTransport();
  const agentBus = createBus({ agentId: "demo-agent", transport });
  const bridgeBus = createBus({ agentId: "a2a-bridge", transport });
  const clientBus = createBus({ agentId: "a2a-client", transport });
  const demo = serveDemoAgent(agentBus, "demo");
  const receiver = await startWebhookReceiver();
  const main = await startA2aServer({
    bus: bridgeBus, target: "demo", card: { ...CARD, skills: [{ id: "echo", name: "echo", description: "Echoes text", tags: ["demo"] }] },
    extendedCard: { description: `${CARD.description} (extended card)` },
    webhooks: { allowHosts: ["127.0.0.1"], backoffMs: 20, maxAttempts: 4 },
    heartbeatMs: 0,
  });
  const alt = await startA2aServer({ bus: bridgeBus, target: "demo", card: CARD, streaming: false, pushNotifications: false, heartbeatMs: 0 });
  const close = async (): Promise<void> => {
    await main.close();
    await alt.close();
    await receiver.close();
    await demo.close();
    for (const b of [clientBus, bridgeBus, agentBus]) await b.close();
    await transport.close();
  };
  return { url: main.url, altUrl: alt.url, main, demo, receiver, bus: clientBus, close, [Symbol.asyncDispose]: close };
}
