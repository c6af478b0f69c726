/**
 * Programmer mistakes on the bus throw (or reject with) the runtime's one invalid-argument
 * error: `invalidArgument(api, field, value, expected)` from runtime/errors.ts, an
 * InvalidRequestError whose details name the API, the field, the value and what was expected.
 */
import { afterAll, describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { createBus, type Bus, type FinalPhase } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";

const transport = createMemoryTransport();
const buses: Bus[] = [];
const bus = (agentId: string): Bus => {
  const b = createBus({ agentId, transport });
  buses.push(b);
  return b;
};
afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await transport.close();
});

/** The error `fn` throws (or the rejection of the promise it returns). */
async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err: unknown) {
    return err;
  }
  throw new Error("expected a throw or a rejection");
}

function expectInvalidArgument(err: unknown, api: string, field: string, value: unknown): void {
  expect(err).toBeInstanceOf(InvalidRequestError);
  expect((err as InvalidRequestError).details).toMatchObject({ api, field, value });
  expect(typeof (err as InvalidRequestError).details?.["expected"]).toBe("string");
  expect((err as InvalidRequestError).message).toContain(`${api}: ${field} must be`);
}

describe("invalid arguments on the bus", () => {
  it("createBus options", async () => {
    expectInvalidArgument(await caught(() => createBus({ agentId: "a", transport, defaultTimeoutMs: 0 })), "createBus", "defaultTimeoutMs", 0);
    expectInvalidArgument(await caught(() => createBus({ agentId: "a", transport, schemaVersion: 3 as 2 })), "createBus", "schemaVersion", 3);
    expectInvalidArgument(await caught(() => createBus({ agentId: "a", transport, validation: "loose" as "strict" })), "createBus", "validation", "loose");
    expectInvalidArgument(await caught(() => createBus({ agentId: "a", transport, stream: { maxBuffered: -1 } })), "createBus", "stream.maxBuffered", -1);
    expectInvalidArgument(await caught(() => createBus({ agentId: "a", transport, prefix: "_INBOX.x" })), "createBus", "prefix", "_INBOX.x");
  });

  it("invoke and streamInvoke options", async () => {
    const b = bus("caller");
    expectInvalidArgument(await caught(() => b.invoke("x", {}, { timeoutMs: -5 })), "bus.invoke", "opts.timeoutMs", -5);
    expectInvalidArgument(await caught(() => b.streamInvoke("x", {}, { maxBuffered: 0 })), "bus.streamInvoke", "opts.maxBuffered", 0);
  });

  it("one target is either an invoke or a stream handler", async () => {
    const b = bus("server");
    b.handleStream("both", (_req, w) => w.final(1));
    expectInvalidArgument(await caught(() => b.handleInvoke("both", () => 1)), "bus.handleInvoke", "target", "both");
  });

  it("a stream writer's final phase and event type", async () => {
    const server = bus("writer");
    const client = bus("reader");
    const errors: unknown[] = [];
    server.handleStream("w", async (_req, w) => {
      errors.push(await caught(() => w.final("x", { phase: "working" as FinalPhase })));
      errors.push(await caught(() => w.event("agent.response.final", {} as never)));
      await w.final("done");
    });
    const frames = [];
    for await (const f of client.streamInvoke("w", {})) frames.push(f.type);
    expect(frames).toEqual(["final"]);
    expectInvalidArgument(errors[0], "StreamWriter.final", "opts.phase", "working");
    expectInvalidArgument(errors[1], "StreamWriter.event", "eventType", "agent.response.final");
  });
});
