/**
 * The HTTP+JSON (REST) binding over real HTTP: every operation, both ProtoJSON field-name forms
 * in bodies and query strings, errors (HTTP status from A2A_ERRORS + AIP-193 body with
 * google.rpc.ErrorInfo), SSE streams, Bearer JWT auth, tenant paths, content types, versions,
 * and the card's interfaces for the `bindings` option.
 */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { A2A_ERRORS, type StreamResponse } from "../../generated/a2a/index.js";
import { a2aPlugin, type A2aBridge } from "../../runtime/a2a/index.js";
import { a2aErrors } from "../../runtime/a2a/errors.js";
import { createGateway } from "../../runtime/gateway/index.js";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { rest, sse, startRestEnv, userMessage, type Obj, type RestAnswer, type RestEnv } from "./rest-env.js";

let env: RestEnv;
let url: string;
let alice: Record<string, string>;

beforeAll(async () => {
  env = await startRestEnv();
  url = env.server.url;
  alice = env.auth.alice;
});
afterAll(async () => {
  await env.close();
});

const as = (who: keyof RestEnv["auth"], method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestAnswer> =>
  rest(url, method, path, body, { ...env.auth[who], ...headers });

/** The AIP-193 error of an answer, checked: code = HTTP status, one ErrorInfo of domain a2a-protocol.org. */
function errorOf(r: RestAnswer): { status: string; reason: string; message: string } {
  expect(r.headers.get("content-type")).toMatch(/^application\/json/);
  const e = r.body["error"];
  expect(e["code"]).toBe(r.status);
  expect(typeof e["message"]).toBe("string");
  const info = (e["details"] as Obj[]).find((d) => d["@type"] === "type.googleapis.com/google.rpc.ErrorInfo");
  expect(info?.["domain"]).toBe("a2a-protocol.org");
  expect(info?.["reason"]).toMatch(/^[A-Z_]+$/);
  return { status: e["status"], reason: info?.["reason"], message: e["message"] };
}

/** A task of alice held running by the demo agent ("hold"), returned immediately. */
async function heldTask(): Promise<Obj> {
  const before = env.demo.holding;
  const r = await as("alice", "POST", "/message:send", { message: userMessage("hold"), configuration: { returnImmediately: true } });
  expect(r.status).toBe(200);
  await env.demo.waitHolding(before + 1);
  return r.body["task"];
}

async function doneTask(text = "hello rest", headers: Record<string, string> = {}): Promise<Obj> {
  const r = await as("alice", "POST", "/message:send", { message: userMessage(text) }, headers);
  expect(r.status).toBe(200);
  return r.body["task"];
}

describe("card and bindings", () => {
  it("the card lists the HTTP+JSON 1.0 interface next to JSON-RPC, at the server's base URL", async () => {
    const card = (await rest(url, "GET", "/.well-known/agent-card.json")).body;
    const ifaces = card["supportedInterfaces"] as Obj[];
    expect(ifaces.map((i) => `${i["protocolBinding"]} ${i["protocolVersion"]}`)).toEqual(["JSONRPC 1.0", "HTTP+JSON 1.0", "JSONRPC 0.3"]);
    const restUrl = ifaces[1]?.["url"] as string;
    expect(new URL(restUrl).origin).toBe(new URL(url).origin);
    // the listed URL is where the operations are
    expect((await rest(restUrl, "POST", "/message:send", { message: userMessage("via card") }, alice)).status).toBe(200);
  });

  it("bindings: ['HTTP+JSON'] serves REST and the card without JSON-RPC; ['JSONRPC'] serves no REST path", async () => {
    const restOnly = await env.start({ bindings: ["HTTP+JSON"], restPath: "/v1" });
    const card = (await rest(restOnly.url, "GET", "/.well-known/agent-card.json")).body;
    expect(card["supportedInterfaces"]).toEqual([{ url: `${restOnly.url}/v1`, protocolBinding: "HTTP+JSON", protocolVersion: "1.0" }]);
    expect((await rest(restOnly.url, "POST", "/v1/message:send", { message: userMessage("v1") }, alice)).body["task"]["status"]["state"]).toBe(
      "TASK_STATE_COMPLETED",
    );
    expect((await rest(restOnly.url, "POST", "/", { jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: "x" } }, alice)).status).toBe(404);
    const rpcOnly = await env.start({ bindings: ["JSONRPC"] });
    const rpcCard = (await rest(rpcOnly.url, "GET", "/.well-known/agent-card.json")).body;
    expect((rpcCard["supportedInterfaces"] as Obj[]).map((i) => i["protocolBinding"])).toEqual(["JSONRPC", "JSONRPC"]);
    expect((await rest(rpcOnly.url, "POST", "/message:send", { message: userMessage("no") }, alice)).status).toBe(404);
  });

  it("mounted on a gateway app under a prefix: REST under the prefix, the gateway's verifier, the card's URL with the prefix", async () => {
    const gateway = createGateway({ bus: env.bus, auth: env.verifier });
    await gateway.app.register(a2aPlugin, { prefix: "/a2a", bus: env.bus, target: "demo", card: { name: "g", description: "d", version: "1" } });
    await gateway.listen();
    try {
      const base = `${gateway.url}/a2a`;
      const card = (await rest(base, "GET", "/.well-known/agent-card.json")).body;
      expect((card["supportedInterfaces"] as Obj[]).find((i) => i["protocolBinding"] === "HTTP+JSON")?.["url"]).toBe(base);
      const anon = await rest(base, "GET", "/tasks");
      expect(anon.status).toBe(401);
      expect(anon.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const sent = await rest(base, "POST", "/message:send", { message: userMessage("via gateway") }, alice);
      expect(sent.body["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect((await rest(base, "GET", `/tasks/${sent.body["task"]["id"]}`, undefined, alice)).status).toBe(200);
      expect((await rest(gateway.url, "POST", "/message:send", { message: userMessage("outside the prefix") }, alice)).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });

  it("an empty or unknown bindings list does not start, naming the option", async () => {
    await expect(env.start({ bindings: [] })).rejects.toThrow(InvalidRequestError);
    await expect(env.start({ bindings: ["GRPC" as "JSONRPC"] })).rejects.toThrow(/bindings/);
  });
});

describe("operations", () => {
  it("SendMessage: POST /message:send answers a SendMessageResponse as application/json", async () => {
    const r = await as("alice", "POST", "/message:send", { message: userMessage("hello rest") });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    expect(r.body["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(r.body["task"]["artifacts"][0]["parts"].map((p: Obj) => p["text"]).join("")).toBe("hello rest");
  });

  it("the body is read as ProtoJSON: original field names work like lowerCamel, unknown fields are dropped", async () => {
    const msg: Obj = { ...userMessage("snake", { bogus_field: 1 }, true), context_id: "ctx-snake" };
    const r = await as("alice", "POST", "/message:send", { message: msg, configuration: { history_length: 1 }, extraTopLevel: true });
    expect(r.status).toBe(200);
    const t = r.body["task"];
    expect(t["contextId"]).toBe("ctx-snake");
    expect(t["history"]).toHaveLength(1);
    expect(t["history"][0]["messageId"]).toBe(msg["message_id"]);
    expect(t["history"][0]).not.toHaveProperty("bogus_field");
    expect(t["history"][0]).not.toHaveProperty("bogusField");
  });

  it("GetTask: GET /tasks/{id}, historyLength and history_length in the query", async () => {
    const t = await doneTask();
    const full = await as("alice", "GET", `/tasks/${t["id"]}`);
    expect(full.status).toBe(200);
    expect(full.body["id"]).toBe(t["id"]);
    expect(full.body["history"]).toHaveLength(1);
    expect((await as("alice", "GET", `/tasks/${t["id"]}?historyLength=0`)).body).not.toHaveProperty("history");
    expect((await as("alice", "GET", `/tasks/${t["id"]}?history_length=0`)).body).not.toHaveProperty("history");
    expect(errorOf(await as("alice", "GET", `/tasks/${t["id"]}?historyLength=many`)).reason).toBe("INVALID_PARAMS");
  });

  it("ListTasks: GET /tasks with filters in both name forms, enum short form, includeArtifacts, pageSize", async () => {
    const ctx = `ctx-list-${Date.now()}`;
    for (const text of ["one", "two", "three"]) await as("alice", "POST", "/message:send", { message: userMessage(text, { contextId: ctx }) });
    const camel = await as("alice", "GET", `/tasks?contextId=${ctx}&pageSize=2`);
    expect(camel.status).toBe(200);
    expect(camel.body["tasks"]).toHaveLength(2);
    expect(camel.body["totalSize"]).toBe(3);
    expect(camel.body["nextPageToken"]).not.toBe("");
    expect(camel.body["tasks"][0]).not.toHaveProperty("artifacts");
    const snake = await as("alice", "GET", `/tasks?context_id=${ctx}&page_size=5&include_artifacts=true&status=completed`);
    expect(snake.body["tasks"]).toHaveLength(3);
    expect(snake.body["tasks"].every((t: Obj) => t["contextId"] === ctx && Array.isArray(t["artifacts"]))).toBe(true);
    const next = await as("alice", "GET", `/tasks?contextId=${ctx}&pageSize=2&pageToken=${encodeURIComponent(camel.body["nextPageToken"])}`);
    expect(next.body["tasks"]).toHaveLength(1);
    expect((await as("alice", "GET", `/tasks?contextId=${ctx}&status=TASK_STATE_WORKING`)).body["tasks"]).toEqual([]);
    expect(errorOf(await as("alice", "GET", "/tasks?statusTimestampAfter=-1")).reason).toBe("INVALID_PARAMS");
  });

  it("CancelTask: POST /tasks/{id}:cancel (empty body) cancels a running task; a terminal one answers 409", async () => {
    const t = await heldTask();
    const r = await as("alice", "POST", `/tasks/${t["id"]}:cancel`, undefined, { "content-type": "application/json" });
    expect(r.status).toBe(200);
    expect(r.body["status"]["state"]).toBe("TASK_STATE_CANCELED");
    const again = await as("alice", "POST", `/tasks/${t["id"]}:cancel`, { id: t["id"] });
    expect(again.status).toBe(409);
    expect(errorOf(again)).toMatchObject({ status: "FAILED_PRECONDITION", reason: "TASK_NOT_CANCELABLE" });
  });

  it("SendStreamingMessage: POST /message:stream is SSE, one StreamResponse per data event, in order", async () => {
    const s = await sse(url, "POST", "/message:stream", { message: userMessage("count") }, alice);
    expect(s.status).toBe(200);
    expect(s.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const frames = await s.rest();
    expect(frames.map((f) => Object.keys(f.data)[0])).toEqual(["task", "statusUpdate", "artifactUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"]);
    expect(frames.every((f) => f.event === "message")).toBe(true);
    expect(frames.at(-1)?.data["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
  });

  for (const verb of ["POST", "GET"] as const) {
    it(`SubscribeToTask: ${verb} /tasks/{id}:subscribe gets the task, then its events until it completes`, async () => {
      const t = await heldTask();
      const s = await sse(url, verb, `/tasks/${t["id"]}:subscribe`, undefined, alice);
      expect(s.status).toBe(200);
      const first = await s.next();
      expect(first?.data["task"]["id"]).toBe(t["id"]);
      env.demo.release();
      const rest = await s.rest();
      expect(rest.at(-1)?.data["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    });
  }

  it("SubscribeToTask on a terminal task answers 400 UNSUPPORTED_OPERATION before any stream opens", async () => {
    const t = await doneTask();
    const s = await sse(url, "POST", `/tasks/${t["id"]}:subscribe`, undefined, alice);
    expect(s.status).toBe(400);
    expect(s.headers.get("content-type")).toMatch(/^application\/json/);
    await s.close();
  });

  it("push configs: create (task_id from the path, token not echoed), get, list, delete, then gone", async () => {
    const t = await doneTask();
    const base = `/tasks/${t["id"]}/pushNotificationConfigs`;
    const created = await as("alice", "POST", base, {
      url: "http://127.0.0.1:9/hook",
      token: "secret",
      authentication: { scheme: "Bearer", credentials: "c" },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ taskId: t["id"], url: "http://127.0.0.1:9/hook", authentication: { scheme: "Bearer" } });
    expect(created.body).not.toHaveProperty("token");
    expect(created.body["authentication"]).not.toHaveProperty("credentials");
    const id = created.body["id"] as string;
    const snake = await as("alice", "POST", base, { id: "second", task_id: t["id"], url: "http://127.0.0.1:9/other" });
    expect(snake.body).toMatchObject({ id: "second", taskId: t["id"] });
    expect((await as("alice", "GET", `${base}/${id}`)).body).toMatchObject({ id, taskId: t["id"], url: "http://127.0.0.1:9/hook" });
    const list = await as("alice", "GET", base);
    expect((list.body["configs"] as Obj[]).map((c) => c["id"]).sort()).toEqual([id, "second"].sort());
    const del = await as("alice", "DELETE", `${base}/${id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect((await as("alice", "GET", `${base}/${id}`)).status).toBeGreaterThanOrEqual(400);
    expect((await as("alice", "GET", base)).body["configs"].map((c: Obj) => c["id"])).toEqual(["second"]);
  });

  it("a body taskId other than the path's is refused, naming both", async () => {
    const t = await doneTask();
    const r = await as("alice", "POST", `/tasks/${t["id"]}/pushNotificationConfigs`, { taskId: "another", url: "http://127.0.0.1:9/hook" });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ reason: "INVALID_PARAMS" });
    expect(r.body["error"]["message"]).toContain("another");
  });

  it("GetExtendedAgentCard: GET /extendedAgentCard for an authenticated caller; 400 where none is configured", async () => {
    const r = await as("alice", "GET", "/extendedAgentCard");
    expect(r.status).toBe(200);
    expect(r.body["description"]).toBe("extended");
    const none = await rest(env.open.url, "GET", "/extendedAgentCard");
    expect(none.status).toBe(400);
    expect(errorOf(none)).toMatchObject({ status: "FAILED_PRECONDITION", reason: "EXTENDED_AGENT_CARD_NOT_CONFIGURED" });
  });
});

describe("one handler, two bindings", () => {
  it("a task sent over one binding reads the same over the other; both list it", async () => {
    const viaRest = await doneTask("over rest");
    const rpc = async (method: string, params: Obj): Promise<Obj> =>
      (await rest(url, "POST", "/", { jsonrpc: "2.0", id: 1, method, params }, alice)).body["result"];
    expect(await rpc("GetTask", { id: viaRest["id"] })).toEqual((await as("alice", "GET", `/tasks/${viaRest["id"]}`)).body);
    const viaRpc = (await rpc("SendMessage", { message: userMessage("over json-rpc") }))["task"];
    expect((await as("alice", "GET", `/tasks/${viaRpc["id"]}`)).body).toEqual(await rpc("GetTask", { id: viaRpc["id"] }));
    const ctx = viaRpc["contextId"] as string;
    expect((await as("alice", "GET", `/tasks?contextId=${ctx}`)).body).toEqual(await rpc("ListTasks", { contextId: ctx }));
  });
});

describe("errors", () => {
  it("every A2A error's HTTP status and status name come from A2A_ERRORS", async () => {
    const nf = await as("alice", "GET", "/tasks/no-such-task");
    expect(nf.status).toBe(A2A_ERRORS[-32001]?.httpStatus);
    expect(errorOf(nf)).toMatchObject({ status: "NOT_FOUND", reason: "TASK_NOT_FOUND" });
    const push = await rest(env.open.url, "GET", "/tasks/x/pushNotificationConfigs");
    expect(push.status).toBe(A2A_ERRORS[-32003]?.httpStatus);
    expect(errorOf(push)).toMatchObject({ status: "UNIMPLEMENTED", reason: "PUSH_NOTIFICATION_NOT_SUPPORTED" });
    for (const v of ["", "0.3"]) {
      // no header (or an empty one) means 0.3 (spec 3.6.2), which this binding does not serve
      const r = await as("alice", "GET", "/tasks", undefined, { "a2a-version": v });
      expect(r.status).toBe(400);
      expect(errorOf(r).reason).toBe("VERSION_NOT_SUPPORTED");
    }
    const absent = await fetch(`${url}/tasks`, { headers: alice });
    expect(absent.status).toBe(400);
    expect(((await absent.json()) as Obj)["error"]["message"]).toContain("A2A-Version: 1.0");
    const ver = await as("alice", "GET", "/tasks", undefined, { "a2a-version": "0.3" });
    expect(ver.status).toBe(A2A_ERRORS[-32009]?.httpStatus);
    expect(errorOf(ver)).toMatchObject({ status: "UNIMPLEMENTED", reason: "VERSION_NOT_SUPPORTED" });
    const modes = await as("alice", "POST", "/message:send", { message: userMessage("x"), configuration: { acceptedOutputModes: ["image/png"] } });
    expect(modes.status).toBe(415);
    expect(errorOf(modes).reason).toBe("CONTENT_TYPE_NOT_SUPPORTED");
  });

  it("a body that is not application/json answers 415 CONTENT_TYPE_NOT_SUPPORTED before it is parsed", async () => {
    const r = await as("alice", "POST", "/message:send", "not json at all", { "content-type": "text/plain" });
    expect(r.status).toBe(415);
    expect(errorOf(r)).toMatchObject({ status: "INVALID_ARGUMENT", reason: "CONTENT_TYPE_NOT_SUPPORTED" });
    const a2a = await as("alice", "POST", "/message:send", JSON.stringify({ message: userMessage("a2a+json") }), {
      "content-type": "application/a2a+json; charset=utf-8",
    });
    expect(a2a.status).toBe(200);
  });

  it("malformed JSON 400 PARSE_ERROR; wrong field types 400 INVALID_PARAMS naming the field; unknown path 404", async () => {
    const bad = await as("alice", "POST", "/message:send", "{not json", { "content-type": "application/json" });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).reason).toBe("PARSE_ERROR");
    const typed = await as("alice", "POST", "/message:send", { message: { ...userMessage("x"), parts: "nope" } });
    expect(typed.status).toBe(400);
    expect(errorOf(typed).reason).toBe("INVALID_PARAMS");
    expect(typed.body["error"]["message"]).toMatch(/parts/);
    const empty = await as("alice", "POST", "/message:send", {});
    expect(empty.status).toBe(400);
    expect(errorOf(empty).reason).toBe("INVALID_PARAMS");
    const nowhere = await as("alice", "GET", "/no/such/operation");
    expect(nowhere.status).toBe(404);
    expect(errorOf(nowhere).reason).toBe("METHOD_NOT_FOUND");
  });

  it("a body over bodyLimit answers 413, nested deeper than maxDepth 400, both AIP-193", async () => {
    const small = await env.start({ bodyLimit: 1024, maxDepth: 8 });
    const big = await rest(small.url, "POST", "/message:send", { message: userMessage("x".repeat(4096)) }, alice);
    expect(big.status).toBe(413);
    expect(errorOf(big).reason).toBe("INVALID_REQUEST");
    const deep = await rest(
      small.url,
      "POST",
      "/message:send",
      { message: userMessage("x", { metadata: JSON.parse(`${'{"a":'.repeat(10)}1${"}".repeat(10)}`) }) },
      alice,
    );
    expect(deep.status).toBe(400);
    expect(errorOf(deep).reason).toBe("INVALID_REQUEST");
  });
});

describe("streams and limits", () => {
  it("idle streams get `: keep-alive` comments every heartbeatMs", async () => {
    const beating = await env.start({ heartbeatMs: 20 });
    const before = env.demo.holding;
    const t = (await rest(beating.url, "POST", "/message:send", { message: userMessage("hold"), configuration: { returnImmediately: true } }, alice)).body[
      "task"
    ];
    await env.demo.waitHolding(before + 1);
    const res = await fetch(`${beating.url}/tasks/${t["id"]}:subscribe`, { method: "POST", headers: { ...alice, "a2a-version": "1.0" } });
    const reader = res.body?.getReader();
    let text = "";
    while (!text.includes(": keep-alive\n\n")) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toContain(": keep-alive\n\n");
    env.demo.release();
    await reader?.cancel();
  });

  it("a failure after the stream opened is a last `event: error` carrying the AIP-193 body", async () => {
    const app = Fastify({ logger: false, forceCloseConnections: true });
    let bridge: A2aBridge | undefined;
    await app.register(a2aPlugin, {
      bus: env.bus,
      target: "demo",
      auth: "none",
      card: { name: "failing", description: "d", version: "1" },
      heartbeatMs: 0,
      onBridge: (b) => (bridge = b),
    });
    const base = await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      // The handler's stream yields one event, then fails (as a store outage mid-stream would).
      const real = bridge?.handler.handle.bind(bridge.handler);
      if (bridge === undefined || real === undefined) throw new Error("no bridge");
      bridge.handler.handle = async (caller, method, params) => {
        const outcome = await real(caller, method, params);
        if (outcome.kind !== "stream") return outcome;
        const events = outcome.events;
        return {
          kind: "stream",
          events: (async function* (): AsyncGenerator<StreamResponse> {
            for await (const e of events) {
              yield e;
              throw a2aErrors.internal("the task store failed");
            }
          })(),
        };
      };
      const s = await sse(base, "POST", "/message:stream", { message: userMessage("count") });
      const frames = await s.rest();
      expect(frames.map((f) => f.event)).toEqual(["message", "error"]);
      expect(frames[1]?.data["error"]).toMatchObject({ code: 500, status: "INTERNAL", message: "the task store failed" });
      expect(frames[1]?.data["error"]["details"][0]).toMatchObject({ reason: "INTERNAL_ERROR", domain: "a2a-protocol.org" });
    } finally {
      await app.close();
    }
  });

  it("a store limit is 429 with the ACP code in the ErrorInfo metadata", async () => {
    const one = await env.start({ limits: { maxTasksPerTenant: 1 } });
    expect((await rest(one.url, "POST", "/message:send", { message: userMessage("first") }, alice)).status).toBe(200);
    const r = await rest(one.url, "POST", "/message:send", { message: userMessage("second") }, alice);
    expect(r.status).toBe(429);
    expect(errorOf(r).status).toBe("RESOURCE_EXHAUSTED");
    expect(r.body["error"]["details"][0]["metadata"]).toEqual({ acpCode: "BACKPRESSURE_DROP" });
  });
});

describe("auth and tenants", () => {
  it("no token, or a forged one: 401 with the verifier's challenge on every method, GET included", async () => {
    for (const [method, path] of [
      ["GET", "/tasks"],
      ["GET", "/tasks/x"],
      ["POST", "/message:send"],
      ["DELETE", "/tasks/x/pushNotificationConfigs/y"],
      ["GET", "/extendedAgentCard"],
    ] as const) {
      const r = await rest(url, method, path, method === "POST" ? { message: userMessage("x") } : undefined);
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(errorOf(r).status).toBe("UNAUTHENTICATED");
      expect((await as("forged", method, path)).status).toBe(401);
    }
  });

  it("/{tenant}/... paths: the token's tenant works, another tenant is 403, another tenant's task is 404", async () => {
    const t = await doneTask();
    expect((await as("alice", "GET", `/tenant-a/tasks/${t["id"]}`)).body["id"]).toBe(t["id"]);
    expect((await as("bob", "GET", `/tasks/${t["id"]}`)).status).toBe(200);
    const sent = await as("alice", "POST", "/tenant-a/message:send", { message: userMessage("tenanted") });
    expect(sent.body["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    const other = await as("alice", "GET", `/tenant-b/tasks/${t["id"]}`);
    expect(other.status).toBe(403);
    expect(errorOf(other).status).toBe("PERMISSION_DENIED");
    expect((await as("alice", "POST", "/tenant-b/message:send", { message: userMessage("x") })).status).toBe(403);
    expect((await as("carol", "GET", `/tasks/${t["id"]}`)).status).toBe(404);
    expect((await as("carol", "GET", `/tenant-b/tasks/${t["id"]}`)).status).toBe(404);
    expect((await as("carol", "GET", "/tasks")).body["tasks"].some((x: Obj) => x["id"] === t["id"])).toBe(false);
    const stream = await sse(url, "POST", `/tenant-b/tasks/${t["id"]}:subscribe`, undefined, env.auth.alice);
    expect(stream.status).toBe(403);
    await stream.close();
  });

  it("a tenant in the body other than the path's is refused", async () => {
    const r = await as("alice", "POST", "/tenant-a/message:send", { tenant: "tenant-b", message: userMessage("x") });
    expect(r.status).toBe(400);
    expect(errorOf(r).reason).toBe("INVALID_PARAMS");
  });
});
