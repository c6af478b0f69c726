/**
 * Resource bounds of the A2A server, count-based (no timing): per-event work does not grow
 * with the task (store writes per stream are constant, a subscriber that does not read holds
 * at most the high-water mark), the task store refuses a full tenant with a typed error and
 * never evicts a working task, terminal tasks expire after their TTL, history and push
 * configs are bounded.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus, StreamClientDefaults } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { createServer } from "node:http";
import {
  createMemoryPushConfigStore,
  createMemoryTaskStore,
  createPushDelivery,
  startA2aServer,
  type A2aServer,
  type TaskStore,
} from "../../runtime/a2a/index.js";
import type { A2aServerOptions } from "../../runtime/a2a/index.js";
import { serveDemoAgent, type DemoAgent } from "../../bin/a2a/conformance/index.js";
import { rpc, rpcResult, sseAll, sseOpen, userText } from "../../bin/a2a/conformance/http.js";
import { BackpressureDropError } from "../../generated/ts/errors.js";
import type { Task } from "../../generated/a2a/index.js";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
type Obj = Record<string, any>;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function setup(extra: Partial<A2aServerOptions> = {}, stream: StreamClientDefaults = {}): Promise<{ server: A2aServer; agent: Bus; demo: DemoAgent }> {
  const transport = createMemoryTransport();
  const agent = createBus({ agentId: "agent", transport });
  const bridge = createBus({ agentId: "bridge", transport, stream });
  const demo = serveDemoAgent(agent, "demo");
  const server = await startA2aServer({
    bus: bridge,
    target: "demo",
    auth: "none",
    card: { name: "l", description: "d", version: "1" },
    heartbeatMs: 0,
    ...extra,
  });
  cleanup.push(
    () => transport.close(),
    () => agent.close(),
    () => bridge.close(),
    () => demo.close(),
    () => server.close(),
  );
  return { server, agent, demo };
}

/** A store that counts writes (whatever the interface calls them) and the bytes they copy. */
function countingStore(inner: TaskStore): { store: TaskStore; writes: () => number; bytes: () => number } {
  let writes = 0;
  let bytes = 0;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (prop === "put" || prop === "update" || prop === "create") {
          writes += 1;
          bytes += JSON.stringify(args).length;
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, writes: () => writes, bytes: () => bytes };
}

/**
 * A bus stream buffer (maxBufferedBytes) that holds all 600 × 64 KiB frames of the flood, so the
 * stalled tests below see the A2A queue, not the bus bound, stop the task. The bus default
 * (8 MiB) bounds what waits in it: the last test of this block covers that.
 */
const BUS_HOLDS_ALL = 64 * 1024 * 1024;

