/**
 * Our HTTP+JSON binding against the requirement ids of the official A2A TCK (a2aproject/a2a-tck,
 * branch 1.0-dev, tck/requirements/binding_http_json.py: section 11 and the 5.4 status table),
 * one test per id, checked the way its tests and its HttpJsonClient ask: A2A-Version 1.0 header,
 * JSON bodies with Content-Type application/json, the TCK's paths and verbs. Responses are
 * validated strictly against the lf.a2a.v1 messages (unknown fields refused).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadA2aProto, normalizeProtoJson } from "../../runtime/a2a/proto.js";
import { rest, sse, startRestEnv, userMessage, type Obj, type RestAnswer, type RestEnv } from "./rest-env.js";

let env: RestEnv;
let url: string;
const proto = loadA2aProto();

/** Throws (naming the field) unless `json` is exactly a `typeName` in ProtoJSON. */
function validates(typeName: string, json: unknown): void {
  const desc = proto.message(`lf.a2a.v1.${typeName}`);
  if (desc === undefined) throw new Error(`no message ${typeName}`);
  normalizeProtoJson(desc, json, false);
}

beforeAll(async () => {
  env = await startRestEnv();
  url = env.server.url;
});
afterAll(async () => {
  await env.close();
});

const tck = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestAnswer> =>
  rest(url, method, path, body, { ...env.auth.alice, ...headers });

async function completedTask(): Promise<Obj> {
  const r = await tck("POST", "/message:send", { message: userMessage("tck") });
  expect(r.status).toBe(200);
  return r.body["task"];
}

function aip193(r: RestAnswer): Obj {
  expect(r.headers.get("content-type") ?? "").toContain("application/json");
  const e = r.body["error"] as Obj;
  expect(e["code"]).toBe(r.status);
  expect(typeof e["status"]).toBe("string");
  expect(typeof e["message"]).toBe("string");
  expect(Array.isArray(e["details"])).toBe(true);
  return e;
}

