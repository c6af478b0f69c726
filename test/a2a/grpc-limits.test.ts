/**
 * The gRPC binding's bounds and lifecycle on real loopback servers: the message size limit,
 * the server-wide limit of open streams, HTTP/2 streams per connection, a request that is not
 * its proto message, option checks, and close() with a stream open.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { startA2aServer } from "../../runtime/a2a/index.js";
import { startA2aGrpcServer } from "../../runtime/a2a/grpc.js";
import { loadA2aGrpc } from "../../runtime/a2a/grpc-proto.js";
import { GRPC_CODES } from "../../runtime/a2a/grpc-status.js";
import { errorOf, resultOf, send, startGrpcEnv, stream, unary, until, type GrpcEnv, type GrpcMethods, type Obj } from "./grpc-env.js";

let env: GrpcEnv;
let token: string;
let c: GrpcMethods;
const code = (name: string): number => GRPC_CODES[name] as number;

beforeAll(async () => {
  env = await startGrpcEnv({ grpc: { maxMessageBytes: 64 * 1024, maxActiveStreams: 1, maxConcurrentStreams: 2 } });
  token = await env.token("alice", "tenant-a");
  c = env.client();
});
afterAll(async () => {
  await env.close();
});

async function held(): Promise<Obj> {
  const before = env.demo.holding;
  const r = resultOf(await unary(c, "SendMessage", send("hold", { configuration: { returnImmediately: true } }), env.md(token)));
  await env.demo.waitHolding(before + 1);
  return r["task"];
}

describe("bounds", () => {
  it("a request over maxMessageBytes is refused RESOURCE_EXHAUSTED; one under it is served; an answer over it is not sent", async () => {
    const big = errorOf(await unary(c, "SendMessage", send("x".repeat(70 * 1024)), env.md(token)));
    expect(big.code).toBe(code("RESOURCE_EXHAUSTED"));
    const ok = resultOf(await unary(c, "SendMessage", send("y".repeat(60 * 1024), { configuration: { historyLength: 0 } }), env.md(token)));
    expect(ok["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    // with its history the task (request text + artifact) is over the limit
    const answer = errorOf(await unary(c, "GetTask", { id: ok["task"]["id"] }, env.md(token)));
    expect(answer.code).toBe(code("RESOURCE_EXHAUSTED"));
  });

  it("past maxActiveStreams a stream is refused RESOURCE_EXHAUSTED naming the limit; once it closes, streams are served again", async () => {
    const task = await held();
    const first = c["SubscribeToTask"]?.call(c, { id: task["id"] }, env.md(token)) as NodeJS.EventEmitter;
    const got: Obj[] = [];
    const firstClosed = new Promise<void>((resolve) => first.on("close", resolve));
    first.on("data", (ev: Obj) => got.push(ev));
    first.on("error", () => undefined);
    await until(() => got.length > 0);
    expect(env.main.grpc?.activeStreams()).toBe(1);
    const refused = await stream(c, "SendStreamingMessage", send("x"), env.md(token));
    const e = errorOf(refused.error ?? { ok: true, value: {} });
    expect(e.code).toBe(code("RESOURCE_EXHAUSTED"));
    expect(e.details).toMatch(/maxActiveStreams/);
    env.demo.release();
    await firstClosed;
    await until(() => env.main.grpc?.activeStreams() === 0);
    const again = await stream(c, "SendStreamingMessage", send("ab"), env.md(token));
    expect(again.error).toBeUndefined();
    expect(again.events.at(-1)?.["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
  });

  it("maxConcurrentStreams bounds the HTTP/2 streams of one connection: another call on it waits (here: until its deadline); another connection is served", async () => {
    const own = await startA2aGrpcServer(env.main.bridge, { maxConcurrentStreams: 1 });
    const { Client, grpc } = loadA2aGrpc();
    // own subchannel pools: each client has a connection of its own
    const mk = (): GrpcMethods => new Client(own.address, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 }) as unknown as GrpcMethods;
    const one = mk();
    const task = await held();
    const sub = one["SubscribeToTask"]?.call(one, { id: task["id"] }, env.md(token)) as NodeJS.EventEmitter & { cancel(): void };
    sub.on("error", () => undefined);
    sub.on("data", () => undefined);
    await until(() => own.activeStreams() === 1);
    const waiting = errorOf(await unary(one, "GetTask", { id: task["id"] }, env.md(token), { deadline: Date.now() + 500 }));
    expect(waiting.code).toBe(code("DEADLINE_EXCEEDED"));
    const two = mk();
    expect(resultOf(await unary(two, "GetTask", { id: task["id"] }, env.md(token)))["id"]).toBe(task["id"]);
    sub.cancel();
    await until(() => own.activeStreams() === 0);
    expect(resultOf(await unary(one, "GetTask", { id: task["id"] }, env.md(token)))["id"]).toBe(task["id"]);
    for (const cl of [one, two]) (cl as unknown as { close(): void }).close();
    await own.close();
    env.demo.release();
  });

  it("a request that is not its proto message: INVALID_ARGUMENT (after authentication)", async () => {
    const { grpc } = env;
    const raw = new grpc.Client(env.main.grpc?.address ?? "", grpc.credentials.createInsecure());
    const call = (md: InstanceType<typeof grpc.Metadata>): Promise<{ code: number; details: string }> =>
      new Promise((resolve) =>
        raw.makeUnaryRequest(
          "/lf.a2a.v1.A2AService/GetTask",
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // field 1 (id) claims 4 GiB
          md,
          (err) => resolve({ code: err?.code ?? 0, details: err?.details ?? "" }),
        ),
      );
    const bad = await call(env.md(token));
    expect(bad.code).toBe(code("INVALID_ARGUMENT"));
    expect(bad.details).toMatch(/not a valid GetTask request/);
    expect((await call(env.md())).code).toBe(code("UNAUTHENTICATED"));
    raw.close();
  });

  it("options are checked: a limit that is not a positive integer is refused naming it", async () => {
    await expect(startA2aGrpcServer(env.main.bridge, { maxActiveStreams: 0 })).rejects.toThrow(/maxActiveStreams/);
    await expect(startA2aGrpcServer(env.main.bridge, { maxMessageBytes: 1.5 })).rejects.toThrow(/maxMessageBytes/);
  });
});

describe("backpressure", () => {
  it("a stream the client does not read: writes wait for grpc-js to drain, the A2A queue stops at its mark, the bus bound fails the task and cancels the agent", async () => {
    const transport = createMemoryTransport();
    const agent = createBus({ agentId: "agent", transport });
    const bridge = createBus({ agentId: "bridge", transport }); // the bus' default stream buffer (8 MiB)
    let written = 0;
    let canceled = false;
    const sub = agent.handleStream("flood", async (_req, w) => {
      for (let i = 0; i < 600 && !w.signal.aborted; i++) {
        await w.delta("x".repeat(64 * 1024));
        written += 1;
      }
      canceled = w.signal.aborted;
      if (!canceled) await w.final();
    });
    const server = await startA2aServer({
      bus: bridge,
      target: "flood",
      auth: "none",
      card: { name: "flood", description: "d", version: "1" },
      limits: { subscriberHighWater: 8 },
      grpc: { maxMessageBytes: 1024 * 1024 },
    });
    const fc = env.client(server.grpc?.address) as GrpcMethods;
    const call = fc["SendStreamingMessage"]?.call(fc, send("flood"), env.md()) as NodeJS.EventEmitter & { pause(): void; cancel(): void };
    let taskId = "";
    call.on("error", () => undefined);
    call.once("data", (ev: Obj) => {
      taskId = ev["task"]["id"];
      call.pause(); // the client stops reading after the Task
    });
    try {
      let longest = 0;
      let task: Obj | undefined;
      await until(async () => {
        longest = Math.max(longest, server.bridge.manager.stats().longestQueue);
        if (taskId === "") return false;
        // ListTasks leaves the artifacts out (GetTask's answer is over maxMessageBytes here)
        task = (resultOf(await unary(fc, "ListTasks", { historyLength: 0 }, env.md()))["tasks"] as Obj[]).find((t) => t["id"] === taskId);
        if (task === undefined) return false;
        return task["status"]["state"] === "TASK_STATE_FAILED" && canceled;
      }, 20_000);
      expect(JSON.stringify(task?.["status"]["message"]["parts"])).toContain("BACKPRESSURE_DROP");
      expect(written, "the agent stopped before the end of its 600 frames").toBeLessThan(600);
      expect(longest, "the A2A queue never grew past the mark").toBeLessThanOrEqual(8 + 3);
    } finally {
      call.cancel();
      await server.close();
      await sub.unsubscribe();
      await bridge.close();
      await agent.close();
      await transport.close();
    }
  });
});

describe("a client that leaves while it is being authenticated", () => {
  it("starts no work: no task, no bus call", async () => {
    const transport = createMemoryTransport();
    const agent = createBus({ agentId: "agent", transport });
    const bridge = createBus({ agentId: "bridge", transport });
    let calls = 0;
    const sub = agent.handleStream("count", async (_req, w) => {
      calls += 1;
      await w.final("done");
    });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let waiting = 0;
    const server = await startA2aServer({
      bus: bridge,
      target: "count",
      auth: async (req) => {
        if (req.headers["x-slow"] !== undefined) {
          waiting += 1;
          await gate;
        }
        return { principal: "p", tenant: "" };
      },
      card: { name: "slow-auth", description: "d", version: "1" },
      grpc: true,
    });
    try {
      const sc = env.client(server.grpc?.address);
      const md = env.md();
      md.set("x-slow", "1");
      const late = errorOf(await unary(sc, "SendMessage", send("go"), md, { deadline: Date.now() + 300 }));
      expect(late.code).toBe(code("DEADLINE_EXCEEDED"));
      const lateStream = await stream(sc, "SendStreamingMessage", send("go"), md, { deadline: Date.now() + 300 });
      expect(lateStream.error && !lateStream.error.ok ? lateStream.error.code : undefined).toBe(code("DEADLINE_EXCEEDED"));
      expect(waiting).toBe(2);
      // the server's deadline is the client's plus the transit time of the request: let it pass too
      await new Promise((r) => setTimeout(r, 200));
      open();
      // a call after them is served: by then both late calls have passed authentication
      expect(resultOf(await unary(sc, "SendMessage", send("now"), env.md()))["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      await until(() => server.grpc?.activeStreams() === 0);
      expect(resultOf(await unary(sc, "ListTasks", {}, env.md()))["tasks"]).toHaveLength(1);
      expect(calls).toBe(1);
    } finally {
      await server.close();
      await sub.unsubscribe();
      await bridge.close();
      await agent.close();
      await transport.close();
    }
  });
});

describe("the card's address", () => {
  it("advertisedAddress replaces the host:port the card names for a listener", async () => {
    const own = await startA2aGrpcServer(env.main.bridge, { advertisedAddress: "a2a.example.com:443" });
    try {
      const card = (await (await fetch(`${env.main.url}/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })).json()) as Obj;
      const grpcs = (card["supportedInterfaces"] as Obj[]).filter((i) => i["protocolBinding"] === "GRPC").map((i) => i["url"]);
      expect(grpcs).toContain("a2a.example.com:443");
      expect(grpcs).toContain(`127.0.0.1:${env.main.grpc?.port}`);
    } finally {
      await own.close();
    }
  });
});

describe("the extended card before any HTTP request", () => {
  it("names the JSON-RPC endpoint too (the server knows its address from the start)", async () => {
    const fresh = await startGrpcEnv();
    try {
      const fc = fresh.client();
      const card = resultOf(await unary(fc, "GetExtendedAgentCard", {}, fresh.md(await fresh.token("a", "tenant-a"))));
      expect(card["supportedInterfaces"][0]).toEqual({ url: `${fresh.main.url}/`, protocolBinding: "JSONRPC", protocolVersion: "1.0" });
      expect(card["supportedInterfaces"]).toContainEqual({ url: `127.0.0.1:${fresh.main.grpc?.port}`, protocolBinding: "GRPC", protocolVersion: "1.0" });
    } finally {
      await fresh.close();
    }
  });
});

describe("close", () => {
  it("close() ends an open stream UNAVAILABLE, stops the listener, and is idempotent; the bridge stays with its owner", async () => {
    const own = await startA2aGrpcServer(env.main.bridge, { shutdownGraceMs: 2000 });
    const oc = env.client(own.address);
    const task = await held();
    const sub = oc["SubscribeToTask"]?.call(oc, { id: task["id"] }, env.md(token)) as NodeJS.EventEmitter;
    const ended = new Promise<number>((resolve) => sub.on("error", (e: { code: number }) => resolve(e.code)));
    sub.on("data", () => undefined);
    await until(() => own.activeStreams() === 1);
    await Promise.all([own.close(), own.close()]);
    expect(await ended).toBe(code("UNAVAILABLE"));
    const after = errorOf(await unary(oc, "GetTask", { id: task["id"] }, env.md(token), { deadline: Date.now() + 2000 }));
    expect([code("UNAVAILABLE"), code("DEADLINE_EXCEEDED")]).toContain(after.code);
    // the main listener of the same bridge still serves
    expect(resultOf(await unary(c, "GetTask", { id: task["id"] }, env.md(token)))["id"]).toBe(task["id"]);
    env.demo.release();
  });
});
