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
import Fastify from "fastify";
import { Message, SendMessageRequest, StreamResponse, type Task as SdkTask } from "@a2a-js/sdk";
import { ClientFactory, type Client } from "@a2a-js/sdk/client";
import { createBus } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { sseMessages } from "../../runtime/http/sse-messages.js";
import { join } from "node:path";
import { connectNats } from "../../runtime/nats.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { startPeerProcess } from "../helpers/bus-peer.js";
import {
  a2aContent,
  filePart,
  fileUrlPart,
  isA2aContent,
  partBytes,
  registerRemoteAgent,
  startA2aServer,
  type A2aContent,
  type A2aLimits,
  type Part,
} from "../../runtime/a2a/index.js";

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

// ---------------------------------------------------------------------------------------------
// File and data parts, both ways, and Message answers, over a real HTTP server (schema/a2a/
// mapping.json "parts": A2A content { "a2a.parts": Part[] }, bounds, url schemes).

// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
type Obj = Record<string, any>;

const BYTES = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255, 10]);
const B64 = Buffer.from(BYTES).toString("base64");

interface PartsEnv {
  url: string;
  /** Payloads the handlers received, in order. */
  received: unknown[];
  close(): Promise<void>;
}

/** A server over an in-memory bus whose handlers answer by the request text (see the cases below). */
async function partsServer(limits: A2aLimits = {}): Promise<PartsEnv> {
  const transport = createMemoryTransport();
  const agent = createBus({ agentId: "files-agent", transport });
  const bridge = createBus({ agentId: "files-bridge", transport });
  const received: unknown[] = [];
  const file = filePart(BYTES, { mediaType: "application/octet-stream", filename: "blob.bin" });
  const link = fileUrlPart("https://files.example/report.pdf", { mediaType: "application/pdf", filename: "report.pdf" });
  const sub = agent.handleStream("files", async (req: unknown, w) => {
    received.push(req);
    if (isA2aContent(req) && req["a2a.parts"][0]?.text === "echo") return a2aContent(req["a2a.parts"].slice(1));
    switch (req) {
      case "file":
        return a2aContent([{ text: "here" }, file, link, { data: { pages: 3 } }]);
      case "message":
        return a2aContent([{ text: "direct" }, file], { answer: "message" });
      case "late-message":
        await w.delta("partial");
        return a2aContent([{ text: "late" }], { answer: "message" });
      case "chunks":
        await w.delta({ data: a2aContent([filePart(BYTES.subarray(0, 4), { mediaType: "application/octet-stream", filename: "blob.bin" })]) });
        await w.delta({ data: a2aContent([filePart(BYTES.subarray(4))]) });
        return undefined;
      case "huge":
        return a2aContent([filePart(new Uint8Array(64), { filename: "big.bin" })]);
      case "ask-message":
        // An interrupted final ignores the Message answer: the task waits for input.
        return w.final(a2aContent([{ text: "which file?" }], { answer: "message" }), { phase: "input_required" });
      case "silent":
        // Writes nothing until canceled.
        await new Promise<void>((resolve) => w.signal.addEventListener("abort", () => resolve(), { once: true }));
        return undefined;
      case "bad-url":
        return a2aContent([fileUrlPart("javascript:alert(1)")]);
      default:
        return "ok";
    }
  });
  const server = await startA2aServer({
    bus: bridge,
    auth: "none",
    target: "files",
    // the card declares the file type the tests send (an undeclared one is refused: TCK CORE-SEND-003)
    card: {
      name: "Files",
      description: "d",
      version: "1",
      defaultInputModes: ["text/plain", "application/json", "application/octet-stream", "application/pdf", "image/*"],
    },
    limits,
    messageStreams: true,
  });
  return {
    url: server.url,
    received,
    close: async () => {
      await server.close();
      await sub.unsubscribe();
      await agent.close();
      await bridge.close();
      await transport.close();
    },
  };
}

let rid = 0;
async function call(url: string, method: string, params: unknown, version = "1.0"): Promise<Obj> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(version === "" ? {} : { "A2A-Version": version }) },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rid, method, params }),
  });
  return (await res.json()) as Obj;
}
const msg = (parts: unknown[], extra: Obj = {}): Obj => ({ message: { messageId: `p-${++rid}`, role: "ROLE_USER", parts, ...extra } });

