/**
 * Params are read as ProtoJSON of each method's request message (runtime/a2a/params.ts
 * readParams, at the entrance of the protocol-neutral handler, so every binding gets it):
 * lowerCamel and original proto field names alike, unknown fields dropped (not stored, not
 * echoed), values checked against their types with errors that name the field. Over a real
 * HTTP server, as the official TCK sends them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadA2aProto, normalizeProtoJson } from "../../runtime/a2a/proto.js";
import { startFixture, type Fixture } from "./a2a-fixture.js";

type Task = { id: string; contextId: string; status: { state: string }; history?: Record<string, unknown>[]; artifacts?: unknown[] };

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

/** A completed task whose history holds the question and both user messages. */
async function multiTurnTask(): Promise<Task> {
  const first = await f.result<{ task: Task }>("SendMessage", { message: f.text("ask") });
  expect(first.task.status.state).toBe("TASK_STATE_INPUT_REQUIRED");
  const done = await f.result<{ task: Task }>("SendMessage", { message: f.text("Ada", { taskId: first.task.id }) });
  expect(done.task.status.state).toBe("TASK_STATE_COMPLETED");
  return done.task;
}

describe("push notification config methods read task_id as well as taskId", () => {
  it("PUSH-CREATE-001/002, PUSH-GET-001, PUSH-LIST-001, PUSH-DEL-001/002: create, get, list, delete with the proto field names", async () => {
    const { task } = await f.result<{ task: Task }>("SendMessage", { message: f.text("hi") });
    const created = await f.result<{ id: string; taskId: string; url: string }>("CreateTaskPushNotificationConfig", {
      task_id: task.id,
      id: "cfg-1",
      url: "http://127.0.0.1:9/hook",
      token: "secret",
    });
    expect(created).toMatchObject({ id: "cfg-1", taskId: task.id, url: "http://127.0.0.1:9/hook" });
    expect(created).not.toHaveProperty("token");
    const got = await f.result<{ id: string }>("GetTaskPushNotificationConfig", { task_id: task.id, id: "cfg-1" });
    expect(got.id).toBe("cfg-1");
    const listed = await f.result<{ configs: { id: string }[]; nextPageToken: string }>("ListTaskPushNotificationConfigs", { task_id: task.id });
    expect(listed.configs.map((c) => c.id)).toEqual(["cfg-1"]);
    expect(await f.result("DeleteTaskPushNotificationConfig", { task_id: task.id, id: "cfg-1" })).toBeNull();
    const after = await f.result<{ configs: unknown[] }>("ListTaskPushNotificationConfigs", { taskId: task.id });
    expect(after.configs).toEqual([]);
    // PUSH-GET-002: a config that is gone is an error naming it
    expect((await f.rpc("GetTaskPushNotificationConfig", { task_id: task.id, id: "cfg-1" })).error?.code).toBe(-32602);
  });

  it("PUSH-DEL-002: deleting a config that is already gone succeeds (idempotent); another task id is still TaskNotFound", async () => {
    const { task } = await f.result<{ task: Task }>("SendMessage", { message: f.text("idempotent") });
    await f.result("CreateTaskPushNotificationConfig", { task_id: task.id, id: "once", url: "http://127.0.0.1:9/hook" });
    expect(await f.result("DeleteTaskPushNotificationConfig", { task_id: task.id, id: "once" })).toBeNull();
    expect(await f.result("DeleteTaskPushNotificationConfig", { task_id: task.id, id: "once" })).toBeNull();
    expect((await f.rpc("DeleteTaskPushNotificationConfig", { task_id: "no-such-task", id: "once" })).error?.code).toBe(-32001);
  });

  it("ListTaskPushNotificationConfigs honours page_size and page_token", async () => {
    const { task } = await f.result<{ task: Task }>("SendMessage", { message: f.text("paged") });
    for (const id of ["a", "b", "c"]) await f.result("CreateTaskPushNotificationConfig", { taskId: task.id, id, url: "http://127.0.0.1:9/hook" });
    const p1 = await f.result<{ configs: { id: string }[]; nextPageToken: string }>("ListTaskPushNotificationConfigs", { task_id: task.id, page_size: 2 });
    expect(p1.configs.map((c) => c.id)).toEqual(["a", "b"]);
    expect(p1.nextPageToken).not.toBe("");
    const p2 = await f.result<{ configs: { id: string }[]; nextPageToken: string }>("ListTaskPushNotificationConfigs", {
      taskId: task.id,
      pageSize: 2,
      pageToken: p1.nextPageToken,
    });
    expect(p2.configs.map((c) => c.id)).toEqual(["c"]);
    expect(p2.nextPageToken).toBe("");
    expect((await f.rpc("ListTaskPushNotificationConfigs", { taskId: task.id, pageToken: "forged" })).error?.code).toBe(-32602);
  });
});

