/** TCK checks of streaming (CORE-STREAM-*, STREAM-*) on one binding. */
import { capability, describe, expect, expectA2aError, notApplicable, type TckCheck, type TckContext } from "./framework.js";
import { collect, completedTask, eventKinds, eventState, followUp, inputRequiredTask, send, TERMINAL, userMessage } from "./scenario.js";
import type { Obj, StreamCall } from "./types.js";

function needStreaming(ctx: TckContext): void {
  if (!capability(ctx, "streaming")) notApplicable("the card does not declare streaming");
}

async function streamMessage(ctx: TckContext, prefix: string, text: string): Promise<{ call: StreamCall; events: Obj[] }> {
  const call = await ctx.client.stream("SendStreamingMessage", { message: userMessage(ctx, prefix, text) });
  const events = await collect(call);
  expect(call.error === undefined, `the stream failed: ${call.error?.code} ${call.error?.message}`);
  return { call, events };
}

/** Canonical JSON (sorted keys) for comparing events across streams. */
const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );

/** Two subscriptions to an INPUT_REQUIRED task, then a follow-up that completes it; each stream's events. */
async function twoSubscriptions(ctx: TckContext, closeFirstEarly: boolean): Promise<{ a: Obj[]; b: Obj[] }> {
  const task = await inputRequiredTask(ctx);
  const s1 = await ctx.client.stream("SubscribeToTask", { id: task["id"] });
  const s2 = await ctx.client.stream("SubscribeToTask", { id: task["id"] });
  const firstA = await s1.next(10_000);
  const firstB = await s2.next(10_000);
  expect(firstA !== undefined && firstB !== undefined, `a subscription ended at once: ${s1.error?.message ?? s2.error?.message ?? "no event"}`);
  if (closeFirstEarly) await s1.close();
  const r = await send(ctx, followUp(ctx, task));
  expect(r.ok, `the follow-up failed: ${describe(r)}`);
  const a = closeFirstEarly ? [firstA] : [firstA, ...(await collect(s1))];
  const b = [firstB, ...(await collect(s2))];
  return { a, b };
}

