import { describe, expect, it } from "vitest";
import { rateLimit } from "../../runtime/middleware/index.js";
import { useNet, waitFor } from "./net.js";

const net = useNet();

const SLOW = 0.001; // tokens per second: no refill within a test

describe("rate limit", () => {
  it("outbound: drops a tenant's calls over its burst with BACKPRESSURE_DROP; other tenants go on", async () => {
    const server = await net.bus("rl-server");
    server.handleInvoke("echo", (req) => req, { tenant: "a" });
    server.handleInvoke("echo", (req) => req, { tenant: "b" });
    const client = await net.bus("rl-client", { middleware: { outbound: [rateLimit({ perTenant: { rate: SLOW, burst: 2 } }).outbound] } });
    await net.settle();
    const a = { context: { tenant_id: "a" } };
    expect(await client.invoke("echo", 1, a)).toBe(1);
    expect(await client.invoke("echo", 2, a)).toBe(2);
    const dropped = await client.invoke("echo", 3, a).catch((e: unknown) => e);
    expect(dropped).toMatchObject({ code: "BACKPRESSURE_DROP", retryable: true, details: { scope: "tenant", key: "a" } });
    expect((dropped as { details: { retryAfterMs: number } }).details.retryAfterMs).toBeGreaterThan(0);
    expect(await client.invoke("echo", 4, { context: { tenant_id: "b" } })).toBe(4);
  });

  it("per target: a busy target refuses, and the tenant keeps the token it did not use", () => {
    const limiter = rateLimit({ perTenant: { rate: SLOW, burst: 2 }, perTarget: { rate: SLOW, burst: 1 }, targets: { big: { rate: SLOW, burst: 5 } } });
    expect(limiter.take("t", "x")).toBeUndefined();
    expect(limiter.take("t", "x")).toMatchObject({ code: "BACKPRESSURE_DROP", details: { scope: "target", key: "x" } });
    expect(limiter.take("u", "x")).toMatchObject({ details: { scope: "target" } });
    // t still has one token: the refused call gave it back
    expect(limiter.take("t", "big")).toBeUndefined();
    expect(limiter.take("t", "big")).toMatchObject({ details: { scope: "tenant", key: "t" } });
  });

  it("refills over time", async () => {
    const limiter = rateLimit({ perTenant: { rate: 50, burst: 1 } });
    expect(limiter.take("t", undefined)).toBeUndefined();
    expect(limiter.take("t", undefined)).toBeDefined();
    await waitFor("a token to drip in", () => limiter.take("t", undefined) === undefined, 2_000);
  });

  it("inbound: a handler's bus answers floods with BACKPRESSURE_DROP error replies", async () => {
    const server = await net.bus("rl-server2", { middleware: { inbound: [rateLimit({ perTenant: { rate: SLOW, burst: 1 } }).inbound] } });
    server.handleInvoke("echo2", (req) => req);
    const client = await net.bus("rl-client2");
    await net.settle();
    expect(await client.invoke("echo2", "first")).toBe("first");
    await expect(client.invoke("echo2", "second")).rejects.toMatchObject({ code: "BACKPRESSURE_DROP" });
  });

  it("refuses nonsense limits when it is created, with the invalid-argument error naming the field", () => {
    expect(() => rateLimit({ perTenant: { rate: 0 } })).toThrow(
      expect.objectContaining({
        code: "INVALID_REQUEST",
        details: expect.objectContaining({ api: "rateLimit", field: "perTenant.rate", value: 0 }),
      }),
    );
    expect(() => rateLimit({ perTarget: { rate: 1 }, targets: { slow: { rate: 1, burst: 0.5 } } })).toThrow(
      expect.objectContaining({
        code: "INVALID_REQUEST",
        details: expect.objectContaining({ field: 'targets["slow"].burst', value: 0.5 }),
      }),
    );
  });
});