describe("historyLength is honoured under either name", () => {
  it("CORE-HIST-001: GetTask with history_length 0 (and historyLength 0) returns no history", async () => {
    const task = await multiTurnTask();
    const full = await f.result<Task>("GetTask", { id: task.id });
    expect(full.history?.length ?? 0).toBeGreaterThanOrEqual(3);
    expect((await f.result<Task>("GetTask", { id: task.id, history_length: 0 })).history).toBeUndefined();
    expect((await f.result<Task>("GetTask", { id: task.id, historyLength: 0 })).history).toBeUndefined();
  });

  it("CORE-HIST-002: GetTask returns at most history_length messages, the most recent", async () => {
    const task = await multiTurnTask();
    const full = await f.result<Task>("GetTask", { id: task.id });
    const one = await f.result<Task>("GetTask", { id: task.id, history_length: 1 });
    expect(one.history).toEqual(full.history?.slice(-1));
  });

  it("CORE-HIST-003: SendMessage configuration.history_length 0 returns no history", async () => {
    const r = await f.result<{ task: Task }>("SendMessage", { message: f.text("no history"), configuration: { history_length: 0 } });
    expect(r.task.status.state).toBe("TASK_STATE_COMPLETED");
    expect(r.task.history).toBeUndefined();
  });

  it("CORE-HIST-003: SendStreamingMessage configuration.history_length 0 shapes the stream's Task snapshots too", async () => {
    const res = await fetch(f.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", "A2A-Version": "1.0" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "SendStreamingMessage",
        params: { message: f.text("streamed"), configuration: { history_length: 0 } },
      }),
    });
    const events = (await res.text())
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => (JSON.parse(l.slice(6)) as { result: { task?: Task } }).result);
    const first = events[0]?.task;
    expect(first?.id).toBeTruthy();
    expect(first?.history).toBeUndefined();
  });

  it("a negative historyLength is refused, naming the field", async () => {
    const a = await f.rpc("GetTask", { id: "x", history_length: -1 });
    expect(a.error?.code).toBe(-32602);
    expect(a.error?.message).toContain("params.historyLength");
  });
});

describe("values are checked against the proto's types, errors name the field", () => {
  it.each([
    ["ListTasks", { statusTimestampAfter: "-1" }, "params.statusTimestampAfter"],
    ["ListTasks", { status_timestamp_after: "2024-13-45T00:00:00Z" }, "params.statusTimestampAfter"],
    ["ListTasks", { status: "TASK_STATE_BOGUS" }, "status"],
    ["ListTasks", { pageSize: "ten" }, "page_size"],
    ["ListTasks", { page_size: 0 }, "params.pageSize"],
    ["GetTask", { id: 7 }, "id"],
    ["SendMessage", { message: { role: "ROLE_USER", messageId: "m", parts: [{ text: 5 }] } }, "Part.text"],
    ["SendMessage", { message: { role: "ROLE_USER", messageId: "m", parts: [{ text: "a", data: {} }] } }, "Part.content"],
    ["SendMessage", { message: { role: "ROLE_USER", messageId: "m", parts: [{ raw: "not base64!" }] } }, "Part.raw"],
    ["SendMessage", { message: { role: "user", messageId: "m", parts: [{ text: "a" }] } }, "role"],
    ["SendMessage", { message: { role: "ROLE_USER", messageId: "m", parts: [{ text: "a", metadata: [1] }] } }, "params.message.parts[0].metadata"],
  ] as const)("%s %j is INVALID_PARAMS naming the field", async (method, params, field) => {
    const a = await f.rpc(method, params);
    expect(a.error?.code, JSON.stringify(a)).toBe(-32602);
    expect(a.error?.message).toContain(field);
  });

  it("a valid RFC 3339 timestamp with an offset is accepted (the reader normalizes it)", async () => {
    const r = await f.result<{ tasks: unknown[] }>("ListTasks", { status_timestamp_after: "2000-01-01T01:00:00+01:00" });
    expect(Array.isArray(r.tasks)).toBe(true);
  });
});

