/** TCK checks of push notification configs and webhook delivery (PUSH-*) on one binding. */
import { blocked, capability, describe, expect, notApplicable, type TckCheck, type TckContext } from "./framework.js";
import { completedTask, followUp, send, taskOf, userMessage } from "./scenario.js";
import type { CallResult, Obj } from "./types.js";

function needPush(ctx: TckContext): void {
  if (!capability(ctx, "pushNotifications")) notApplicable("the card does not declare pushNotifications");
}

/** A completed task with one push config on it (the TCK's `{task_id, id, url}`). */
async function taskWithConfig(ctx: TckContext): Promise<{ taskId: string; configId: string; created: CallResult }> {
  const task = await completedTask(ctx);
  const configId = ctx.messageId("push");
  const created = await ctx.client.call("CreateTaskPushNotificationConfig", { task_id: task["id"], id: configId, url: ctx.pushUrl });
  return { taskId: String(task["id"]), configId, created };
}

async function created(ctx: TckContext): Promise<{ taskId: string; configId: string }> {
  const c = await taskWithConfig(ctx);
  if (!c.created.ok) blocked(`CreateTaskPushNotificationConfig failed: ${describe(c.created)}`);
  return { taskId: c.taskId, configId: String(c.created.value?.["id"] ?? c.configId) };
}

const getConfig = (ctx: TckContext, taskId: string, id: string): Promise<CallResult> =>
  ctx.client.call("GetTaskPushNotificationConfig", { task_id: taskId, id });

/** A task with a push config pointing at the local receiver, then completed; the first webhook POST. */
async function delivered(ctx: TckContext): Promise<{ credentials: string; hook: Obj }> {
  needPush(ctx);
  const receiver = ctx.receiver;
  if (receiver === undefined) notApplicable("no webhook receiver the agent can reach");
  const path = `/${ctx.messageId("hook")}`;
  const credentials = `tck-test-token-${ctx.messageId("auth")}`;
  const config = { id: ctx.messageId("push"), url: `${receiver.url}${path}`, authentication: { scheme: "Bearer", credentials } };
  const task = taskOf(await send(ctx, userMessage(ctx, "input-required", "ask"), { taskPushNotificationConfig: config }), "task with a push config");
  const r = await send(ctx, followUp(ctx, task));
  if (!r.ok) blocked(`the follow-up failed: ${describe(r)}`);
  let timer: NodeJS.Timeout | undefined;
  const hook = await Promise.race([
    receiver.waitFor((h) => h.path === path),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), 15_000);
    }),
  ]).finally(() => clearTimeout(timer));
  expect(hook !== undefined, "no webhook request within 15 s");
  return { credentials, hook: hook as unknown as Obj };
}

export const pushChecks: readonly TckCheck[] = [
  {
    id: "PUSH-CREATE-001",
    async run(ctx) {
      needPush(ctx);
      const { created: r } = await taskWithConfig(ctx);
      expect(r.ok, `CreateTaskPushNotificationConfig failed: ${describe(r)}`);
      expect(r.value?.["url"] === ctx.pushUrl, `the answer is not the config: ${describe(r)}`);
    },
  },
  {
    id: "PUSH-CREATE-002",
    async run(ctx) {
      needPush(ctx);
      const { taskId, configId } = await created(ctx);
      const r = await getConfig(ctx, taskId, configId);
      expect(r.ok, `GetTaskPushNotificationConfig after creation failed: ${describe(r)}`);
    },
  },
  {
    id: "PUSH-GET-001",
    async run(ctx) {
      needPush(ctx);
      const { taskId, configId } = await created(ctx);
      const r = await getConfig(ctx, taskId, configId);
      expect(r.ok, `GetTaskPushNotificationConfig failed: ${describe(r)}`);
      expect(r.value?.["url"] === ctx.pushUrl, `the config answered has url ${r.value?.["url"]}`);
    },
  },
  {
    id: "PUSH-GET-002",
    async run(ctx) {
      needPush(ctx);
      const task = await completedTask(ctx);
      const r = await getConfig(ctx, String(task["id"]), ctx.messageId("nonexistent"));
      expect(!r.ok, `an unknown config id answered ${describe(r)}`);
    },
  },
  {
    id: "PUSH-LIST-001",
    async run(ctx) {
      needPush(ctx);
      const { taskId, configId } = await created(ctx);
      const r = await ctx.client.call("ListTaskPushNotificationConfigs", { task_id: taskId });
      expect(r.ok, `ListTaskPushNotificationConfigs failed: ${describe(r)}`);
      const configs = (r.value?.["configs"] ?? []) as Obj[];
      expect(
        configs.some((c) => c["id"] === configId),
        `the list does not hold config ${configId}: ${describe(r)}`,
      );
    },
  },
  {
    id: "PUSH-DEL-001",
    async run(ctx) {
      needPush(ctx);
      const { taskId, configId } = await created(ctx);
      const d = await ctx.client.call("DeleteTaskPushNotificationConfig", { task_id: taskId, id: configId });
      expect(d.ok, `DeleteTaskPushNotificationConfig failed: ${describe(d)}`);
      const g = await getConfig(ctx, taskId, configId);
      expect(!g.ok, "the config still exists after deletion");
    },
  },
  {
    id: "PUSH-DEL-002",
    async run(ctx) {
      needPush(ctx);
      const { taskId, configId } = await created(ctx);
      await ctx.client.call("DeleteTaskPushNotificationConfig", { task_id: taskId, id: configId });
      const again = await ctx.client.call("DeleteTaskPushNotificationConfig", { task_id: taskId, id: configId });
      expect(again.ok, `the second delete failed: ${describe(again)}`);
    },
  },
  {
    id: "PUSH-DELIVER-001",
    async run(ctx) {
      const { credentials, hook } = await delivered(ctx);
      expect(
        hook["authorization"] === `Bearer ${credentials}`,
        `the webhook Authorization is ${JSON.stringify(hook["authorization"])}, expected "Bearer <credentials>"`,
      );
    },
  },
  {
    id: "PUSH-DELIVER-002",
    async run(ctx) {
      await delivered(ctx);
    },
  },
  {
    id: "PUSH-DELIVER-003",
    async run(ctx) {
      const { hook } = await delivered(ctx);
      const problems = ctx.proto.check("StreamResponse", hook["body"]);
      expect(problems.length === 0, `the webhook body is not a StreamResponse: ${problems.join("; ")}`);
      const kinds = ["task", "message", "statusUpdate", "artifactUpdate"].filter((k) => (hook["body"] as Obj | undefined)?.[k] !== undefined);
      expect(kinds.length === 1, `the webhook body holds ${kinds.join("+") || "none"} of task/message/statusUpdate/artifactUpdate`);
    },
  },
];
