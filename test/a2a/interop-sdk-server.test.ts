/**
 * Our client against an official @a2a-js/sdk 1.3.0 server (express): a remote A2A agent
 * registered as a bus target answers invoke and streamInvoke, multi-turn input_required /
 * auth_required come back as the final's phase and continue the remote task, a tool-call data
 * part comes back as an agent.tool.call frame, cancel reaches the SDK executor, and SDK errors
 * map to ours.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import express from "express";
import type { Server } from "node:http";
import { AgentCard, Task, TaskArtifactUpdateEvent, TaskStatusUpdateEvent } from "@a2a-js/sdk";
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from "@a2a-js/sdk/server";
import { UserBuilder, agentCardHandler, jsonRpcHandler } from "@a2a-js/sdk/server/express";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import type { Transport } from "../../runtime/transport/types.js";
import { A2aClient, A2aError, registerRemoteAgent, type RemoteAgent } from "../../runtime/a2a/index.js";

let server: Server;
let base = "";
let transport: Transport;
let bus: Bus;
let remote: RemoteAgent;
const canceled: string[] = [];
const TOOL_CALL = { call_id: "sdk-call", name: "weather", arguments: { city: "Oslo" } };
const releases = new Map<string, () => void>();
/** "late": the executor holds its first event until the test opens this gate. */
const gates = new Map<string, () => void>();

const executor: AgentExecutor = {
  async execute(ctx, events) {
    const { taskId, contextId } = ctx;
    const said = ctx.userMessage.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
    if (said === "late") await new Promise<void>((resolve) => gates.set(taskId, resolve));
    events.publish(AgentEvent.task(ctx.task ?? Task.fromJSON({ id: taskId, contextId, status: { state: "TASK_STATE_SUBMITTED" } })));
    const status = (state: string, reply?: string): void =>
      events.publish(
        AgentEvent.statusUpdate(
          TaskStatusUpdateEvent.fromJSON({
            taskId,
            contextId,
            status: {
              state,
              ...(reply ? { message: { messageId: `${taskId}-${state}`, role: "ROLE_AGENT", parts: [{ text: reply }], taskId, contextId } } : {}),
            },
          }),
        ),
      );
    const chunk = (text: string, append: boolean, lastChunk: boolean): void =>
      events.publish(
        AgentEvent.artifactUpdate(
          TaskArtifactUpdateEvent.fromJSON({ taskId, contextId, artifact: { artifactId: "answer", parts: [{ text }] }, append, lastChunk }),
        ),
      );
    status("TASK_STATE_WORKING");
    if (ctx.task !== undefined) {
      chunk(`Hello, ${said}`, false, true);
      status("TASK_STATE_COMPLETED");
    } else if (said === "ask") {
      status("TASK_STATE_INPUT_REQUIRED", "Who are you?");
    } else if (said === "login") {
      status("TASK_STATE_AUTH_REQUIRED", "Sign in, please.");
    } else if (said === "tool") {
      events.publish(
        AgentEvent.statusUpdate(
          TaskStatusUpdateEvent.fromJSON({
            taskId,
            contextId,
            status: {
              state: "TASK_STATE_WORKING",
              message: {
                messageId: `${taskId}-tool`,
                role: "ROLE_AGENT",
                taskId,
                contextId,
                parts: [
                  { data: TOOL_CALL, metadata: { "acp.event_type": "agent.tool.call" } },
                  { data: { call_id: "" }, metadata: { "acp.event_type": "agent.tool.call" } },
                ],
              },
            },
          }),
        ),
      );
      chunk("used", false, true);
      status("TASK_STATE_COMPLETED");
    } else if (said === "wait" || said === "late") {
      await new Promise<void>((resolve) => releases.set(taskId, resolve));
    } else {
      chunk(said.toUpperCase().slice(0, 2), false, false);
      chunk(said.toUpperCase().slice(2), true, true);
      status("TASK_STATE_COMPLETED");
    }
    events.finished();
  },
  async cancelTask(taskId, events) {
    canceled.push(taskId);
    releases.get(taskId)?.();
    events.publish(AgentEvent.statusUpdate(TaskStatusUpdateEvent.fromJSON({ taskId, contextId: "", status: { state: "TASK_STATE_CANCELED" } })));
    events.finished();
  },
};

