/** runtime/jetstream edge cases on a real nats-server: tenants, undecodable bytes, crash loops past maxDeliver, middleware and context. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import type { InboundMiddleware } from "../../runtime/bus/index.js";
import { currentContext } from "../../runtime/bus/index.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { openDurable, until } from "./fixtures.js";

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

describe("tenants", () => {
  it("a tenant bus publishes to {p}.{tenant}.events.* in the events stream and its subscription sees only its tenant", async () => {
    await using f = await openDurable(nats.url, { tenant: "acme" });
    const ack = await f.durable.publish("orders.created", { n: 1 });
    expect(ack.subject).toBe(`${f.bus.prefix}.acme.events.orders.created`);
    expect(ack.stream).toBe(f.durable.layout.events.name);
    await using plain = await openDurable(nats.url, { prefix: f.bus.prefix, ensure: false });
    const untenanted = await plain.durable.publish("orders.created", { n: 2 });
    expect(untenanted).toMatchObject({ seq: 2, subject: `${f.bus.prefix}.events.orders.created` });
    const seen: string[] = [];
    await f.durable.subscribe("orders.*", "acme-orders", (_p, ctx) => void seen.push(ctx.subject));
    await until("acme's event", () => seen.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([`${f.bus.prefix}.acme.events.orders.created`]);
  });

  it("a tenant missing from the layout gets the 'no stream' error naming the fix", async () => {
    await using f = await openDurable(nats.url, { tenant: "globex", layout: { tenants: [] } });
    await expect(f.durable.publish("orders.created", { n: 1 })).rejects.toThrow(
      /no JetStream stream captures subject ".*\.globex\.events\.orders\.created".*oaio streams ensure/,
    );
  });
});

describe("dead letters beyond handler failures", () => {
  it("bytes that are no envelope are dead-lettered to {p}.dlq._undecodable with CODEC_FAILURE, bytes unchanged", async () => {
    await using f = await openDurable(nats.url);
    let ran = 0;
    await f.durable.subscribe(">", "all", () => void ran++);
    const garbage = new TextEncoder().encode("{not json");
    await f.transport.connection.publish(f.bus.subjects.events("raw.bytes"), garbage);
    await until("dead letter", async () => (await f.durable.deadLetters.list()).length === 1);
    const [letter] = await f.durable.deadLetters.list();
    expect(letter).toMatchObject({ dlqSubject: `${f.bus.prefix}.dlq._undecodable`, errorCode: "CODEC_FAILURE", eventId: undefined, deliveries: 1 });
    expect(Buffer.from(letter!.data).toString()).toBe("{not json");
    expect(ran).toBe(0);
  });

  it("a message redelivered past maxDeliver without ever being acked (crash loop) is dead-lettered without running the handler again", async () => {
    await using f = await openDurable(nats.url);
    let runs = 0;
    // the first delivery never finishes (as if the process died in it); no in-progress acks
    await f.durable.subscribe(
      "loop.>",
      "looper",
      async () => {
        runs++;
        await new Promise(() => undefined);
      },
      { maxDeliver: 1, ackWaitMs: 500, workingIntervalMs: 60_000, drainTimeoutMs: 100 },
    );
    const ack = await f.durable.publish("loop.x", {});
    await until("dead letter", async () => (await f.durable.deadLetters.list()).length === 1);
    const [letter] = await f.durable.deadLetters.list();
    expect(letter).toMatchObject({ eventId: ack.eventId, deliveries: 2, errorCode: "TRANSPORT_FAILURE" });
    expect(letter!.error).toMatch(/delivered 2 times without an ack \(maxDeliver 1\)/);
    expect(runs).toBe(1);
    const info = await (await jetstreamManager(f.transport.connection)).consumers.info(f.durable.layout.events.name, "looper");
    expect(info.num_ack_pending).toBe(0);
  });
});

describe("middleware and context", () => {
  it("inbound middleware wraps the durable handler; events published inside carry the handled envelope's context", async () => {
    await using f = await openDurable(nats.url);
    const order: string[] = [];
    const mw: InboundMiddleware = (next) => async (env, ctx) => {
      order.push(`before ${env.event_type} ${ctx.kind} ${ctx.queue}`);
      const r = await next(env, ctx);
      order.push(`after ${r.kind}`);
      return r;
    };
    const seenSession: Array<string | undefined> = [];
    await f.durable.subscribe(
      "in.>",
      "mw",
      async (_p, ctx) => {
        seenSession.push(currentContext()?.session_id);
        if (ctx.envelope.event_type === "in.first") await f.durable.publish("in.second", {});
      },
      { inbound: [mw] },
    );
    await f.durable.publish("in.first", {}, { context: { session_id: "s-42" } });
    await until("both handled", () => seenSession.length === 2);
    expect(seenSession).toEqual(["s-42", "s-42"]);
    await until("middleware finished", () => order.length === 4);
    // in.second may start before in.first's handler returns: compare as a multiset
    expect([...order].sort()).toEqual(["after none", "after none", "before in.first event mw", "before in.second event mw"]);
  });
});
