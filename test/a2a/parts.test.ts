/** The A2A bridge's parts one at a time: SSRF guard, memory stores, version negotiation, webhook delivery. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import {
  A2aError,
  cardInfoFromContract,
  checkWebhookUrl,
  createMemoryPushConfigStore,
  createMemoryTaskStore,
  createPushDelivery,
  isPrivateAddress,
  negotiateVersion,
} from "../../runtime/a2a/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../bin/a2a/conformance/index.js";
import type { Task } from "../../generated/a2a/index.js";

const reasonOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof A2aError ? err.reason : "not an A2aError";
  }
};

describe("SSRF guard", () => {
  it("classifies addresses", () => {
    for (const ip of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "not-an-ip",
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it("checks every resolved address, and honours allowHosts and allowPrivate", async () => {
    const resolve = async (host: string): Promise<string[]> => (host === "public.test" ? ["93.184.216.34"] : ["93.184.216.34", "10.0.0.7"]);
    await expect(checkWebhookUrl("https://public.test/hook", { resolve })).resolves.toBeUndefined();
    expect(await reasonOf(checkWebhookUrl("https://rebind.test/hook", { resolve }))).toBe("INVALID_PARAMS");
    expect(await reasonOf(checkWebhookUrl("http://127.0.0.1:1/hook"))).toBe("INVALID_PARAMS");
    expect(await reasonOf(checkWebhookUrl("file:///etc/passwd", { allowPrivate: true }))).toBe("INVALID_PARAMS");
    await expect(checkWebhookUrl("http://127.0.0.1:1/hook", { allowHosts: ["127.0.0.1"] })).resolves.toBeUndefined();
    await expect(checkWebhookUrl("http://10.0.0.1/hook", { allowPrivate: true })).resolves.toBeUndefined();
  });
});

describe("memory stores", () => {
  const task = (id: string, contextId: string, state: Task["status"]["state"], timestamp: string): Task => ({ id, contextId, status: { state, timestamp } });

  it("lists newest first with filters and opaque page tokens, and copies values", async () => {
    const store = createMemoryTaskStore();
    const put = (t: Task): Promise<void> => store.create({ tenant: "t1", owner: "p", task: t });
    await put(task("a", "c1", "TASK_STATE_COMPLETED", "2025-01-01T00:00:00Z"));
    await put(task("b", "c1", "TASK_STATE_FAILED", "2025-01-02T00:00:00Z"));
    await put(task("c", "c2", "TASK_STATE_COMPLETED", "2025-01-03T00:00:00Z"));
    const p1 = await store.list("t1", { pageSize: 2 });
    expect(p1.tasks.map((t) => t.id)).toEqual(["c", "b"]);
    expect(p1.totalSize).toBe(3);
    const p2 = await store.list("t1", { pageSize: 2, pageToken: p1.nextPageToken });
    expect(p2.tasks.map((t) => t.id)).toEqual(["a"]);
    expect(p2.nextPageToken).toBe("");
    expect((await store.list("t1", { pageSize: 10, contextId: "c1", state: "TASK_STATE_COMPLETED" })).tasks.map((t) => t.id)).toEqual(["a"]);
    expect((await store.list("t1", { pageSize: 10, statusTimestampAfter: "2025-01-02T00:00:00Z" })).tasks.map((t) => t.id)).toEqual(["c", "b"]);
    await expect(store.list("t1", { pageSize: 2, pageToken: "forged" })).rejects.toBeInstanceOf(InvalidRequestError);
    const got = await store.get("t1", "a");
    if (got) got.task.status.state = "TASK_STATE_FAILED";
    expect((await store.get("t1", "a"))?.task.status.state).toBe("TASK_STATE_COMPLETED");
    expect(await store.get("t2", "a"), "another tenant sees nothing").toBeUndefined();
    expect((await store.list("t2", { pageSize: 10 })).totalSize).toBe(0);
    await store.close();
  });

  it("keeps push configs per task", async () => {
    const store = createMemoryPushConfigStore();
    await store.set({ id: "1", taskId: "t", url: "https://x/1" });
    await store.set({ id: "1", taskId: "t", url: "https://x/2" });
    expect(await store.list("t")).toEqual([{ id: "1", taskId: "t", url: "https://x/2" }]);
    expect(await store.delete("t", "1")).toBe(true);
    expect(await store.delete("t", "1")).toBe(false);
    await store.close();
  });
});

describe("A2A-Version negotiation", () => {
  it("serves 1.0 and 0.3, empty means 0.3, others are refused", async () => {
    expect(negotiateVersion(undefined)).toBe("0.3");
    expect(negotiateVersion(" ")).toBe("0.3");
    expect(negotiateVersion("0.3")).toBe("0.3");
    expect(negotiateVersion("1.0")).toBe("1.0");
    expect(negotiateVersion("1.0.7")).toBe("1.0");
    expect(() => negotiateVersion("2.0")).toThrow(expect.objectContaining({ reason: "VERSION_NOT_SUPPORTED" }));
    expect(() => negotiateVersion("", false)).toThrow(expect.objectContaining({ reason: "VERSION_NOT_SUPPORTED" }));
  });
});

describe("webhook delivery", () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it("delivers in order with Authorization, retries 5xx and network errors, gives up after maxAttempts or on the SSRF guard", async () => {
    const store = createMemoryPushConfigStore();
    const gaveUp: string[] = [];
    const push = createPushDelivery({ store, guard: { allowHosts: ["127.0.0.1"] }, backoffMs: 5, maxAttempts: 3, onGiveUp: (i) => gaveUp.push(i.reason) });
    await store.set({ id: "ok", taskId: "t1", url: `${receiver.url}/ok`, token: "tk", authentication: { scheme: "Basic", credentials: "dTpw" } });
    receiver.failNext("/ok", 2);
    for (const n of [1, 2, 3])
      await push.notify("t1", { statusUpdate: { taskId: "t1", contextId: "c", status: { state: "TASK_STATE_WORKING", timestamp: `n${n}` } } });
    await push.idle();
    const ok = receiver.received.filter((h) => h.path === "/ok" && h.status === 200);
    expect(ok.map((h) => (h.body as { statusUpdate: { status: { timestamp: string } } }).statusUpdate.status.timestamp)).toEqual(["n1", "n2", "n3"]);
    expect(ok[0]?.authorization).toBe("Basic dTpw");
    await store.set({ id: "down", taskId: "t2", url: `${receiver.url}/down` });
    receiver.failNext("/down", 100);
    await push.notify("t2", { task: { id: "t2", contextId: "c", status: { state: "TASK_STATE_SUBMITTED" } } });
    await push.idle();
    expect(receiver.received.filter((h) => h.path === "/down")).toHaveLength(3);
    expect(gaveUp).toEqual(["no success after 3 attempts"]);
    await store.set({ id: "gone", taskId: "t3", url: `${receiver.url.replace(/:\d+$/, ":1")}/x` });
    await push.notify("t3", { task: { id: "t3", contextId: "c", status: { state: "TASK_STATE_SUBMITTED" } } });
    await push.idle();
    expect(gaveUp).toEqual(["no success after 3 attempts", "no success after 3 attempts"]);
    await store.set({ id: "private", taskId: "t4", url: "http://10.0.0.1/x" });
    await push.notify("t4", { task: { id: "t4", contextId: "c", status: { state: "TASK_STATE_SUBMITTED" } } });
    await push.idle();
    expect(gaveUp.at(-1)).toMatch(/SSRF guard/);
    expect(push.stats().delivered).toBe(3);
    await push.close();
    await store.close();
  });

  it("close gives up pending retries at once", async () => {
    const store = createMemoryPushConfigStore();
    const push = createPushDelivery({ store, guard: { allowHosts: ["127.0.0.1"] }, backoffMs: 60_000, maxAttempts: 5 });
    await store.set({ id: "slow", taskId: "t", url: `${receiver.url}/slow` });
    receiver.failNext("/slow", 100);
    await push.notify("t", { task: { id: "t", contextId: "c", status: { state: "TASK_STATE_SUBMITTED" } } });
    await receiver.waitFor((h) => h.path === "/slow");
    await push.close();
    expect(push.stats()).toEqual({ delivered: 0, attempts: 1, givenUp: 1 });
  });
});

describe("agent card from a contract", () => {
  it("maps contract skills onto A2A skills", () => {
    expect(
      cardInfoFromContract({
        name: "weather",
        description: "Forecasts",
        version: "2.1.0",
        skills: [{ name: "forecast", description: "Tomorrow", tags: ["wx"] }],
      }),
    ).toEqual({
      name: "weather",
      description: "Forecasts",
      version: "2.1.0",
      skills: [{ id: "forecast", name: "forecast", description: "Tomorrow", tags: ["wx"] }],
    });
  });
});
