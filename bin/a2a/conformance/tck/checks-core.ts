/** TCK checks of the core operations (CORE-*) on one binding. */
import { blocked, capability, describe, expect, expectA2aError, notApplicable, type TckCheck, type TckContext } from "./framework.js";
import { completedTask, followUp, historyOf, inputRequiredTask, INTERRUPTED, multiturnTask, send, taskOf, TERMINAL, textOf, userMessage } from "./scenario.js";
import type { Obj } from "./types.js";

const unknownId = (ctx: TckContext, what: string): string => ctx.messageId(`nonexistent-${what}`);

/** A ListTasks answer, checked to be a valid ListTasksResponse (as the TCK validates every one). */
async function listContext(ctx: TckContext, params: Obj): Promise<Obj> {
  const r = await ctx.client.call("ListTasks", params);
  expect(r.ok, `ListTasks ${JSON.stringify(params)} failed: ${describe(r)}`);
  const problems = ctx.proto.check("ListTasksResponse", r.value);
  expect(problems.length === 0, `not a valid ListTasksResponse: ${problems.join("; ")}`);
  return r.value ?? {};
}

/** Three completed tasks in one context (the second and third sent with the first's contextId). */
async function threeInContext(ctx: TckContext): Promise<{ contextId: string; ids: string[] }> {
  const first = await completedTask(ctx);
  const contextId = String(first["contextId"] ?? "");
  if (contextId === "") blocked("the first task has no contextId");
  const ids = [String(first["id"])];
  for (let i = 0; i < 2; i++) {
    const t = taskOf(await send(ctx, userMessage(ctx, "complete-task", `Hello ${i}`, { contextId })), "task in an existing context");
    if (t["contextId"] !== contextId) blocked(`a message with contextId ${contextId} answered context ${t["contextId"]}`);
    ids.push(String(t["id"]));
  }
  return { contextId, ids };
}