beforeAll(async () => {
  const app = express();
  const card = (): AgentCard =>
    AgentCard.fromJSON({
      name: "SDK agent",
      description: "an @a2a-js/sdk server",
      version: "1.0.0",
      supportedInterfaces: [{ url: `${base}/a2a/jsonrpc`, protocolBinding: "JSONRPC", protocolVersion: "1.0" }],
      capabilities: { streaming: true, pushNotifications: false },
      defaultInputModes: ["text/plain"],
      defaultOutputModes: ["text/plain"],
      skills: [],
    });
  // The handler's copy of the card only serves version checks; the served card is built per request (port known by then).
  const handler = new DefaultRequestHandler(card(), new InMemoryTaskStore(), executor);
  app.use("/.well-known/agent-card.json", agentCardHandler({ agentCardProvider: async () => card() }));
  app.use("/a2a/jsonrpc", jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  transport = createMemoryTransport();
  bus = createBus({ agentId: "interop", transport });
  remote = await registerRemoteAgent(bus, "sdk-agent", { url: base });
});

afterAll(async () => {
  await remote?.close();
  await bus?.close();
  await transport?.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("our client against an @a2a-js/sdk server", () => {
  it("reads the SDK agent's card", () => {
    expect(remote.card.name).toBe("SDK agent");
    expect(remote.client.endpoint).toBe(`${base}/a2a/jsonrpc`);
  });

  it("invoke maps onto a stream and returns the whole artifact", async () => {
    expect(await bus.invoke("sdk-agent", "hello")).toBe("HELLO");
  });

  it("streamInvoke yields the artifact chunks as deltas, then the final", async () => {
    const frames: string[] = [];
    let final: unknown;
    for await (const f of bus.streamInvoke("sdk-agent", "stream")) {
      if (f.type === "delta") frames.push(f.delta ?? "");
      if (f.type === "final") final = f.result;
    }
    expect(frames).toEqual(["ST", "REAM"]);
    expect(final).toBe("STREAM");
  });

  it("input_required comes back as a final with that phase; the next invoke continues the remote task", async () => {
    const asked = await bus.invokeEnvelope("sdk-agent", "ask");
    expect(asked).toMatchObject({ event_type: "agent.response.final", phase: "input_required", payload: "Who are you?" });
    expect(asked.metadata?.["a2a.phase"]).toBeUndefined();
    const taskId = asked.metadata?.["a2a.task_id"];
    expect(typeof taskId).toBe("string");
    expect(await bus.invoke("sdk-agent", "Ada", { metadata: { "a2a.task_id": taskId } })).toBe("Hello, Ada");
    const auth = await bus.invokeEnvelope("sdk-agent", "login");
    expect(auth.phase).toBe("auth_required");
    expect(await bus.invoke("sdk-agent", "tok", { metadata: { "a2a.task_id": auth.metadata?.["a2a.task_id"] } })).toBe("Hello, tok");
  });

  it("a tool-call data part comes back as an agent.tool.call frame (an invalid one as a data delta)", async () => {
    const frames: { type: string; payload?: unknown }[] = [];
    for await (const f of bus.streamInvoke("sdk-agent", "tool")) {
      if (f.type === "event") frames.push({ type: f.envelope.event_type, payload: f.envelope.payload });
      else if (f.type === "delta") frames.push({ type: "delta", payload: f.data ?? f.delta });
      else frames.push({ type: f.type });
    }
    expect(frames).toEqual([
      { type: "started" },
      { type: "agent.tool.call", payload: TOOL_CALL },
      { type: "delta", payload: { call_id: "" } },
      { type: "delta", payload: "used" },
      { type: "final" },
    ]);
  });

  it("canceling the bus stream cancels the remote task", async () => {
    const call = bus.streamInvoke("sdk-agent", "wait");
    const it = call[Symbol.asyncIterator]();
    const started = it.next();
    await expect.poll(() => releases.size).toBeGreaterThan(0);
    await call.close("enough");
    await started.catch(() => undefined);
    await expect.poll(() => canceled.length).toBe(1);
  });

  it("a cancel that reaches the bridge before the remote task has a known id still cancels that task once its id arrives", async () => {
    const before = canceled.length;
    const call = bus.streamInvoke("sdk-agent", "late");
    const it = call[Symbol.asyncIterator]();
    const started = it.next();
    await expect.poll(() => gates.size).toBeGreaterThan(0);
    await call.close("enough");
    // let the cancel reach the bridge while the remote agent has not said its task id yet
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const open of gates.values()) open();
    await started.catch(() => undefined);
    await expect.poll(() => canceled.length).toBe(before + 1);
  });

  it("SDK errors come back as A2aError with the A2A reason, the JSON-RPC code they came with, and our catalogue code", async () => {
    const client = new A2aClient(`${base}/a2a/jsonrpc`);
    const err = await client.getTask("missing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(A2aError);
    expect((err as A2aError).reason).toBe("TASK_NOT_FOUND");
    expect((err as A2aError).wire?.code).toBe(-32001);
    expect((err as A2aError).code).toBe("INVALID_REQUEST");
    const unknown = await client.call("NoSuchMethod" as "GetTask", {}).catch((e: unknown) => e);
    expect((unknown as A2aError).reason).toBe("METHOD_NOT_FOUND");
    expect((unknown as A2aError).wire?.code).toBe(-32601);
    expect((unknown as A2aError).code).toBe("NO_HANDLER");
  });
});
