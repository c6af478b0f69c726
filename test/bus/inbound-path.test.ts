/**
 * One inbound path (runtime/bus/registration.ts `#dispatch`): events, invokes and streams are
 * handled by the same steps with no inbound middleware, with middleware that passes the
 * handler's promise through, with middleware that awaits it, and with middleware that hands
 * on a copy of the context. Every configuration must give the same replies, errors, context,
 * counters and in-flight tracking, over memory and over a real nats-server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentContext } from "../../runtime/context/index.js";
import type { InboundMiddleware } from "../../runtime/bus/types.js";
import { deferred, openNetwork, waitFor, type Network } from "./fixtures.js";

const CONFIGS: readonly (readonly [string, readonly InboundMiddleware[] | undefined])[] = [
  ["no middleware", undefined],
  ["a pass-through middleware", [(next) => (env, ctx) => next(env, ctx)]],
  [
    "an awaiting middleware",
    [
      (next) => async (env, ctx) => {
        const result = await next(env, ctx);
        return result;
      },
    ],
  ],
  ["a middleware passing a copy of the context", [(next) => (env, ctx) => next(env, { ...ctx })]],
];

describe.each(["memory", "nats"] as const)("the inbound path over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  describe.each(CONFIGS)("with %s", (name, inbound) => {
    const id = name.replace(/[^a-z]+/gu, "-");

    it("answers invokes whose handler returns a value, a promise, throws or rejects", async () => {
      const caller = await net.bus(`caller-${id}`);
      const server = await net.bus(`server-${id}`, inbound === undefined ? {} : { middleware: { inbound } });
      server.handleInvoke<{ n: number }, { n: number }>(`sync-${id}`, (req, ctx) => {
        ctx.replyMetadata["path"] = "sync";
        return { n: req.n + 1 };
      });
      server.handleInvoke<{ n: number }, { n: number }>(`async-${id}`, async (req) => ({ n: req.n * 2 }));
      server.handleInvoke(`throws-${id}`, () => {
        throw new Error("sync failure");
      });
      server.handleInvoke(`rejects-${id}`, async () => {
        throw new Error("async failure");
      });
      await net.settle();

      const reply = await caller.invokeEnvelope(`sync-${id}`, { n: 1 });
      expect(reply.payload).toEqual({ n: 2 });
      expect(reply.metadata?.["path"]).toBe("sync");
      expect(await caller.invoke(`async-${id}`, { n: 4 })).toEqual({ n: 8 });
      await expect(caller.invoke(`throws-${id}`, {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE", message: expect.stringContaining("sync failure") });
      await expect(caller.invoke(`rejects-${id}`, {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE", message: expect.stringContaining("async failure") });
      expect(server.stats().handlerErrors).toBe(2);
      await waitFor("handlers settled", () => server.stats().inFlight === 0);
    });

    it("runs the handler inside the request's context", async () => {
      const caller = await net.bus(`ctx-caller-${id}`);
      const server = await net.bus(`ctx-server-${id}`, inbound === undefined ? {} : { middleware: { inbound } });
      server.handleInvoke(`ctx-${id}`, () => currentContext()?.session_id ?? "none");
      await net.settle();
      expect(await caller.invoke(`ctx-${id}`, {}, { context: { session_id: "s-42" } })).toBe("s-42");
      expect(await caller.invoke(`ctx-${id}`, {})).toBe("none");
    });

    it("delivers events to sync and async handlers and counts a failing one", async () => {
      const publisher = await net.bus(`pub-${id}`);
      const server = await net.bus(`sub-${id}`, inbound === undefined ? {} : { middleware: { inbound } });
      const seen: string[] = [];
      const eventType = `inbound.path.${id}`;
      server.subscribe(eventType, (payload) => {
        const p = payload as { n: number };
        seen.push(`sync ${p.n}`);
        if (p.n === 2) throw new Error("event failure");
      });
      server.subscribe(eventType, async (payload) => {
        seen.push(`async ${(payload as { n: number }).n}`);
      });
      await net.settle();
      for (const n of [1, 2]) await publisher.publish(eventType, { n });
      await waitFor("four deliveries", () => seen.length === 4);
      expect([...seen].sort()).toEqual(["async 1", "async 2", "sync 1", "sync 2"]);
      await waitFor("the failure counted", () => server.stats().handlerErrors === 1);
      await waitFor("handlers settled", () => server.stats().inFlight === 0);
    });

    it("streams frames and a final value", async () => {
      const caller = await net.bus(`stream-caller-${id}`);
      const server = await net.bus(`stream-server-${id}`, inbound === undefined ? {} : { middleware: { inbound } });
      server.handleStream<number>(`count-${id}`, async (n, w) => {
        for (let i = 0; i < n; i++) await w.delta(String(i));
        return n;
      });
      await net.settle();
      const pieces: string[] = [];
      let result: unknown;
      for await (const f of caller.streamInvoke(`count-${id}`, 40)) {
        if (f.type === "delta") pieces.push(f.delta ?? "");
        else if (f.type === "final") result = f.result;
      }
      expect(pieces).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
      expect(result).toBe(40);
      await waitFor("handlers settled", () => server.stats().inFlight === 0);
    });

    it("unsubscribe waits for a handler in flight, whose reply still goes out", async () => {
      const caller = await net.bus(`wait-caller-${id}`);
      const server = await net.bus(`wait-server-${id}`, inbound === undefined ? {} : { middleware: { inbound } });
      const release = deferred<void>();
      const started = deferred<void>();
      const sub = server.handleInvoke(`slow-${id}`, async () => {
        started.resolve();
        await release.promise;
        return "done";
      });
      await net.settle();
      const answer = caller.invoke(`slow-${id}`, {});
      await started.promise;
      expect(server.stats().inFlight).toBe(1);
      let unsubscribed = false;
      const closing = sub.unsubscribe().then(() => {
        unsubscribed = true;
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(unsubscribed).toBe(false);
      release.resolve();
      expect(await answer).toBe("done");
      await closing;
      expect(server.stats().inFlight).toBe(0);
    });
  });
});
