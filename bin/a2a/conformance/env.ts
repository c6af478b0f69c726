/**
 * The live setup the conformance checks run against: a memory-transport bus with the demo
 * agent, the main A2A server (every capability on, webhooks allowed to 127.0.0.1 only, Bearer
 * JWT auth with the gateway's verifier against a freshly generated ES256 key) and an
 * alternate one (streaming, push and extended card off; auth "none", the development mode),
 * a webhook receiver, and a bus for client checks.
 */
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { createJwtVerifier } from "../../../runtime/gateway/auth/jwt.js";
import { createBus } from "../../../runtime/bus/index.js";
import type { Bus } from "../../../runtime/bus/types.js";
import { createMemoryTransport } from "../../../runtime/transport/index.js";
import type { Transport } from "../../../runtime/transport/types.js";
import { startA2aServer, type A2aServer, type StartA2aServerOptions } from "../../../runtime/a2a/server.js";
import { serveDemoAgent, type DemoAgent } from "./demo-agent.js";
import { startWebhookReceiver, type WebhookReceiver } from "./receiver.js";
import type { Endpoint } from "./http.js";

export interface ConformanceEnv extends AsyncDisposable {
  /** Main server base URL (its JSON-RPC endpoint). */
  readonly url: string;
  /** The main endpoint with the Authorization of the checks' principal. */
  readonly ep: Endpoint;
  /** Authorization header of the checks' principal ("checker" of tenant "conformance"). */
  readonly authHeaders: Readonly<Record<string, string>>;
  /** A Bearer token signed by the main server's key for `sub` of `tenant` (valid 1 h). */
  token(sub: string, tenant: string): Promise<string>;
  /** Alternate server: capabilities off. */
  readonly altUrl: string;
  readonly main: A2aServer;
  readonly demo: DemoAgent;
  readonly receiver: WebhookReceiver;
  /** A bus on the same transport, for client checks. */
  readonly bus: Bus;
  close(): Promise<void>;
}

/** The tenant of the checks' principal (the demo agent serves it too). */
const TENANT = "conformance";
const CARD = { name: "OpenAgentIO demo agent", description: "Echoes text, streams it back, asks for input, fails on request.", version: "1.0.0" };

/** `main`: extra options of the main server (e.g. `kvStore` to run the checks on the JetStream KV store). */
export async function startConformanceEnv(main: Pick<StartA2aServerOptions, "kvStore"> = {}): Promise<ConformanceEnv> {
  const transport: Transport = createMemoryTransport();
  const agentBus = createBus({ agentId: "demo-agent", transport });
  const bridgeBus = createBus({ agentId: "a2a-bridge", transport });
  const clientBus = createBus({ agentId: "a2a-client", transport });
  const demo = serveDemoAgent(agentBus, "demo", [TENANT]);
  const receiver = await startWebhookReceiver();
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "conformance", alg: "ES256", use: "sig" };
  const token = (sub: string, tenant: string): Promise<string> =>
    new SignJWT({ tenant_id: tenant })
      .setProtectedHeader({ alg: "ES256", kid: "conformance" })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
  const authHeaders = { authorization: `Bearer ${await token("checker", TENANT)}` };
  const mainServer = await startA2aServer({
    ...main,
    bus: bridgeBus,
    target: "demo",
    auth: createJwtVerifier({ jwks: { keys: [jwk] } }),
    card: { ...CARD, skills: [{ id: "echo", name: "echo", description: "Echoes text", tags: ["demo"] }] },
    extendedCard: { description: `${CARD.description} (extended card)` },
    webhooks: { allowHosts: ["127.0.0.1"], backoffMs: 20, maxAttempts: 4 },
    heartbeatMs: 0,
    grpc: true, // the gRPC binding on a port of its own, listed in the card
  });
  const alt = await startA2aServer({ bus: bridgeBus, target: "demo", auth: "none", card: CARD, streaming: false, pushNotifications: false, heartbeatMs: 0 });
  const close = async (): Promise<void> => {
    await mainServer.close();
    await alt.close();
    await receiver.close();
    await demo.close();
    for (const b of [clientBus, bridgeBus, agentBus]) await b.close();
    await transport.close();
  };
  return {
    url: mainServer.url,
    ep: { url: mainServer.url, headers: authHeaders },
    authHeaders,
    token,
    altUrl: alt.url,
    main: mainServer,
    demo,
    receiver,
    bus: clientBus,
    close,
    [Symbol.asyncDispose]: close,
  };
}
