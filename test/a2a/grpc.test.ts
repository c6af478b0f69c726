/**
 * The A2A 1.0 gRPC binding over real loopback servers with a grpc-js client made from
 * loadA2aGrpc: every method of lf.a2a.v1.A2AService, errors (status code + google.rpc.Status
 * with ErrorInfo in grpc-status-details-bin), streaming with client cancel and deadlines,
 * Bearer JWT auth and tenants from metadata, the a2a-version metadata, and the bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { A2A_ERRORS, A2A_ERROR_DOMAIN, ERROR_INFO_TYPE } from "../../generated/a2a/index.js";
import { GRPC_CODES, grpcCodeOfReason } from "../../runtime/a2a/grpc-status.js";
import type { A2aErrorReason } from "../../runtime/a2a/errors.js";
import { loadA2aProto, normalizeProtoJson } from "../../runtime/a2a/proto.js";
import { TENANT, artifactText, errorOf, send, startGrpcEnv, stream, unary, until, resultOf, type GrpcEnv, type GrpcMethods, type Obj } from "./grpc-env.js";

let env: GrpcEnv;
let alice: string;
let bob: string;
let carol: string;
let c: GrpcMethods;
const code = (name: string): number => GRPC_CODES[name] as number;

beforeAll(async () => {
  env = await startGrpcEnv();
  alice = await env.token("alice", "tenant-a");
  bob = await env.token("bob", "tenant-a");
  carol = await env.token("carol", "tenant-b");
  c = env.client();
});
afterAll(async () => {
  await env.close();
});

/** A task held by the demo agent ("hold"), started with returnImmediately. */
async function held(token = alice): Promise<Obj> {
  const before = env.demo.holding;
  const r = resultOf(await unary(c, "SendMessage", send("hold", { configuration: { returnImmediately: true } }), env.md(token)));
  await env.demo.waitHolding(before + 1);
  return r["task"];
}

/** Asserts `u` failed with the status of `reason` (from A2A_ERRORS) and its ErrorInfo in the trailer. */
function expectA2aError(u: Awaited<ReturnType<typeof unary>>, reason: A2aErrorReason): void {
  const e = errorOf(u);
  expect(e.code).toBe(grpcCodeOfReason(reason));
  expect(e.status).toEqual({ code: e.code, message: e.details, details: [{ "@type": ERROR_INFO_TYPE, reason, domain: A2A_ERROR_DOMAIN }] });
}

