/**
 * The A2A task and push config stores on JetStream KV (runtime/a2a/kv-store.ts) on the real
 * pinned nats-server: the same contract as the memory stores, plus what only a shared, durable
 * store has — restarts of the A2A server and of nats-server, compare-and-set between two
 * writers, server-side TTL of terminal tasks, tenant-safe keys.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { jetstreamManager } from "@nats-io/jetstream";
import { token } from "../../runtime/a2a/kv-bucket.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMemoryPushConfigStore, createMemoryTaskStore, startA2aServer } from "../../runtime/a2a/index.js";
import { openKvA2aStores, type KvA2aStores } from "../../runtime/a2a/kv.js";
import type { TaskPage } from "../../runtime/a2a/task-store.js";
import { createBus } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { serveDemoAgent } from "../../bin/a2a/conformance/index.js";
import { rpcResult, userText } from "../../bin/a2a/conformance/http.js";
import { InvalidRequestError, TransportFailureError } from "../../generated/ts/errors.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { config, fresh, HOSTILE, storeContract, task } from "./store-contract.js";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
type Obj = Record<string, any>;

let nats: NatsServer;
const conns: NatsConnection[] = [];
const cleanup: (() => Promise<void>)[] = [];
beforeAll(async () => {
  nats = await startNatsServer();
}, 60_000);
afterAll(async () => {
  for (const nc of conns) await nc.close().catch(() => undefined);
  await nats?.stop();
});
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function conn(): Promise<NatsConnection> {
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  conns.push(nc);
  return nc;
}

async function kvStores(opts: Parameters<typeof openKvA2aStores>[1] = {}, nc?: NatsConnection): Promise<KvA2aStores> {
  const s = await openKvA2aStores(nc ?? (await conn()), { bucket: `a2a_${fresh()}`, ...opts });
  cleanup.push(() => s.close());
  return s;
}

/** Raw keys of a bucket as the server holds them. */
async function rawKeys(nc: NatsConnection, bucket: string): Promise<string[]> {
  const kv = await new Kvm(nc).open(bucket);
  const out: string[] = [];
  for await (const k of await kv.keys()) out.push(k);
  return out;
}

storeContract("memory", async (b) => {
  const tasks = createMemoryTaskStore({
    ...(b.maxTasksPerTenant ? { maxTasksPerTenant: b.maxTasksPerTenant } : {}),
    ...(b.maxTasks ? { maxTasks: b.maxTasks } : {}),
  });
  const push = createMemoryPushConfigStore(b.maxConfigsPerTask ? { maxConfigsPerTask: b.maxConfigsPerTask } : {});
  return {
    tasks,
    push,
    close: async () => {
      await tasks.close();
      await push.close();
    },
  };
});

storeContract("JetStream KV", async (b) => {
  const s = await openKvA2aStores(await conn(), { bucket: `a2a_${fresh()}`, ...b });
  return { tasks: s.tasks, push: s.pushConfigs, close: () => s.close() };
});

