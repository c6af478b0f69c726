/**
 * Conformance checks of interrupted tasks and tool calls: a handler that ends its response
 * with `writer.final(question, { phase })` interrupts the task (INPUT_REQUIRED, AUTH_REQUIRED)
 * and the next message on the task resumes it, over SendMessage and SendStreamingMessage; a
 * handler's `writer.event("agent.tool.call", …)` streams as a working status whose message has
 * the call as a data part; and our client brings both back onto the bus.
 */
import { strict as assert } from "node:assert";
import { registerRemoteAgent } from "../../../runtime/a2a/remote-agent.js";
import { artifactText, results, send, states, type Check, type Obj } from "./checks-core.js";
import { DEMO_TOOL_CALL } from "./demo-agent.js";
import { sseAll, userText } from "./http.js";

export const turnChecks: readonly Check[] = [
  {
    id: "multi-turn.input-required-stream",
    async run(env) {
      const asked = results(await sseAll(env.ep, "SendStreamingMessage", { message: userText("ask") }));
      const task = asked[0]?.["task"] as Obj;
      assert.deepEqual(states(asked), ["TASK_STATE_WORKING", "TASK_STATE_INPUT_REQUIRED"], "the stream ends when the task is interrupted");
      const question = asked.at(-1)?.["statusUpdate"]["status"]["message"];
      assert.equal(question["role"], "ROLE_AGENT");
      assert.equal(question["parts"][0]["text"], "What is your name?");
      const resumed = results(await sseAll(env.ep, "SendStreamingMessage", { message: userText("Lin", { taskId: task["id"], contextId: task["contextId"] }) }));
      assert.equal(resumed[0]?.["task"]?.["id"], task["id"], "the same task, its snapshot first");
      assert.equal(states(resumed).at(-1), "TASK_STATE_COMPLETED");
      assert.ok(resumed.every((r) => (r["statusUpdate"] ?? r["artifactUpdate"] ?? r["task"])["contextId"] === task["contextId"]));
      const done = await send(env, "", { message: { taskId: task["id"] } }).catch((e: unknown) => e);
      assert.ok(done instanceof Error && /-32004/.test(done.message), "a completed task takes no more messages");
    },
  },
  {
    id: "multi-turn.auth-required",
    async run(env) {
      const asked = await send(env, "login");
      assert.equal(asked["status"]["state"], "TASK_STATE_AUTH_REQUIRED");
      assert.equal(asked["status"]["message"]["parts"][0]["text"], "Sign in first: send your token.");
      const done = await send(env, "t0ken", { message: { taskId: asked["id"], contextId: asked["contextId"] } });
      assert.equal(done["id"], asked["id"]);
      assert.equal(done["status"]["state"], "TASK_STATE_COMPLETED");
      assert.equal(artifactText(done), "Hello, t0ken");
    },
  },
  {
    id: "stream.tool-call",
    async run(env) {
      const rs = results(await sseAll(env.ep, "SendStreamingMessage", { message: userText("tool") }));
      const kinds = rs.map((r) => Object.keys(r)[0]);
      assert.deepEqual(kinds, ["task", "statusUpdate", "statusUpdate", "artifactUpdate", "statusUpdate"]);
      const call = rs[2]?.["statusUpdate"]["status"];
      assert.equal(call["state"], "TASK_STATE_WORKING");
      assert.deepEqual(call["message"]["parts"], [{ data: DEMO_TOOL_CALL, metadata: { "acp.event_type": "agent.tool.call" } }]);
      assert.equal(states(rs).at(-1), "TASK_STATE_COMPLETED");
      const task = await send(env, "tool");
      assert.ok(
        (task["history"] as Obj[]).some((m) => m["parts"][0]?.["data"]?.["call_id"] === DEMO_TOOL_CALL.call_id),
        "the call stays in the task history",
      );
    },
  },
  {
    id: "client.input-required",
    async run(env) {
      await using _remote = await registerRemoteAgent(env.bus, "remote-turns", { url: env.url, headers: env.authHeaders });
      const asked = await env.bus.invokeEnvelope("remote-turns", "ask");
      assert.equal(asked.phase, "input_required");
      assert.equal(typeof asked.metadata?.["a2a.task_id"], "string");
      assert.equal(await env.bus.invoke("remote-turns", "Grace", { metadata: { "a2a.task_id": asked.metadata?.["a2a.task_id"] } }), "Hello, Grace");
      assert.equal((await env.bus.invokeEnvelope("remote-turns", "login")).phase, "auth_required");
    },
  },
  {
    id: "client.tool-call",
    async run(env) {
      await using _remote = await registerRemoteAgent(env.bus, "remote-tools", { url: env.url, headers: env.authHeaders });
      const frames: string[] = [];
      let payload: unknown;
      for await (const f of env.bus.streamInvoke("remote-tools", "tool")) {
        frames.push(f.type === "event" ? f.envelope.event_type : f.type);
        if (f.type === "event") payload = f.envelope.payload;
      }
      assert.deepEqual(frames, ["started", "agent.tool.call", "delta", "final"]);
      assert.deepEqual(payload, DEMO_TOOL_CALL);
    },
  },
];
