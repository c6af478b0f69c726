/**
 * The official @a2a-js/sdk 1.3.0 gRPC client (`@a2a-js/sdk/client/grpc`, its own protobuf
 * codecs and grpc-js) against our gRPC binding: it reads our card, picks the GRPC interface,
 * and sends, streams, gets, lists, cancels, subscribes, does push config CRUD and reads the
 * extended card; our errors come back as its typed errors (decoded from the ErrorInfo in
 * grpc-status-details-bin). Auth: the Bearer JWT as the `authorization` service parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from "@a2a-js/sdk";
import { type Client, ClientFactory, ClientFactoryOptions, type RequestOptions } from "@a2a-js/sdk/client";
import { GrpcTransportFactory } from "@a2a-js/sdk/client/grpc";
import { artifactText, startGrpcEnv, type GrpcEnv, type Obj } from "./grpc-env.js";

let env: GrpcEnv;
let client: Client;
let opts: RequestOptions;
let n = 0;

const message = (text: string, extra: Record<string, unknown> = {}, configuration?: Obj): SendMessageRequest =>
  SendMessageRequest.fromJSON({
    message: { messageId: `sdk-grpc-${++n}`, role: "ROLE_USER", parts: [{ text }], ...extra },
    ...(configuration ? { configuration } : {}),
  });
const json = (t: Task): Obj => Task.toJSON(t) as Obj;

async function held(): Promise<Task> {
  const before = env.demo.holding;
  const r = await client.sendMessage(message("hold", {}, { returnImmediately: true }), opts);
  await env.demo.waitHolding(before + 1);
  if (!("status" in r)) throw new Error("expected a task");
  return r as Task;
}

beforeAll(async () => {
  env = await startGrpcEnv();
  opts = { serviceParameters: { authorization: `Bearer ${await env.token("sdk", "tenant-a")}` } };
  client = await new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new GrpcTransportFactory()], preferredTransports: ["GRPC"] }),
  ).createFromUrl(env.main.url);
});
afterAll(async () => {
  await env.close();
});

describe("@a2a-js/sdk gRPC client against our gRPC binding", () => {
  it("picks our card's GRPC interface and speaks 1.0 over it", () => {
    expect(client.transport.protocolName).toBe("GRPC");
    expect(client.protocolVersion).toBe("1.0");
  });

  it("sends a message and gets the completed task", async () => {
    const t = json((await client.sendMessage(message("hello sdk grpc"), opts)) as Task);
    expect(t["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(artifactText(t)).toBe("hello sdk grpc");
  });

  it("streams Task, status and artifact updates in order", async () => {
    const cases: string[] = [];
    for await (const ev of client.sendMessageStream(message("count"), opts)) cases.push(Object.keys(StreamResponse.toJSON(ev) as object)[0] ?? "?");
    expect(cases).toEqual(["task", "statusUpdate", "artifactUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"]);
  });

  it("gets and lists tasks with paging", async () => {
    const contextId = `sdk-grpc-ctx-${++n}`;
    const a = json((await client.sendMessage(message("a", { contextId }), opts)) as Task);
    await client.sendMessage(message("b", { contextId }), opts);
    expect(json(await client.getTask(GetTaskRequest.fromJSON({ id: a["id"] }), opts))["id"]).toBe(a["id"]);
    const page = await client.listTasks(ListTasksRequest.fromJSON({ contextId, pageSize: 1 }), opts);
    expect(page.tasks).toHaveLength(1);
    expect(page.totalSize).toBe(2);
    const rest = await client.listTasks(ListTasksRequest.fromJSON({ contextId, pageSize: 1, pageToken: page.nextPageToken }), opts);
    expect(rest.tasks[0]?.id).toBe(a["id"]);
    expect(rest.nextPageToken).toBe("");
  });

  it("cancels a running task, reaching the handler", async () => {
    const t = await held();
    const before = env.demo.canceled;
    expect(json(await client.cancelTask(CancelTaskRequest.fromJSON({ id: t.id }), opts))["status"]["state"]).toBe("TASK_STATE_CANCELED");
    expect(env.demo.canceled).toBe(before + 1);
  });

  it("subscribes to a running task: the Task first, then its events", async () => {
    const t = await held();
    const cases: string[] = [];
    for await (const ev of client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: t.id }), opts)) {
      cases.push(Object.keys(StreamResponse.toJSON(ev) as object)[0] ?? "?");
      if (cases.length === 1) env.demo.release();
    }
    expect(cases[0]).toBe("task");
    expect(cases.at(-1)).toBe("statusUpdate");
    expect(json(await client.getTask(GetTaskRequest.fromJSON({ id: t.id }), opts))["status"]["state"]).toBe("TASK_STATE_COMPLETED");
  });

  it("creates, gets, lists and deletes push configs", async () => {
    const t = json((await client.sendMessage(message("push"), opts)) as Task);
    const url = "http://127.0.0.1:9/sdk-grpc-hook";
    const created = await client.createTaskPushNotificationConfig(
      TaskPushNotificationConfig.fromJSON({ taskId: t["id"], url, authentication: { scheme: "Bearer", credentials: "sdk-token" } }),
      opts,
    );
    expect(created.id).not.toBe("");
    expect(created.authentication?.credentials ?? "").toBe("");
    const got = await client.getTaskPushNotificationConfig({ tenant: "", taskId: t["id"], id: created.id }, opts);
    expect(got.url).toBe(url);
    const listed = await client.listTaskPushNotificationConfig({ tenant: "", taskId: t["id"], pageSize: 0, pageToken: "" }, opts);
    expect(listed.configs.map((c) => c.id)).toEqual([created.id]);
    await client.deleteTaskPushNotificationConfig({ tenant: "", taskId: t["id"], id: created.id }, opts);
    expect((await client.listTaskPushNotificationConfig({ tenant: "", taskId: t["id"], pageSize: 0, pageToken: "" }, opts)).configs).toEqual([]);
  });

  it("reads the extended card", async () => {
    // getAgentCard calls GetExtendedAgentCard when the card says capabilities.extendedAgentCard
    const card = await client.getAgentCard(opts);
    expect(card.description).toBe("demo agent over gRPC (extended card)");
    expect(card.supportedInterfaces.map((i) => i.protocolBinding)).toContain("GRPC");
  });

  it("raises its typed errors from our status + ErrorInfo", async () => {
    await expect(client.getTask(GetTaskRequest.fromJSON({ id: "nope" }), opts)).rejects.toMatchObject({ name: "TaskNotFoundError", status: 5 });
    const done = (await client.sendMessage(message("done"), opts)) as Task;
    await expect(client.cancelTask(CancelTaskRequest.fromJSON({ id: done.id }), opts)).rejects.toMatchObject({ name: "TaskNotCancelableError", status: 9 });
    // our code for UnsupportedOperation is the TCK's UNIMPLEMENTED (12), the SDK's own FAILED_PRECONDITION: it maps by the ErrorInfo reason
    const subscribe = async (): Promise<void> => {
      for await (const _ of client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: done.id }), opts)) {
        // no event: the task is terminal
      }
    };
    await expect(subscribe()).rejects.toMatchObject({ name: "UnsupportedOperationError", status: 12 });
  });

  it("without the token its calls are refused UNAUTHENTICATED", async () => {
    await expect(client.sendMessage(message("let me in"))).rejects.toMatchObject({ status: 16 });
  });
});
