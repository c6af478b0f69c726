import { describe, expect, it } from "vitest";
import { MetadataKey } from "../../runtime/index.js";
import { AgentUnavailableError, CanceledError, InvalidRequestError, TransportFailureError } from "../../runtime/errors.js";
import { chain, exponentialBackoff, fixedBackoff, retry } from "../../runtime/middleware/index.js";
import { useNet, waitFor } from "./net.js";

const net = useNet();

describe("backoff policies", () => {
  const err = new AgentUnavailableError("x");
  it("fixed waits the same every time", () => {
    const p = fixedBackoff(25);
    expect([1, 2, 3].map((a) => p(a, err))).toEqual([25, 25, 25]);
  });
  it("exponential grows by factor, caps at maxMs, and jitters as asked", () => {
    const none = exponentialBackoff({ initialMs: 100, factor: 2, maxMs: 500, jitter: "none" });
    expect([1, 2, 3, 4, 5].map((a) => none(a, err))).toEqual([100, 200, 400, 500, 500]);
    const full = exponentialBackoff({ initialMs: 100, jitter: "full", random: () => 0.5 });
    expect(full(3, err)).toBe(200);
    const equal = exponentialBackoff({ initialMs: 100, jitter: "equal", random: () => 0.5 });
    expect(equal(3, err)).toBe(300);
    const fullDefault = exponentialBackoff();
    for (let a = 1; a < 10; a++) {
      const d = fullDefault(a, err)!;
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(10_000, 100 * 2 ** (a - 1)));
    }
  });
});

describe("retry (inbound)", () => {
  it("re-runs a retryable failure, stamps acp.retry.attempt 1-based, and stops at success", async () => {
    const attempts: unknown[] = [];
    const delays: number[] = [];
    const server = await net.bus("r-server", {
      middleware: chain({ retry: retry({ maxAttempts: 5, backoff: fixedBackoff(1), onRetry: (i) => delays.push(i.delayMs) }) }, { outbound: false }),
    });
    const client = await net.bus("r-client");
    server.handleInvoke("flaky", (_req, ctx) => {
      attempts.push(ctx.envelope.metadata?.[MetadataKey.RETRY_ATTEMPT]);
      if (attempts.length < 3) throw new TransportFailureError("db connection reset");
      return "ok";
    });
    await net.settle();
    expect(await client.invoke("flaky", {})).toBe("ok");
    expect(attempts).toEqual([1, 2, 3]);
    expect(delays).toEqual([1, 1]);
  });

  it("does not retry non-retryable errors and gives up after maxAttempts", async () => {
    const server = await net.bus("r-server2", { middleware: chain({ retry: retry({ maxAttempts: 3, backoff: fixedBackoff(1) }) }) });
    const client = await net.bus("r-client2");
    let invalidCalls = 0;
    let downCalls = 0;
    server.handleInvoke("invalid", () => {
      invalidCalls++;
      throw new InvalidRequestError("bad field");
    });
    server.handleInvoke("down", () => {
      downCalls++;
      throw new AgentUnavailableError("still down");
    });
    await net.settle();
    await expect(client.invoke("invalid", {})).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    expect(invalidCalls).toBe(1);
    await expect(client.invoke("down", {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE", message: "still down" });
    expect(downCalls).toBe(3);
  });

  it("retries events too (no reply), and never retries CANCELED", async () => {
    const server = await net.bus("r-server3", { middleware: chain({ retry: retry({ maxAttempts: 4, backoff: fixedBackoff(1) }) }) });
    const client = await net.bus("r-client3");
    const seen: Record<string, number> = {};
    server.subscribe("job.*", (payload: { id: string; fail: "canceled" | "twice" }) => {
      seen[payload.id] = (seen[payload.id] ?? 0) + 1;
      if (payload.fail === "canceled") throw new CanceledError("caller left");
      if (seen[payload.id]! <= 2) throw new TransportFailureError("blip");
    });
    await net.settle();
    await client.publish("job.run", { id: "a", fail: "twice" });
    await client.publish("job.run", { id: "b", fail: "canceled" });
    await waitFor("both events handled", () => seen["a"] === 3 && seen["b"] === 1 && server.stats().inFlight === 0);
    expect(seen).toEqual({ a: 3, b: 1 });
  });
});

describe("retry (outbound)", () => {
  it("re-sends an invoke that failed with a retryable error; each attempt carries its number", async () => {
    const server = await net.bus("r-server4");
    const client = await net.bus("r-client4", { middleware: chain({ retry: retry({ maxAttempts: 3, backoff: fixedBackoff(1) }) }, { inbound: false }) });
    const attempts: unknown[] = [];
    server.handleInvoke("warming-up", (_req, ctx) => {
      attempts.push(ctx.envelope.metadata?.[MetadataKey.RETRY_ATTEMPT]);
      if (attempts.length < 3) throw new AgentUnavailableError("warming up");
      return { ready: true };
    });
    await net.settle();
    expect(await client.invoke("warming-up", {})).toEqual({ ready: true });
    expect(attempts).toEqual([1, 2, 3]);
    expect(client.stats().pendingCalls).toBe(0);
  });

  it("stops waiting between attempts when the call is aborted", async () => {
    const server = await net.bus("r-server5");
    let waiting = false;
    const client = await net.bus("r-client5", {
      middleware: { outbound: [retry({ maxAttempts: 5, backoff: fixedBackoff(60_000), onRetry: () => (waiting = true) }).outbound] },
    });
    let calls = 0;
    server.handleInvoke("down-abort", () => {
      calls++;
      throw new AgentUnavailableError("down");
    });
    await net.settle();
    const controller = new AbortController();
    const pending = client.invoke("down-abort", {}, { signal: controller.signal }).catch((e: unknown) => e);
    await waitFor("the wait before attempt 2", () => waiting);
    controller.abort();
    const err = await pending;
    expect(err).toMatchObject({ code: "CANCELED", details: { attempts: 1, lastErrorCode: "AGENT_UNAVAILABLE" } });
    expect(calls).toBe(1);
  });
});
