/**
 * Conformance checks of the core A2A methods: Agent Card, SendMessage, SendStreamingMessage,
 * GetTask, ListTasks, CancelTask, SubscribeToTask, multi-turn. Each throws on failure.
 */
import { strict as assert } from "node:assert";
import type { ConformanceEnv } from "./env.js";
import { rpc, rpcResult, sseAll, sseOpen, userText, type Endpoint, type RpcAnswer } from "./http.js";

export interface Check {
  readonly id: string;
  run(env: ConformanceEnv): Promise<void>;
}

/** Wire JSON under test (checks index it freely). */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose (a wrong shape fails the check); internal to the checks
export type Obj = Record<string, any>;

export const send = async (env: ConformanceEnv, text: string, extra: Obj = {}, url: Endpoint = env.ep): Promise<Obj> =>
  (
    await rpcResult<Obj>(url, "SendMessage", {
      message: userText(text, extra["message"] ?? {}),
      ...(extra["configuration"] ? { configuration: extra["configuration"] } : {}),
    })
  )["task"];

export const artifactText = (task: Obj): string =>
  (task["artifacts"] ?? [])
    .flatMap((a: Obj) => a["parts"])
    .map((p: Obj) => p["text"] ?? "")
    .join("");

/** The `result` of each answer of a streaming call. */
export const results = (answers: readonly { result?: unknown }[]): Obj[] => answers.map((a) => a.result as Obj);

/** The states of the status updates among stream results, in order. */
export const states = (rs: readonly Obj[]): string[] => rs.flatMap((r) => (r["statusUpdate"] ? [r["statusUpdate"]["status"]["state"]] : []));

export async function errorCode(p: Promise<RpcAnswer>): Promise<number | undefined> {
  return (await p).error?.code;
}

/** Polls GetTask until `pred` holds (bounded: 200 tries), returning the task. */
export async function waitTask(env: ConformanceEnv, id: string, pred: (t: Obj) => boolean): Promise<Obj> {
  for (let i = 0; i < 200; i++) {
    const t = await rpcResult<Obj>(env.ep, "GetTask", { id });
    if (pred(t)) return t;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`task ${id} never reached the expected state`);
}

/** Sends "hold" (answered at once, `configuration` added) and waits until the demo agent holds it; the Task. */
export async function heldTask(env: ConformanceEnv, configuration: Obj = {}): Promise<Obj> {
  const before = env.demo.holding;
  const task = await send(env, "hold", { configuration: { returnImmediately: true, ...configuration } });
  await env.demo.waitHolding(before + 1);
  return task;
}

