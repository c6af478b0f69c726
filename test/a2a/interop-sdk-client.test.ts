/**
 * The official @a2a-js/sdk 1.3.0 client (A2A 1.0, and its 0.3 legacy transport) against our
 * server: send, stream, get, list, cancel, subscribe, push config and delivery, multi-turn
 * (INPUT_REQUIRED, then the same task resumed), tool calls as data parts, and the typed errors
 * it raises from our JSON-RPC errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from "@a2a-js/sdk";
import { Client, ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory, createAuthenticatingFetchWithRetry } from "@a2a-js/sdk/client";
import { LegacyJsonRpcTransport } from "@a2a-js/sdk/compat/v0_3/client";
import { DEMO_TOOL_CALL, startConformanceEnv, type ConformanceEnv } from "../../bin/a2a/conformance/index.js";

let env: ConformanceEnv;
let client: Client;
let authFetch: typeof fetch;
// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
type Obj = Record<string, any>;

let n = 0;

const message = (text: string, extra: Record<string, unknown> = {}): SendMessageRequest =>
  SendMessageRequest.fromJSON({ message: { messageId: `sdk-${++n}`, role: "ROLE_USER", parts: [{ text }], ...extra } });
const json = (t: Task): Obj => Task.toJSON(t) as Obj;
const text = (t: Obj): string =>
  (t["artifacts"] ?? [])
    .flatMap((a: Obj) => a["parts"])
    .map((p: Obj) => p["text"])
    .join("");

async function held(): Promise<Task> {
  const before = env.demo.holding;
  const r = await client.sendMessage(
    SendMessageRequest.fromJSON({ ...(SendMessageRequest.toJSON(message("hold")) as object), configuration: { returnImmediately: true } }),
  );
  await env.demo.waitHolding(before + 1);
  if (!("status" in r)) throw new Error("expected a task");
  return r as Task;
}

beforeAll(async () => {
  env = await startConformanceEnv();
  // The SDK's own auth hook: every request carries the Bearer JWT of the checks' principal.
  authFetch = createAuthenticatingFetchWithRetry(fetch, { headers: async () => ({ ...env.authHeaders }), shouldRetryWithHeaders: async () => undefined });
  client = await new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl: authFetch })] }),
  ).createFromUrl(env.url);
});
afterAll(async () => {
  await env.close();
});

describe("@a2a-js/sdk client against our server", () => {
  it("reads our card and speaks 1.0; the card's Bearer JWT scheme parses in the SDK's types", async () => {
    expect(client.protocolVersion).toBe("1.0");
    const card = AgentCard.fromJSON(await (await fetch(new URL("/.well-known/agent-card.json", env.url), { headers: { "A2A-Version": "1.0" } })).json());
    expect(card.securitySchemes["bearer"]?.scheme).toMatchObject({ $case: "httpAuthSecurityScheme", value: { scheme: "Bearer", bearerFormat: "JWT" } });
    expect(Object.keys(card.securityRequirements[0]?.schemes ?? {})).toEqual(["bearer"]);
  });

  it("without the token the SDK's calls are refused", async () => {
    const anonymous = await new ClientFactory().createFromUrl(env.url);
    await expect(anonymous.sendMessage(message("let me in"))).rejects.toThrow(/missing Authorization: Bearer token/);
  });

  it("sends a message and gets the completed task", async () => {
    const r = await client.sendMessage(message("hello sdk"));
    const t = json(r as Task);
    expect(t["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(text(t)).toBe("hello sdk");
  });

  it("streams Task, status and artifact updates in order", async () => {
    const cases: string[] = [];
    for await (const ev of client.sendMessageStream(message("count"))) cases.push(Object.keys(StreamResponse.toJSON(ev) as object)[0] ?? "?");
    expect(cases).toEqual(["task", "statusUpdate", "artifactUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"]);
  });

  it("INPUT_REQUIRED: the agent asks, a later message on the same task and context resumes it to COMPLETED", async () => {
    const asked = json((await client.sendMessage(message("ask"))) as Task);
    expect(asked["status"]["state"]).toBe("TASK_STATE_INPUT_REQUIRED");
    expect(asked["status"]["message"]["parts"]).toEqual([{ text: "What is your name?" }]);
    const done = json((await client.sendMessage(message("Ada", { taskId: asked["id"], contextId: asked["contextId"] }))) as Task);
    expect(done["id"]).toBe(asked["id"]);
    expect(done["contextId"]).toBe(asked["contextId"]);
    expect(done["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(text(done)).toBe("Hello, Ada");
    expect(done["history"].map((m: { role: string }) => m.role)).toEqual(["ROLE_USER", "ROLE_AGENT", "ROLE_USER"]);
  });

  it("INPUT_REQUIRED over streams: the first stream ends interrupted, the second resumes the task", async () => {
    const first: Obj[] = [];
    for await (const ev of client.sendMessageStream(message("ask"))) first.push(StreamResponse.toJSON(ev) as Record<string, unknown>);
    const task = first[0]?.["task"];
    expect(first.at(-1)?.["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_INPUT_REQUIRED");
    const states: string[] = [];
    for await (const ev of client.sendMessageStream(message("Bo", { taskId: task["id"], contextId: task["contextId"] }))) {
      const j = StreamResponse.toJSON(ev) as Obj;
      if (j["task"]) expect(j["task"]["id"]).toBe(task["id"]);
      if (j["statusUpdate"]) states.push(j["statusUpdate"]["status"]["state"]);
    }
    expect(states.at(-1)).toBe("TASK_STATE_COMPLETED");
    expect(text(json(await client.getTask(GetTaskRequest.fromJSON({ id: task["id"] }))))).toBe("Hello, Bo");
  });

  it("streams a handler's tool call as a working status with a data part", async () => {
    const parts: unknown[] = [];
    for await (const ev of client.sendMessageStream(message("tool"))) {
      const j = StreamResponse.toJSON(ev) as Obj;
      if (j["statusUpdate"]?.["status"]?.["message"]) parts.push(...j["statusUpdate"]["status"]["message"]["parts"]);
    }
    expect(parts).toEqual([{ data: DEMO_TOOL_CALL, metadata: { "acp.event_type": "agent.tool.call" } }]);
  });

  it("gets and lists tasks with paging", async () => {
    const contextId = `sdk-ctx-${++n}`;
    const a = json((await client.sendMessage(message("a", { contextId }))) as Task);
    json((await client.sendMessage(message("b", { contextId }))) as Task);
    const got = json(await client.getTask(GetTaskRequest.fromJSON({ id: a["id"] })));
    expect(got["id"]).toBe(a["id"]);
    const page = await client.listTasks(ListTasksRequest.fromJSON({ contextId, pageSize: 1 }));
    expect(page.tasks).toHaveLength(1);
    expect(page.totalSize).toBe(2);
    const rest = await client.listTasks(ListTasksRequest.fromJSON({ contextId, pageSize: 1, pageToken: page.nextPageToken }));
    expect(rest.tasks[0]?.id).toBe(a["id"]);
    expect(rest.nextPageToken).toBe("");
  });

  it("cancels a running task, reaching the handler", async () => {
    const t = await held();
    const before = env.demo.canceled;
    const c = json(await client.cancelTask(CancelTaskRequest.fromJSON({ id: t.id })));
    expect(c["status"]["state"]).toBe("TASK_STATE_CANCELED");
    await expect.poll(() => env.demo.canceled).toBeGreaterThan(before);
  });

  it("subscribes to a running task: the Task first, then its events", async () => {
    const t = await held();
    const cases: string[] = [];
    const sub = (async () => {
      for await (const ev of client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: t.id }))) {
        cases.push(Object.keys(StreamResponse.toJSON(ev) as object)[0] ?? "?");
        if (cases.length === 1) env.demo.release();
      }
    })();
    await sub;
    expect(cases[0]).toBe("task");
    expect(cases.at(-1)).toBe("statusUpdate");
    expect(json(await client.getTask(GetTaskRequest.fromJSON({ id: t.id })))["status"]["state"]).toBe("TASK_STATE_COMPLETED");
  });

  it("creates, gets, lists, deletes push configs and receives webhooks with the Authorization", async () => {
    const t = await held();
    const url = `${env.receiver.url}/sdk-hook`;
    const created = await client.createTaskPushNotificationConfig(
      TaskPushNotificationConfig.fromJSON({ taskId: t.id, url, authentication: { scheme: "Bearer", credentials: "sdk-token" } }),
    );
    expect(created.id).not.toBe("");
    const got = await client.getTaskPushNotificationConfig({ tenant: "", taskId: t.id, id: created.id });
    expect(got.url).toBe(url);
    const listed = await client.listTaskPushNotificationConfig({ tenant: "", taskId: t.id, pageSize: 0, pageToken: "" });
    expect(listed.configs.map((c) => c.id)).toEqual([created.id]);
    env.demo.release();
    const hook = await env.receiver.waitFor(
      (h) => h.path === "/sdk-hook" && (h.body as Obj | undefined)?.["statusUpdate"]?.["status"]?.["state"] === "TASK_STATE_COMPLETED",
    );
    expect(hook.authorization).toBe("Bearer sdk-token");
    await client.deleteTaskPushNotificationConfig({ tenant: "", taskId: t.id, id: created.id });
    expect((await client.listTaskPushNotificationConfig({ tenant: "", taskId: t.id, pageSize: 0, pageToken: "" })).configs).toEqual([]);
  });

  it("raises the SDK's typed errors for our JSON-RPC errors", async () => {
    await expect(client.getTask(GetTaskRequest.fromJSON({ id: "nope" }))).rejects.toMatchObject({ name: "TaskNotFoundError" });
    const done = (await client.sendMessage(message("done"))) as Task;
    await expect(client.cancelTask(CancelTaskRequest.fromJSON({ id: done.id }))).rejects.toMatchObject({ name: "TaskNotCancelableError" });
  });

  it("its 0.3 transport gets 0.3 answers (message/send, message/stream, tasks/get, tasks/cancel)", async () => {
    const card = AgentCard.fromJSON(await (await fetch(new URL("/.well-known/agent-card.json", env.url), { headers: { "A2A-Version": "1.0" } })).json());
    const legacy = new Client(new LegacyJsonRpcTransport({ endpoint: new URL("/", env.url).href, fetchImpl: authFetch }), card);
    expect(legacy.protocolVersion).toBe("0.3");
    const sent = json((await legacy.sendMessage(message("legacy hello"))) as Task);
    expect(sent["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(text(sent)).toBe("legacy hello");
    const cases: string[] = [];
    for await (const ev of legacy.sendMessageStream(message("ab"))) cases.push(Object.keys(StreamResponse.toJSON(ev) as object)[0] ?? "?");
    expect(cases).toEqual(["task", "statusUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"]);
    expect(json(await legacy.getTask(GetTaskRequest.fromJSON({ id: sent["id"] })))["id"]).toBe(sent["id"]);
    const before = env.demo.holding;
    const h = (await legacy.sendMessage(
      SendMessageRequest.fromJSON({ ...(SendMessageRequest.toJSON(message("hold")) as object), configuration: { returnImmediately: true } }),
    )) as Task;
    await env.demo.waitHolding(before + 1);
    expect(json(await legacy.cancelTask(CancelTaskRequest.fromJSON({ id: h.id })))["status"]["state"]).toBe("TASK_STATE_CANCELED");
  });
});
