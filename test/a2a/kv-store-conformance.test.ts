/**
 * The whole A2A conformance suite (bin/a2a/conformance) with the main server's tasks and
 * push configs on the JetStream KV store of a real nats-server.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, it } from "vitest";
import { CHECKS, startConformanceEnv, type ConformanceEnv } from "../../bin/a2a/conformance/index.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";

let nats: NatsServer;
let nc: NatsConnection;
let env: ConformanceEnv;
beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  env = await startConformanceEnv({ kvStore: { nats: nc, bucket: "a2a_conformance" } });
}, 60_000);
afterAll(async () => {
  await env?.close();
  await nc?.close();
  await nats?.stop();
});

describe("A2A conformance on the JetStream KV store", () => {
  for (const check of CHECKS) {
    it(check.id, async () => {
      await check.run(env);
    });
  }
});
