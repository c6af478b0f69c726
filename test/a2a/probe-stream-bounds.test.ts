/**
 * Probe (adversarial review) of resource bounds on streams: one tenant could hold any number of
 * SendStreamingMessage / SubscribeToTask streams open (each a socket and a subscriber queue of
 * up to subscriberHighWater events), over every binding. The protocol-neutral handler now counts
 * them per tenant (maxStreamsPerTenant) and refuses one more with BackpressureDropError.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackpressureDropError } from "../../generated/ts/errors.js";
import type { A2aCaller } from "../../runtime/a2a/auth.js";
import { RPC_HANDLER_DEFAULTS, RpcHandler, type RpcOutcome } from "../../runtime/a2a/rpc-handler.js";
import { restHelpers, sse, startRestEnv, userMessage, type RestEnv, type RestHelpers } from "./rest-env.js";

let env: RestEnv;
let h: RestHelpers;
beforeAll(async () => {
  env = await startRestEnv();
  h = restHelpers(env);
});
afterAll(async () => {
  await env.close();
});

const alice: A2aCaller = { tenant: "tenant-a", principal: "alice", context: {}, authenticated: true };
const carol: A2aCaller = { tenant: "tenant-b", principal: "carol", context: {}, authenticated: true };

function iterate(o: RpcOutcome): AsyncIterator<unknown> {
  if (o.kind !== "stream") throw new Error("expected a stream");
  return o.events[Symbol.asyncIterator]();
}

describe("streams per tenant (probe: resource bounds)", () => {
  it("a tenant holds at most maxStreamsPerTenant streams; closing or ending one frees its slot; other tenants are not affected", async () => {
    const bridge = env.server.bridge;
    const handler = new RpcHandler({
      manager: bridge.manager,
      pushStore: undefined,
      guard: {},
      capabilities: bridge.capabilities,
      maxPageSize: 100,
      defaultPageSize: 50,
      extendedCard: undefined,
      maxStreamsPerTenant: 2,
    });
    const held = await h.heldTask();
    const id = held["id"] as string;
    const s1 = iterate(await handler.handle(alice, "SubscribeToTask", { id }));
    const s2 = iterate(await handler.handle(alice, "SubscribeToTask", { id }));
    expect(handler.openStreams("tenant-a")).toBe(2);
    await expect(handler.handle(alice, "SubscribeToTask", { id })).rejects.toThrow(BackpressureDropError);
    const tasksBefore = bridge.manager.stats().activeTasks;
    await expect(handler.handle(alice, "SendStreamingMessage", { message: userMessage("refused") })).rejects.toThrow(/maxStreamsPerTenant 2/);
    expect(bridge.manager.stats().activeTasks).toBe(tasksBefore); // a refused stream started no task
    // another tenant streams (its own failure is its own: carol cannot see alice's task)
    await expect(handler.handle(carol, "SubscribeToTask", { id })).rejects.toThrow(/not found/i);
    expect(handler.openStreams("tenant-b")).toBe(0);
    // closing a stream frees its slot
    await s1.return?.();
    expect(handler.openStreams("tenant-a")).toBe(1);
    const s3 = iterate(await handler.handle(alice, "SubscribeToTask", { id }));
    // a stream that ends (the task is canceled) frees its slot too
    expect((await h.as("alice", "POST", `/tasks/${id}:cancel`)).status).toBe(200);
    for (const s of [s2, s3]) for (let r = await s.next(); !r.done; r = await s.next());
    expect(handler.openStreams("tenant-a")).toBe(0);
  });

  it("REST and JSON-RPC streams hold a slot while open and free it when their client leaves", async () => {
    const handler = env.server.bridge.handler;
    const held = await h.heldTask();
    const id = held["id"] as string;
    const base = handler.openStreams("tenant-a");
    const streams = [
      await sse(env.server.url, "POST", `/tasks/${id}:subscribe`, undefined, env.auth.alice),
      await sse(env.server.url, "GET", `/tasks/${id}:subscribe`, undefined, env.auth.bob),
      await sse(env.server.url, "POST", "/", { jsonrpc: "2.0", id: 1, method: "SubscribeToTask", params: { id } }, env.auth.alice),
    ];
    for (const s of streams) {
      expect(s.status).toBe(200);
      expect(await s.next()).toBeDefined(); // the task snapshot: the stream is open
    }
    expect(handler.openStreams("tenant-a")).toBe(base + 3);
    for (const s of streams) await s.close();
    for (let i = 0; i < 200 && handler.openStreams("tenant-a") > base; i++) await new Promise((r) => setTimeout(r, 10));
    expect(handler.openStreams("tenant-a")).toBe(base);
    await h.as("alice", "POST", `/tasks/${id}:cancel`);
  });

  it("the default bound is finite", () => {
    expect(Number.isFinite(RPC_HANDLER_DEFAULTS.maxStreamsPerTenant)).toBe(true);
    expect(RPC_HANDLER_DEFAULTS.maxStreamsPerTenant).toBeGreaterThan(0);
  });

  // FINDING (probe; fixed in bridge.ts at merge, this test failed before): the server's
  // `limits` did not reach the handler's maxStreamsPerTenant, so a server can only use the default
  // (1,000). Fix: bridge.ts passes `limits.maxStreamsPerTenant` to new RpcHandler({ … }).
  it("limits.maxStreamsPerTenant of startA2aServer bounds REST streams", async () => {
    const server = await env.start({ limits: { maxStreamsPerTenant: 1 } });
    const helpers = restHelpers({ ...env, server });
    const held = await helpers.heldTask();
    const first = await sse(server.url, "POST", `/tasks/${held["id"]}:subscribe`, undefined, env.auth.alice);
    expect(first.status).toBe(200);
    const second = await sse(server.url, "POST", `/tasks/${held["id"]}:subscribe`, undefined, env.auth.alice);
    await first.close();
    await second.close();
    await helpers.as("alice", "POST", `/tasks/${held["id"]}:cancel`);
    expect(second.status).toBe(429);
  });
});
