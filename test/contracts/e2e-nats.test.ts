/**
 * End to end: the generated TypeScript client of each example contract calls the generated
 * handlers over a real nats-server through the Bus (two connections, as two processes
 * would): invoke, stream (deltas then output), typed events both ways, typed errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { connectNats, type Transport } from "../../runtime/transport/index.js";
import { InvalidRequestError, NoHandlerError } from "../../runtime/errors.js";
import type { ToolCallPayload, TaskCompletedPayload } from "../../generated/ts/types.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import {
  TranslatorClient,
  registerTranslatorHandlers,
  translatorContract,
  type TranslateDelta,
  type TranslateInput,
} from "../../examples/contracts/generated/ts/translator.js";
import {
  PlannerClient,
  createPlannerPublisher,
  registerPlannerHandlers,
  type PlannerStepCompletedPayload,
} from "../../examples/contracts/generated/ts/planner.js";
import { TaskWorkerClient, registerTaskWorkerHandlers, type TaskWorkerProgressPayload } from "../../examples/contracts/generated/ts/task-worker.js";
import type { Registrations } from "../../examples/contracts/generated/ts/support.js";

/** Resolves with the first `n` values pushed, or fails naming `what` after 10 s. */
function collector<T>(n: number, what: string): { push: (v: T) => void; done: Promise<T[]> } {
  const items: T[] = [];
  let resolve!: (v: T[]) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<T[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} ${what}, got ${items.length}`)), 10_000);
  return {
    push(v) {
      items.push(v);
      if (items.length === n) {
        clearTimeout(timer);
        resolve(items);
      }
    },
    done,
  };
}

describe("generated contract code over NATS", () => {
  let server: NatsServer;
  const transports: Transport[] = [];
  let agent: Bus;
  let caller: Bus;
  const registrations: Registrations[] = [];
  /** How often the user code of each translator skill ran. */
  const calls = { translate: 0, detectLanguage: 0 };

  beforeAll(async () => {
    server = await startNatsServer();
    transports.push(await connectNats({ servers: server.url }), await connectNats({ servers: server.url }));
    agent = createBus({ agentId: "agents", transport: transports[0]! });
    caller = createBus({ agentId: "caller", transport: transports[1]! });

    registrations.push(
      registerTranslatorHandlers(agent, {
        async translate(input, stream) {
          calls.translate++;
          await stream.started({ model: "test" });
          const words = input.text.split(" ").map((w) => `${w}-${input.target}`);
          for (const [i, w] of words.entries()) await stream.delta(i === 0 ? w : ` ${w}`);
          return { text: words.join(" "), source: input.source ?? "en", characters: input.text.length };
        },
        detectLanguage(input) {
          calls.detectLanguage++;
          if (input.text === "overconfident") return { language: "fr", confidence: 2 };
          if (input.text === "???") throw new InvalidRequestError("cannot tell the language of punctuation");
          return { language: "fr", confidence: 0.9, alternatives: ["it"] };
        },
      }),
    );

    registrations.push(
      registerPlannerHandlers(agent, {
        async makePlan(input, ctx) {
          const plan_id = `plan-${input.goal.length}`;
          await ctx.publish.toolCall({ call_id: `${plan_id}/0`, name: input.tools?.[0]?.name ?? "search", arguments: { q: input.goal } });
          return { plan_id, steps: [{ index: 0, description: input.goal, tool: "search", status: "running" }], summary: "one step" };
        },
        async onToolResult(payload, ctx) {
          const [plan_id = "", index = "0"] = payload.call_id.split("/");
          await ctx.publish.plannerStepCompleted({ plan_id, index: Number(index), status: payload.error === undefined ? "done" : "failed" });
        },
      }),
    );

    registrations.push(
      registerTaskWorkerHandlers(agent, {
        async submit(input, ctx) {
          const task_id = `task-${input.kind}`;
          await ctx.publish.taskCreated({ task_id, status: "submitted", input: input.params ?? {} });
          return { task_id, queued: 0 };
        },
        status(input) {
          return { task_id: input.task_id, state: "working", percent: null };
        },
        async onTaskCreated(payload, ctx) {
          await ctx.publish.taskWorkerProgress({ task_id: payload.task_id, percent: 50 });
          await ctx.publish.taskCompleted({ task_id: payload.task_id, status: "completed", result: { ok: true } });
        },
      }),
    );
    await Promise.all(transports.map((t) => t.flush()));
  });

  afterAll(async () => {
    await Promise.all(registrations.map((r) => r.unsubscribe()));
    await Promise.all(registrations.map((r) => r.closed));
    await caller?.close();
    await agent?.close();
    await Promise.all(transports.map((t) => t.close()));
    await server?.stop();
  });

  it("invokes a skill and gets the typed output", async () => {
    const translator = new TranslatorClient(caller);
    const out = await translator.detectLanguage({ text: "bonjour" });
    expect(out).toEqual({ language: "fr", confidence: 0.9, alternatives: ["it"] });
  });

  it("streams a skill: started, deltas in order, then the output", async () => {
    const translator = new TranslatorClient(caller);
    const stream = translator.translateStream({ text: "good morning friend", target: "fr" });
    const kinds: string[] = [];
    const deltas: TranslateDelta[] = [];
    let output: unknown;
    for await (const frame of stream) {
      kinds.push(frame.type);
      if (frame.type === "delta") deltas.push(frame.delta);
      if (frame.type === "final") output = frame.output;
    }
    expect(kinds).toEqual(["started", "delta", "delta", "delta", "final"]);
    expect(deltas.join("")).toBe("good-fr morning-fr friend-fr");
    expect(output).toEqual({ text: "good-fr morning-fr friend-fr", source: "en", characters: 19 });
  });

  it("runs a stream skill to its output, handing deltas to a callback", async () => {
    const translator = new TranslatorClient(caller);
    const seen: string[] = [];
    const out = await translator.translateStream({ text: "a b", target: "de", source: "en" }).output((d) => void seen.push(d));
    expect(seen).toEqual(["a-de", " b-de"]);
    expect(out.text).toBe("a-de b-de");
    await expect(translator.translate({ text: "x", target: "it" })).resolves.toMatchObject({ text: "x-it" });
  });

  it("rejects with the handler's typed error", async () => {
    const translator = new TranslatorClient(caller);
    const err: unknown = await translator.detectLanguage({ text: "???" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).message).toContain("punctuation");
  });

  // issue 12: translate({text: "", to: "xx"}) reached the TypeScript handler.
  it("the client refuses input that breaks the contract before sending it: INVALID_REQUEST naming the pointer", async () => {
    const translator = new TranslatorClient(caller);
    const before = { ...calls };
    const bad = { text: "", to: "xx" } as unknown as TranslateInput;
    const err: unknown = await translator.translate(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).cause).toEqual({ schema: "translate.input", pointer: "/target", keyword: "required", expected: 'property "target"' });
    const short: unknown = await translator.detectLanguage({ text: "" }).catch((e: unknown) => e);
    expect((short as InvalidRequestError).message).toBe("translator detect-language.input /text: expected a non-empty string (minLength)");
    expect(calls).toEqual(before);
  });

  it("the handler refuses input that breaks the contract before its user code runs, with the same code and pointer", async () => {
    const before = { ...calls };
    const err: unknown = await caller.invoke(translatorContract.skills.detectLanguage.target, { text: "" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).cause).toEqual({
      schema: "detect-language.input",
      pointer: "/text",
      keyword: "minLength",
      expected: "a non-empty string",
    });
    const stream = caller.streamInvoke(translatorContract.skills.translate.target, { text: "hi", target: "fr", to: "de" });
    const streamErr: unknown = await (async () => {
      for await (const _ of stream) {
        // frames before the error
      }
    })().catch((e: unknown) => e);
    expect(streamErr).toBeInstanceOf(InvalidRequestError);
    expect((streamErr as InvalidRequestError).cause).toMatchObject({ schema: "translate.input", pointer: "", keyword: "additionalProperties" });
    expect(calls).toEqual(before);
  });

  it("a handler's output that breaks the contract is refused by the handler and by the client", async () => {
    const translator = new TranslatorClient(caller);
    const err: unknown = await translator.detectLanguage({ text: "overconfident" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).cause).toEqual({
      schema: "detect-language.output",
      pointer: "/confidence",
      keyword: "maximum",
      expected: "a number <= 1",
    });
    // A handler that is not the generated one (another tenant): the client checks what it receives.
    const rogue = createBus({ agentId: "rogue", transport: transports[0]!, tenant: "rogue" });
    const client = createBus({ agentId: "client", transport: transports[1]!, tenant: "rogue" });
    try {
      const sub = rogue.handleInvoke(translatorContract.skills.detectLanguage.target, () => ({ language: "French", confidence: 0.5 }));
      await transports[0]!.flush();
      const got: unknown = await new TranslatorClient(client).detectLanguage({ text: "bonjour" }).catch((e: unknown) => e);
      expect(got).toBeInstanceOf(InvalidRequestError);
      expect((got as InvalidRequestError).cause).toMatchObject({ schema: "detect-language.output", pointer: "/language", keyword: "pattern" });
      await sub.unsubscribe();
    } finally {
      await client.close();
      await rogue.close();
    }
  });

  it("custom event payloads are checked when published and when received", async () => {
    const publisher = createPlannerPublisher(caller);
    const bad = { plan_id: "p", index: -1, status: "done" } as const;
    const err: unknown = await publisher.plannerStepCompleted(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).cause).toEqual({
      schema: "planner.step.completed.payload",
      pointer: "/index",
      keyword: "minimum",
      expected: "a number >= 0",
    });
    // Received: a raw publish that breaks the schema never reaches the typed handler; the next one does.
    const steps = collector<PlannerStepCompletedPayload>(1, "planner.step.completed");
    const sub = new PlannerClient(caller).onPlannerStepCompleted((p) => steps.push(p));
    await transports[1]!.flush();
    try {
      await agent.publish("planner.step.completed", bad);
      await agent.publish("planner.step.completed", { plan_id: "p", index: 1, status: "done" });
      expect(await steps.done).toEqual([{ plan_id: "p", index: 1, status: "done" }]);
    } finally {
      await sub.unsubscribe();
    }
  });

  it("fails with NO_HANDLER where nobody serves the skill (another tenant)", async () => {
    const bus = createBus({ agentId: "lonely", transport: transports[1]!, tenant: "nobody" });
    try {
      const err: unknown = await new TranslatorClient(bus).detectLanguage({ text: "x" }, { timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoHandlerError);
    } finally {
      await bus.close();
    }
  }, 15_000);

  it("publishes and consumes the declared events (planner: tool.call out, tool.result in, step.completed out)", async () => {
    const planner = new PlannerClient(caller);
    const calls = collector<ToolCallPayload>(1, "agent.tool.call");
    const steps = collector<PlannerStepCompletedPayload>(1, "planner.step.completed");
    const subs = [planner.onToolCall((p) => calls.push(p)), planner.onPlannerStepCompleted((p) => steps.push(p))];
    await transports[1]!.flush();
    try {
      const plan = await planner.makePlan({ goal: "find flights", tools: [{ name: "flights", description: "searches flights" }] });
      expect(plan).toMatchObject({ plan_id: "plan-12", steps: [{ index: 0, status: "running" }] });
      const [call] = await calls.done;
      expect(call).toEqual({ call_id: "plan-12/0", name: "flights", arguments: { q: "find flights" } });
      await planner.publishToolResult({ call_id: call!.call_id, output: { flights: 3 } });
      expect(await steps.done).toEqual([{ plan_id: "plan-12", index: 0, status: "done" }]);
    } finally {
      await Promise.all(subs.map((s) => s.unsubscribe()));
    }
  });

  it("runs an async task: submit, task.created handled by the worker, progress and task.completed", async () => {
    const worker = new TaskWorkerClient(caller);
    const progress = collector<TaskWorkerProgressPayload>(1, "task-worker.progress");
    const completed = collector<TaskCompletedPayload>(1, "agent.task.completed");
    const subs = [worker.onTaskWorkerProgress((p) => progress.push(p)), worker.onTaskCompleted((p) => completed.push(p))];
    await transports[1]!.flush();
    try {
      const { task_id } = await worker.submit({ kind: "report", params: { month: 5 } });
      expect(task_id).toBe("task-report");
      expect(await progress.done).toEqual([{ task_id, percent: 50 }]);
      expect(await completed.done).toEqual([{ task_id, status: "completed", result: { ok: true } }]);
      await expect(worker.status({ task_id })).resolves.toEqual({ task_id, state: "working", percent: null });
    } finally {
      await Promise.all(subs.map((s) => s.unsubscribe()));
    }
  });

  it("exposes the contract facts the code was generated from", () => {
    expect(translatorContract.skills.translate).toEqual({ id: "translate", target: "translator:translate", mode: "stream" });
    expect(registrations[0]!.subscriptions.map((s) => s.subject)).toEqual(["acp.v1.invoke.translator:translate", "acp.v1.invoke.translator:detect-language"]);
  });
});
