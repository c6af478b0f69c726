/**
 * A task store write that fails is visible (spec/a2a.md "When the store fails"): counted in
 * stats, logged, and the task does not stay behind in the store. Real pinned nats-server with
 * the JetStream KV store; the failure is a task over the server's max_payload (1 MiB default).
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startA2aServer, type A2aServer } from "../../runtime/a2a/index.js";
import { openKvA2aStores } from "../../runtime/a2a/kv.js";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus, FinalPhase } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { rpcResult, userText } from "../../bin/a2a/conformance/http.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { fresh } from "./store-contract.js";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
type Obj = Record<string, any>;

let nats: NatsServer;
let nc: NatsConnection;
const cleanup: (() => Promise<void>)[] = [];
beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

/** 20 × 64 KiB of artifact: more than max_payload (1 MiB) once the task holds it. */
const CHUNKS = 20;

async function setup(phase: FinalPhase): Promise<{ server: A2aServer; logged: Obj[] }> {
  const transport = createMemoryTransport();
  const agent: Bus = createBus({ agentId: "agent", transport });
  const bridge: Bus = createBus({ agentId: "bridge", transport });
  const sub = agent.handleStream("big", async (_req, w) => {
    for (let i = 0; i < CHUNKS; i++) await w.delta("x".repeat(64 * 1024));
    await w.final(undefined, { phase });
  });
  const stores = await openKvA2aStores(nc, { bucket: `a2a_${fresh()}` });
  const logged: Obj[] = [];
  const server = await startA2aServer({
    bus: bridge,
    target: "big",
    auth: "none",
    card: { name: "f", description: "d", version: "1" },
    heartbeatMs: 0,
    store: stores.tasks,
    pushStore: stores.pushConfigs,
    logger: { error: (fields, msg) => logged.push({ ...fields, msg }) },
  });
  cleanup.push(
    () => transport.close(),
    () => agent.close(),
    () => bridge.close(),
    () => sub.unsubscribe(),
    () => stores.close(),
    () => server.close(),
  );
  return { server, logged };
}

/** GetTask until the task has left memory and the stored copy answers (bounded). */
async function stored(server: A2aServer, id: string): Promise<Obj> {
  for (let i = 0; i < 500 && server.bridge.manager.stats().activeTasks > 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(server.bridge.manager.stats().activeTasks, "the task left memory").toBe(0);
  return rpcResult<Obj>(server.url, "GetTask", { id });
}

describe("A2A task store failures (KV, real nats-server)", () => {
  it("a task that completes too large to store: counted, logged, stored FAILED without artifacts (not WORKING forever)", async () => {
    const { server, logged } = await setup("completed");
    const done = (await rpcResult<Obj>(server.url, "SendMessage", { message: userText("go") }))["task"];
    expect(done["status"]["state"], "the caller saw the agent complete").toBe("TASK_STATE_COMPLETED");
    const s = await stored(server, done["id"]);
    expect(s["status"]["state"], "the stored copy is terminal, so it expires").toBe("TASK_STATE_FAILED");
    expect(s["status"]["message"]["parts"][0]["text"]).toMatch(/could not store task .*max_payload size exceeded/);
    expect(s["artifacts"], "the artifacts that made it too large are not stored").toBeUndefined();
    const stats = server.bridge.manager.stats();
    expect(stats.storeErrors, "the COMPLETED write failed once").toBe(1);
    expect(stats.storeFailedTasks).toBe(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ taskId: done["id"], state: "TASK_STATE_COMPLETED" });
  });

  it("a task not yet terminal whose write fails is failed: the caller gets FAILED with the store error, the store holds FAILED", async () => {
    const { server, logged } = await setup("input_required");
    const out = (await rpcResult<Obj>(server.url, "SendMessage", { message: userText("go") }))["task"];
    expect(out["status"]["state"], "INPUT_REQUIRED could not be stored: the task failed instead").toBe("TASK_STATE_FAILED");
    expect(out["status"]["message"]["parts"][0]["text"]).toMatch(/could not store task/);
    const s = await stored(server, out["id"]);
    expect(s["status"]["state"]).toBe("TASK_STATE_FAILED");
    expect(s["artifacts"]).toBeUndefined();
    const stats = server.bridge.manager.stats();
    expect(stats.storeErrors, "INPUT_REQUIRED and FAILED (still too large) failed; the write without artifacts did not").toBe(2);
    expect(stats.storeFailedTasks).toBe(1);
    expect(logged.map((l) => l["state"])).toEqual(["TASK_STATE_INPUT_REQUIRED", "TASK_STATE_FAILED"]);
  });
});