describe("unknown fields are dropped, everything the proto defines is kept", () => {
  it("DM-SERIAL-005: a message's unknown fields are not stored or echoed; Struct metadata keeps any key; ListTasks then validates against the proto", async () => {
    const message = {
      role: "ROLE_USER",
      message_id: "m-unknown-1",
      parts: [{ text: "unknown fields", media_type: "text/plain", filename: "a.txt", metadata: { any_key: { deep: [1, "x", null] } }, tckPartExtra: 1 }],
      metadata: { "client.key": "v", nested_object: { a: 1 } },
      extensions: ["https://example.com/ext"],
      reference_task_ids: ["t-0"],
      tckUnknownField: "should-be-ignored",
    };
    const r = await f.result<{ task: Task }>("SendMessage", { message, tckExtraParam: 42, metadata: { request_key: true } });
    const stored = (await f.result<Task>("GetTask", { id: r.task.id })).history?.[0];
    expect(stored).toEqual({
      role: "ROLE_USER",
      messageId: "m-unknown-1",
      parts: [{ text: "unknown fields", mediaType: "text/plain", filename: "a.txt", metadata: { any_key: { deep: [1, "x", null] } } }],
      metadata: { "client.key": "v", nested_object: { a: 1 } },
      extensions: ["https://example.com/ext"],
      referenceTaskIds: ["t-0"],
      taskId: r.task.id,
      contextId: r.task.contextId,
    });
    const list = await f.result<Record<string, unknown>>("ListTasks", { contextId: r.task.contextId, historyLength: 10, includeArtifacts: true });
    const proto = loadA2aProto();
    const desc = proto.message("lf.a2a.v1.ListTasksResponse");
    if (desc === undefined) throw new Error("no ListTasksResponse in the proto");
    // strict: an unknown field anywhere in the answer would throw
    expect(() => normalizeProtoJson(desc, list, false)).not.toThrow();
  });
});

/**
 * Every field of every request message of lf.a2a.v1.A2AService, and where its effect is tested.
 * A field the proto gains fails this test until it is read and tested.
 */
