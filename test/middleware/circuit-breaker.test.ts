import { describe, expect, it } from "vitest";
import { AgentUnavailableError, InvalidRequestError } from "../../runtime/errors.js";
import { CIRCUIT_EVENT_TYPE, circuitBreaker, type CircuitStateChange } from "../../runtime/middleware/index.js";
import { useNet, waitFor } from "./net.js";

const net = useNet();

describe("circuit breaker (per target)", () => {
  it("opens after consecutive failures, fails fast without sending, probes when half-open, closes on success; publishes every change", async () => {
    let clock = 1_000_000;
    const breaker = circuitBreaker({ failureThreshold: 2, resetTimeoutMs: 5_000, now: () => clock });
    const server = await net.bus("cb-server");
    const client = await net.bus("cb-client", { middleware: { outbound: [breaker] } });
    const watcher = await net.bus("cb-watcher");
    const changes: CircuitStateChange[] = [];
    watcher.subscribe(CIRCUIT_EVENT_TYPE, (payload) => {
      changes.push(payload as CircuitStateChange);
    });
    let healthy = false;
    let calls = 0;
    server.handleInvoke("flaky", () => {
      calls++;
      if (!healthy) throw new AgentUnavailableError("overloaded");
      return "fine";
    });
    server.handleInvoke("other", () => "other ok");
    server.handleInvoke("picky", () => {
      throw new InvalidRequestError("your fault, not mine");
    });
    await net.settle();

    await expect(client.invoke("flaky", {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE", message: "overloaded" });
    expect(breaker.state("flaky")).toBe("closed");
    await expect(client.invoke("flaky", {})).rejects.toMatchObject({ message: "overloaded" });
    expect(breaker.state("flaky")).toBe("open");
    expect(calls).toBe(2);

    // open: fails fast, nothing sent
    const fast = await client.invoke("flaky", {}).catch((e: unknown) => e);
    expect(fast).toMatchObject({ code: "AGENT_UNAVAILABLE", retryable: true, details: { target: "flaky", circuit: "open", retryAfterMs: 5_000 } });
    expect(calls).toBe(2);
    // other targets are not affected; caller errors do not count as failures
    expect(await client.invoke("other", {})).toBe("other ok");
    for (let i = 0; i < 3; i++) await expect(client.invoke("picky", {})).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    expect(breaker.state("picky")).toBe("closed");

    // after the reset time one probe goes through; it fails: open again
    clock += 5_000;
    await expect(client.invoke("flaky", {})).rejects.toMatchObject({ message: "overloaded" });
    expect(calls).toBe(3);
    expect(breaker.state("flaky")).toBe("open");

    // next probe succeeds: closed
    clock += 5_000;
    healthy = true;
    expect(await client.invoke("flaky", {})).toBe("fine");
    expect(breaker.state("flaky")).toBe("closed");

    await client.transport.flush();
    await net.settle();
    await waitFor("state-change events", () => changes.length === 5);
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(["closed->open", "open->half_open", "half_open->open", "open->half_open", "half_open->closed"]);
    expect(changes[0]).toMatchObject({ target: "flaky", failures: 2, last_error_code: "AGENT_UNAVAILABLE" });
  });

  it("lets only halfOpenMaxCalls probes through at once", async () => {
    let clock = 0;
    const breaker = circuitBreaker({ failureThreshold: 1, resetTimeoutMs: 10, halfOpenMaxCalls: 1, eventType: false, now: () => clock });
    const server = await net.bus("cb-server2");
    const client = await net.bus("cb-client2", { middleware: { outbound: [breaker] } });
    let fail = true;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    server.handleInvoke("slow", async () => {
      if (fail) throw new AgentUnavailableError("down");
      await held;
      return "ok";
    });
    await net.settle();
    await expect(client.invoke("slow", {})).rejects.toMatchObject({ message: "down" });
    expect(breaker.state("slow")).toBe("open");
    clock = 10;
    fail = false;
    const probe = client.invoke("slow", {});
    await expect(client.invoke("slow", {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE", details: { circuit: "open" } });
    release();
    expect(await probe).toBe("ok");
    expect(breaker.state("slow")).toBe("closed");
    breaker.reset();
  });
});

describe("circuit breaker: one tenant cannot open another's circuit (issue 9 §4)", () => {
  it("keys circuits by tenant and target: tenant a's failures leave tenant b's circuit to the same target closed", async () => {
    const breaker = circuitBreaker({ failureThreshold: 2, resetTimeoutMs: 60_000 });
    const server = await net.bus("cbt-server");
    const client = await net.bus("cbt-client", { middleware: { outbound: [breaker] } });
    const changes: CircuitStateChange[] = [];
    const watcher = await net.bus("cbt-watcher", { tenant: "a" });
    watcher.subscribe(CIRCUIT_EVENT_TYPE, (p) => void changes.push(p as CircuitStateChange));
    server.handleInvoke(
      "shared",
      () => {
        throw new AgentUnavailableError("a is broken");
      },
      { tenant: "a" },
    );
    server.handleInvoke("shared", () => "b ok", { tenant: "b" });
    await net.settle();
    for (let i = 0; i < 2; i++) {
      await expect(client.invoke("shared", {}, { context: { tenant_id: "a" } })).rejects.toMatchObject({ message: "a is broken" });
    }
    expect(breaker.state("shared", "a")).toBe("open");
    const fast = await client.invoke("shared", {}, { context: { tenant_id: "a" } }).catch((e: unknown) => e);
    expect(fast).toMatchObject({ code: "AGENT_UNAVAILABLE", details: { circuit: "open", target: "shared", tenant: "a" } });
    // tenant b, same target: still served
    expect(await client.invoke("shared", {}, { context: { tenant_id: "b" } })).toBe("b ok");
    expect(breaker.state("shared", "b")).toBe("closed");
    expect(breaker.state("shared")).toBe("closed");
    await waitFor("the state change event", () => changes.length === 1);
    expect(changes[0]).toMatchObject({ target: "shared", tenant: "a", from: "closed", to: "open" });
  });

  it("a deadline the caller chose too short (X-Timeout-Ms: 1) is not the target's failure; a real timeout still is", async () => {
    const breaker = circuitBreaker({ failureThreshold: 2, resetTimeoutMs: 60_000, minTimeoutMs: 100 });
    const server = await net.bus("cbd-server");
    const client = await net.bus("cbd-client", { middleware: { outbound: [breaker] } });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    server.handleInvoke("steady", async (p: { hang?: boolean }) => {
      if (p.hang === true) await held;
      return "ok";
    });
    await net.settle();
    for (let i = 0; i < 5; i++) {
      await expect(client.invoke("steady", { hang: true }, { timeoutMs: 1 })).rejects.toMatchObject({ code: "AGENT_TIMEOUT" });
    }
    expect(breaker.state("steady")).toBe("closed");
    expect(await client.invoke("steady", {})).toBe("ok");
    // the target really hanging past a reasonable deadline still opens it
    for (let i = 0; i < 2; i++) {
      await expect(client.invoke("steady", { hang: true }, { timeoutMs: 150 })).rejects.toMatchObject({ code: "AGENT_TIMEOUT" });
    }
    expect(breaker.state("steady")).toBe("open");
    release();
  });
});
