/**
 * `createBus({ ownsTransport: true })` owns the transport from the call on: when the options
 * are refused (the constructor throws), the transport is closed too, so the connection the
 * caller handed over is not leaked (the leak check of test/setup/leak-check.ts fails the file
 * when a NATS socket stays open).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../runtime/errors.js";
import { createBus } from "../../runtime/bus/index.js";
import { connectNats, createMemoryTransport, type Transport } from "../../runtime/transport/index.js";
import type { BusOptions } from "../../runtime/bus/index.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";

/** Whether `transport.closed` resolves within a bounded wait (a generous bound for a loaded machine). */
async function closesWithin(transport: Transport, ms = 5000): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([transport.closed.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const refused: [string, Partial<BusOptions>][] = [
  ["a bad agent id", { agentId: "bad.id" }],
  ["a reserved tenant", { tenant: "events" }],
  ["a bad prefix", { prefix: "acp..v1" }],
  ["a prefix overlapping the inbox prefix", { prefix: "_INBOX.acp" }],
  ["a bad option", { defaultTimeoutMs: -1 }],
];

describe("createBus with ownsTransport: true closes the transport when it throws", () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats.stop();
  });

  it.each(refused)("a NATS transport handed over with %s ends up closed", async (_what, bad) => {
    const transport = await connectNats({ servers: nats.url });
    const statuses: string[] = [];
    transport.onStatus((s) => void statuses.push(s.type));
    try {
      expect(() => createBus({ agentId: "owner", transport, ownsTransport: true, ...bad })).toThrow(InvalidRequestError);
      expect(await closesWithin(transport)).toBe(true);
      expect(statuses).toContain("closed");
      expect(() => transport.publish("x.y", new Uint8Array(1))).toThrow(/closed/);
    } finally {
      await transport.close();
    }
  });

  it("a memory transport handed over is closed too; one not owned is left open", async () => {
    const owned = createMemoryTransport();
    expect(() => createBus({ agentId: "bad.id", transport: owned, ownsTransport: true })).toThrow(InvalidRequestError);
    expect(await closesWithin(owned)).toBe(true);

    const lent = createMemoryTransport();
    expect(() => createBus({ agentId: "bad.id", transport: lent })).toThrow(InvalidRequestError);
    expect(await closesWithin(lent, 50)).toBe(false);
    await lent.close();
  });
});