export const coreChecks: readonly Check[] = [
  {
    id: "card.well-known",
    async run(env) {
      const res = await fetch(new URL("/.well-known/agent-card.json", env.url), { headers: { "A2A-Version": "1.0" } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      const card = (await res.json()) as Obj;
      for (const k of ["name", "description", "version"]) assert.equal(typeof card[k], "string", `card.${k}`);
      assert.ok(Array.isArray(card["skills"]) && Array.isArray(card["defaultInputModes"]) && Array.isArray(card["defaultOutputModes"]));
    },
  },
  {
    id: "card.interfaces",
    async run(env) {
      const card = (await (await fetch(new URL("/.well-known/agent-card.json", env.url), { headers: { "A2A-Version": "1.0" } })).json()) as Obj;
      const ifs = card["supportedInterfaces"] as Obj[];
      const endpoint = new URL("/", env.url).href;
      assert.ok(
        ifs.some((i) => i["protocolBinding"] === "JSONRPC" && i["protocolVersion"] === "1.0" && i["url"] === endpoint),
        "JSONRPC 1.0 interface",
      );
      assert.ok(
        ifs.some((i) => i["protocolVersion"] === "0.3"),
        "JSONRPC 0.3 interface",
      );
      const legacy = (await (await fetch(new URL("/.well-known/agent-card.json", env.url), { headers: { "A2A-Version": "0.3" } })).json()) as Obj;
      assert.equal(legacy["url"], endpoint);
      assert.equal(legacy["protocolVersion"], "0.3.0");
    },
  },
  {
    id: "card.capabilities",
    async run(env) {
      const caps = async (u: string): Promise<Obj> =>
        ((await (await fetch(new URL("/.well-known/agent-card.json", u), { headers: { "A2A-Version": "1.0" } })).json()) as Obj)["capabilities"];
      assert.deepEqual(await caps(env.url), { streaming: true, pushNotifications: true, extendedAgentCard: true });
      assert.deepEqual(await caps(env.altUrl), { streaming: false, pushNotifications: false, extendedAgentCard: false });
    },
  },
  {
    id: "extended-card.get",
    async run(env) {
      const card = await rpcResult<Obj>(env.ep, "GetExtendedAgentCard", {});
      assert.match(card["description"], /extended card/);
      assert.equal(card["capabilities"]["extendedAgentCard"], true);
    },
  },
  {
    id: "extended-card.not-configured",
    async run(env) {
      // the capability off: UnsupportedOperation (A2A 1.0 section 3.3.4; -32007 is for "declared but not configured")
      assert.equal(await errorCode(rpc(env.altUrl, "GetExtendedAgentCard", {})), -32004);
    },
  },
  {
    id: "send.blocking-completed",
    async run(env) {
      const task = await send(env, "hello world");
      assert.equal(task["status"]["state"], "TASK_STATE_COMPLETED");
      assert.equal(artifactText(task), "hello world");
      assert.equal(task["history"][0]["role"], "ROLE_USER");
      assert.equal(task["history"][0]["taskId"], task["id"]);
      assert.equal(typeof task["contextId"], "string");
    },
  },
  {
    id: "send.failed-task",
    async run(env) {
      const task = await send(env, "fail");
      assert.equal(task["status"]["state"], "TASK_STATE_FAILED");
      const parts = task["status"]["message"]["parts"] as Obj[];
      assert.equal(parts[0]?.["text"], "demo failure");
      assert.equal(parts[1]?.["data"]?.["code"], "AGENT_UNAVAILABLE");
    },
  },
  {
    id: "send.return-immediately",
    async run(env) {
      const task = await heldTask(env);
      assert.ok(["TASK_STATE_SUBMITTED", "TASK_STATE_WORKING"].includes(task["status"]["state"]), task["status"]["state"]);
      env.demo.release();
      const done = await waitTask(env, task["id"], (t) => t["status"]["state"] === "TASK_STATE_COMPLETED");
      assert.equal(artifactText(done), "first second");
    },
  },
  {
    id: "send.history-length",
    async run(env) {
      const task = await send(env, "hi", { configuration: { historyLength: 0 } });
      assert.equal(task["history"], undefined);
      const got = await rpcResult<Obj>(env.ep, "GetTask", { id: task["id"], historyLength: 1 });
      assert.equal(got["history"].length, 1);
    },
  },
  {
    id: "send.content-type-not-supported",
    async run(env) {
      assert.equal(await errorCode(rpc(env.ep, "SendMessage", { message: userText("x"), configuration: { acceptedOutputModes: ["image/png"] } })), -32005);
    },
  },
  {
    id: "stream.events-in-order",
    async run(env) {
      const answers = await sseAll(env.ep, "SendStreamingMessage", { message: userText("abcd") });
      const kinds = answers.map((a) => Object.keys(a.result as Obj)[0]);
      assert.equal(kinds[0], "task");
      assert.equal((answers[0]?.result as Obj | undefined)?.["task"]["status"]["state"], "TASK_STATE_SUBMITTED");
      assert.deepEqual(states(results(answers)), ["TASK_STATE_WORKING", "TASK_STATE_COMPLETED"]);
      assert.equal(kinds.at(-1), "statusUpdate");
      assert.ok(answers.every((a) => a.id === 1 && a.jsonrpc === "2.0"));
    },
  },
  {
    id: "stream.artifact-chunks",
    async run(env) {
      const answers = await sseAll(env.ep, "SendStreamingMessage", { message: userText("count") });
      const chunks = answers.flatMap((a) => ((a.result as Obj)["artifactUpdate"] ? [(a.result as Obj)["artifactUpdate"]] : []));
      assert.deepEqual(
        chunks.map((c) => [c["append"], c["lastChunk"]]),
        [
          [false, false],
          [true, false],
          [true, true],
        ],
      );
      assert.equal(new Set(chunks.map((c) => c["artifact"]["artifactId"])).size, 1);
      assert.equal(
        chunks
          .flatMap((c) => c["artifact"]["parts"])
          .map((p: Obj) => p["text"])
          .join(""),
        "1 2 3",
      );
    },
  },
  {
    id: "stream.unsupported",
    async run(env) {
      const answers = await sseAll(env.altUrl, "SendStreamingMessage", { message: userText("x") });
      assert.equal(answers[0]?.error?.code, -32004);
    },
  },
  {
    id: "get.task",
    async run(env) {
      const task = await send(env, "get me");
      const got = await rpcResult<Obj>(env.ep, "GetTask", { id: task["id"] });
      assert.equal(got["id"], task["id"]);
      assert.equal(got["status"]["state"], "TASK_STATE_COMPLETED");
      assert.equal(artifactText(got), "get me");
    },
  },
  {
    id: "get.unknown-task",
    async run(env) {
      assert.equal(await errorCode(rpc(env.ep, "GetTask", { id: "no-such-task" })), -32001);
    },
  },
  {
    id: "list.paging",
    async run(env) {
      const contextId = `ctx-list-${Date.now().toString(36)}`;
      for (const t of ["one", "two", "three"]) await send(env, t, { message: { contextId } });
      const p1 = await rpcResult<Obj>(env.ep, "ListTasks", { contextId, pageSize: 2 });
      assert.equal(p1["tasks"].length, 2);
      assert.equal(p1["totalSize"], 3);
      assert.equal(p1["pageSize"], 2);
      assert.ok(p1["nextPageToken"]);
      assert.equal(p1["tasks"][0]["artifacts"], undefined, "artifacts only when includeArtifacts");
      const p2 = await rpcResult<Obj>(env.ep, "ListTasks", { contextId, pageSize: 2, pageToken: p1["nextPageToken"], includeArtifacts: true });
      assert.equal(p2["tasks"].length, 1);
      assert.equal(p2["nextPageToken"], "");
      assert.equal(artifactText(p2["tasks"][0]), "one", "newest first, so the last page holds the first task");
      assert.equal(await errorCode(rpc(env.ep, "ListTasks", { pageSize: 0 })), -32602);
    },
  },
  {
    id: "list.filter",
    async run(env) {
      const contextId = `ctx-filter-${Date.now().toString(36)}`;
      await send(env, "ok", { message: { contextId } });
      const failed = await send(env, "fail", { message: { contextId } });
      const r = await rpcResult<Obj>(env.ep, "ListTasks", { contextId, status: "TASK_STATE_FAILED" });
      assert.deepEqual(
        r["tasks"].map((t: Obj) => t["id"]),
        [failed["id"]],
      );
    },
  },
  {
    id: "cancel.running",
    async run(env) {
      const task = await heldTask(env);
      const before = env.demo.canceled;
      const canceled = await rpcResult<Obj>(env.ep, "CancelTask", { id: task["id"] });
      assert.equal(canceled["status"]["state"], "TASK_STATE_CANCELED");
      await waitFor(() => env.demo.canceled > before, "the handler never saw the cancel");
    },
  },
  {
    id: "cancel.terminal",
    async run(env) {
      const task = await send(env, "done already");
      assert.equal(await errorCode(rpc(env.ep, "CancelTask", { id: task["id"] })), -32002);
    },
  },
  {
    id: "subscribe.task-first",
    async run(env) {
      const task = await heldTask(env);
      const a = await sseOpen(env.ep, "SubscribeToTask", { id: task["id"] });
      const b = await sseOpen(env.ep, "SubscribeToTask", { id: task["id"] }, { id: 2 });
      const ita = a[Symbol.asyncIterator]();
      const itb = b[Symbol.asyncIterator]();
      const firstA = (await ita.next()).value as RpcAnswer;
      const firstB = (await itb.next()).value as RpcAnswer;
      assert.equal((firstA.result as Obj)["task"]["id"], task["id"]);
      assert.equal((firstB.result as Obj)["task"]["id"], task["id"]);
      env.demo.release();
      const rest = async (it: AsyncIterator<RpcAnswer>): Promise<unknown[]> => {
        const out: unknown[] = [];
        for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value.result);
        return out;
      };
      const [ra, rb] = await Promise.all([rest(ita), rest(itb)]);
      assert.deepEqual(ra, rb, "every subscriber gets the same events in the same order");
      assert.equal((ra.at(-1) as Obj)["statusUpdate"]["status"]["state"], "TASK_STATE_COMPLETED");
    },
  },
  {
    id: "subscribe.terminal",
    async run(env) {
      const task = await send(env, "finished");
      const answers = await sseAll(env.ep, "SubscribeToTask", { id: task["id"] });
      assert.equal(answers[0]?.error?.code, -32004);
    },
  },
  {
    id: "multi-turn.input-required",
    async run(env) {
      const asked = await send(env, "ask");
      assert.equal(asked["status"]["state"], "TASK_STATE_INPUT_REQUIRED");
      assert.equal(asked["status"]["message"]["parts"][0]["text"], "What is your name?");
      const done = await send(env, "Ada", { message: { taskId: asked["id"] } });
      assert.equal(done["id"], asked["id"]);
      assert.equal(done["status"]["state"], "TASK_STATE_COMPLETED");
      assert.equal(artifactText(done), "Hello, Ada");
      assert.equal(done["history"].length, 3, "user, agent question, user answer");
    },
  },
  {
    id: "context.continuity",
    async run(env) {
      const first = await send(env, "first");
      const second = await send(env, "second", { message: { contextId: first["contextId"] } });
      assert.equal(second["contextId"], first["contextId"]);
      assert.notEqual(second["id"], first["id"]);
      const listed = await rpcResult<Obj>(env.ep, "ListTasks", { contextId: first["contextId"] });
      assert.deepEqual(
        listed["tasks"].map((t: Obj) => t["id"]),
        [second["id"], first["id"]],
      );
      assert.equal(
        await errorCode(rpc(env.ep, "SendMessage", { message: userText("x", { taskId: first["id"] }) })),
        -32004,
        "a terminal task takes no more messages",
      );
    },
  },
];

async function waitFor(cond: () => boolean, why: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(why);
}
