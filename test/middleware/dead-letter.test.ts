import { describe, expect, it } from "vitest";
import { MetadataKey, decode, parseRfc3339, type Envelope } from "../../runtime/index.js";
import { InvalidRequestError, TransportFailureError } from "../../runtime/errors.js";
import type { Bus } from "../../runtime/bus/index.js";
import { chain, deadLetter, fixedBackoff, retry } from "../../runtime/middleware/index.js";
import { useNet, waitFor } from "./net.js";

const net = useNet();

/** Collects what arrives on a raw subject (the dead-letter subjects are not event subjects). */
function collect(bus: Bus, subject: string): Envelope[] {
  const got: Envelope[] = [];
  bus.transport.subscribe(subject, {}, (msg) => {
    const r = decode(msg.data);
    if (r.ok) got.push(r.envelope);
  });
  return got;
}

describe("retry → dead letter over NATS", () => {
  it("dead-letters only exhausted envelopes, tenant-scoped, with the acp.dlq.* facts", async () => {
    const calls: Record<string, number> = {};
    const server = await net.bus("dlq-server", {
      middleware: chain({ deadLetter: deadLetter(), retry: retry({ maxAttempts: 3, backoff: fixedBackoff(2) }) }),
    });
    const client = await net.bus("dlq-client");
    const watcher = await net.bus("dlq-watcher");
    const acmeDlq = collect(watcher, "acp.v1.acme.dlq.>");
    const sharedDlq = collect(watcher, "acp.v1.dlq.>");
    const handler = (payload: { id: string; mode: "always" | "once" | "invalid" }): void => {
      calls[payload.id] = (calls[payload.id] ?? 0) + 1;
      if (payload.mode === "always") throw new TransportFailureError("downstream refused the write");
      if (payload.mode === "once" && calls[payload.id] === 1) throw new TransportFailureError("blip");
      if (payload.mode === "invalid") throw new InvalidRequestError("order has no lines");
    };
    server.subscribe("orders.created", handler, { tenant: "acme" });
    server.subscribe("orders.created", handler, { tenant: null });
    await net.settle();

    await client.publish("orders.created", { id: "recovers", mode: "once" }, { context: { tenant_id: "acme" } });
    await client.publish("orders.created", { id: "poison", mode: "always" }, { context: { tenant_id: "acme", session_id: "s-1" } });
    await client.publish("orders.created", { id: "invalid", mode: "invalid" }, { context: { tenant_id: "acme" } });
    await client.publish("orders.created", { id: "untenanted", mode: "always" });
    await waitFor("all handled", () => calls["recovers"] === 2 && calls["poison"] === 3 && calls["invalid"] === 1 && calls["untenanted"] === 3);
    await waitFor("server idle", () => server.stats().inFlight === 0);
    await net.settle();
    await waitFor("dead letters", () => acmeDlq.length === 2 && sharedDlq.length === 1);

    const poison = acmeDlq.find((e) => (e.payload as { id: string }).id === "poison")!;
    const meta = poison.metadata!;
    expect(meta[MetadataKey.DLQ_ORIGINAL_EVENT_TYPE]).toBe("orders.created");
    expect(meta[MetadataKey.DLQ_ORIGINAL_SUBJECT]).toBe("acp.v1.acme.events.orders.created");
    expect(meta[MetadataKey.DLQ_LAST_ERROR]).toBe("downstream refused the write");
    expect(meta[MetadataKey.DLQ_LAST_ERROR_CODE]).toBe("TRANSPORT_FAILURE");
    expect(meta[MetadataKey.DLQ_ATTEMPTS]).toBe(3);
    expect(parseRfc3339(meta[MetadataKey.DLQ_FAILED_AT] as string)).toBeTypeOf("number");
    expect(poison.tenant_id).toBe("acme");
    expect(poison.session_id).toBe("s-1");
    expect(poison.event_type).toBe("orders.created");
    // the retry stamps stayed inside: the dead letter is the envelope as delivered
    expect(meta[MetadataKey.RETRY_ATTEMPT]).toBeUndefined();

    const invalid = acmeDlq.find((e) => (e.payload as { id: string }).id === "invalid")!;
    expect(invalid.metadata![MetadataKey.DLQ_ATTEMPTS]).toBe(1);
    expect(invalid.metadata![MetadataKey.DLQ_LAST_ERROR_CODE]).toBe("INVALID_REQUEST");

    expect(sharedDlq[0]!.metadata![MetadataKey.DLQ_ORIGINAL_SUBJECT]).toBe("acp.v1.events.orders.created");
    expect(acmeDlq.some((e) => (e.payload as { id: string }).id === "recovers")).toBe(false);
  });

  it("passes the failure on: an invoke still gets its error reply", async () => {
    const server = await net.bus("dlq-server2", { middleware: { inbound: [deadLetter()] } });
    const client = await net.bus("dlq-client2");
    const watcher = await net.bus("dlq-watcher2");
    const letters = collect(watcher, "acp.v1.dlq.agent.message.received");
    server.handleInvoke("fails", () => {
      throw new InvalidRequestError("nope");
    });
    await net.settle();
    await expect(client.invoke("fails", { q: 1 })).rejects.toMatchObject({ code: "INVALID_REQUEST", message: "nope" });
    await net.settle();
    await waitFor("dead letter", () => letters.length === 1);
    expect(letters[0]!.payload).toEqual({ q: 1 });
    expect(letters[0]!.metadata![MetadataKey.DLQ_ORIGINAL_SUBJECT]).toBe("acp.v1.invoke.fails");
  });
});
