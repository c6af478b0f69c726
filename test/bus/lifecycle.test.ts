import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcpError, CanceledError, TransportFailureError } from "../../runtime/errors.js";
import type { Envelope } from "../../generated/ts/types.js";
import { createBus, type InboundMiddleware, type OutboundMiddleware } from "../../runtime/bus/index.js";
import { createMemoryTransport, connectNats } from "../../runtime/transport/index.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { deferred, openNetwork, waitFor, type Network } from "./fixtures.js";

describe.each(["memory", "nats"] as const)("bus lifecycle and middleware over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("close() waits for handlers in flight, lets their replies out, then refuses work", async () => {
    const caller = await net.bus("drain-caller");
    const transport = await net.transport();
    const server = createBus({ agentId: "drain-server", transport });
    const release = deferred();
    const started = deferred();
    server.handleInvoke("drainer", async () => {
      started.resolve();
      await release.promise;
      return "finished";
    });
    await net.settle();
    const answer = caller.invoke("drainer", {});
    await started.promise;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    expect(server.stats().inFlight).toBe(1);
    release.resolve();
    await closing;
    expect(await answer).toBe("finished");
    expect(server.stats().inFlight).toBe(0);
    await expect(server.publish("after.close", {})).rejects.toThrow(TransportFailureError);
    expect(() => server.handleInvoke("late", () => 1)).toThrow(/closing|closed/);
    await server.close(); // idempotent
  });

  it("close() aborts handlers that outlive drainTimeoutMs, and fails pending calls with CANCELED", async () => {
    const transport = await net.transport();
    const server = createBus({ agentId: "stubborn", transport, drainTimeoutMs: 50 });
    const caller = createBus({ agentId: "waiting", transport });
    const aborted = deferred<unknown>();
    server.handleInvoke("stubborn", async (_req, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
      aborted.resolve(ctx.signal.reason);
      return "aborted";
    });
    await net.settle();
    const pending = caller.invoke("stubborn", {}).catch((e: unknown) => e);
    await waitFor("the handler to start", () => server.stats().inFlight === 1);
    await server.close();
    expect(await aborted.promise).toBeInstanceOf(CanceledError);
    expect(await pending).toBe("aborted");
    const forever = caller.invoke("never-answered-by-anyone", {}, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    const ghost = createBus({ agentId: "ghost", transport });
    ghost.handleInvoke("never-answered-by-anyone", () => new Promise(() => undefined));
    await ghost.close(); // closes at once: nothing in flight
    const stream = caller.streamInvoke("nobody-streams", {}, { timeoutMs: 60_000 });
    await caller.close();
    expect(await forever).toMatchObject({ code: expect.stringMatching(/CANCELED|NO_HANDLER/) });
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* nothing */
        }
      })(),
    ).rejects.toMatchObject({ code: expect.stringMatching(/CANCELED|NO_HANDLER/) });
  });

  it("supports `await using` and ownsTransport", async () => {
    let seen = "";
    {
      await using bus = createBus({ agentId: "scoped", transport: createMemoryTransport(), ownsTransport: true });
      bus.handleInvoke("me", () => "scoped!");
      seen = await bus.invoke<string>("me", {});
    }
    expect(seen).toBe("scoped!");
  });

  it("runs inbound and outbound middleware in declared order; a throw becomes an error reply", async () => {
    const order: string[] = [];
    const tag =
      (name: string): InboundMiddleware =>
      (next) =>
      async (env, ctx) => {
        order.push(`in:${name}:${ctx.kind}`);
        const result = await next(env, ctx);
        order.push(`out:${name}:${result.kind}`);
        return result;
      };
    const stamp: OutboundMiddleware = (next) => (env, call) => {
      order.push(`send:${call.kind}`);
      return next({ ...env, metadata: { ...env.metadata, stamped: call.kind } }, call);
    };
    const retry: OutboundMiddleware = (next) => async (env, call) => {
      try {
        return await next(env, call);
      } catch (err) {
        if (call.kind !== "invoke" || !(err instanceof AcpError && err.retryable)) throw err;
        order.push("retry");
        return next({ ...env, metadata: { ...env.metadata, "acp.retry.attempt": 2 } }, call);
      }
    };
    const reject: InboundMiddleware = (next) => async (env, ctx) => {
      if ((env.payload as { block?: boolean } | undefined)?.block) throw new Error("blocked by middleware");
      return next(env, ctx);
    };
    const server = await net.bus("mw-server", { middleware: { inbound: [tag("a"), tag("b"), reject] } });
    const client = await net.bus("mw-client", { middleware: { outbound: [retry, stamp] } });
    let attempts = 0;
    let lastMeta: Envelope["metadata"];
    server.handleInvoke("mw", (_req, ctx) => {
      lastMeta = ctx.envelope.metadata;
      if (++attempts === 1) throw new TransportFailureError("flaky once");
      return "ok";
    });
    await net.settle();
    expect(await client.invoke("mw", {})).toBe("ok");
    expect(lastMeta).toEqual({ stamped: "invoke", "acp.retry.attempt": 2 });
    // a handler's throw passes through inbound middleware as a throw; the bus turns it into an error reply
    expect(order).toEqual(["send:invoke", "in:a:invoke", "in:b:invoke", "retry", "send:invoke", "in:a:invoke", "in:b:invoke", "out:b:value", "out:a:value"]);
    await expect(client.invoke("mw", { block: true })).rejects.toThrow("blocked by middleware");
  });
});

describe("reconnect", () => {
  it("a bus on NATS survives a server restart: messages published after it arrive, invokes work", async () => {
    const server = await startNatsServer();
    const pubT = await connectNats({ servers: server.url, reconnectTimeWaitMs: 50 });
    const subT = await connectNats({ servers: server.url, reconnectTimeWaitMs: 50 });
    const statuses: string[] = [];
    subT.onStatus((s) => void statuses.push(s.type));
    const pub = createBus({ agentId: "r-pub", transport: pubT, ownsTransport: true });
    const sub = createBus({ agentId: "r-sub", transport: subT, ownsTransport: true });
    try {
      const got: number[] = [];
      sub.subscribe("tick", (p: { n: number }) => void got.push(p.n));
      sub.handleInvoke("echo", (req) => req);
      await subT.flush();
      await pub.publish("tick", { n: 1 });
      await waitFor("the first tick", () => got.includes(1));
      await server.restart();
      await waitFor("both connections to reconnect", () => statuses.includes("reconnected"), 15_000);
      await pubT.flush();
      await subT.flush();
      await pub.publish("tick", { n: 2 });
      await waitFor("the tick published after the restart", () => got.includes(2), 15_000);
      expect(await pub.invoke("echo", { after: "restart" })).toEqual({ after: "restart" });
    } finally {
      await pub.close();
      await sub.close();
      await server.stop();
    }
  }, 30_000);
});