export const coreChecks: readonly TckCheck[] = [
  {
    id: "CORE-SEND-001",
    async run(ctx) {
      const r = await send(ctx, userMessage(ctx, "complete-task", "Hello from TCK"));
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      expect(r.value?.["task"] !== undefined || r.value?.["message"] !== undefined, `the answer holds neither task nor message: ${describe(r)}`);
      const problems = ctx.proto.check("SendMessageResponse", r.value);
      expect(problems.length === 0, problems.join("; "));
    },
  },
  {
    id: "CORE-SEND-002",
    async run(ctx) {
      const task = await completedTask(ctx);
      const r = await send(ctx, userMessage(ctx, "terminal", "Follow-up to terminal task", { taskId: task["id"] }));
      expect(!r.ok, `a message to a completed task succeeded: ${describe(r)}`);
    },
  },
  {
    id: "CORE-SEND-003",
    async run(ctx) {
      const message = { role: "ROLE_USER", parts: [{ raw: "dGNr", mediaType: "application/x-unsupported-tck-type" }], messageId: ctx.messageId("send-003") };
      expectA2aError(ctx, await send(ctx, message), "ContentTypeNotSupportedError");
    },
  },
  {
    id: "CORE-GET-001",
    async run(ctx) {
      const task = await completedTask(ctx);
      const r = await ctx.client.call("GetTask", { id: task["id"] });
      expect(r.ok, `GetTask failed: ${describe(r)}`);
      expect(r.value?.["id"] === task["id"], `GetTask answered id ${r.value?.["id"]}, expected ${task["id"]}`);
      expect(typeof r.value?.["status"]?.["state"] === "string", "the task has no status.state");
    },
  },
  {
    id: "CORE-GET-002",
    async run(ctx) {
      expectA2aError(ctx, await ctx.client.call("GetTask", { id: unknownId(ctx, "get-002") }), "TaskNotFoundError");
    },
  },
  {
    id: "CORE-LIST-001",
    async run(ctx) {
      const a = await completedTask(ctx);
      const b = await completedTask(ctx);
      if (a["contextId"] === b["contextId"]) blocked("two new messages without contextId answered the same context");
      const v = await listContext(ctx, { context_id: a["contextId"] });
      const tasks = (v["tasks"] ?? []) as Obj[];
      expect(
        tasks.every((t) => t["contextId"] === a["contextId"]),
        `ListTasks(context_id) answered tasks of other contexts: ${tasks.map((t) => t["contextId"]).join(", ")}`,
      );
      expect(
        tasks.some((t) => t["id"] === a["id"]),
        "ListTasks(context_id) left out the caller's task of that context",
      );
      expect(!tasks.some((t) => t["id"] === b["id"]), "ListTasks(context_id) answered a task of another context");
    },
  },
  {
    id: "CORE-LIST-002",
    async run(ctx) {
      const { contextId, ids } = await threeInContext(ctx);
      const p1 = await listContext(ctx, { context_id: contextId, page_size: 2 });
      const t1 = (p1["tasks"] ?? []) as Obj[];
      expect(t1.length === 2, `page_size 2 answered ${t1.length} tasks`);
      expect(typeof p1["nextPageToken"] === "string" && p1["nextPageToken"] !== "", "the first page has no nextPageToken");
      const p2 = await listContext(ctx, { context_id: contextId, page_size: 2, page_token: p1["nextPageToken"] });
      const seen = [...t1, ...((p2["tasks"] ?? []) as Obj[])].map((t) => String(t["id"]));
      expect(
        ids.every((id) => seen.includes(id)) && new Set(seen).size === seen.length,
        `the two pages answered ${seen.join(", ")}, expected each of ${ids.join(", ")} once`,
      );
    },
  },
  {
    id: "CORE-LIST-003",
    async run(ctx) {
      const { contextId } = await threeInContext(ctx);
      const tasks = ((await listContext(ctx, { context_id: contextId }))["tasks"] ?? []) as Obj[];
      const stamps = tasks.map((t) => Date.parse(String(t["status"]?.["timestamp"] ?? "")));
      expect(
        stamps.every((s) => !Number.isNaN(s)),
        "a listed task has no status.timestamp",
      );
      for (let i = 1; i < stamps.length; i++)
        expect(stamps[i - 1]! >= stamps[i]!, `tasks are not sorted by status.timestamp descending: ${tasks.map((t) => t["status"]?.["timestamp"]).join(", ")}`);
    },
  },
  {
    id: "CORE-LIST-004",
    async run(ctx) {
      const a = await completedTask(ctx);
      const v = await listContext(ctx, { context_id: a["contextId"], page_size: 100 });
      // proto3 binary (gRPC) does not carry a string holding its default "".
      if (ctx.scope === "GRPC") v["nextPageToken"] ??= "";
      expect("nextPageToken" in v, "nextPageToken is missing on the final page");
      expect(v["nextPageToken"] === "", `nextPageToken on the final page is ${JSON.stringify(v["nextPageToken"])}, expected ""`);
    },
  },
  {
    id: "CORE-LIST-005",
    async run(ctx) {
      const a = await completedTask(ctx);
      const full = await ctx.client.call("GetTask", { id: a["id"] });
      if (!Array.isArray(full.value?.["artifacts"]) || full.value["artifacts"].length === 0) blocked("the completed task has no artifacts to leave out");
      const tasks = ((await listContext(ctx, { context_id: a["contextId"], include_artifacts: false }))["tasks"] ?? []) as Obj[];
      expect(tasks.length > 0, "ListTasks answered no task");
      expect(
        tasks.every((t) => !("artifacts" in t)),
        "a task carries artifacts although include_artifacts is false",
      );
    },
  },
  {
    id: "CORE-CANCEL-001",
    async run(ctx) {
      const task = await inputRequiredTask(ctx);
      const r = await ctx.client.call("CancelTask", { id: task["id"] });
      expect(r.ok, `CancelTask failed: ${describe(r)}`);
      expect(r.value?.["id"] === task["id"], `CancelTask answered id ${r.value?.["id"]}`);
      expect(r.value?.["status"]?.["state"] === "TASK_STATE_CANCELED", `CancelTask answered state ${r.value?.["status"]?.["state"]}`);
    },
  },
  {
    id: "CORE-CANCEL-002",
    async run(ctx) {
      const task = await completedTask(ctx);
      expectA2aError(ctx, await ctx.client.call("CancelTask", { id: task["id"] }), "TaskNotCancelableError");
    },
  },
  {
    id: "CORE-CANCEL-003",
    async run(ctx) {
      expectA2aError(ctx, await ctx.client.call("CancelTask", { id: unknownId(ctx, "cancel-003") }), "TaskNotFoundError");
    },
  },
  {
    id: "CORE-EXECUTION-MODE-001",
    async run(ctx) {
      const r = await send(ctx, userMessage(ctx, "delayed-complete", "Blocking request"), { returnImmediately: false });
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      if (r.value?.["message"] !== undefined) return;
      const state = String(r.value?.["task"]?.["status"]?.["state"]);
      expect(TERMINAL.has(state) || INTERRUPTED.has(state), `a blocking SendMessage answered state ${state}`);
    },
  },
  {
    id: "CORE-EXECUTION-MODE-002",
    async run(ctx) {
      // The TCK's tck-delayed-complete scenario: the task works a while before completing
      // ("hold" keeps the OpenAgentIO demo agent working), so a server ignoring the flag shows.
      const r = await send(ctx, userMessage(ctx, "delayed-complete", "hold"), { returnImmediately: true });
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      const task = r.value?.["task"] as Obj | undefined;
      expect(task?.["id"] !== undefined, `returnImmediately answered no task: ${describe(r)}`);
      const state = String(task["status"]?.["state"]);
      expect(!TERMINAL.has(state), `returnImmediately answered the task already ${state}: the call waited for the work`);
    },
  },
  {
    id: "CORE-ERR-001",
    async run(ctx) {
      const r =
        ctx.scope === "JSONRPC"
          ? await ctx.client.call("NonExistentMethod" as "GetTask", {})
          : await ctx.client.call("GetTask", { id: unknownId(ctx, "error-test") });
      expect(!r.ok, `expected an error, got ${describe(r)}`);
      expect(r.error?.code !== undefined && r.error.message !== "", `the error lacks a code or a message: ${JSON.stringify(r.error)}`);
    },
  },
  {
    id: "CORE-ERR-002",
    async run(ctx) {
      const r = await ctx.client.call("SendMessage", {});
      expect(!r.ok, `SendMessage without a message succeeded: ${describe(r)}`);
      if (ctx.scope === "HTTP+JSON") expect((r.status ?? 0) >= 400, `status ${r.status}`);
    },
  },
  {
    id: "CORE-CAP-001",
    async run(ctx) {
      if (capability(ctx, "pushNotifications")) notApplicable("the card declares pushNotifications");
      const r = await ctx.client.call("CreateTaskPushNotificationConfig", { task_id: "t", id: "tck-cap-001", url: "https://example.com" });
      expectA2aError(ctx, r, "PushNotificationNotSupportedError");
    },
  },
  {
    id: "CORE-CAP-002",
    async run(ctx) {
      if (capability(ctx, "streaming")) notApplicable("the card declares streaming");
      const call = await ctx.client.stream("SendStreamingMessage", { message: userMessage(ctx, "cap-stream", "stream test") });
      const first = await call.next(10_000).catch(() => undefined);
      await call.close();
      expect(first === undefined, `SendStreamingMessage streamed although streaming is not declared: ${String(JSON.stringify(first)).slice(0, 160)}`);
      expectA2aError(ctx, { ok: false, error: call.error }, "UnsupportedOperationError");
    },
  },
  {
    id: "CORE-CAP-003",
    async run(ctx) {
      if (capability(ctx, "extendedAgentCard")) notApplicable("the card declares extendedAgentCard");
      const r = await ctx.client.call("GetExtendedAgentCard", {});
      expect(!r.ok, `GetExtendedAgentCard succeeded although extendedAgentCard is not declared: ${describe(r)}`);
    },
  },
  {
    id: "CORE-CAP-004",
    async run(ctx) {
      const required = ((ctx.card["capabilities"]?.["extensions"] ?? []) as Obj[]).filter((e) => e["required"] === true);
      if (required.length === 0) notApplicable("the card declares no required extension");
      expectA2aError(ctx, await send(ctx, userMessage(ctx, "cap-ext-004", "extension test")), "ExtensionSupportRequiredError");
    },
  },
  {
    id: "CORE-MULTI-001",
    async run(ctx) {
      const r = await send(ctx, userMessage(ctx, "complete-task", "Message without contextId"));
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      const inner = (r.value?.["task"] ?? r.value?.["message"]) as Obj | undefined;
      expect(typeof inner?.["contextId"] === "string" && inner["contextId"] !== "", "the answer has no generated contextId");
    },
  },
  {
    id: "CORE-MULTI-001a",
    async run(ctx) {
      const r = await send(ctx, userMessage(ctx, "complete-task", "Message without contextId"));
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      const inner = (r.value?.["task"] ?? r.value?.["message"]) as Obj | undefined;
      expect(inner?.["contextId"] !== undefined && inner["contextId"] !== null, "Response must include 'contextId'");
    },
  },
  {
    id: "CORE-MULTI-002",
    async run(ctx) {
      const contextId = ctx.messageId("client-context-001");
      const r = await send(ctx, userMessage(ctx, "complete-task", "Message with contextId", { contextId }));
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      const inner = (r.value?.["task"] ?? r.value?.["message"]) as Obj | undefined;
      expect(inner?.["contextId"] === contextId, `answered contextId ${inner?.["contextId"]}, expected the client's ${contextId}`);
    },
  },
  {
    id: "CORE-MULTI-002a",
    async run(ctx) {
      const contextId = ctx.messageId("client-context-rejected");
      const r = await send(ctx, userMessage(ctx, "complete-task", "Message with client contextId", { contextId }));
      if (!r.ok) return;
      const inner = (r.value?.["task"] ?? r.value?.["message"]) as Obj | undefined;
      expect(
        inner?.["contextId"] === contextId,
        `the client's contextId ${contextId} was replaced by ${inner?.["contextId"]} instead of being accepted or rejected`,
      );
    },
  },
  {
    id: "CORE-MULTI-003",
    async run(ctx) {
      const a = taskOf(await send(ctx, userMessage(ctx, "complete-task", "New task request")), "new task");
      const b = taskOf(await send(ctx, userMessage(ctx, "complete-task", "New task request")), "new task");
      expect(a["id"] !== "" && a["id"] !== b["id"], `two new tasks got ids ${a["id"]} and ${b["id"]}`);
    },
  },
  {
    id: "CORE-MULTI-004",
    async run(ctx) {
      const r = await send(ctx, userMessage(ctx, "multi-004", "Message to invalid task", { taskId: unknownId(ctx, "multi-004") }));
      expectA2aError(ctx, r, "TaskNotFoundError");
    },
  },
  {
    id: "CORE-MULTI-005",
    async run(ctx) {
      const task = await inputRequiredTask(ctx);
      const r = await send(ctx, followUp(ctx, task));
      expect(r.ok, `a follow-up with only taskId failed: ${describe(r)}`);
      const inner = (r.value?.["task"] ?? r.value?.["message"]) as Obj | undefined;
      if (task["contextId"])
        expect(inner?.["contextId"] === task["contextId"], `the follow-up answered context ${inner?.["contextId"]}, expected the task's ${task["contextId"]}`);
    },
  },
  {
    id: "CORE-MULTI-006",
    async run(ctx) {
      const task = await inputRequiredTask(ctx);
      const r = await send(ctx, followUp(ctx, task, { contextId: ctx.messageId("wrong-context") }));
      expect(!r.ok, `a follow-up with another contextId succeeded: ${describe(r)}`);
    },
  },
  {
    id: "CORE-HIST-001",
    async run(ctx) {
      const { task } = await multiturnTask(ctx);
      const r = await ctx.client.call("GetTask", { id: task["id"], history_length: 0 });
      expect(r.ok, `GetTask failed: ${describe(r)}`);
      expect(historyOf(r.value).length === 0, `history_length 0 answered ${historyOf(r.value).length} history message(s)`);
    },
  },
  {
    id: "CORE-HIST-002",
    async run(ctx) {
      const { task } = await multiturnTask(ctx);
      const r = await ctx.client.call("GetTask", { id: task["id"], history_length: 1 });
      expect(r.ok, `GetTask failed: ${describe(r)}`);
      expect(historyOf(r.value).length <= 1, `history_length 1 answered ${historyOf(r.value).length} history messages`);
    },
  },
  {
    id: "CORE-HIST-003",
    async run(ctx) {
      const task = await inputRequiredTask(ctx);
      const r = await send(ctx, followUp(ctx, task), { historyLength: 0 });
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      expect(historyOf(r.value).length === 0, `historyLength 0 answered ${historyOf(r.value).length} history message(s)`);
    },
  },
  {
    id: "CORE-HIST-004",
    async run(ctx) {
      const { task } = await multiturnTask(ctx);
      const r = await ctx.client.call("GetTask", { id: task["id"], history_length: 10 });
      expect(r.ok, `GetTask failed: ${describe(r)}`);
      expect(historyOf(r.value).length > 0, "history_length 10 answered no history");
    },
  },
  {
    id: "CORE-HIST-005",
    async run(ctx) {
      const { task, sent } = await multiturnTask(ctx);
      const r = await ctx.client.call("GetTask", { id: task["id"], history_length: 10 });
      expect(r.ok, `GetTask failed: ${describe(r)}`);
      const order = historyOf(r.value).map((m) => m["messageId"]);
      const at = sent.map((m) => order.indexOf(m["messageId"]));
      if (at.some((i) => i < 0)) blocked(`the history does not hold both user messages: ${order.join(", ")}`);
      expect(at[0]! < at[1]!, `the user messages are out of order in history: ${order.join(", ")}`);
    },
  },
  {
    id: "CORE-HIST-006",
    async run(ctx) {
      const { task, sent } = await multiturnTask(ctx);
      const r = await ctx.client.call("GetTask", { id: task["id"], history_length: 10 });
      expect(r.ok, `GetTask failed: ${describe(r)}`);
      const history = historyOf(r.value);
      const matched = sent.filter((m) => history.some((h) => h["messageId"] === m["messageId"]));
      if (matched.length === 0) blocked("the history holds none of the messages sent");
      for (const m of matched) {
        const h = history.find((x) => x["messageId"] === m["messageId"])!;
        expect(
          textOf(h) === textOf(m) && h["role"] === "ROLE_USER",
          `history entry ${m["messageId"]} is ${JSON.stringify(h).slice(0, 160)}, sent ${textOf(m)}`,
        );
      }
    },
  },
];
