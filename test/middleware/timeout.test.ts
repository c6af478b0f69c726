import { describe, expect, it } from "vitest";
import { timeout } from "../../runtime/middleware/index.js";
import { useNet, waitFor } from "./net.js";

const net = useNet();

/** Resolves when `signal` aborts (with its reason). */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(signal.reason), { once: true }));
}

describe("timeout", () => {
  it("inbound: a handler over time answers AGENT_TIMEOUT and its signal aborts", async () => {
    let abortReason: unknown;
    const server = await net.bus("t-server", { middleware: { inbound: [timeout({ ms: 50 }).inbound] } });
    const client = await net.bus("t-client");
    server.handleInvoke("slow", async (_req, ctx) => {
      abortReason = await aborted(ctx.signal);
      return "too late";
    });
    server.handleInvoke("fast", () => "quick");
    await net.settle();
    await expect(client.invoke("slow", {}, { timeoutMs: 10_000 })).rejects.toMatchObject({ code: "AGENT_TIMEOUT", retryable: true });
    await waitFor("handler signal abort", () => abortReason !== undefined);
    expect(abortReason).toMatchObject({ code: "AGENT_TIMEOUT" });
    expect(await client.invoke("fast", {})).toBe("quick");
    await waitFor("server idle", () => server.stats().inFlight === 0);
  });

  it("outbound: an invoke gives up after the middleware's time even when the call allows more", async () => {
    const server = await net.bus("t-server2");
    const client = await net.bus("t-client2", { middleware: { outbound: [timeout({ ms: 60_000, outboundMs: 50 }).outbound] } });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    server.handleInvoke("stuck", async () => {
      await held;
      return "late";
    });
    await net.settle();
    const err = await client.invoke("stuck", {}, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "AGENT_TIMEOUT" });
    expect(client.stats().pendingCalls).toBe(0);
    release();
    await waitFor("server idle", () => server.stats().inFlight === 0);
  });

  it("rejects a non-positive time", () => {
    expect(() => timeout({ ms: 0 })).toThrow(
      expect.objectContaining({
        code: "INVALID_REQUEST",
        details: { api: "timeout", field: "ms", value: 0, expected: "a positive number of ms" },
      }),
    );
  });
});
