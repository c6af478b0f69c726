/**
 * issue 9 §4: across a NATS outage, a caller's connection can be back before the handler's
 * connection has resubscribed; the server then answers "no responders". While a handler exists
 * and is resubscribing, no invoke may fail with NO_HANDLER (404, not retryable): during and just
 * after a reconnect "no responders" is a retryable AGENT_UNAVAILABLE, and invoke sends again
 * within its deadline. Real nats-server, killed and started again.
 */
import { describe, expect, it } from "vitest";
import { connectNats } from "../../runtime/transport/index.js";
import { createBus } from "../../runtime/bus/index.js";
import { AcpError } from "../../runtime/errors.js";
import { startNatsServer } from "../helpers/nats-server.js";

const OUTAGE_MS = 2000;

describe("invoke across a nats-server restart", () => {
  it("no invoke fails with NO_HANDLER while the handler is resubscribing; all are answered within their deadline", async () => {
    await using server = await startNatsServer();
    // The handler's connection retries every 3 s, the caller's every 50 ms: after the restart the
    // caller is back first and its requests meet no subscriber for a while.
    const handlerBus = createBus({
      agentId: "svc",
      ownsTransport: true,
      transport: await connectNats({ servers: server.url, reconnectTimeWaitMs: 3000, reconnectJitterMs: 0 }),
    });
    const callerBus = createBus({
      agentId: "caller",
      ownsTransport: true,
      reconnectGraceMs: 10_000, // room for a loaded machine
      transport: await connectNats({ servers: server.url, reconnectTimeWaitMs: 50, reconnectJitterMs: 0 }),
    });
    let handled = 0;
    handlerBus.handleInvoke("svc", (n: number) => {
      handled++;
      return n;
    });
    await handlerBus.transport.flush();
    expect(await callerBus.invoke("svc", -1)).toBe(-1);
    const handlerBack = new Promise<void>((resolve) => {
      const stop = handlerBus.transport.onStatus((s) => {
        if (s.type === "reconnected") {
          stop();
          resolve();
        }
      });
    });

    const outcomes = new Map<string, number>();
    const count = (k: string): void => void outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const calls: Promise<void>[] = [];
    const fire = (n: number): void => {
      calls.push(
        callerBus.invoke<number>("svc", n, { timeoutMs: 30_000 }).then(
          (v) => count(v === n ? "ok" : "wrong"),
          (err: unknown) => count(err instanceof AcpError ? err.code : "other"),
        ),
      );
    };
    // Requests written in the moment between the kill and the caller noticing it are lost with
    // nats.js' outbound buffer (core NATS is at-most-once; they time out): start once it noticed.
    const callerDown = new Promise<void>((resolve) => {
      const stop = callerBus.transport.onStatus((s) => {
        if (s.type === "disconnected") {
          stop();
          resolve();
        }
      });
    });
    await server.kill();
    await callerDown;
    let n = 0;
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      fire(n++);
      await new Promise((r) => setTimeout(r, 20));
    }
    await server.start();
    // keep calling until the handler's connection is back (the window where NO_HANDLER used to happen)
    let back = false;
    void handlerBack.then(() => (back = true));
    while (!back) {
      fire(n++);
      await new Promise((r) => setTimeout(r, 20));
    }
    try {
      await Promise.all(calls);
    } finally {
      await callerBus.close();
      await handlerBus.close();
    }
    const summary = Object.fromEntries(outcomes);
    console.log(`invokes across the restart: ${n}, outcomes ${JSON.stringify(summary)}, handled ${handled - 1}`);
    expect(outcomes.get("NO_HANDLER") ?? 0).toBe(0);
    expect(summary).toEqual({ ok: n });
  }, 90_000);
});