describe("TCK binding_http_json requirements", () => {
  it("HTTP_JSON-URL-001: every operation answers at its resource URL pattern", async () => {
    const t = await completedTask();
    const base = `/tasks/${t["id"]}/pushNotificationConfigs`;
    const answers: Record<string, number> = {
      "POST /message:send": (await tck("POST", "/message:send", { message: userMessage("u") })).status,
      "GET /tasks/{id}": (await tck("GET", `/tasks/${t["id"]}`)).status,
      "GET /tasks": (await tck("GET", "/tasks")).status,
      "POST /tasks/{id}/pushNotificationConfigs": (await tck("POST", base, { id: "c1", url: "http://127.0.0.1:9/h" })).status,
      "GET /tasks/{id}/pushNotificationConfigs/{configId}": (await tck("GET", `${base}/c1`)).status,
      "GET /tasks/{id}/pushNotificationConfigs": (await tck("GET", base)).status,
      "DELETE /tasks/{id}/pushNotificationConfigs/{configId}": (await tck("DELETE", `${base}/c1`)).status,
      "GET /extendedAgentCard": (await tck("GET", "/extendedAgentCard")).status,
    };
    const stream = await sse(url, "POST", "/message:stream", { message: userMessage("s") }, env.auth.alice);
    answers["POST /message:stream"] = stream.status;
    await stream.rest();
    const before = env.demo.holding;
    const held = (await tck("POST", "/message:send", { message: userMessage("hold"), configuration: { returnImmediately: true } })).body["task"];
    await env.demo.waitHolding(before + 1);
    const sub = await sse(url, "POST", `/tasks/${held["id"]}:subscribe`, undefined, env.auth.alice);
    answers["POST /tasks/{id}:subscribe"] = sub.status;
    await sub.next();
    answers["POST /tasks/{id}:cancel"] = (await tck("POST", `/tasks/${held["id"]}:cancel`)).status;
    await sub.rest();
    expect(Object.entries(answers).filter(([, s]) => s !== 200)).toEqual([]);
  });

  it("HTTP_JSON-URL-002: GET retrieves, POST creates and acts, DELETE removes; other verbs are not operations", async () => {
    const t = await completedTask();
    expect((await tck("GET", `/tasks/${t["id"]}`)).status).toBe(200);
    expect((await tck("POST", `/tasks/${t["id"]}`, {})).status).toBe(404);
    expect((await tck("DELETE", `/tasks/${t["id"]}`)).status).toBe(404);
    expect((await tck("GET", "/message:send")).status).toBe(404);
    const base = `/tasks/${t["id"]}/pushNotificationConfigs`;
    expect((await tck("POST", base, { id: "d1", url: "http://127.0.0.1:9/h" })).status).toBe(200);
    expect((await tck("DELETE", `${base}/d1`)).status).toBe(200);
    expect((await tck("GET", base)).body["configs"]).toEqual([]);
  });

  it("HTTP_JSON-SVC-001: responses are application/a2a+json and validate as the operation's response message", async () => {
    const r = await tck("POST", "/message:send", { message: userMessage("svc") });
    expect((r.headers.get("content-type") ?? "").split(";")[0]).toBe("application/a2a+json");
    validates("SendMessageResponse", r.body);
    const t = r.body["task"] as Obj;
    validates("Task", (await tck("GET", `/tasks/${t["id"]}`)).body);
    validates("ListTasksResponse", (await tck("GET", "/tasks")).body);
    validates("AgentCard", (await tck("GET", "/extendedAgentCard")).body);
    const cfg = await tck("POST", `/tasks/${t["id"]}/pushNotificationConfigs`, { url: "http://127.0.0.1:9/h" });
    validates("TaskPushNotificationConfig", cfg.body);
    validates("ListTaskPushNotificationConfigsResponse", (await tck("GET", `/tasks/${t["id"]}/pushNotificationConfigs`)).body);
  });

  it("HTTP_JSON-SVC-002: service parameters travel as HTTP headers (A2A-Extensions accepted, A2A-Version read)", async () => {
    const ext = await tck(
      "POST",
      "/message:send",
      { message: userMessage("ext") },
      { "A2A-Extensions": "https://example.com/ext/v1,https://example.com/ext/v2" },
    );
    expect(ext.status).toBe(200);
    const v = await tck("GET", "/tasks", undefined, { "A2A-Version": "9.9" });
    expect(v.status).toBe(400);
    expect(aip193(v)["details"][0]["reason"]).toBe("VERSION_NOT_SUPPORTED");
    expect((await tck("GET", "/tasks", undefined, { "A2A-Version": "1.0.2" })).status).toBe(200);
  });

  it("HTTP_JSON-QP-001: camelCase query parameters (contextId, pageSize, pageToken, historyLength, includeArtifacts)", async () => {
    const ctx = `tck-qp-${Date.now()}`;
    for (const text of ["a", "b"]) await tck("POST", "/message:send", { message: userMessage(text, { contextId: ctx }) });
    const first = await tck("GET", `/tasks?contextId=${ctx}&pageSize=1&historyLength=0&includeArtifacts=true`);
    expect(first.body["tasks"]).toHaveLength(1);
    expect(first.body["tasks"][0]["contextId"]).toBe(ctx);
    expect(first.body["tasks"][0]).not.toHaveProperty("history");
    expect(first.body["tasks"][0]["artifacts"].length).toBeGreaterThan(0);
    const second = await tck("GET", `/tasks?contextId=${ctx}&pageSize=1&pageToken=${encodeURIComponent(first.body["nextPageToken"])}`);
    expect(second.body["tasks"]).toHaveLength(1);
    expect(second.body["tasks"][0]["id"]).not.toBe(first.body["tasks"][0]["id"]);
    expect(second.body["nextPageToken"]).toBe("");
  });

  it("HTTP_JSON-ERR-001: errors are AIP-193: application/json, error.code = HTTP status, status, message, details", async () => {
    const r = await tck("GET", "/tasks/tck-nonexistent-pd-001");
    expect(r.status).toBe(404);
    expect(aip193(r)["status"]).toBe("NOT_FOUND");
  });

  it("HTTP_JSON-ERR-002: A2A errors carry a google.rpc.ErrorInfo (UPPER_SNAKE reason, domain a2a-protocol.org)", async () => {
    const e = aip193(await tck("GET", "/tasks/tck-nonexistent-pd-002"));
    const info = (e["details"] as Obj[]).find((d) => d["@type"] === "type.googleapis.com/google.rpc.ErrorInfo");
    expect(info).toMatchObject({ reason: "TASK_NOT_FOUND", domain: "a2a-protocol.org" });
    validates("AgentCard", (await rest(url, "GET", "/.well-known/agent-card.json")).body);
  });

  it("HTTP_JSON-STATUS-001: each A2A error our server raises has its section 5.4 HTTP status", async () => {
    const t = await completedTask();
    const got: Record<string, [number, string]> = {};
    const record = (name: string, r: RestAnswer): void => {
      got[name] = [r.status, aip193(r)["details"][0]["reason"]];
    };
    record("TaskNotFoundError", await tck("GET", "/tasks/none"));
    record("TaskNotCancelableError", await tck("POST", `/tasks/${t["id"]}:cancel`));
    record("PushNotificationNotSupportedError", await rest(env.open.url, "POST", `/tasks/${t["id"]}/pushNotificationConfigs`, { url: "http://x.example/h" }));
    record("UnsupportedOperationError", await tck("POST", `/tasks/${t["id"]}:subscribe`));
    record("ContentTypeNotSupportedError", await tck("POST", "/message:send", "text", { "content-type": "text/plain" }));
    // the extended-card capability off: UnsupportedOperation (A2A 1.0 section 3.3.4), not ExtendedAgentCardNotConfigured
    record("UnsupportedOperationError (extended card)", await rest(env.open.url, "GET", "/extendedAgentCard"));
    record("VersionNotSupportedError", await tck("GET", "/tasks", undefined, { "A2A-Version": "0.3" }));
    record("InvalidParamsError", await tck("GET", "/tasks?pageSize=0"));
    expect(got).toEqual({
      TaskNotFoundError: [404, "TASK_NOT_FOUND"],
      TaskNotCancelableError: [409, "TASK_NOT_CANCELABLE"],
      PushNotificationNotSupportedError: [400, "PUSH_NOTIFICATION_NOT_SUPPORTED"],
      UnsupportedOperationError: [400, "UNSUPPORTED_OPERATION"],
      ContentTypeNotSupportedError: [415, "CONTENT_TYPE_NOT_SUPPORTED"],
      "UnsupportedOperationError (extended card)": [400, "UNSUPPORTED_OPERATION"],
      VersionNotSupportedError: [400, "VERSION_NOT_SUPPORTED"],
      InvalidParamsError: [400, "INVALID_PARAMS"],
    });
  });

  it("HTTP_JSON-SSE-001: streaming is text/event-stream whose data fields are StreamResponse JSON", async () => {
    const s = await sse(url, "POST", "/message:stream", { message: userMessage("count") }, env.auth.alice);
    expect(s.headers.get("content-type") ?? "").toContain("text/event-stream");
    const frames = await s.rest();
    expect(frames.length).toBeGreaterThan(2);
    for (const f of frames) validates("StreamResponse", f.data);
    expect(Object.keys(frames[0]?.data ?? {})).toEqual(["task"]);
  });
});