export const streamChecks: readonly TckCheck[] = [
  {
    id: "CORE-STREAM-001",
    async run(ctx) {
      needStreaming(ctx);
      const { events } = await streamMessage(ctx, "stream-001", "Stream hello from TCK");
      expect(events.length > 0, "the stream delivered no event");
      for (const e of events) {
        const problems = ctx.proto.check("StreamResponse", e);
        expect(problems.length === 0, `an event is not a StreamResponse: ${problems.join("; ")}`);
      }
    },
  },
  {
    id: "CORE-STREAM-002",
    async run(ctx) {
      needStreaming(ctx);
      const { events } = await streamMessage(ctx, "message-response", "Stream message-only response");
      expect(events.length > 0, "the stream delivered no event");
      if (events[0]?.["message"] === undefined) return;
      expect(events.length === 1, `a message stream delivered ${events.length} events, expected exactly one`);
    },
  },
  {
    id: "CORE-STREAM-003",
    async run(ctx) {
      needStreaming(ctx);
      const { events } = await streamMessage(ctx, "stream-003", "Stream task lifecycle");
      expect(events.length > 0, "the stream delivered no event");
      if (events[0]?.["message"] !== undefined) notApplicable("the agent answered with a Message, not a Task");
      expect(events[0]?.["task"] !== undefined, `the stream began with ${eventKinds(events[0]!).join("/")}, not the task`);
      const last = events[events.length - 1]!;
      expect(TERMINAL.has(String(eventState(last))), `the stream closed after state ${eventState(last)}, not a terminal state`);
    },
  },
  {
    id: "STREAM-ORDER-001",
    async run(ctx) {
      needStreaming(ctx);
      const { events } = await streamMessage(ctx, "stream-ordering-001", "Ordered output");
      if (events[0]?.["message"] !== undefined) notApplicable("the agent answered with a Message, not a Task");
      expect(events[0]?.["task"] !== undefined, `the first event is ${eventKinds(events[0] ?? {}).join("/")}, not the task`);
      const terminalAt = events.findIndex((e) => TERMINAL.has(String(eventState(e))));
      expect(terminalAt === events.length - 1, `events follow the terminal state (at ${terminalAt} of ${events.length})`);
      for (const e of events) expect(eventKinds(e).length === 1, `an event holds ${eventKinds(e).join("+") || "nothing"}`);
    },
  },
  {
    id: "STREAM-ORDER-002",
    async run(ctx) {
      needStreaming(ctx);
      const { a, b } = await twoSubscriptions(ctx, false);
      expect(a.length >= 2 && b.length >= 2, `the streams got ${a.length} and ${b.length} events; each needs the task and a later event`);
    },
  },
  {
    id: "STREAM-ORDER-003",
    async run(ctx) {
      needStreaming(ctx);
      const { a, b } = await twoSubscriptions(ctx, false);
      expect(a.length >= 2 && b.length >= 2, `the streams got ${a.length} and ${b.length} events`);
      expect(
        canon(a) === canon(b),
        `the two streams differ: ${a.map((e) => eventKinds(e).join()).join(",")} vs ${b.map((e) => eventKinds(e).join()).join(",")}`,
      );
    },
  },
  {
    id: "STREAM-ORDER-004",
    async run(ctx) {
      needStreaming(ctx);
      const { b } = await twoSubscriptions(ctx, true);
      expect(b.length >= 2, "the remaining stream got no event after the other was closed");
      expect(TERMINAL.has(String(eventState(b[b.length - 1]!))), "the remaining stream did not reach the terminal state");
    },
  },
  {
    id: "STREAM-SUB-001",
    async run(ctx) {
      needStreaming(ctx);
      const task = await inputRequiredTask(ctx);
      const call = await ctx.client.stream("SubscribeToTask", { id: task["id"] });
      const first = await call.next(10_000).finally(() => call.close());
      expect(first !== undefined, `no first event: ${call.error?.code} ${call.error?.message}`);
      expect(first["task"]?.["id"] === task["id"], `the first event is ${String(JSON.stringify(first)).slice(0, 160)}, not the task`);
    },
  },
  {
    id: "STREAM-SUB-002",
    async run(ctx) {
      needStreaming(ctx);
      const task = await inputRequiredTask(ctx);
      const call = await ctx.client.stream("SubscribeToTask", { id: task["id"] });
      const first = await call.next(10_000);
      expect(first !== undefined, `no first event: ${call.error?.code} ${call.error?.message}`);
      const r = await send(ctx, followUp(ctx, task));
      expect(r.ok, `the follow-up failed: ${describe(r)}`);
      const events = [first, ...(await collect(call))];
      expect(TERMINAL.has(String(eventState(events[events.length - 1]!))), "the subscription closed without a terminal state (or did not close)");
    },
  },
  {
    id: "STREAM-SUB-003",
    async run(ctx) {
      needStreaming(ctx);
      const task = await completedTask(ctx);
      const call = await ctx.client.stream("SubscribeToTask", { id: task["id"] });
      const first = await call.next(10_000).catch(() => undefined);
      await call.close();
      expect(first === undefined, `subscribing to a completed task streamed ${String(JSON.stringify(first)).slice(0, 120)}`);
      expectA2aError(ctx, { ok: false, error: call.error }, "UnsupportedOperationError");
    },
  },
  {
    id: "STREAM-SUB-004",
    async run(ctx) {
      needStreaming(ctx);
      const call = await ctx.client.stream("SubscribeToTask", { id: ctx.messageId("nonexistent-sub-004") });
      const first = await call.next(10_000).catch(() => undefined);
      await call.close();
      expect(first === undefined, `subscribing to an unknown task streamed ${String(JSON.stringify(first)).slice(0, 120)}`);
      expectA2aError(ctx, { ok: false, error: call.error }, "TaskNotFoundError");
    },
  },
];
