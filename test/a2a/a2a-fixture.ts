/**
 * A real A2A server (startA2aServer on loopback, memory bus) with a small agent, and raw
 * JSON-RPC over fetch, for the TCK-requirement regression tests. No client library: the tests
 * send exactly the bytes a TCK sends.
 *
 * The agent: "ask" → INPUT_REQUIRED with a question; a message continuing a task → completes
 * with "Hello, <text>"; "metadata" → the request envelope's metadata as a data part; anything
 * else → two deltas (an artifact) and COMPLETED.
 */
import { createBus } from "../../runtime/bus/index.js";
import type { StreamWriter } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { startA2aServer, type A2aServer, type StartA2aServerOptions } from "../../runtime/a2a/index.js";
import { A2aMetadataKey } from "../../generated/a2a/index.js";

export type RpcAnswer = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

export interface Fixture extends AsyncDisposable {
  readonly server: A2aServer;
  readonly url: string;
  /** One JSON-RPC call (A2A-Version 1.0 unless `headers` says otherwise). */
  rpc(method: string, params: unknown, headers?: Record<string, string>): Promise<RpcAnswer>;
  /** `result` of a call; throws with the error when there is one. */
  result<T = Record<string, unknown>>(method: string, params: unknown, headers?: Record<string, string>): Promise<T>;
  /** A user text message (ProtoJSON, lowerCamel). */
  text(text: string, extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

let seq = 0;

/** Starts the agent and an A2A server for it (`auth: "none"` unless given). */
export async function startFixture(opts: Partial<StartA2aServerOptions> = {}): Promise<Fixture> {
  const transport = createMemoryTransport();
  const agent = createBus({ agentId: "agent", transport });
  const bridgeBus = createBus({ agentId: "bridge", transport });
  const sub = agent.handleStream("fixture", async (req: unknown, w: StreamWriter, ctx) => {
    const text = typeof req === "string" ? req : JSON.stringify(req);
    if (typeof ctx.envelope.metadata?.[A2aMetadataKey.TASK_ID] === "string") {
      await w.final(`Hello, ${text}`);
      return;
    }
    if (text === "metadata") {
      await w.final({ metadata: ctx.envelope.metadata ?? {} });
      return;
    }
    if (text === "ask") {
      await w.final("What is your name?", { phase: "input_required" });
      return;
    }
    await w.delta("echo: ");
    await w.delta(text);
    await w.final();
  });
  const server = await startA2aServer({
    bus: bridgeBus,
    target: "fixture",
    auth: "none",
    card: { name: "Fixture", description: "test agent", version: "1.0.0" },
    webhooks: { allowPrivate: true },
    ...opts,
  });
  const rpc = async (method: string, params: unknown, headers: Record<string, string> = {}): Promise<RpcAnswer> => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "A2A-Version": "1.0", ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++seq, method, params }),
    });
    return (await res.json()) as RpcAnswer;
  };
  const close = async (): Promise<void> => {
    await server.close();
    await sub.unsubscribe();
    await bridgeBus.close();
    await agent.close();
    await transport.close();
  };
  return {
    server,
    url: server.url,
    rpc,
    async result<T>(method: string, params: unknown, headers?: Record<string, string>): Promise<T> {
      const a = await rpc(method, params, headers);
      if (a.error !== undefined) throw new Error(`${method} answered error ${a.error.code}: ${a.error.message}`);
      return a.result as T;
    },
    text: (text, extra = {}) => ({ role: "ROLE_USER", parts: [{ text }], messageId: `m-${++seq}`, ...extra }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