const stream = (url: string, params: unknown): Promise<Obj[]> => streamAs(url, "SendStreamingMessage", params, "1.0");
const stream03 = (url: string, params: unknown): Promise<Obj[]> => streamAs(url, "message/stream", params, "");

async function streamAs(url: string, method: string, params: unknown, version: string): Promise<Obj[]> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...(version === "" ? {} : { "A2A-Version": version }) },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rid, method, params }),
  });
  const out: Obj[] = [];
  if (res.body === null) return out;
  for await (const m of sseMessages(res.body)) out.push((JSON.parse(m.data) as Obj)["result"]);
  return out;
}

describe("file and data parts", () => {
  let env: PartsEnv;
  beforeAll(async () => {
    env = await partsServer({ maxInlineBytesPerPart: 32, maxInlineBytesPerMessage: 48, maxPartsPerMessage: 8 });
  });
  afterAll(async () => {
    await env.close();
  });

  it("a client's file bytes, file URL and data parts reach the handler as A2A content { a2a.parts }", async () => {
    env.received.length = 0;
    const parts = [
      { text: "see attached" },
      { raw: B64, mediaType: "application/octet-stream", filename: "blob.bin" },
      { url: "https://files.example/in.png", mediaType: "image/png", filename: "in.png" },
      { data: { k: [1, 2] } },
    ];
    const r = await call(env.url, "SendMessage", msg(parts));
    expect(r["result"]["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(env.received).toEqual([{ "a2a.parts": parts }]);
    const got = env.received[0] as A2aContent;
    expect(isA2aContent(got)).toBe(true);
    expect([...(partBytes(got["a2a.parts"][1] as Part) ?? [])]).toEqual([...BYTES]);
    // One file part alone is content too (only a single text or data part is unwrapped).
    env.received.length = 0;
    await call(env.url, "SendMessage", msg([{ url: "https://files.example/x" }]));
    expect(env.received).toEqual([{ "a2a.parts": [{ url: "https://files.example/x" }] }]);
  });

  it("a handler's A2A content becomes an artifact with file bytes, a file URL and data", async () => {
    const r = await call(env.url, "SendMessage", msg([{ text: "file" }]));
    const task = r["result"]["task"];
    expect(task["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(task["artifacts"]).toHaveLength(1);
    expect(task["artifacts"][0]["parts"]).toEqual([
      { text: "here" },
      { raw: B64, mediaType: "application/octet-stream", filename: "blob.bin" },
      { url: "https://files.example/report.pdf", mediaType: "application/pdf", filename: "report.pdf" },
      { data: { pages: 3 } },
    ]);
    // 0.3 clients get the same content as 0.3 file parts.
    const v03 = await call(
      env.url,
      "message/send",
      { message: { kind: "message", messageId: "v03-f", role: "user", parts: [{ kind: "text", text: "file" }] } },
      "",
    );
    expect(v03["result"]["artifacts"][0]["parts"][1]).toEqual({ kind: "file", file: { bytes: B64, mimeType: "application/octet-stream", name: "blob.bin" } });
  });

  it("file chunks stream as artifact updates (append after the first) and add up in the task", async () => {
    const events = await stream(env.url, msg([{ text: "chunks" }]));
    const chunks = events.filter((e) => e["artifactUpdate"]).map((e) => e["artifactUpdate"]);
    expect(chunks.map((c) => [c["append"], c["artifact"]["parts"][0]["raw"]])).toEqual([
      [false, Buffer.from(BYTES.subarray(0, 4)).toString("base64")],
      [true, Buffer.from(BYTES.subarray(4)).toString("base64")],
    ]);
    expect(chunks[0]["artifact"]["parts"][0]["filename"]).toBe("blob.bin");
    expect(events.at(-1)?.["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    const task = (await call(env.url, "GetTask", { id: events[0]?.["task"]["id"] }))["result"];
    const joined = Buffer.concat(task["artifacts"][0]["parts"].map((p: Obj) => Buffer.from(p["raw"], "base64")));
    expect([...joined]).toEqual([...BYTES]);
  });

  it("a handler that says so answers SendMessage with a Message, not a Task (1.0 and 0.3)", async () => {
    const r = await call(env.url, "SendMessage", msg([{ text: "message" }]));
    expect(Object.keys(r["result"])).toEqual(["message"]);
    const m = r["result"]["message"];
    expect(m).toMatchObject({ role: "ROLE_AGENT", parts: [{ text: "direct" }, { raw: B64, mediaType: "application/octet-stream", filename: "blob.bin" }] });
    expect(typeof m["messageId"]).toBe("string");
    expect(typeof m["contextId"]).toBe("string");
    expect(m["taskId"]).toBeUndefined();
    // The task behind it is COMPLETED with the message as its status message.
    const listed = (await call(env.url, "ListTasks", { contextId: m["contextId"] }))["result"]["tasks"];
    expect(listed.map((t: Obj) => [t["status"]["state"], t["status"]["message"]["parts"][0]])).toEqual([["TASK_STATE_COMPLETED", { text: "direct" }]]);
    // returnImmediately answers the Task, as always.
    const early = await call(env.url, "SendMessage", { ...msg([{ text: "message" }]), configuration: { returnImmediately: true } });
    expect(Object.keys(early["result"])).toEqual(["task"]);
    const v03 = await call(
      env.url,
      "message/send",
      { message: { kind: "message", messageId: "v03-m", role: "user", parts: [{ kind: "text", text: "message" }] } },
      "",
    );
    expect(v03["result"]).toMatchObject({ kind: "message", role: "agent", parts: [{ kind: "text", text: "direct" }, { kind: "file" }] });
    // A stream whose first frame is the Message answer is that Message alone (A2A: a Message-only stream).
    const events = await stream(env.url, msg([{ text: "message" }]));
    expect(events).toHaveLength(1);
    expect(events[0]?.["message"]).toMatchObject({ role: "ROLE_AGENT", parts: [{ text: "direct" }, { raw: B64 }] });
    // After other frames the stream has shown the Task: the message completes it as its status message.
    const late = await stream(env.url, msg([{ text: "late-message" }]));
    expect(late[0]?.["task"]).toBeDefined();
    expect(late.map((e) => Object.keys(e)[0])).toEqual(["task", "statusUpdate", "artifactUpdate", "statusUpdate"]);
    const last = late.at(-1)?.["statusUpdate"]["status"];
    expect(last["state"]).toBe("TASK_STATE_COMPLETED");
    expect(last["message"]["parts"]).toEqual([{ text: "late" }]);
    // 0.3 streams too.
    const v03s = await stream03(env.url, { message: { kind: "message", messageId: "v03-s", role: "user", parts: [{ kind: "text", text: "message" }] } });
    expect(v03s.map((e) => e["kind"])).toEqual(["message"]);
    const asked = await call(env.url, "SendMessage", msg([{ text: "ask-message" }]));
    expect(asked["result"]["task"]["status"]["state"]).toBe("TASK_STATE_INPUT_REQUIRED");
    expect(asked["result"]["task"]["status"]["message"]["parts"]).toEqual([{ text: "which file?" }]);
    // A plain result still answers a Task.
    expect(Object.keys((await call(env.url, "SendMessage", msg([{ text: "plain" }])))["result"])).toEqual(["task"]);
  });

  it("a stream held for a silent handler still shows the Task, WORKING and CANCELED when the task is canceled before any frame", async () => {
    const reading = stream(env.url, msg([{ text: "silent" }]));
    let id: string | undefined;
    for (let i = 0; i < 200 && id === undefined; i++) {
      const tasks = (await call(env.url, "ListTasks", {}))["result"]["tasks"] as Obj[];
      id = tasks.find((t) => t["status"]["state"] === "TASK_STATE_WORKING")?.["id"];
      if (id === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    expect(id).toBeDefined();
    expect((await call(env.url, "CancelTask", { id }))["result"]["status"]["state"]).toBe("TASK_STATE_CANCELED");
    const events = await reading;
    expect(events.map((e) => e["task"]?.["status"]["state"] ?? e["statusUpdate"]?.["status"]["state"])).toEqual([
      "TASK_STATE_SUBMITTED",
      "TASK_STATE_WORKING",
      "TASK_STATE_CANCELED",
    ]);
  });

  it("refuses inbound parts over the bounds or with a URL the allow-list refuses, naming the field; nothing runs", async () => {
    env.received.length = 0;
    const big = Buffer.alloc(33).toString("base64");
    const cases: [unknown[], RegExp][] = [
      [[{ raw: big }], /message\.parts\[0\]\.raw holds 33 bytes; at most 32 per part/],
      [[{ raw: Buffer.alloc(30).toString("base64") }, { raw: Buffer.alloc(30).toString("base64") }], /message\.parts holds more than 48 inline bytes/],
      // the ProtoJSON reader at the handler's entrance refuses it first, naming the proto field
      [[{ raw: "not base64!" }], /lf\.a2a\.v1\.Part\.raw.*invalid base64/],
      [[{ url: "file:///etc/passwd" }], /message\.parts\[0\]\.url has scheme "file"; allowed: https, http/],
      [[{ url: "https://user:secret@files.example/x" }], /message\.parts\[0\]\.url must not carry user info/],
      [[{ url: "relative/path" }], /message\.parts\[0\]\.url must be an absolute URL/],
      // a Part's content is a proto oneof: the ProtoJSON reader refuses two members first
      [[{ text: "a", url: "https://x.example/" }], /lf\.a2a\.v1\.Part\.content.*oneof set multiple times/],
      [Array.from({ length: 9 }, () => ({ text: "x" })), /message\.parts has 9 parts; at most 8/],
    ];
    for (const [parts, why] of cases) {
      const r = await call(env.url, "SendMessage", msg(parts));
      expect(r["error"]?.["code"], JSON.stringify(parts).slice(0, 80)).toBe(-32602);
      expect(r["error"]["message"]).toMatch(why);
    }
    expect(env.received).toEqual([]);
  });

  it("a handler's parts over the bounds or with a refused URL fail the task with a message naming the problem", async () => {
    const huge = (await call(env.url, "SendMessage", msg([{ text: "huge" }])))["result"]["task"];
    expect(huge["status"]["state"]).toBe("TASK_STATE_FAILED");
    expect(huge["status"]["message"]["parts"][0]["text"]).toMatch(/\[0\]\.raw holds 64 bytes; at most 32 per part/);
    expect(huge["artifacts"]).toBeUndefined();
    const bad = (await call(env.url, "SendMessage", msg([{ text: "bad-url" }])))["result"]["task"];
    expect(bad["status"]["state"]).toBe("TASK_STATE_FAILED");
    expect(bad["status"]["message"]["parts"][0]["text"]).toMatch(/url has scheme "javascript"/);
    expect(bad["status"]["message"]["parts"][1]["data"]["code"]).toBe("INVALID_REQUEST");
  });

  it("never fetches a file URL: a URL at a live local server gets no request", async () => {
    let hits = 0;
    const probe = Fastify();
    probe.all("/*", async () => {
      hits += 1;
      return "x";
    });
    const at = await probe.listen({ host: "127.0.0.1", port: 0 });
    try {
      env.received.length = 0;
      const r = await call(env.url, "SendMessage", msg([{ url: `${at}/secret`, filename: "s" }]));
      expect(r["result"]["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect(env.received).toEqual([{ "a2a.parts": [{ url: `${at}/secret`, filename: "s" }] }]);
      expect(hits).toBe(0);
    } finally {
      await probe.close();
    }
  });
});

describe("files through our own client: a bus caller -> registerRemoteAgent -> our server -> a handler, and back", () => {
  it("sends file parts as A2A content and receives the handler's file parts the same way", async () => {
    const env = await partsServer();
    const transport = createMemoryTransport();
    const caller = createBus({ agentId: "caller", transport });
    const remote = await registerRemoteAgent(caller, "remote-files", { url: env.url });
    try {
      const sent = [{ text: "echo" }, { raw: B64, mediaType: "image/png", filename: "a.png" }, { url: "https://files.example/b" }];
      const out = await caller.invoke("remote-files", a2aContent(sent));
      expect(env.received).toEqual([{ "a2a.parts": sent }]);
      expect(out).toEqual({ "a2a.parts": sent.slice(1) });
      // On the A2A wire they were file parts both ways (not one data part holding the content).
      const [task] = (await call(env.url, "ListTasks", { includeArtifacts: true, historyLength: 10 }))["result"]["tasks"];
      expect(task["history"][0]["parts"]).toEqual(sent);
      expect(task["artifacts"][0]["parts"]).toEqual(sent.slice(1));
    } finally {
      await remote.close();
      await caller.close();
      await transport.close();
      await env.close();
    }
  });
});

describe("@a2a-js/sdk 1.3.0 client: file artifacts and Message answers from our server", () => {
  let env: PartsEnv;
  let client: Client;
  beforeAll(async () => {
    env = await partsServer();
    client = await new ClientFactory().createFromUrl(env.url);
  });
  afterAll(async () => {
    await env.close();
  });
  const sdkMsg = (text: string): SendMessageRequest =>
    SendMessageRequest.fromJSON({ message: { messageId: `sdk-${++rid}`, role: "ROLE_USER", parts: [{ text }] } });

  it("receives a Task whose artifact has file bytes, a file URL and data", async () => {
    const r = await client.sendMessage(sdkMsg("file"));
    expect("artifacts" in r).toBe(true);
    const parts = (r as SdkTask).artifacts[0]?.parts ?? [];
    const raw = parts[1]?.content;
    expect(raw?.$case).toBe("raw");
    expect([...(raw?.$case === "raw" ? raw.value : [])]).toEqual([...BYTES]);
    expect(parts[1]?.filename).toBe("blob.bin");
    expect(parts[1]?.mediaType).toBe("application/octet-stream");
    expect(parts[2]?.content).toEqual({ $case: "url", value: "https://files.example/report.pdf" });
    expect(parts[3]?.content).toEqual({ $case: "data", value: { pages: 3 } });
  });

  it("receives a Message when the handler answers with one", async () => {
    const r = await client.sendMessage(sdkMsg("message"));
    expect("messageId" in r && !("status" in r)).toBe(true);
    const m = Message.toJSON(r as Message) as Obj;
    expect(m["role"]).toBe("ROLE_AGENT");
    expect(m["parts"]).toEqual([{ text: "direct" }, { raw: B64, mediaType: "application/octet-stream", filename: "blob.bin" }]);
  });

  it("receives a Message-only stream when the handler answers with a Message at once", async () => {
    const events: Obj[] = [];
    for await (const ev of client.sendMessageStream(sdkMsg("message"))) events.push(StreamResponse.toJSON(ev) as Obj);
    expect(events.map((e) => Object.keys(e))).toEqual([["message"]]);
    expect(events[0]?.["message"]["parts"][0]).toEqual({ text: "direct" });
  });

  it("streams file chunks as artifact updates the SDK decodes", async () => {
    const bytes: number[] = [];
    for await (const ev of client.sendMessageStream(sdkMsg("chunks"))) {
      const j = StreamResponse.toJSON(ev) as Obj;
      for (const p of j["artifactUpdate"]?.["artifact"]["parts"] ?? []) bytes.push(...Buffer.from(p["raw"], "base64"));
    }
    expect(bytes).toEqual([...BYTES]);
  });
});

describe("a Python handler (the generated SDK) on a real nats-server speaks the same A2A content", () => {
  it("produces file bytes, a file URL and data, receives file parts, and answers with a Message", async () => {
    const root = join(import.meta.dirname, "../..");
    await using nats = await startNatsServer({ noJetStream: true });
    const peer = await startPeerProcess("Python", join(root, ".venv/bin/python"), ["-u", join(root, "test/a2a/peer/parts_handler.py"), nats.url], {
      ...process.env,
      PYTHONPATH: join(root, "generated/python/src"),
    });
    const transport = await connectNats({ servers: nats.url });
    const bridge = createBus({ agentId: "py-bridge", transport });
    const serve = (target: string) =>
      startA2aServer({ bus: bridge, auth: "none", target, card: { name: target, description: "d", version: "1" }, messageStreams: true });
    try {
      await using files = await serve("py.files");
      const task = (await call(files.url, "SendMessage", msg([{ text: "go" }])))["result"]["task"];
      expect(task["artifacts"][0]["parts"]).toEqual([
        { text: "from python" },
        { raw: Buffer.from([0, 255, 1, 254]).toString("base64"), mediaType: "application/octet-stream", filename: "py.bin" },
        { url: "https://files.example/py.pdf", mediaType: "application/pdf" },
        { data: { lang: "python" } },
      ]);
      await using echo = await serve("py.echo-parts");
      const sent = [{ text: "echo" }, { raw: B64, filename: "x.bin" }, { url: "https://files.example/y" }];
      const echoed = (await call(echo.url, "SendMessage", msg(sent)))["result"]["task"];
      expect(echoed["artifacts"][0]["parts"]).toEqual(sent.slice(1));
      await using direct = await serve("py.message");
      const answer = (await call(direct.url, "SendMessage", msg([{ text: "hi" }])))["result"];
      expect(Object.keys(answer)).toEqual(["message"]);
      expect(answer["message"]["parts"]).toEqual([{ text: "python says hi" }]);
    } finally {
      await bridge.close();
      await transport.close();
      await peer.close();
    }
  });
});
