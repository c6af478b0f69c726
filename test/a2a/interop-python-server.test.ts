/**
 * Our A2A client against a server of the official Python SDK (a2a-sdk 1.3.0,
 * test/peers/a2a-python/cli_agent.py over JSON-RPC): the remote agent registered as a bus
 * target (registerRemoteAgent) answers invoke and streamInvoke, a Message answer (no task)
 * becomes the final, a data part the result object, FAILED an error frame, INPUT_REQUIRED a
 * final with that phase whose a2a.task_id continues the remote task; A2aClient reads its card
 * (checked) and gets a task by id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import type { Transport } from "../../runtime/transport/types.js";
import { A2aClient, registerRemoteAgent, type RemoteAgent } from "../../runtime/a2a/index.js";
import { startPythonAgent, type PythonAgent } from "../helpers/a2a-python-agent.js";

let python: PythonAgent;
let transport: Transport;
let bus: Bus;
let remote: RemoteAgent;

beforeAll(async () => {
  python = await startPythonAgent();
  transport = createMemoryTransport();
  bus = createBus({ agentId: "interop-python", transport });
  remote = await registerRemoteAgent(bus, "py-agent", { url: python.url });
}, 120_000);

afterAll(async () => {
  await remote?.close();
  await bus?.close();
  await transport?.close();
  await python?.close();
});

describe("our client against the Python a2a-sdk 1.3.0 server", () => {
  it("reads and checks its card; the JSON-RPC endpoint is the card's interface URL", () => {
    expect(remote.card.name).toBe("Python SDK agent");
    expect(remote.card.skills.map((s) => s.id)).toEqual(["shout"]);
    expect(remote.client.endpoint).toBe(`${python.url}/rpc`);
  });

  it("invoke returns the whole artifact; streamInvoke yields its chunks as deltas, then the final", async () => {
    expect(await bus.invoke("py-agent", "hello")).toBe("HELLO");
    const deltas: string[] = [];
    let final: unknown;
    for await (const f of bus.streamInvoke("py-agent", "stream")) {
      if (f.type === "delta") deltas.push(f.delta ?? "");
      if (f.type === "final") final = f.result;
    }
    expect(deltas).toEqual(["ST", "REAM"]);
    expect(final).toBe("STREAM");
  });

  it("a Message answer (no task) is the final; a data part is the result object", async () => {
    expect(await bus.invoke("py-agent", "msg")).toBe("just a message");
    expect(await bus.invoke("py-agent", "data")).toEqual({ answer: 42, unit: "m" });
  });

  it("FAILED comes back as an error naming the remote task and its message", async () => {
    await expect(bus.invoke("py-agent", "fail")).rejects.toThrow(/remote task \S+ ended TASK_STATE_FAILED: it broke/);
  });

  it("INPUT_REQUIRED comes back as a final with that phase; a2a.task_id continues the remote task", async () => {
    const asked = await bus.invokeEnvelope("py-agent", "ask");
    expect(asked).toMatchObject({ event_type: "agent.response.final", phase: "input_required", payload: "What is your name?" });
    const taskId = asked.metadata?.["a2a.task_id"];
    expect(typeof taskId).toBe("string");
    expect(await bus.invoke("py-agent", "Ada", { metadata: { "a2a.task_id": taskId } })).toBe("Hello, Ada");
    const task = await remote.client.getTask(String(taskId));
    expect(task.status.state).toBe("TASK_STATE_COMPLETED");
  });

  it("A2aClient.connect + sendMessage: the Python server's Message answer is typed as one", async () => {
    const { client } = await A2aClient.connect(python.url);
    const r = await client.sendMessage({ message: { messageId: "m-py-1", role: "ROLE_USER", parts: [{ text: "msg" }] } });
    expect("message" in r && r.message.parts).toEqual([{ text: "just a message" }]);
  });
});