const FIELDS: Record<string, Record<string, string>> = {
  "lf.a2a.v1.SendMessageRequest": {
    tenant: "auth.test.ts (params.tenant other than the token's)",
    message: "this file and every SendMessage test",
    configuration: "CORE-HIST-003 above; acceptedOutputModes, returnImmediately, taskPushNotificationConfig: conformance send.* and push.*",
    metadata: "request-metadata.test.ts (reaches the handler)",
  },
  "lf.a2a.v1.GetTaskRequest": { tenant: "auth.test.ts", id: "CORE-HIST-001 above", history_length: "CORE-HIST-001/002 above" },
  "lf.a2a.v1.ListTasksRequest": {
    tenant: "auth.test.ts",
    context_id: "list-tasks-filters.test.ts CORE-LIST-001",
    status: "list-tasks-filters.test.ts status filter",
    page_size: "list-tasks-filters.test.ts CORE-LIST-002",
    page_token: "list-tasks-filters.test.ts CORE-LIST-002",
    history_length: "list-tasks-filters.test.ts history_length",
    status_timestamp_after: "list-tasks-filters.test.ts status_timestamp_after",
    include_artifacts: "list-tasks-filters.test.ts CORE-LIST-005",
  },
  "lf.a2a.v1.CancelTaskRequest": {
    tenant: "auth.test.ts",
    id: "conformance cancel.*",
    metadata: "request-metadata.test.ts (read and type-checked; the bus cancel carries no metadata)",
  },
  "lf.a2a.v1.SubscribeToTaskRequest": { tenant: "auth.test.ts", id: "conformance subscribe.*" },
  "lf.a2a.v1.TaskPushNotificationConfig": {
    tenant: "auth.test.ts",
    id: "PUSH-CREATE above",
    task_id: "PUSH-CREATE above",
    url: "PUSH-CREATE above",
    token: "PUSH-CREATE above (stored, never echoed); webhook delivery tests",
    authentication: "conformance push.* (Authorization header on delivery)",
  },
  "lf.a2a.v1.GetTaskPushNotificationConfigRequest": { tenant: "auth.test.ts", task_id: "PUSH-GET-001 above", id: "PUSH-GET-001 above" },
  "lf.a2a.v1.ListTaskPushNotificationConfigsRequest": {
    tenant: "auth.test.ts",
    task_id: "PUSH-LIST-001 above",
    page_size: "ListTaskPushNotificationConfigs paging above",
    page_token: "ListTaskPushNotificationConfigs paging above",
  },
  "lf.a2a.v1.DeleteTaskPushNotificationConfigRequest": { tenant: "auth.test.ts", task_id: "PUSH-DEL-001 above", id: "PUSH-DEL-001 above" },
  "lf.a2a.v1.GetExtendedAgentCardRequest": { tenant: "auth.test.ts" },
};

describe("every request field", () => {
  it("is listed with the test that shows it is honoured (a new proto field fails here)", () => {
    const proto = loadA2aProto();
    const actual: Record<string, string[]> = {};
    for (const m of proto.service.methods) actual[m.input.typeName] = m.input.fields.map((x) => x.name).sort();
    const listed = Object.fromEntries(Object.entries(FIELDS).map(([t, fs]) => [t, Object.keys(fs).sort()]));
    expect(listed).toEqual(actual);
  });
});

describe("every answer is ProtoJSON of the method's response message", () => {
  it("DM-SERIAL-004 / DM-SERIAL-005: unary results and stream events pass a strict proto reader", async () => {
    const proto = loadA2aProto();
    const strict = (typeName: string, value: unknown): void => {
      const desc = proto.message(typeName);
      if (desc === undefined) throw new Error(`no ${typeName}`);
      expect(() => normalizeProtoJson(desc, value, false), `${typeName}: ${JSON.stringify(value)}`).not.toThrow();
    };
    const sent = await f.result<{ task: Task }>("SendMessage", { message: { ...f.text("strict"), tckUnknownField: 1 } });
    strict("lf.a2a.v1.SendMessageResponse", sent);
    strict("lf.a2a.v1.Task", await f.result("GetTask", { id: sent.task.id }));
    strict("lf.a2a.v1.ListTasksResponse", await f.result("ListTasks", { includeArtifacts: true, historyLength: 5 }));
    strict("lf.a2a.v1.TaskPushNotificationConfig", await f.result("CreateTaskPushNotificationConfig", { taskId: sent.task.id, url: "http://127.0.0.1:9/h" }));
    strict("lf.a2a.v1.ListTaskPushNotificationConfigsResponse", await f.result("ListTaskPushNotificationConfigs", { taskId: sent.task.id }));
    const asked = await f.result<{ task: Task }>("SendMessage", { message: f.text("ask") });
    strict("lf.a2a.v1.Task", await f.result("CancelTask", { id: asked.task.id }));
    const res = await fetch(f.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", "A2A-Version": "1.0" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "SendStreamingMessage", params: { message: { ...f.text("streamed"), tckUnknownField: 1 } } }),
    });
    const events = (await res.text())
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => (JSON.parse(l.slice(6)) as { result: unknown }).result);
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const e of events) strict("lf.a2a.v1.StreamResponse", e);
  });
});
