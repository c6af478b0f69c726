/**
 * The HTTP+JSON (REST) binding over real HTTP: every operation, both ProtoJSON field-name forms
 * in bodies and query strings, SSE streams, the card's interfaces for the `bindings` option, a
 * gateway mount, and the same answers over JSON-RPC. Errors, limits and auth: rest-edges.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { a2aPlugin } from "../../runtime/a2a/index.js";
import { createGateway } from "../../runtime/gateway/index.js";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { rest, restHelpers, sse, startRestEnv, userMessage, type Obj, type RestHelpers, type RestEnv } from "./rest-env.js";

let env: RestEnv;
let url: string;
let alice: Record<string, string>;
let h: RestHelpers;

beforeAll(async () => {
  env = await startRestEnv();
  url = env.server.url;
  alice = env.auth.alice;
  h = restHelpers(env);
});
afterAll(async () => {
  await env.close();
});

const as: RestHelpers["as"] = (...args) => h.as(...args);
const errorOf: RestHelpers["errorOf"] = (r) => h.errorOf(r);
const heldTask = (): Promise<Obj> => h.heldTask();
const doneTask = (text?: string): Promise<Obj> => h.doneTask(text);

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
  it("SendMessage: POST /message:send answers a SendMessageResponse as application/a2a+json", async () => {
    const r = await as("alice", "POST", "/message:send", { message: userMessage("hello rest") });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/a2a\+json/);
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

  it("GetExtendedAgentCard: GET /extendedAgentCard for an authenticated caller; 400 UnsupportedOperation where the capability is off", async () => {
    const r = await as("alice", "GET", "/extendedAgentCard");
    expect(r.status).toBe(200);
    expect(r.body["description"]).toBe("extended");
    const none = await rest(env.open.url, "GET", "/extendedAgentCard");
    expect(none.status).toBe(400);
    expect(errorOf(none)).toMatchObject({ status: "UNIMPLEMENTED", reason: "UNSUPPORTED_OPERATION" });
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
