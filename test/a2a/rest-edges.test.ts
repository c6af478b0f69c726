/**
 * The HTTP+JSON (REST) binding's errors (HTTP status from A2A_ERRORS + AIP-193 body with
 * google.rpc.ErrorInfo), content types, versions, body limits, stream edges (keep-alive, a
 * failure after the stream opened), store limits, Bearer JWT auth and tenant paths, over real HTTP.
 */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { A2A_ERRORS, type StreamResponse } from "../../generated/a2a/index.js";
import { a2aPlugin, type A2aBridge } from "../../runtime/a2a/index.js";
import { a2aErrors } from "../../runtime/a2a/errors.js";
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
const doneTask = (text?: string): Promise<Obj> => h.doneTask(text);

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
