/**
 * Checked generics (spec/bus.md "Typed payloads"): with a `validate` option (a type guard,
 * e.g. a generated validator) the type parameter of invoke, subscribe, handleInvoke and
 * handleStream is checked at run time; for a standard event type in strict mode the envelope
 * schema already checks subscribe's payload type.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { TaskCreatedPayload } from "../../generated/ts/types.js";
import { validatePayload, type Validator } from "../../generated/ts/validators.js";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { encode, createEnvelope } from "../../runtime/envelope/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { waitFor } from "./fixtures.js";

const transport = createMemoryTransport();
const buses: Bus[] = [];
const bus = (agentId: string, lenient = false): Bus => {
  const b = createBus({ agentId, transport, validation: lenient ? "lenient" : "strict" });
  buses.push(b);
  return b;
};
afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await transport.close();
});

interface Balance {
  balance: number;
}
const isBalance = (v: unknown): v is Balance => typeof (v as Balance | null)?.balance === "number";
const taskCreated = validatePayload["agent.task.created"] as Validator<TaskCreatedPayload>;

/** An agent.task.created envelope whose payload breaks its schema (task_id must be a non-empty string), as raw bytes. */
function badTaskBytes(): Uint8Array {
  const env = createEnvelope({ event_type: "agent.task.created", from: "raw", payload: { task_id: "t" } });
  return encode({ ...env, payload: { task_id: 42 } } as unknown as typeof env);
}

describe("checked generics", () => {
  it("invoke<Res> with validate: a result of another shape rejects INVALID_REQUEST naming the call; a matching one resolves", async () => {
    const server = bus("bank");
    const client = bus("teller");
    server.handleInvoke("balance", (req: { ok: boolean }) => (req.ok ? { balance: 10 } : { balance: "ten" }));
    await expect(client.invoke("balance", { ok: true }, { validate: isBalance })).resolves.toEqual({ balance: 10 });
    const err = await client.invoke("balance", { ok: false }, { validate: isBalance }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "INVALID_REQUEST", details: { what: 'the result of invoke of "balance"' } });
    // without validate, Res is an assertion: the value comes through unchecked
    await expect(client.invoke<Balance>("balance", { ok: false })).resolves.toEqual({ balance: "ten" });
  });

  it("handleInvoke / handleStream with validate answer a request of another shape INVALID_REQUEST, without running the handler", async () => {
    const server = bus("checker");
    const client = bus("sender");
    let ran = 0;
    server.handleInvoke<Balance>(
      "deposit",
      (req) => {
        ran++;
        return req.balance + 1;
      },
      { validate: isBalance },
    );
    server.handleStream<Balance>(
      "count",
      async (req, w) => {
        ran++;
        await w.final(req.balance);
      },
      { validate: isBalance },
    );
    await expect(client.invoke("deposit", { balance: 1 })).resolves.toBe(2);
    await expect(client.invoke("deposit", { balance: "1" })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    const frames = [];
    for await (const f of client.streamInvoke("count", { nope: true }, { yieldErrors: true })) frames.push(f);
    expect(frames).toMatchObject([{ type: "error", error: { code: "INVALID_REQUEST" } }]);
    expect(ran).toBe(1);
  });

  it("subscribe with a generated validator drops payloads that fail it (lenient bus); strict validation drops them without one", async () => {
    const lenient = bus("lenient-listener", true);
    const strict = bus("strict-listener");
    const checkedSeen: unknown[] = [];
    const uncheckedSeen: unknown[] = [];
    const strictSeen: unknown[] = [];
    lenient.subscribe("agent.task.created", (p) => void checkedSeen.push(p), { validate: taskCreated });
    lenient.subscribe("agent.task.created", (p) => void uncheckedSeen.push(p));
    strict.subscribe("agent.task.created", (p) => void strictSeen.push(p));
    transport.publish("acp.v1.events.agent.task.created", badTaskBytes());
    const publisher = bus("publisher");
    await publisher.publish("agent.task.created", { task_id: "t-2" });
    await waitFor("both events at the unchecked lenient handler", () => uncheckedSeen.length === 2);
    await transport.flush();
    expect(uncheckedSeen).toEqual([{ task_id: 42 }, { task_id: "t-2" }]); // lenient, no validate: an assertion
    expect(checkedSeen).toEqual([{ task_id: "t-2" }]);
    expect(strictSeen).toEqual([{ task_id: "t-2" }]);
    expect(lenient.stats().handlerErrors).toBe(1);
  });
});
