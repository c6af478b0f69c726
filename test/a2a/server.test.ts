/**
 * Serving: the fastify plugin under a prefix, an invoke-only target, the metadata a2a.phase
 * fallback for interrupting a task, and close with work in flight.
 */
import { afterEach, describe, expect, it } from "vitest";
import Fastify from "fastify";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import type { Transport } from "../../runtime/transport/types.js";
import { a2aPlugin, startA2aServer } from "../../runtime/a2a/index.js";
import { serveDemoAgent } from "../../bin/a2a/conformance/index.js";
import { rpcResult, sseOpen, userText } from "../../bin/a2a/conformance/http.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

function buses(): { transport: Transport; agent: Bus; bridge: Bus } {
  const transport = createMemoryTransport();
  const agent = createBus({ agentId: "agent", transport });
  const bridge = createBus({ agentId: "bridge", transport });
  cleanup.push(
    () => transport.close(),
    () => agent.close(),
    () => bridge.close(),
  );
  return { transport, agent, bridge };
}

describe("A2A server", () => {
  it("mounts on an existing fastify under a prefix and serves an invoke-only target", async () => {
    const { agent, bridge } = buses();
    const sub = agent.handleInvoke("upper", (req: unknown) => String(req).toUpperCase());
    cleanup.push(() => sub.unsubscribe());
    const app = Fastify();
    app.get("/other", async () => ({ ok: true }));
    await app.register(a2aPlugin, {
      prefix: "/agents/upper",
      bus: bridge,
      target: "upper",
      auth: "none",
      card: { name: "Upper", description: "d", version: "1" },
    });
    const base = await app.listen({ host: "127.0.0.1", port: 0 });
    cleanup.push(() => app.close());
    const card = (await (await fetch(`${base}/agents/upper/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })).json()) as {
      supportedInterfaces: { url: string }[];
    };
    expect(card.supportedInterfaces[0]?.url).toBe(`${base}/agents/upper`);
    const r = await rpcResult<{ task: { status: { state: string }; artifacts: { parts: { text: string }[] }[] } }>(`${base}/agents/upper`, "SendMessage", {
      message: userText("shout"),
    });
    expect(r.task.status.state).toBe("TASK_STATE_COMPLETED");
    expect(r.task.artifacts[0]?.parts[0]?.text).toBe("SHOUT");
    expect(await (await fetch(`${base}/other`)).json()).toEqual({ ok: true });
  });

  it("answers a failing or missing target with a FAILED task, not a JSON-RPC error", async () => {
    const { bridge } = buses();
    const server = await startA2aServer({ bus: bridge, target: "nobody", auth: "none", card: { name: "n", description: "d", version: "1" } });
    cleanup.push(() => server.close());
    const r = await rpcResult<{ task: { status: { state: string; message: { parts: { data?: { code?: string } }[] } } } }>(server.url, "SendMessage", {
      message: userText("anyone?"),
    });
    expect(r.task.status.state).toBe("TASK_STATE_FAILED");
    expect(r.task.status.message.parts[1]?.data?.code).toBe("NO_HANDLER");
  });

  it("interrupts through metadata a2a.phase for peers that cannot set the final's phase (invoke handlers, schemaVersion 1 buses)", async () => {
    const transport = createMemoryTransport();
    const v1 = createBus({ agentId: "v1-agent", transport, schemaVersion: 1 });
    const agent = createBus({ agentId: "agent", transport });
    const bridge = createBus({ agentId: "bridge", transport });
    cleanup.push(
      () => transport.close(),
      () => v1.close(),
      () => agent.close(),
      () => bridge.close(),
    );
    const turns = (req: unknown, continuing: boolean): string => (continuing ? `Thanks, ${String(req)}` : "Which city?");
    const subs = [
      agent.handleInvoke("invoker", (req: unknown, ctx) => {
        const continuing = typeof ctx.envelope.metadata?.["a2a.task_id"] === "string";
        if (!continuing) ctx.replyMetadata["a2a.phase"] = "input_required";
        return turns(req, continuing);
      }),
      v1.handleStream("legacy", async (req, w, ctx) => {
        const continuing = typeof ctx.envelope.metadata?.["a2a.task_id"] === "string";
        await w.final(turns(req, continuing), continuing ? {} : { phase: "input_required", metadata: { "a2a.phase": "input_required" } });
      }),
    ];
    cleanup.push(...subs.map((s) => () => s.unsubscribe()));
    for (const target of ["invoker", "legacy"]) {
      const server = await startA2aServer({ bus: bridge, target, auth: "none", card: { name: target, description: "d", version: "1" } });
      cleanup.push(() => server.close());
      type T = {
        task: {
          id: string;
          contextId: string;
          status: { state: string; message?: { parts: { text?: string }[] } };
          artifacts?: { parts: { text: string }[] }[];
        };
      };
      const asked = await rpcResult<T>(server.url, "SendMessage", { message: userText("weather") });
      expect(asked.task.status.state, target).toBe("TASK_STATE_INPUT_REQUIRED");
      expect(asked.task.status.message?.parts[0]?.text).toBe("Which city?");
      const done = await rpcResult<T>(server.url, "SendMessage", { message: userText("Oslo", { taskId: asked.task.id, contextId: asked.task.contextId }) });
      expect(done.task.status.state, target).toBe("TASK_STATE_COMPLETED");
      expect(done.task.artifacts?.[0]?.parts[0]?.text).toBe("Thanks, Oslo");
    }
  });

  it("close cancels running tasks, ends open streams and resolves", async () => {
    const { agent, bridge } = buses();
    const demo = serveDemoAgent(agent, "demo");
    cleanup.push(() => demo.close());
    const server = await startA2aServer({ bus: bridge, target: "demo", auth: "none", card: { name: "d", description: "d", version: "1" }, heartbeatMs: 0 });
    const stream = await sseOpen(server.url, "SendStreamingMessage", { message: userText("hold") });
    await demo.waitHolding(1);
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const a of stream) seen.push(a.result);
    })();
    await server.close();
    await reading;
    expect(demo.canceled).toBe(1);
    const last = seen.at(-1) as { statusUpdate?: { status: { state: string } } };
    expect(last.statusUpdate?.status.state).toBe("TASK_STATE_CANCELED");
    await server.close();
  });
});