describe("the card", () => {
  it("lists the gRPC interface (GRPC, host:port of the gRPC listener, 1.0) next to JSON-RPC", async () => {
    const card = (await (await fetch(`${env.main.url}/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })).json()) as Obj;
    expect(card["supportedInterfaces"]).toContainEqual({ url: `127.0.0.1:${env.main.grpc?.port}`, protocolBinding: "GRPC", protocolVersion: "1.0" });
    expect(card["supportedInterfaces"][0]["protocolBinding"]).toBe("JSONRPC");
    expect(env.main.grpc?.address).toBe(`127.0.0.1:${env.main.grpc?.port}`);
  });
});

describe("unary methods", () => {
  it("SendMessage waits for the task and answers it completed, with its artifact", async () => {
    const r = resultOf(await unary(c, "SendMessage", send("hello grpc"), env.md(alice)));
    expect(r["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(artifactText(r["task"])).toBe("hello grpc");
    expect(r["task"]["history"][0]["role"]).toBe("ROLE_USER");
  });

  it("SendMessage with historyLength 0 answers no history; GetTask answers the task with at most historyLength messages", async () => {
    const r = resultOf(await unary(c, "SendMessage", send("short", { configuration: { historyLength: 0 } }), env.md(alice)));
    expect(r["task"]["history"]).toBeUndefined();
    const got = resultOf(await unary(c, "GetTask", { id: r["task"]["id"], historyLength: 1 }, env.md(alice)));
    expect(got["id"]).toBe(r["task"]["id"]);
    expect(got["history"]).toHaveLength(1);
    expect(artifactText(got)).toBe("short");
  });

  it("ListTasks filters by contextId and pages", async () => {
    const ctx = `ctx-${Date.now()}`;
    for (const t of ["a", "b", "c"]) resultOf(await unary(c, "SendMessage", send(t, {}, { contextId: ctx }), env.md(alice)));
    const page = resultOf(await unary(c, "ListTasks", { contextId: ctx, pageSize: 2 }, env.md(alice)));
    expect(page["tasks"]).toHaveLength(2);
    expect(page["totalSize"]).toBe(3);
    expect(page["pageSize"]).toBe(2);
    expect(page["nextPageToken"]).toBeTruthy();
    const rest = resultOf(await unary(c, "ListTasks", { contextId: ctx, pageSize: 2, pageToken: page["nextPageToken"] }, env.md(alice)));
    expect(rest["tasks"]).toHaveLength(1);
    const ids = [...page["tasks"], ...rest["tasks"]].map((t: Obj) => t["contextId"]);
    expect(new Set(ids)).toEqual(new Set([ctx]));
  });

  it("CancelTask reaches the running handler and answers the task CANCELED; a terminal task is not cancelable", async () => {
    const before = env.demo.canceled;
    const task = await held();
    const r = resultOf(await unary(c, "CancelTask", { id: task["id"] }, env.md(alice)));
    expect(r["status"]["state"]).toBe("TASK_STATE_CANCELED");
    expect(env.demo.canceled).toBe(before + 1);
    expectA2aError(await unary(c, "CancelTask", { id: task["id"] }, env.md(alice)), "TASK_NOT_CANCELABLE");
  });

  it("push config create / get / list / delete; secrets are not echoed", async () => {
    const task = resultOf(await unary(c, "SendMessage", send("push"), env.md(alice)))["task"];
    const created = resultOf(
      await unary(
        c,
        "CreateTaskPushNotificationConfig",
        { taskId: task["id"], url: "http://127.0.0.1:9/hook", token: "secret", authentication: { scheme: "Bearer", credentials: "cred" } },
        env.md(alice),
      ),
    );
    expect(created["taskId"]).toBe(task["id"]);
    expect(created["id"]).toBeTruthy();
    expect(created["token"]).toBeUndefined();
    expect(created["authentication"]).toEqual({ scheme: "Bearer" });
    const got = resultOf(await unary(c, "GetTaskPushNotificationConfig", { taskId: task["id"], id: created["id"] }, env.md(alice)));
    expect(got).toEqual(created);
    const list = resultOf(await unary(c, "ListTaskPushNotificationConfigs", { taskId: task["id"] }, env.md(alice)));
    expect(list["configs"]).toEqual([created]);
    expect(resultOf(await unary(c, "DeleteTaskPushNotificationConfig", { taskId: task["id"], id: created["id"] }, env.md(alice)))).toEqual({});
    const after = resultOf(await unary(c, "ListTaskPushNotificationConfigs", { taskId: task["id"] }, env.md(alice)));
    expect(after["configs"] ?? []).toEqual([]);
  });

  it("a task holding fields the proto does not define (a JSON-RPC client's extra message field) is answered without them", async () => {
    const body = {
      jsonrpc: "2.0",
      id: 1,
      method: "SendMessage",
      params: { message: { messageId: "extra-1", role: "ROLE_USER", parts: [{ text: "extra" }], surplus: { x: 1 } } },
    };
    const res = await fetch(env.main.url, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json", "A2A-Version": "1.0" },
      body: JSON.stringify(body),
    });
    const id = ((await res.json()) as Obj)["result"]["task"]["id"] as string;
    const got = resultOf(await unary(c, "GetTask", { id }, env.md(alice)));
    expect(got["history"][0]["messageId"]).toBe("extra-1");
    expect(got["history"][0]["surplus"]).toBeUndefined();
  });

  it("GetExtendedAgentCard answers the extended card to an authenticated caller", async () => {
    const card = resultOf(await unary(c, "GetExtendedAgentCard", {}, env.md(alice)));
    expect(card["description"]).toBe("demo agent over gRPC (extended card)");
    expect(card["supportedInterfaces"].map((i: Obj) => i["protocolBinding"])).toContain("GRPC");
  });
});

describe("transport equivalence with JSON-RPC", () => {
  it("GetTask, ListTasks, push config get/list and the extended card answer the same over both bindings (canonical ProtoJSON)", async () => {
    const proto = loadA2aProto();
    const rpc = async (method: string, params: Obj): Promise<Obj> => {
      const res = await fetch(env.main.url, {
        method: "POST",
        headers: { authorization: `Bearer ${alice}`, "content-type": "application/json", "A2A-Version": "1.0" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
      return ((await res.json()) as Obj)["result"];
    };
    const ctx = `equiv-${Date.now()}`;
    const task = resultOf(await unary(c, "SendMessage", send("same", {}, { contextId: ctx }), env.md(alice)))["task"];
    const cfg = resultOf(await unary(c, "CreateTaskPushNotificationConfig", { taskId: task["id"], url: "http://127.0.0.1:9/eq" }, env.md(alice)));
    const calls: [string, Obj][] = [
      ["GetTask", { id: task["id"] }],
      ["ListTasks", { contextId: ctx, includeArtifacts: true }],
      ["GetTaskPushNotificationConfig", { taskId: task["id"], id: cfg["id"] }],
      ["ListTaskPushNotificationConfigs", { taskId: task["id"] }],
      ["GetExtendedAgentCard", {}],
    ];
    for (const [method, params] of calls) {
      const output = proto.method(method)?.output;
      if (output === undefined) throw new Error(method);
      const viaGrpc = resultOf(await unary(c, method, params, env.md(alice)));
      expect(viaGrpc, method).toEqual(normalizeProtoJson(output, await rpc(method, params)));
    }
  });
});

describe("streaming", () => {
  it("SendStreamingMessage streams the Task, WORKING, the artifact chunks, then COMPLETED, and ends", async () => {
    const { events, error } = await stream(c, "SendStreamingMessage", send("count"), env.md(alice));
    expect(error).toBeUndefined();
    const kinds = events.map((e) => Object.keys(e)[0]);
    expect(kinds[0]).toBe("task");
    expect(kinds).toContain("artifactUpdate");
    const last = events.at(-1) as Obj;
    expect(last["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    const chunks = events.filter((e) => e["artifactUpdate"]).map((e) => e["artifactUpdate"]["artifact"]["parts"][0]["text"]);
    expect(chunks.join("")).toBe("1 2 3");
    await until(() => env.main.bridge.handler.openStreams(TENANT) === 0);
  });

  it("SubscribeToTask answers the current Task first, then the events until the task completes", async () => {
    const task = await held();
    const call = c["SubscribeToTask"]?.call(c, { id: task["id"] }, env.md(alice)) as NodeJS.EventEmitter;
    const events: Obj[] = [];
    const closed = new Promise<void>((resolve) => call.on("close", resolve));
    call.on("data", (ev: Obj) => {
      events.push(ev);
      if (events.length === 1) env.demo.release();
    });
    call.on("error", () => undefined);
    await closed;
    expect(events[0]?.["task"]?.["id"]).toBe(task["id"]);
    expect((events.at(-1) as Obj)["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
  });

  it("a client cancel leaves the stream only: the task goes on and completes; the server counts no open stream", async () => {
    const before = env.demo.holding;
    const call = c["SendStreamingMessage"]?.call(c, send("hold"), env.md(alice)) as NodeJS.EventEmitter & { cancel(): void };
    let taskId = "";
    const ended = new Promise<number>((resolve) => call.on("error", (e: { code: number }) => resolve(e.code)));
    call.on("data", (ev: Obj) => {
      taskId ||= ev["task"]?.["id"] ?? "";
    });
    await env.demo.waitHolding(before + 1);
    await until(() => taskId !== "");
    expect(env.main.bridge.handler.openStreams(TENANT)).toBe(1);
    call.cancel();
    expect(await ended).toBe(code("CANCELLED"));
    await until(() => env.main.grpc?.activeStreams() === 0);
    // the handler's per-tenant stream slot is freed too (the binding returns the event iterator)
    await until(() => env.main.bridge.handler.openStreams(TENANT) === 0);
    expect(resultOf(await unary(c, "GetTask", { id: taskId }, env.md(alice)))["status"]["state"]).toBe("TASK_STATE_WORKING");
    env.demo.release();
    await until(async () => resultOf(await unary(c, "GetTask", { id: taskId }, env.md(alice)))["status"]["state"] === "TASK_STATE_COMPLETED");
  });
});

describe("deadlines", () => {
  it("a SendMessage deadline answers DEADLINE_EXCEEDED and cancels the task: its handler sees the cancel", async () => {
    const canceled = env.demo.canceled;
    const ctx = `deadline-${Date.now()}`;
    const r = errorOf(await unary(c, "SendMessage", send("hold", {}, { contextId: ctx }), env.md(alice), { deadline: Date.now() + 300 }));
    expect(r.code).toBe(code("DEADLINE_EXCEEDED"));
    await until(() => env.demo.canceled === canceled + 1);
    const list = resultOf(await unary(c, "ListTasks", { contextId: ctx }, env.md(alice)));
    await until(async () => resultOf(await unary(c, "ListTasks", { contextId: ctx }, env.md(alice)))["tasks"][0]["status"]["state"] === "TASK_STATE_CANCELED");
    expect(list["tasks"]).toHaveLength(1);
  });

  it("a client cancel of a blocking SendMessage cancels the task too", async () => {
    const canceled = env.demo.canceled;
    const holding = env.demo.holding;
    const ctx = `cancel-${Date.now()}`;
    let answered: number | undefined;
    const call = c["SendMessage"]?.call(c, send("hold", {}, { contextId: ctx }), env.md(alice), (err: { code: number } | null) => {
      answered = err?.code ?? 0;
    }) as { cancel(): void };
    await env.demo.waitHolding(holding + 1);
    call.cancel();
    await until(() => answered !== undefined);
    expect(answered).toBe(code("CANCELLED"));
    await until(() => env.demo.canceled === canceled + 1);
    await until(async () => resultOf(await unary(c, "ListTasks", { contextId: ctx }, env.md(alice)))["tasks"][0]["status"]["state"] === "TASK_STATE_CANCELED");
  });

  it("a SendStreamingMessage deadline ends the stream DEADLINE_EXCEEDED and cancels its task", async () => {
    const canceled = env.demo.canceled;
    const { events, error } = await stream(c, "SendStreamingMessage", send("hold"), env.md(alice), { deadline: Date.now() + 300 });
    expect(error && !error.ok ? error.code : undefined).toBe(code("DEADLINE_EXCEEDED"));
    const id = events[0]?.["task"]?.["id"] as string;
    expect(id).toBeTruthy();
    await until(() => env.demo.canceled === canceled + 1);
    await until(async () => resultOf(await unary(c, "GetTask", { id }, env.md(alice)))["status"]["state"] === "TASK_STATE_CANCELED");
    await until(() => env.main.grpc?.activeStreams() === 0);
  });
});

describe("deadlines of SubscribeToTask", () => {
  it("a SubscribeToTask deadline ends the subscription only: the task goes on", async () => {
    const canceled = env.demo.canceled;
    const task = await held();
    const { events, error } = await stream(c, "SubscribeToTask", { id: task["id"] }, env.md(alice), { deadline: Date.now() + 300 });
    expect(error && !error.ok ? error.code : undefined).toBe(code("DEADLINE_EXCEEDED"));
    expect(events[0]?.["task"]?.["id"]).toBe(task["id"]);
    await until(() => env.main.grpc?.activeStreams() === 0);
    expect(resultOf(await unary(c, "GetTask", { id: task["id"] }, env.md(alice)))["status"]["state"]).toBe("TASK_STATE_WORKING");
    expect(env.demo.canceled).toBe(canceled);
    env.demo.release();
    await until(async () => resultOf(await unary(c, "GetTask", { id: task["id"] }, env.md(alice)))["status"]["state"] === "TASK_STATE_COMPLETED");
  });
});

describe("errors: status code from A2A_ERRORS, google.rpc.Status with ErrorInfo in grpc-status-details-bin", () => {
  it("every A2A reason maps to the grpcStatus its A2A_ERRORS entry names", () => {
    for (const info of Object.values(A2A_ERRORS)) expect(grpcCodeOfReason(info.reason as A2aErrorReason)).toBe(GRPC_CODES[info.grpcStatus]);
  });

  it("TaskNotFound: NOT_FOUND", async () => {
    expectA2aError(await unary(c, "GetTask", { id: "no-such-task" }, env.md(alice)), "TASK_NOT_FOUND");
  });

  it("InvalidParams: a message without parts", async () => {
    const r = await unary(c, "SendMessage", { message: { messageId: "m", role: "ROLE_USER", parts: [] } }, env.md(alice));
    expectA2aError(r, "INVALID_PARAMS");
    expect(errorOf(r).details).toMatch(/parts/);
  });

  it("ContentTypeNotSupported: acceptedOutputModes the agent cannot produce", async () => {
    expectA2aError(
      await unary(c, "SendMessage", send("x", { configuration: { acceptedOutputModes: ["image/png"] } }), env.md(alice)),
      "CONTENT_TYPE_NOT_SUPPORTED",
    );
  });

  it("UnsupportedOperation (streaming off, and the extended card with its capability off), PushNotificationNotSupported (push off)", async () => {
    const alt = env.client(env.alt.grpc?.address);
    const { error } = await stream(alt, "SendStreamingMessage", send("x"), env.md());
    expectA2aError(error ?? { ok: true, value: {} }, "UNSUPPORTED_OPERATION");
    expectA2aError(await unary(alt, "ListTaskPushNotificationConfigs", { taskId: "t" }, env.md()), "PUSH_NOTIFICATION_NOT_SUPPORTED");
    // capability off: UnsupportedOperation (A2A 1.0 section 3.3.4), as on JSON-RPC and HTTP+JSON
    expectA2aError(await unary(alt, "GetExtendedAgentCard", {}, env.md()), "UNSUPPORTED_OPERATION");
  });

  it("UnsupportedOperation: SubscribeToTask of a terminal task", async () => {
    const task = resultOf(await unary(c, "SendMessage", send("done"), env.md(alice)))["task"];
    const { error } = await stream(c, "SubscribeToTask", { id: task["id"] }, env.md(alice));
    expectA2aError(error ?? { ok: true, value: {} }, "UNSUPPORTED_OPERATION");
  });
});

describe("auth and tenants (Bearer JWT from the authorization metadata)", () => {
  it("no token, a forged token: UNAUTHENTICATED, before any work; a token bound to no tenant: PERMISSION_DENIED", async () => {
    const none = errorOf(await unary(c, "GetTask", { id: "x" }, env.md()));
    expect(none.code).toBe(code("UNAUTHENTICATED"));
    // not an A2A error: the trailer's Status has code and message, no ErrorInfo
    expect(none.status).toEqual({ code: none.code, message: none.details });
    const untenanted = errorOf(await unary(c, "GetTask", { id: "x" }, env.md(await env.token("dave", ""))));
    expect(untenanted.code).toBe(code("PERMISSION_DENIED"));
    expect(untenanted.details).toMatch(/tenant_id/);
    const forged = await env.token("alice", "tenant-a", true);
    expect(errorOf(await unary(c, "SendMessage", send("x"), env.md(forged))).code).toBe(code("UNAUTHENTICATED"));
    const { error } = await stream(c, "SendStreamingMessage", send("x"), env.md());
    expect(error && !error.ok ? error.code : undefined).toBe(code("UNAUTHENTICATED"));
  });

  it("another tenant's task is not found (no probing); the same tenant's principals share it", async () => {
    const task = resultOf(await unary(c, "SendMessage", send("mine"), env.md(alice)))["task"];
    expectA2aError(await unary(c, "GetTask", { id: task["id"] }, env.md(carol)), "TASK_NOT_FOUND");
    expectA2aError(await unary(c, "CancelTask", { id: task["id"] }, env.md(carol)), "TASK_NOT_FOUND");
    expect(resultOf(await unary(c, "GetTask", { id: task["id"] }, env.md(bob)))["id"]).toBe(task["id"]);
    const listed = resultOf(await unary(c, "ListTasks", {}, env.md(carol)))["tasks"] ?? [];
    expect(listed.map((t: Obj) => t["id"])).not.toContain(task["id"]);
  });

  it("a request tenant other than the token's: PERMISSION_DENIED; the token's own: fine", async () => {
    const r = errorOf(await unary(c, "ListTasks", { tenant: "tenant-b" }, env.md(alice)));
    expect(r.code).toBe(code("PERMISSION_DENIED"));
    expect(r.details).toMatch(/tenant-b/);
    expect(resultOf(await unary(c, "ListTasks", { tenant: "tenant-a" }, env.md(alice)))).toBeDefined();
  });
});

describe("a2a-version metadata", () => {
  it("1.0 and 1.0.x are served; an absent version (0.3) and 2.0 answer VersionNotSupported", async () => {
    expect(resultOf(await unary(c, "ListTasks", {}, env.md(alice, "1.0.3")))).toBeDefined();
    const absent = await unary(c, "ListTasks", {}, env.md(alice, null));
    expectA2aError(absent, "VERSION_NOT_SUPPORTED");
    expect(errorOf(absent).details).toMatch(/0\.3/);
    expectA2aError(await unary(c, "ListTasks", {}, env.md(alice, "2.0")), "VERSION_NOT_SUPPORTED");
  });
});
