/**
 * The official @a2a-js/sdk 1.3.0 client over its HTTP+JSON (REST) transport against our server:
 * it picks our card's HTTP+JSON interface and sends, streams, gets, lists, cancels, subscribes,
 * manages push configs and reads the extended card; our AIP-193 errors become its typed errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelTaskRequest,
  DeleteTaskPushNotificationConfigRequest,
  GetTaskPushNotificationConfigRequest,
  GetTaskRequest,
  ListTaskPushNotificationConfigsRequest,
  ListTasksRequest,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from "@a2a-js/sdk";
import { type Client, ClientFactory, RestTransportFactory, createAuthenticatingFetchWithRetry } from "@a2a-js/sdk/client";
import { startRestEnv, userMessage, type Obj, type RestEnv } from "./rest-env.js";

let env: RestEnv;
let client: Client;
/** The URLs the SDK called (method and path), to show it spoke HTTP+JSON, not JSON-RPC. */
const calls: string[] = [];

const send = (text: string, extra: Obj = {}): SendMessageRequest => SendMessageRequest.fromJSON({ message: userMessage(text), ...extra });
const json = (t: Task): Obj => Task.toJSON(t) as Obj;

beforeAll(async () => {
  env = await startRestEnv();
  const recording: typeof fetch = async (input, init) => {
    const u = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    calls.push(`${init?.method ?? "GET"} ${u.pathname}`);
    return fetch(input, init);
  };
  const authFetch = createAuthenticatingFetchWithRetry(recording, {
    headers: async () => ({ ...env.auth.alice }),
    shouldRetryWithHeaders: async () => undefined,
  });
  // Only the REST transport: the SDK must find our card's HTTP+JSON interface to talk at all.
  client = await new ClientFactory({ transports: [new RestTransportFactory({ fetchImpl: authFetch })] }).createFromUrl(env.server.url);
});
afterAll(async () => {
  await env.close();
});

describe("@a2a-js/sdk REST client against our server", () => {
  it("picks our HTTP+JSON 1.0 interface and sends a message", async () => {
    expect(client.protocolVersion).toBe("1.0");
    calls.length = 0;
    const t = json((await client.sendMessage(send("hello sdk rest"))) as Task);
    expect(t["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(t["artifacts"][0]["parts"].map((p: Obj) => p["text"]).join("")).toBe("hello sdk rest");
    expect(calls).toEqual(["POST /message:send"]);
  });

  it("streams Task, status and artifact updates in order", async () => {
    const cases: string[] = [];
    for await (const ev of client.sendMessageStream(send("count"))) cases.push(Object.keys(StreamResponse.toJSON(ev) as object)[0] ?? "?");
    expect(cases).toEqual(["task", "statusUpdate", "artifactUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"]);
  });

  it("gets a task with historyLength and lists tasks by context", async () => {
    const ctx = `sdk-rest-${Date.now()}`;
    const t = json((await client.sendMessage(SendMessageRequest.fromJSON({ message: userMessage("one", { contextId: ctx }) }))) as Task);
    await client.sendMessage(SendMessageRequest.fromJSON({ message: userMessage("two", { contextId: ctx }) }));
    const got = json(await client.getTask(GetTaskRequest.fromJSON({ id: t["id"], historyLength: 0 })));
    expect(got["id"]).toBe(t["id"]);
    expect(got["history"] ?? []).toEqual([]);
    const list = await client.listTasks(ListTasksRequest.fromJSON({ contextId: ctx, pageSize: 10, includeArtifacts: true }));
    expect(list.tasks.map((x) => x.contextId)).toEqual([ctx, ctx]);
    expect(list.tasks.every((x) => x.artifacts.length > 0)).toBe(true);
  });

  it("cancels a running task and subscribes to one until it completes", async () => {
    const before = env.demo.holding;
    const held = json((await client.sendMessage(send("hold", { configuration: { returnImmediately: true } }))) as Task);
    await env.demo.waitHolding(before + 1);
    const canceled = json(await client.cancelTask(CancelTaskRequest.fromJSON({ id: held["id"] })));
    expect(canceled["status"]["state"]).toBe("TASK_STATE_CANCELED");

    const again = json((await client.sendMessage(send("hold", { configuration: { returnImmediately: true } }))) as Task);
    await env.demo.waitHolding(before + 1);
    const seen: Obj[] = [];
    for await (const ev of client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: again["id"] }))) {
      seen.push(StreamResponse.toJSON(ev) as Obj);
      if (seen.length === 1) env.demo.release();
    }
    expect(seen[0]?.["task"]["id"]).toBe(again["id"]);
    expect(seen.at(-1)?.["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
  });

  it("push config create, get, list, delete", async () => {
    const t = json((await client.sendMessage(send("push"))) as Task);
    const created = await client.createTaskPushNotificationConfig(
      TaskPushNotificationConfig.fromJSON({ taskId: t["id"], id: "cfg-1", url: "http://127.0.0.1:9/hook", token: "secret" }),
    );
    expect(created).toMatchObject({ id: "cfg-1", taskId: t["id"], url: "http://127.0.0.1:9/hook", token: "" });
    const got = await client.getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest.fromJSON({ taskId: t["id"], id: "cfg-1" }));
    expect(got.url).toBe("http://127.0.0.1:9/hook");
    const list = await client.listTaskPushNotificationConfig(ListTaskPushNotificationConfigsRequest.fromJSON({ taskId: t["id"] }));
    expect(list.configs.map((c) => c.id)).toEqual(["cfg-1"]);
    await client.deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest.fromJSON({ taskId: t["id"], id: "cfg-1" }));
    expect((await client.listTaskPushNotificationConfig(ListTaskPushNotificationConfigsRequest.fromJSON({ taskId: t["id"] }))).configs).toEqual([]);
  });

  it("reads the extended card", async () => {
    calls.length = 0;
    const card = await client.getAgentCard();
    expect(card.description).toBe("extended");
    expect(calls).toContain("GET /extendedAgentCard");
  });

  it("our AIP-193 errors become the SDK's typed errors (TaskNotFound, TaskNotCancelable)", async () => {
    const missing = await client.getTask(GetTaskRequest.fromJSON({ id: "no-such-task" })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: "TaskNotFoundError", transport: "rest", statusCode: 404 });
    const done = json((await client.sendMessage(send("done"))) as Task);
    const notCancelable = await client.cancelTask(CancelTaskRequest.fromJSON({ id: done["id"] })).catch((e: unknown) => e);
    expect(notCancelable).toMatchObject({ name: "TaskNotCancelableError", transport: "rest", statusCode: 409 });
  });
});