describe("A2A KV store: durability, revisions, TTL, keys", () => {
  it("tasks and push configs survive a restart of the A2A server on the same bucket (GetTask, ListTasks over JSON-RPC)", async () => {
    const bucket = `a2a_${fresh()}`;
    const nc = await conn();
    const transport = createMemoryTransport();
    const agent = createBus({ agentId: "agent", transport });
    const bridgeBus = createBus({ agentId: "bridge", transport });
    const demo = serveDemoAgent(agent, "demo");
    cleanup.push(
      () => transport.close(),
      () => agent.close(),
      () => bridgeBus.close(),
      () => demo.close(),
    );
    const opts = {
      bus: bridgeBus,
      target: "demo",
      auth: "none" as const,
      card: { name: "k", description: "d", version: "1" },
      heartbeatMs: 0,
      kvStore: { nats: nc, bucket },
      webhooks: { allowHosts: ["127.0.0.1"] },
    };

    const first = await startA2aServer(opts);
    const done = (await rpcResult<Obj>(first.url, "SendMessage", { message: userText("done") }))["task"];
    const asked = (await rpcResult<Obj>(first.url, "SendMessage", { message: userText("ask") }))["task"];
    await rpcResult(first.url, "CreateTaskPushNotificationConfig", { taskId: asked["id"], url: "http://127.0.0.1:9/h" });
    await first.close();

    const second = await startA2aServer(opts);
    cleanup.push(() => second.close());
    expect((await rpcResult<Obj>(second.url, "GetTask", { id: done["id"] }))["status"]["state"]).toBe(done["status"]["state"]);
    expect((await rpcResult<Obj>(second.url, "GetTask", { id: asked["id"] }))["status"]["state"]).toBe("TASK_STATE_INPUT_REQUIRED");
    const listed = await rpcResult<Obj>(second.url, "ListTasks", {});
    expect(listed["tasks"].map((t: Obj) => t["id"])).toEqual([asked["id"], done["id"]]);
    const configs = await rpcResult<Obj>(second.url, "ListTaskPushNotificationConfigs", { taskId: asked["id"] });
    expect(JSON.stringify(configs)).toContain("http://127.0.0.1:9/h");
    // and the task continues on the new server
    const resumed = (await rpcResult<Obj>(second.url, "SendMessage", { message: userText("Ada", { taskId: asked["id"] }) }))["task"];
    expect(resumed["status"]["state"]).toBe("TASK_STATE_COMPLETED");
  });

  it("close: the stores refuse calls after close with an error that says what to do; asyncDispose closes", async () => {
    const s = await openKvA2aStores(await conn(), { bucket: `a2a_${fresh()}` });
    await s.tasks.create({ tenant: "t", owner: "p", task: task("x") });
    await s[Symbol.asyncDispose]();
    await expect(s.tasks.get("t", "x")).rejects.toThrow(/closed; open a new one with openKvA2aStores/);
    await expect(s.pushConfigs.list("x")).rejects.toThrow(/closed; open a new one with openKvA2aStores/);
    await s.close();
  });

  it("kvStore together with store or pushStore is refused, naming both options", async () => {
    const nc = await conn();
    const base = {
      bus: createBus({ agentId: "b", transport: createMemoryTransport() }),
      target: "demo",
      auth: "none" as const,
      card: { name: "k", description: "d", version: "1" },
    };
    cleanup.push(() => base.bus.close());
    await expect(startA2aServer({ ...base, kvStore: { nats: nc }, pushStore: createMemoryPushConfigStore() })).rejects.toThrow(/kvStore and store\/pushStore/);
    await expect(startA2aServer({ ...base, kvStore: { nats: nc }, store: createMemoryTaskStore() })).rejects.toThrow(/kvStore and store\/pushStore/);
  });

  it("tasks and push configs survive a nats-server restart on the same store", async () => {
    const nc = await conn();
    const s = await kvStores({}, nc);
    await s.tasks.create({ tenant: "acme", owner: "alice", task: task("t1") });
    await s.tasks.create({ tenant: "acme", owner: "alice", task: task("t2", "TASK_STATE_COMPLETED") });
    await s.pushConfigs.set(config("t1", "c1"));
    await nats.restart();
    // the connection reconnects by itself: retry the first read for a bounded time
    let page: TaskPage | undefined;
    for (let i = 0; i < 50; i++) {
      try {
        page = await s.tasks.list("acme", { pageSize: 10 });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(page?.tasks.map((t) => t.id)).toEqual(["t2", "t1"]);
    expect((await s.tasks.get("acme", "t2"))?.task.status.state).toBe("TASK_STATE_COMPLETED");
    expect((await s.pushConfigs.list("t1")).map((c) => c.id)).toEqual(["c1"]);
    // a fresh connection and store on the same bucket sees them too
    const again = await openKvA2aStores(await conn(), { bucket: s.bucket });
    cleanup.push(() => again.close());
    expect((await again.tasks.get("acme", "t1"))?.owner).toBe("alice");
  }, 60_000);

  it("compare-and-set: a writer holding an old revision loses with a revision_conflict error; the winner's write stays", async () => {
    const a = await kvStores();
    const b = await openKvA2aStores(await conn(), { bucket: a.bucket });
    cleanup.push(() => b.close());
    await a.tasks.create({ tenant: "t", owner: "p", task: task("x") });
    const seenByA = await a.tasks.getRevisioned("t", "x");
    const seenByB = await b.tasks.getRevisioned("t", "x");
    expect(seenByA?.revision).toBe(seenByB?.revision);
    const rev = await b.tasks.updateAt("t", task("x", "TASK_STATE_INPUT_REQUIRED"), seenByB!.revision);
    expect(rev).toBeGreaterThan(seenByB!.revision);
    const err = await a.tasks.updateAt("t", task("x", "TASK_STATE_AUTH_REQUIRED"), seenByA!.revision).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportFailureError);
    expect((err as TransportFailureError).details).toMatchObject({ reason: "revision_conflict", expected: seenByA!.revision });
    expect((err as TransportFailureError).retryable).toBe(true);
    expect((await a.tasks.get("t", "x"))?.task.status.state, "B's write won").toBe("TASK_STATE_INPUT_REQUIRED");
    // re-read and retry succeeds
    const fresh2 = await a.tasks.getRevisioned("t", "x");
    await a.tasks.updateAt("t", task("x", "TASK_STATE_AUTH_REQUIRED"), fresh2!.revision);
    expect((await b.tasks.get("t", "x"))?.task.status.state).toBe("TASK_STATE_AUTH_REQUIRED");
  });

  it("compare-and-set on the server: of 12 writers racing from the same revision (two connections) exactly one wins; of 12 racing creates of one id exactly one wins", async () => {
    const a = await kvStores();
    const b = await openKvA2aStores(await conn(), { bucket: a.bucket });
    cleanup.push(() => b.close());
    await a.tasks.create({ tenant: "t", owner: "p", task: task("x") });
    const rev = (await a.tasks.getRevisioned("t", "x"))!.revision;
    const racing = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).tasks.updateAt("t", task("x", "TASK_STATE_WORKING", { metadata: { i } }), rev)),
    );
    const won = racing.filter((r) => r.status === "fulfilled");
    expect(won, "exactly one writer holding the revision wins").toHaveLength(1);
    for (const r of racing) if (r.status === "rejected") expect((r.reason as TransportFailureError).details).toMatchObject({ reason: "revision_conflict" });
    const creates = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).tasks.create({ tenant: "t", owner: `p${i}`, task: task("y") })),
    );
    expect(
      creates.filter((r) => r.status === "fulfilled"),
      "exactly one create of an id wins",
    ).toHaveLength(1);
    for (const r of creates) if (r.status === "rejected") expect(String(r.reason)).toMatch(/y exists already/);
  });

  it("update re-reads after a lost race and keeps a terminal state final: a stale 'working' cannot reopen a task another writer canceled", async () => {
    const a = await kvStores();
    const b = await openKvA2aStores(await conn(), { bucket: a.bucket });
    cleanup.push(() => b.close());
    await a.tasks.create({ tenant: "t", owner: "p", task: task("x") });
    await b.tasks.update("t", task("x", "TASK_STATE_CANCELED"));
    const err = await a.tasks.update("t", task("x", "TASK_STATE_WORKING")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as Error).message).toMatch(/already TASK_STATE_CANCELED/);
    expect((await a.tasks.get("t", "x"))?.task.status.state).toBe("TASK_STATE_CANCELED");
    // concurrent writers on one key: every update lands or throws a typed error, none is lost silently
    await a.tasks.create({ tenant: "t", owner: "p", task: task("y") });
    const writes = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).tasks.update("t", task("y", "TASK_STATE_WORKING", { metadata: { i } })));
    const results = await Promise.allSettled(writes);
    const failed = results.filter((r) => r.status === "rejected");
    for (const f of failed) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(TransportFailureError);
    expect(results.length - failed.length, "most writers win after re-reading").toBeGreaterThan(0);
    expect(typeof (await a.tasks.get("t", "y"))?.task.metadata?.["i"]).toBe("number");
  });

  it("a terminal task and its push configs expire by TTL on the server; a working task does not", async () => {
    const nc = await conn();
    const s = await kvStores({ terminalTtlMs: 1000 }, nc);
    await s.tasks.create({ tenant: "t", owner: "p", task: task("done") });
    await s.tasks.create({ tenant: "t", owner: "p", task: task("live") });
    await s.pushConfigs.set(config("done", "before"));
    await s.tasks.update("t", task("done", "TASK_STATE_COMPLETED"));
    await s.pushConfigs.set(config("done", "after"));
    await s.pushConfigs.set(config("live", "c"));
    let keys = await rawKeys(nc, s.bucket);
    expect(keys).toHaveLength(5);
    for (let i = 0; i < 100 && keys.length > 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      keys = await rawKeys(nc, s.bucket);
    }
    expect(keys, "the server removed the terminal task and both of its configs").toHaveLength(2);
    expect(await s.tasks.get("t", "done")).toBeUndefined();
    expect(await s.pushConfigs.list("done")).toEqual([]);
    expect((await s.tasks.get("t", "live"))?.task.status.state).toBe("TASK_STATE_WORKING");
    expect((await s.pushConfigs.list("live")).map((c) => c.id)).toEqual(["c"]);
    // the freed slot counts: with a bound of 2, tenant t (1 live task left) creates one more, then is full
    const bounded = await openKvA2aStores(nc, { bucket: s.bucket, maxTasksPerTenant: 2, terminalTtlMs: 1000 });
    cleanup.push(() => bounded.close());
    await bounded.tasks.create({ tenant: "t", owner: "p", task: task("more") });
    await expect(bounded.tasks.create({ tenant: "t", owner: "p", task: task("one-too-many") })).rejects.toThrow(/tenant "t" holds 2 tasks/);
  }, 30_000);

  it("keys are tenant-safe: every key is three encoded tokens, none holds a raw tenant or id", async () => {
    const nc = await conn();
    const s = await kvStores({ maxConfigsPerTask: HOSTILE.length }, nc);
    for (const tenant of HOSTILE) await s.tasks.create({ tenant, owner: "p", task: task(tenant) });
    for (const id of HOSTILE) await s.pushConfigs.set(config("a.>", id));
    const keys = await rawKeys(nc, s.bucket);
    expect(keys).toHaveLength(HOSTILE.length * 2);
    for (const k of keys) expect(k).toMatch(/^[tp]\.k[-\w]*\.k[-\w]*$/);
    // a tenant named like a wildcard sees only its own task
    expect((await s.tasks.list("*", { pageSize: 100 })).tasks.map((t) => t.id)).toEqual(["*"]);
    expect((await s.tasks.list("a.>", { pageSize: 100 })).tasks.map((t) => t.id)).toEqual(["a.>"]);
  });

  it("reads hide a terminal task past its TTL before the server removes it; a later write carries the remaining TTL, not a new one", async () => {
    const nc = await conn();
    let now = 1_000_000;
    const s = await kvStores({ terminalTtlMs: 10_000, now: () => now }, nc);
    await s.tasks.create({ tenant: "t", owner: "p", task: task("x", "TASK_STATE_COMPLETED") });
    const jsm = await jetstreamManager(nc);
    const ttlHeader = async (): Promise<string | undefined> =>
      (await jsm.streams.getMessage(`KV_${s.bucket}`, { last_by_subj: `$KV.${s.bucket}.t.${token("t")}.${token("x")}` }))?.header.get("Nats-TTL");
    expect(await ttlHeader()).toBe("10s");
    now += 6_000;
    await s.tasks.update("t", task("x", "TASK_STATE_COMPLETED", { metadata: { later: true } }));
    expect(await ttlHeader(), "the TTL counts from the first terminal write").toBe("4s");
    now += 4_000;
    expect(await s.tasks.get("t", "x")).toBeUndefined();
    expect((await s.tasks.list("t", { pageSize: 10 })).totalSize).toBe(0);
    expect(await rawKeys(nc, s.bucket), "still on the server").toHaveLength(1);
  });

  it("creates from one store are serialized: 10 racing creates into a tenant bound of 3 make exactly 3 tasks", async () => {
    const s = await kvStores({ maxTasksPerTenant: 3 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.tasks.create({ tenant: "t", owner: "p", task: task(`c${i}`) })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect((await s.tasks.list("t", { pageSize: 100 })).totalSize).toBe(3);
  });

  it("an existing bucket without per-message TTL is switched on; a key this store did not write is a TRANSPORT_FAILURE naming it", async () => {
    const nc = await conn();
    const bucket = `a2a_${fresh()}`;
    const kv = await new Kvm(nc).create(bucket, { history: 1 });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(`KV_${bucket}`)).config.allow_msg_ttl ?? false).toBe(false);
    await kv.put(`t.${token("t")}.${token("junk")}`, "not json {");
    const s = await kvStores({ bucket }, nc);
    expect((await jsm.streams.info(`KV_${bucket}`)).config.allow_msg_ttl).toBe(true);
    const err = await s.tasks.get("t", "junk").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportFailureError);
    expect((err as Error).message).toMatch(/holds a value this store did not write/);
    expect((err as TransportFailureError).retryable).toBe(false);
  });

  it("a server without JetStream is a TRANSPORT_FAILURE that names the fix", async () => {
    const plain = await startNatsServer({ noJetStream: true });
    cleanup.push(() => plain.stop());
    const nc = await connect({ servers: plain.url });
    cleanup.push(() => nc.close());
    await expect(openKvA2aStores(nc, { bucket: "x" })).rejects.toThrow(/JetStream is not enabled.*-js/);
  });
});
