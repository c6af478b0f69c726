/**
 * Conformance checks of push notifications, JSON-RPC errors, A2A-Version handling, the 0.3
 * form and the client side (a remote A2A agent used as a bus target).
 */
import { strict as assert } from "node:assert";
import { createServer } from "node:http";
import { isAcpError } from "../../../runtime/errors.js";
import { A2aClient } from "../../../runtime/a2a/client.js";
import { isA2aError } from "../../../runtime/a2a/errors.js";
import { registerRemoteAgent } from "../../../runtime/a2a/remote-agent.js";
import { errorCode, heldTask, results, send, waitTask, type Check, type Obj } from "./checks-core.js";
import { nextMessageId, rpc, rpcResult, sseAll, userText } from "./http.js";

const v03Message = (text: string): Obj => ({ kind: "message", messageId: nextMessageId("v03"), role: "user", parts: [{ kind: "text", text }] });

export const edgeChecks: readonly Check[] = [
  {
    id: "push.crud",
    async run(env) {
      const task = await send(env, "with hooks");
      const url = `${env.receiver.url}/crud`;
      const created = await rpcResult<Obj>(env.ep, "CreateTaskPushNotificationConfig", {
        taskId: task["id"],
        url,
        authentication: { scheme: "Bearer", credentials: "t0k" },
      });
      assert.equal(typeof created["id"], "string");
      assert.equal(created["taskId"], task["id"]);
      const got = await rpcResult<Obj>(env.ep, "GetTaskPushNotificationConfig", { taskId: task["id"], id: created["id"] });
      assert.deepEqual(got, created);
      const listed = await rpcResult<Obj>(env.ep, "ListTaskPushNotificationConfigs", { taskId: task["id"] });
      assert.deepEqual(listed["configs"], [created]);
      assert.equal(await rpcResult(env.ep, "DeleteTaskPushNotificationConfig", { taskId: task["id"], id: created["id"] }), null);
      assert.deepEqual((await rpcResult<Obj>(env.ep, "ListTaskPushNotificationConfigs", { taskId: task["id"] }))["configs"], []);
      assert.equal(await errorCode(rpc(env.ep, "GetTaskPushNotificationConfig", { taskId: task["id"], id: created["id"] })), -32602);
      assert.equal(await errorCode(rpc(env.ep, "CreateTaskPushNotificationConfig", { taskId: "no-such-task", url })), -32001);
    },
  },
  {
    id: "push.delivery",
    async run(env) {
      const path = `/hook-${nextMessageId("p")}`;
      env.receiver.failNext(path, 1);
      const task = await heldTask(env, {
        taskPushNotificationConfig: { url: `${env.receiver.url}${path}`, authentication: { scheme: "Bearer", credentials: "s3cret" } },
      });
      env.demo.release();
      await env.receiver.waitFor(
        (h) => h.path === path && h.status === 200 && (h.body as Obj)?.["statusUpdate"]?.["status"]?.["state"] === "TASK_STATE_COMPLETED",
      );
      const hooks = env.receiver.received.filter((h) => h.path === path);
      assert.ok(
        hooks.every((h) => h.authorization === "Bearer s3cret"),
        "Authorization from the config",
      );
      assert.ok(hooks.every((h) => h.contentType?.startsWith("application/a2a+json")));
      assert.equal(hooks[0]?.status, 503, "the first delivery was refused");
      const ok = hooks.filter((h) => h.status === 200).map((h) => h.body as Obj);
      assert.equal(ok[0]?.["task"]?.["id"], task["id"], "the refused first event was delivered again, first");
      assert.deepEqual(
        ok.map((b) => Object.keys(b)[0]),
        ["task", "statusUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"],
      );
    },
  },
  {
    id: "push.ssrf-guard",
    async run(env) {
      const task = await send(env, "guarded");
      for (const url of [
        "http://10.0.0.1/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9/hook",
        "ftp://example.com/x",
      ]) {
        assert.equal(await errorCode(rpc(env.ep, "CreateTaskPushNotificationConfig", { taskId: task["id"], url })), -32602, url);
      }
      assert.equal(
        await errorCode(rpc(env.ep, "SendMessage", { message: userText("x"), configuration: { taskPushNotificationConfig: { url: "http://192.168.1.1/h" } } })),
        -32602,
      );
    },
  },
  {
    id: "push.unsupported",
    async run(env) {
      assert.equal(await errorCode(rpc(env.altUrl, "CreateTaskPushNotificationConfig", { taskId: "t", url: "https://example.com/h" })), -32003);
    },
  },
  {
    id: "rpc.parse-error",
    async run(env) {
      const a = await rpc(env.ep, "", undefined, { body: '{"jsonrpc": "2.0", "method": ' });
      assert.equal(a.error?.code, -32700);
      assert.equal(a.id, null);
    },
  },
  {
    id: "rpc.invalid-request",
    async run(env) {
      assert.equal(await errorCode(rpc(env.ep, "", undefined, { body: JSON.stringify({ jsonrpc: "1.0", id: 1, method: "GetTask" }) })), -32600);
      assert.equal(await errorCode(rpc(env.ep, "", undefined, { body: "[]" })), -32600);
      assert.equal(await errorCode(rpc(env.ep, "", undefined, { body: JSON.stringify({ jsonrpc: "2.0", id: 1.5, method: "GetTask" }) })), -32600);
    },
  },
  {
    id: "rpc.method-not-found",
    async run(env) {
      const a = await rpc(env.ep, "NoSuchMethod", {}, { id: "x-1" });
      assert.equal(a.error?.code, -32601);
      assert.equal(a.id, "x-1");
      assert.equal(await errorCode(rpc(env.ep, "message/send", { message: v03Message("x") })), -32601, "0.3 names are not 1.0 methods");
    },
  },
  {
    id: "rpc.invalid-params",
    async run(env) {
      assert.equal(await errorCode(rpc(env.ep, "SendMessage", { message: { messageId: "m", role: "ROLE_USER" } })), -32602);
      assert.equal(await errorCode(rpc(env.ep, "SendMessage", { message: { messageId: "m", role: "ROLE_USER", parts: [{ text: "a", data: {} }] } })), -32602);
      assert.equal(await errorCode(rpc(env.ep, "GetTask", {})), -32602);
      assert.equal(await errorCode(rpc(env.ep, "GetTask", "id")), -32602);
    },
  },
  {
    id: "version.v10",
    async run(env) {
      for (const version of ["1.0", "1.0.3"]) {
        const task = await rpcResult<Obj>(env.ep, "SendMessage", { message: userText("v") }, { version });
        assert.equal(task["task"]["status"]["state"], "TASK_STATE_COMPLETED", version);
      }
    },
  },
  {
    id: "version.unsupported",
    async run(env) {
      assert.equal(await errorCode(rpc(env.ep, "SendMessage", { message: userText("v") }, { version: "99.0" })), -32009);
    },
  },
  {
    id: "v03.send",
    async run(env) {
      const t = await rpcResult<Obj>(env.ep, "message/send", { message: v03Message("old client") }, { version: "" });
      assert.equal(t["kind"], "task");
      assert.equal(t["status"]["state"], "completed");
      assert.deepEqual(
        t["artifacts"][0]["parts"].map((p: Obj) => p["kind"]),
        ["text", "text"],
      );
      assert.equal(t["artifacts"][0]["parts"].map((p: Obj) => p["text"]).join(""), "old client");
    },
  },
  {
    id: "v03.stream",
    async run(env) {
      const rs = results(await sseAll(env.ep, "message/stream", { message: v03Message("stream") }, { version: "" }));
      assert.deepEqual(
        rs.map((r) => r["kind"]),
        ["task", "status-update", "artifact-update", "artifact-update", "status-update"],
      );
      const last = rs.at(-1) as Obj;
      assert.equal(last["final"], true);
      assert.equal(last["status"]["state"], "completed");
      assert.equal(rs[1]?.["final"], false);
    },
  },
  {
    id: "v03.get",
    async run(env) {
      const t = await rpcResult<Obj>(env.ep, "message/send", { message: v03Message("fetch me") }, { version: "" });
      const got = await rpcResult<Obj>(env.ep, "tasks/get", { id: t["id"], historyLength: 1 }, { version: "" });
      assert.equal(got["kind"], "task");
      assert.equal(got["id"], t["id"]);
      assert.equal(got["history"].length, 1);
      assert.equal(got["history"][0]["kind"], "message");
    },
  },
  {
    id: "v03.cancel",
    async run(env) {
      const before = env.demo.holding;
      const t = await rpcResult<Obj>(env.ep, "message/send", { message: v03Message("hold"), configuration: { blocking: false } }, { version: "" });
      assert.notEqual(t["status"]["state"], "completed");
      await env.demo.waitHolding(before + 1);
      const c = await rpcResult<Obj>(env.ep, "tasks/cancel", { id: t["id"] }, { version: "" });
      assert.equal(c["status"]["state"], "canceled");
      await waitTask(env, t["id"], (x) => x["status"]["state"] === "TASK_STATE_CANCELED");
    },
  },
  {
    id: "client.invoke",
    async run(env) {
      await using remote = await registerRemoteAgent(env.bus, "remote-invoke", { url: env.url, headers: env.authHeaders });
      assert.equal(remote.card.name, "OpenAgentIO demo agent");
      assert.equal(await env.bus.invoke("remote-invoke", "over the bridge"), "over the bridge");
      await assert.rejects(
        env.bus.invoke("remote-invoke", "fail"),
        (err: unknown) => isAcpError(err, "AGENT_UNAVAILABLE") && /demo failure/.test((err as Error).message),
      );
    },
  },
  {
    id: "client.stream",
    async run(env) {
      await using _remote = await registerRemoteAgent(env.bus, "remote-stream", { url: env.url, headers: env.authHeaders });
      const deltas: string[] = [];
      let final: unknown;
      for await (const f of env.bus.streamInvoke("remote-stream", "streamed text")) {
        if (f.type === "delta" && f.delta !== undefined) deltas.push(f.delta);
        if (f.type === "final") final = f.result;
      }
      assert.equal(deltas.join(""), "streamed text");
      assert.equal(final, "streamed text");
    },
  },
  {
    id: "client.invalid-response",
    async run() {
      const server = createServer((req, res) => {
        req.resume();
        res.writeHead(200, { "content-type": "application/json" }).end(req.method === "POST" ? '{"jsonrpc":"2.0","id":1,"result":{"neither":true}}' : "{}");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      try {
        const addr = server.address();
        const client = new A2aClient(`http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/`);
        await assert.rejects(client.sendMessage({ message: { messageId: "m", role: "ROLE_USER", parts: [{ text: "x" }] } }), (e: unknown) =>
          isA2aError(e, "INVALID_AGENT_RESPONSE"),
        );
        await assert.rejects(client.getTask("t"), (e: unknown) => isA2aError(e, "INVALID_AGENT_RESPONSE"), "id mismatch");
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    },
  },
];
