/**
 * The tasks the checks need, made the way the TCK makes them: a message whose id starts with
 * the TCK's scenario prefix (tck-complete-task, tck-input-required, tck-auth-required, ...) and
 * whose text is what a generic agent understands (the OpenAgentIO demo agent asks for input on
 * "ask" and for credentials on "login"; plain text completes).
 */
import { blocked, describe, expect, type TckContext } from "./framework.js";
import type { CallResult, Obj, StreamCall } from "./types.js";

export const TERMINAL = new Set(["TASK_STATE_COMPLETED", "TASK_STATE_FAILED", "TASK_STATE_CANCELED", "TASK_STATE_REJECTED"]);
export const INTERRUPTED = new Set(["TASK_STATE_INPUT_REQUIRED", "TASK_STATE_AUTH_REQUIRED"]);

/** A user message with one text part. */
export function userMessage(ctx: TckContext, prefix: string, text: string, extra: Obj = {}): Obj {
  return { role: "ROLE_USER", parts: [{ text }], messageId: ctx.messageId(prefix), ...extra };
}

/** A plain SendMessage with extra headers (gRPC: metadata). */
export const sendWith = (ctx: TckContext, headers: Record<string, string>, prefix: string): Promise<CallResult> =>
  ctx.client.call("SendMessage", { message: userMessage(ctx, prefix, "header test") }, { headers });

export function send(ctx: TckContext, message: Obj, configuration?: Obj): Promise<CallResult> {
  return ctx.client.call("SendMessage", { message, ...(configuration ? { configuration } : {}) });
}

/** The task of a SendMessage answer (blocked when there is none). */
export function taskOf(r: CallResult, what: string): Obj {
  if (!r.ok) blocked(`${what}: SendMessage failed: ${describe(r)}`);
  const task = r.value?.["task"] as Obj | undefined;
  if (task === undefined || typeof task["id"] !== "string") blocked(`${what}: SendMessage answered no task: ${describe(r)}`);
  return task;
}

const stateOf = (t: Obj): string => String(t["status"]?.["state"] ?? "");

async function taskIn(ctx: TckContext, prefix: string, text: string, state: string, what: string): Promise<Obj> {
  const task = taskOf(await send(ctx, userMessage(ctx, prefix, text)), what);
  if (stateOf(task) !== state) blocked(`${what}: the task is ${stateOf(task) || "stateless"}, expected ${state}`);
  return task;
}

/** A task in TASK_STATE_COMPLETED. */
export const completedTask = (ctx: TckContext): Promise<Obj> => taskIn(ctx, "complete-task", "Hello from TCK", "TASK_STATE_COMPLETED", "completed task");
/** A task waiting in TASK_STATE_INPUT_REQUIRED. */
export const inputRequiredTask = (ctx: TckContext): Promise<Obj> => taskIn(ctx, "input-required", "ask", "TASK_STATE_INPUT_REQUIRED", "input-required task");

/** The follow-up message that completes an INPUT_REQUIRED task. */
export function followUp(ctx: TckContext, task: Obj, extra: Obj = {}): Obj {
  return userMessage(ctx, "complete-task", "Ada", { taskId: task["id"], ...extra });
}

/** A two-turn task (input required, then completed): the task and the two user messages sent. */
export async function multiturnTask(ctx: TckContext): Promise<{ task: Obj; sent: Obj[] }> {
  const first = userMessage(ctx, "input-required", "ask");
  const task = taskOf(await send(ctx, first), "two-turn task");
  if (stateOf(task) !== "TASK_STATE_INPUT_REQUIRED") blocked(`two-turn task: the first turn left ${stateOf(task)}, expected TASK_STATE_INPUT_REQUIRED`);
  const second = followUp(ctx, task);
  const done = taskOf(await send(ctx, second), "two-turn task");
  if (stateOf(done) !== "TASK_STATE_COMPLETED") blocked(`two-turn task: the follow-up left ${stateOf(done)}, expected TASK_STATE_COMPLETED`);
  return { task: done, sent: [first, second] };
}

/** Every event of a stream to its end (bounded: 200 events, 15 s per event). */
export async function collect(call: StreamCall, max = 200): Promise<Obj[]> {
  const out: Obj[] = [];
  try {
    for (let i = 0; i < max; i++) {
      const e = await call.next(15_000);
      if (e === undefined) return out;
      out.push(e);
    }
    throw new Error(`the stream did not end within ${max} events`);
  } finally {
    await call.close();
  }
}

/** The task state an event carries (task or statusUpdate), if any. */
export function eventState(e: Obj): string | undefined {
  return e["task"]?.["status"]?.["state"] ?? e["statusUpdate"]?.["status"]?.["state"];
}

/** Which of task / message / statusUpdate / artifactUpdate an event holds. */
export function eventKinds(e: Obj): string[] {
  return ["task", "message", "statusUpdate", "artifactUpdate"].filter((k) => e[k] !== undefined);
}

/** Every message inside a value: answer message, status messages, history. */
export function messagesIn(v: Obj): Obj[] {
  const out: Obj[] = [];
  const task = v["task"] as Obj | undefined;
  if (v["message"]) out.push(v["message"]);
  if (task?.["status"]?.["message"]) out.push(task["status"]["message"]);
  for (const m of (task?.["history"] ?? []) as Obj[]) out.push(m);
  return out;
}

/** The history of a task value (GetTask answer or SendMessage task). */
export function historyOf(v: Obj | undefined): Obj[] {
  const t = (v?.["task"] ?? v) as Obj | undefined;
  return (t?.["history"] ?? []) as Obj[];
}

/** The text of a message's parts. */
export const textOf = (m: Obj): string => ((m["parts"] ?? []) as Obj[]).map((p) => p["text"] ?? "").join("");

export { expect };