describe("A2A cost per event", () => {
  it("a 2,000-delta stream writes the store a constant number of times, not once per event", async () => {
    const counted = countingStore(createMemoryTaskStore());
    const { server, agent } = await setup({ target: "tokens", store: counted.store });
    const sub = agent.handleStream("tokens", async (_req, w) => {
      for (let i = 0; i < 2000; i++) await w.delta(`t${i} `);
      await w.final();
    });
    cleanup.push(() => sub.unsubscribe());
    const answers = await sseAll(server.url, "SendStreamingMessage", { message: userText("go") });
    expect(answers.filter((a) => (a.result as Obj)["artifactUpdate"]).length).toBe(2000);
    const task = await rpcResult<Obj>(server.url, "GetTask", { id: (answers[0]?.result as Obj | undefined)?.["task"]["id"] });
    expect(task["artifacts"][0]["parts"].length, "every chunk appended").toBe(2000);
    expect(counted.writes(), "create + working + completed (coalesced), independent of the delta count").toBeLessThanOrEqual(4);
    expect(counted.bytes(), "bytes copied into the store stay O(task), not O(task × events)").toBeLessThan(200_000);
  });

  it("a subscriber that does not read holds at most the high-water mark; the rest waits in the bus", async () => {
    const { server, agent } = await setup({ target: "flood", limits: { subscriberHighWater: 8 } }, { maxBufferedBytes: BUS_HOLDS_ALL });
    const sub = agent.handleStream("flood", async (_req, w) => {
      for (let i = 0; i < 600; i++) await w.delta("x".repeat(64 * 1024));
      await w.final();
    });
    cleanup.push(() => sub.unsubscribe());
    const stalled = await sseOpen(server.url, "SendStreamingMessage", { message: userText("flood") });
    // 600 × 64 KiB is more than the socket buffers on both sides hold: the queue fills up.
    const longest = (): number => server.bridge.manager.stats().longestQueue;
    for (let i = 0; i < 1000 && longest() < 8; i++) await new Promise((r) => setTimeout(r, 10));
    expect(longest(), "the queue filled up to the mark (the socket is full) …").toBeGreaterThanOrEqual(8);
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
    expect(longest(), "… and no further").toBeLessThanOrEqual(8 + 3);
    // CancelTask reaches a task that waits for its stalled reader, and so does close.
    const listed = await rpcResult<Obj>(server.url, "ListTasks", {});
    const canceled = await rpcResult<Obj>(server.url, "CancelTask", { id: listed["tasks"][0]["id"] });
    expect(canceled["status"]["state"]).toBe("TASK_STATE_CANCELED");
    await server.close();
    await stalled.close();
  });

  it("close does not wait for a reader that stopped reading", async () => {
    const { server, agent } = await setup({ target: "flood2", limits: { subscriberHighWater: 8 } }, { maxBufferedBytes: BUS_HOLDS_ALL });
    const sub = agent.handleStream("flood2", async (_req, w) => {
      for (let i = 0; i < 600; i++) await w.delta("x".repeat(64 * 1024));
      await w.final();
    });
    cleanup.push(() => sub.unsubscribe());
    const stalled = await sseOpen(server.url, "SendStreamingMessage", { message: userText("flood") });
    for (let i = 0; i < 1000 && server.bridge.manager.stats().longestQueue < 8; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.bridge.manager.stats().longestQueue).toBeGreaterThanOrEqual(8);
    await server.close();
    expect(server.bridge.manager.stats().activeTasks).toBe(0);
    await stalled.close();
  });

  it("a stalled reader with the bus' default stream buffer: the bus drops at its bound, the task fails with BACKPRESSURE_DROP and the agent is canceled", async () => {
    const { server, agent } = await setup({ target: "flood3", limits: { subscriberHighWater: 8 } });
    let written = 0;
    let canceled = false;
    const sub = agent.handleStream("flood3", async (_req, w) => {
      for (let i = 0; i < 600 && !w.signal.aborted; i++) {
        await w.delta("x".repeat(64 * 1024));
        written += 1;
      }
      canceled = w.signal.aborted;
      if (!canceled) await w.final();
    });
    cleanup.push(() => sub.unsubscribe());
    const stalled = await sseOpen(server.url, "SendStreamingMessage", { message: userText("flood") });
    let longest = 0;
    let task: Obj | undefined;
    for (let i = 0; i < 1000; i++) {
      longest = Math.max(longest, server.bridge.manager.stats().longestQueue);
      const listed = await rpcResult<Obj>(server.url, "ListTasks", {});
      task = listed["tasks"][0];
      if (task !== undefined && task["status"]["state"] === "TASK_STATE_FAILED" && canceled) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(task?.["status"]["state"], "the task fails: what waits in the bus is bounded").toBe("TASK_STATE_FAILED");
    expect(JSON.stringify(task?.["status"]["message"]["parts"])).toContain("BACKPRESSURE_DROP");
    expect(canceled, "the agent's handler was sent a cancel").toBe(true);
    expect(written, "and stopped writing before the end of its 600 frames").toBeLessThan(600);
    expect(longest, "the A2A queue never grew past the mark").toBeLessThanOrEqual(8 + 3);
    await server.close();
    expect(server.bridge.manager.stats().activeTasks).toBe(0);
    await stalled.close();
  });
});

describe("A2A task store bounds", () => {
  it("a full tenant gets a typed error; working tasks are never evicted; other limits hold", async () => {
    const { server, demo } = await setup({ limits: { maxTasksPerTenant: 3, maxHistory: 2, maxConfigsPerTask: 2 }, webhooks: { allowHosts: ["127.0.0.1"] } });
    const held: string[] = [];
    for (let i = 0; i < 3; i++) {
      const t = await rpcResult<Obj>(server.url, "SendMessage", { message: userText("hold"), configuration: { returnImmediately: true } });
      held.push(t["task"]["id"]);
    }
    await demo.waitHolding(3);
    const refused = await rpc(server.url, "SendMessage", { message: userText("one too many") });
    expect(refused.error?.message).toMatch(/the task store is full: tenant "" holds 3 tasks \(maxTasksPerTenant\)/);
    for (const id of held)
      expect((await rpcResult<Obj>(server.url, "GetTask", { id }))["status"]["state"], "still there, still working").toBe("TASK_STATE_WORKING");
    const id = held[0] as string;
    for (const n of [1, 2]) await rpcResult(server.url, "CreateTaskPushNotificationConfig", { taskId: id, id: `c${n}`, url: `http://127.0.0.1:9/h${n}` });
    expect((await rpc(server.url, "CreateTaskPushNotificationConfig", { taskId: id, id: "c3", url: "http://127.0.0.1:9/h3" })).error?.message).toMatch(
      /maxConfigsPerTask/,
    );
    expect(
      (await rpcResult<Obj>(server.url, "CreateTaskPushNotificationConfig", { taskId: id, id: "c2", url: "http://127.0.0.1:9/h2b" }))["url"],
      "replacing one is fine",
    ).toBe("http://127.0.0.1:9/h2b");
    demo.release();
    await rpcResult(server.url, "CancelTask", { id: held[1] as string }).catch(() => undefined);
  });

  it("history keeps the newest maxHistory messages", async () => {
    const { server } = await setup({ limits: { maxHistory: 2 } });
    const asked = await rpcResult<Obj>(server.url, "SendMessage", { message: userText("ask") });
    const done = await rpcResult<Obj>(server.url, "SendMessage", { message: userText("Ada", { taskId: asked["task"]["id"] }) });
    expect(done["task"]["history"].map((m: Obj) => m["role"])).toEqual(["ROLE_AGENT", "ROLE_USER"]);
  });

  it("terminal tasks expire after terminalTtlMs and make room; working ones never do (store, injected clock)", async () => {
    let now = 0;
    const expired: string[] = [];
    const store = createMemoryTaskStore({ maxTasksPerTenant: 2, terminalTtlMs: 1000, now: () => now, onExpire: (_t, id) => expired.push(id) });
    const task = (id: string, state: Task["status"]["state"]): Task => ({ id, contextId: "c", status: { state } });
    await store.create({ tenant: "a", owner: "p", task: task("working", "TASK_STATE_WORKING") });
    await store.create({ tenant: "a", owner: "p", task: task("done", "TASK_STATE_WORKING") });
    await store.update("a", task("done", "TASK_STATE_COMPLETED"));
    await expect(store.create({ tenant: "a", owner: "p", task: task("third", "TASK_STATE_WORKING") })).rejects.toBeInstanceOf(BackpressureDropError);
    await store.create({ tenant: "b", owner: "p", task: task("other-tenant", "TASK_STATE_WORKING") });
    now = 999;
    expect((await store.get("a", "done"))?.task.status.state).toBe("TASK_STATE_COMPLETED");
    now = 1000;
    expect(await store.get("a", "done")).toBeUndefined();
    expect(expired).toEqual(["done"]);
    await store.create({ tenant: "a", owner: "p", task: task("third", "TASK_STATE_WORKING") });
    now = 10_000_000;
    expect((await store.get("a", "working"))?.task.status.state, "a working task has no TTL").toBe("TASK_STATE_WORKING");
    await expect(store.create({ tenant: "a", owner: "p", task: task("fourth", "TASK_STATE_WORKING") })).rejects.toThrow(/maxTasksPerTenant/);
    await store.close();
  });

  it("an expired terminal task takes its push configs with it", async () => {
    const pushStore = createMemoryPushConfigStore();
    cleanup.push(() => pushStore.close());
    const { server } = await setup({ limits: { terminalTtlMs: 1000 }, pushStore, webhooks: { allowHosts: ["127.0.0.1"] } });
    const t = (await rpcResult<Obj>(server.url, "SendMessage", { message: userText("done") }))["task"];
    await rpcResult(server.url, "CreateTaskPushNotificationConfig", { taskId: t["id"], url: "http://127.0.0.1:9/h" });
    expect(await pushStore.list(t["id"] as string)).toHaveLength(1);
    let code: number | undefined;
    for (let i = 0; i < 300 && code === undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
      code = (await rpc(server.url, "GetTask", { id: t["id"] })).error?.code;
    }
    expect(code, "expired after terminalTtlMs").toBe(-32001);
    expect(await pushStore.list(t["id"] as string)).toEqual([]);
  });

  it("maxTasks bounds the store across tenants", async () => {
    const store = createMemoryTaskStore({ maxTasks: 2 });
    const task = (id: string): Task => ({ id, contextId: "c", status: { state: "TASK_STATE_WORKING" } });
    await store.create({ tenant: "a", owner: "p", task: task("1") });
    await store.create({ tenant: "b", owner: "p", task: task("2") });
    await expect(store.create({ tenant: "c", owner: "p", task: task("3") })).rejects.toThrow(/the server holds 2 tasks \(maxTasks\)/);
    await store.close();
  });
});

describe("A2A webhook queue bound", () => {
  it("a receiver that never answers holds at most maxPending events per config; the rest are given up and counted", async () => {
    const hung = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          hung.closeAllConnections();
          hung.close(() => r());
        }),
    );
    const port = (hung.address() as { port: number }).port;
    const store = createMemoryPushConfigStore();
    await store.set({ id: "c", taskId: "t", url: `http://127.0.0.1:${port}/hook` });
    const reasons: string[] = [];
    const delivery = createPushDelivery({
      store,
      guard: { allowHosts: ["127.0.0.1"] },
      maxPending: 5,
      timeoutMs: 60_000,
      onGiveUp: (i) => reasons.push(i.reason),
    });
    for (let i = 0; i < 20; i++) await delivery.notify("t", { statusUpdate: { taskId: "t", contextId: "c", status: { state: "TASK_STATE_WORKING" } } });
    expect(delivery.stats().givenUp).toBe(15);
    expect(reasons.every((r) => /5 events already wait for this webhook \(maxPending\)/.test(r))).toBe(true);
    await delivery.close();
    expect(delivery.stats().givenUp, "closing gives up what waited").toBe(20);
    await store.close();
  });
});
