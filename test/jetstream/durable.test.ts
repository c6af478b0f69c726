/** runtime/jetstream on a real single nats-server: streams, acknowledged publish, consumers, DLQ, work queues, replay. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { headers } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { AcpError, InvalidRequestError, TransportFailureError } from "../../generated/ts/errors.js";
import { createEnvelope } from "../../runtime/envelope/index.js";
import { createIdempotencyFilter, ensureStreams, idempotent, streamInfo, streamLayout, type DurableContext } from "../../runtime/jetstream/index.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { openDurable, uniquePrefix, until } from "./fixtures.js";

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

describe("streams as configuration", () => {
  it("ensureStreams creates, then reports unchanged, then updates a changed limit", async () => {
    const nc = await connect({ servers: nats.url });
    try {
      const prefix = uniquePrefix();
      const layout = streamLayout({ prefix, tenants: ["acme"] });
      const first = await ensureStreams(nc, layout);
      expect(first.map((s) => s.action)).toEqual(["created", "created", "created"]);
      expect((await ensureStreams(nc, layout)).map((s) => s.action)).toEqual(["unchanged", "unchanged", "unchanged"]);
      const changed = streamLayout({ prefix, tenants: ["acme", "globex"], events: { maxAgeMs: 3_600_000, duplicateWindowMs: 60_000 } });
      const third = await ensureStreams(nc, changed);
      expect(third[0]).toMatchObject({ action: "updated" });
      expect(third[0]!.changed).toEqual(expect.arrayContaining(["subjects", "max_age", "duplicate_window"]));
      const info = await (await jetstreamManager(nc)).streams.info(changed.events.name);
      expect(info.config.subjects.sort()).toEqual([`${prefix}.acme.events.>`, `${prefix}.events.>`, `${prefix}.globex.events.>`].sort());
      expect(info.config.retention).toBe("limits");
      const work = await (await jetstreamManager(nc)).streams.info(changed.work.name);
      expect(work.config.retention).toBe("workqueue");
    } finally {
      await nc.close();
    }
  });

  it("a stream whose retention/storage differs from the layout is INVALID_REQUEST naming the stream; a missing stream's info names the fix", async () => {
    const nc = await connect({ servers: nats.url });
    try {
      const prefix = uniquePrefix();
      await ensureStreams(nc, streamLayout({ prefix }));
      const err = await ensureStreams(nc, streamLayout({ prefix, storage: "memory" })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as Error).message).toMatch(
        /stream .*_EVENTS exists with retention limits \/ storage file, the layout wants limits \/ memory.*delete the stream/,
      );
      await expect(streamInfo(nc, "NO_SUCH_STREAM")).rejects.toThrow(/stream NO_SUCH_STREAM: not found: run `oaio streams ensure/);
    } finally {
      await nc.close();
    }
  });

  it("a layout with a reserved tenant word is INVALID_REQUEST naming it", () => {
    expect(() => streamLayout({ tenants: ["dlq"] })).toThrow(/tenants must be a tenant other than events, invoke, dlq, work/);
    expect(() => streamLayout({ replicas: 0 })).toThrow(InvalidRequestError);
  });

  it("JetStream off is a TRANSPORT_FAILURE that says to start the server with -js", async () => {
    await using plain = await startNatsServer({ noJetStream: true });
    const nc = await connect({ servers: plain.url });
    try {
      const err = await ensureStreams(nc, streamLayout({ prefix: uniquePrefix() })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportFailureError);
      expect((err as Error).message).toMatch(/JetStream is not enabled .*-js/);
    } finally {
      await nc.close();
    }
    await using f = await openDurable(plain.url, { ensure: false });
    const pubErr = await f.durable.publish("orders.created", { id: 1 }).catch((e: unknown) => e);
    expect((pubErr as Error).message).toMatch(/JetStream is not enabled .*-js/);
  });

  it("publishing where no stream captures the subject rejects naming `oaio streams ensure`", async () => {
    await using f = await openDurable(nats.url, { ensure: false });
    const err = await f.durable.publish("orders.created", { id: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportFailureError);
    expect((err as Error).message).toMatch(/no JetStream stream captures subject ".*\.events\.orders\.created".*oaio streams ensure/);
  });
});

describe("acknowledged publish", () => {
  it("resolves with increasing stream sequences after the PubAck", async () => {
    await using f = await openDurable(nats.url);
    const a = await f.durable.publish("orders.created", { id: 1 });
    const b = await f.durable.publish("orders.created", { id: 2 });
    expect(a).toMatchObject({ stream: f.durable.layout.events.name, seq: 1, duplicate: false });
    expect(b.seq).toBe(2);
  });

  it("a publish retried after its PubAck was lost is stored once (Nats-Msg-Id = event_id)", async () => {
    await using f = await openDurable(nats.url);
    const env = createEnvelope({ event_type: "orders.created", from: "test", payload: { id: 7 } });
    const subject = f.bus.subjects.events("orders.created");
    // first attempt: the server stores it, but the PubAck goes nowhere (published without a reply subject)
    const h = headers();
    h.set("Nats-Msg-Id", env.event_id);
    f.transport.connection.publish(subject, new TextEncoder().encode(JSON.stringify(env)), { headers: h });
    await f.transport.connection.flush();
    const retried = await f.durable.publishEnvelope(env);
    expect(retried).toMatchObject({ seq: 1, duplicate: true, eventId: env.event_id });
    const info = await (await jetstreamManager(f.transport.connection)).streams.info(f.durable.layout.events.name);
    expect(info.state.messages).toBe(1);
  });

  it("no PubAck (server down) is an error, never a resolved promise", async () => {
    await using own = await startNatsServer();
    await using f = await openDurable(own.url, { publish: { ackTimeoutMs: 500, attempts: 2 } });
    await f.durable.publish("a.b", 1);
    await own.kill();
    const err = await f.durable.publish("a.b", 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AcpError);
    expect((err as AcpError).code).toBe("TRANSPORT_FAILURE");
    expect((err as AcpError).message).toMatch(/no PubAck/);
    await own.start();
  });
});

describe("durable subscriptions", () => {
  it("handlers get event_id, stream sequence and acp.retry.attempt; retryable failures are redelivered with backoff, then acked", async () => {
    await using f = await openDurable(nats.url);
    const seen: Array<{ eventId: string; seq: number; attempt: unknown; deliveries: number }> = [];
    const sub = await f.durable.subscribe(
      "orders.*",
      "billing",
      (_p, ctx) => {
        seen.push({ eventId: ctx.eventId, seq: ctx.streamSequence, attempt: ctx.envelope.metadata?.["acp.retry.attempt"], deliveries: ctx.deliveryCount });
        if (ctx.deliveryCount < 3) throw new AcpError("AGENT_UNAVAILABLE", "not yet");
      },
      { backoffMs: [50, 100], maxDeliver: 5 },
    );
    const ack = await f.durable.publish("orders.created", { id: 1 });
    await until("acked", () => sub.stats().acked === 1);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(seen.every((s) => s.seq === ack.seq && s.eventId === ack.eventId)).toBe(true);
    expect(sub.stats()).toMatchObject({ naked: 2, deadLettered: 0 });
  });

  it("a non-retryable failure is dead-lettered at once with full context; after maxDeliver a retryable one is too", async () => {
    await using f = await openDurable(nats.url);
    await f.durable.subscribe(
      "jobs.>",
      "worker",
      (payload) => {
        const p = payload as { kind: string };
        if (p.kind === "bad") throw new InvalidRequestError("field x is wrong");
        throw new AcpError("AGENT_UNAVAILABLE", "down");
      },
      { backoffMs: [20], maxDeliver: 2 },
    );
    const bad = await f.durable.publish("jobs.run", { kind: "bad" });
    const flaky = await f.durable.publish("jobs.run", { kind: "flaky" });
    await until("two dead letters", async () => (await f.durable.deadLetters.list()).length === 2);
    const letters = await f.durable.deadLetters.list();
    const byId = new Map(letters.map((l) => [l.eventId, l]));
    expect(byId.get(bad.eventId)).toMatchObject({
      original: { stream: f.durable.layout.events.name, seq: bad.seq, subject: f.bus.subjects.events("jobs.run") },
      consumer: "worker",
      deliveries: 1,
      errorCode: "INVALID_REQUEST",
      error: "field x is wrong",
      eventType: "jobs.run",
      dlqSubject: `${f.bus.prefix}.dlq.jobs.run`,
    });
    expect(byId.get(flaky.eventId)).toMatchObject({ deliveries: 2, errorCode: "AGENT_UNAVAILABLE" });
    // the original bytes, unchanged
    expect(byId.get(bad.eventId)!.envelope?.event_id).toBe(bad.eventId);
    const show = await f.durable.deadLetters.show(byId.get(bad.eventId)!.dlqSeq);
    expect(Buffer.from(show!.data).toString()).toContain(`"event_id":"${bad.eventId}"`);
  });

  it("re-driving a dead letter delivers it again and removes it from the DLQ", async () => {
    await using f = await openDurable(nats.url);
    let fail = true;
    const handled: string[] = [];
    await f.durable.subscribe("pay.>", "payer", (_p, ctx) => {
      if (fail) throw new InvalidRequestError("broken");
      handled.push(ctx.eventId);
    });
    const ack = await f.durable.publish("pay.now", { n: 1 });
    await until("dead letter", async () => (await f.durable.deadLetters.list()).length === 1);
    fail = false;
    const [letter] = await f.durable.deadLetters.list();
    const redriven = await f.durable.deadLetters.redrive(letter!.dlqSeq);
    expect(redriven?.seq).toBeGreaterThan(ack.seq);
    await until("handled after re-drive", () => handled.length === 1);
    expect(handled).toEqual([ack.eventId]);
    expect(await f.durable.deadLetters.list()).toEqual([]);
  });

  it("start points: new skips what is stored; from seq starts there; last takes the last one", async () => {
    await using f = await openDurable(nats.url);
    for (let i = 1; i <= 5; i++) await f.durable.publish("s.e", { i });
    const got = { all: [] as number[], seq: [] as number[], last: [] as number[], new: [] as number[] };
    const h =
      (into: number[]) =>
      (p: unknown): void =>
        void into.push((p as { i: number }).i);
    await f.durable.subscribe("s.e", "c-all", h(got.all), { start: { from: "all" } });
    await f.durable.subscribe("s.e", "c-seq", h(got.seq), { start: { from: "seq", seq: 4 } });
    await f.durable.subscribe("s.e", "c-last", h(got.last), { start: { from: "last" } });
    await f.durable.subscribe("s.e", "c-new", h(got.new), { start: { from: "new" } });
    await f.durable.publish("s.e", { i: 6 });
    await until("all delivered", () => got.all.length === 6 && got.seq.length === 3 && got.last.length === 2 && got.new.length === 1);
    expect(got).toEqual({ all: [1, 2, 3, 4, 5, 6], seq: [4, 5, 6], last: [5, 6], new: [6] });
  });

  it("in-progress acks keep a handler that outlives ackWait from being redelivered", async () => {
    await using f = await openDurable(nats.url);
    let runs = 0;
    const sub = await f.durable.subscribe(
      "slow.>",
      "slow",
      async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 2_500));
      },
      { ackWaitMs: 1_000 },
    );
    await f.durable.publish("slow.job", {});
    await until("acked", () => sub.stats().acked === 1, 10_000);
    expect(runs).toBe(1);
    expect(sub.stats().delivered).toBe(1);
  });

  it("members sharing a durable name share the work; the idempotency filter drops duplicates and is bounded", async () => {
    await using f = await openDurable(nats.url);
    const byMember = [0, 0];
    const filter = createIdempotencyFilter({ maxEntries: 1_000 });
    const handler = (i: number) => idempotent(filter, (_p: unknown, _ctx: DurableContext) => void byMember[i]!++);
    await f.durable.subscribe("w.>", "group", handler(0), { maxInFlight: 4 });
    await f.durable.subscribe("w.>", "group", handler(1), { maxInFlight: 4 });
    const env = createEnvelope({ event_type: "w.x", from: "t", payload: { dup: true } });
    for (let i = 0; i < 200; i++) await f.durable.publish("w.x", i);
    await until("200 handled", () => byMember[0]! + byMember[1]! === 200);
    expect(byMember[0]).toBeGreaterThan(0);
    expect(byMember[1]).toBeGreaterThan(0);
    // the same event_id delivered twice (re-driven, say): handled once, the second counted as a duplicate
    await f.durable.publishEnvelope(env);
    await f.transport.connection.publish(f.bus.subjects.events("w.x"), new TextEncoder().encode(JSON.stringify(env)));
    await until("duplicate dropped", () => filter.duplicates === 1);
    expect(byMember[0]! + byMember[1]!).toBe(201);
    const small = createIdempotencyFilter({ maxEntries: 2 });
    small.remember("a");
    small.remember("b");
    small.remember("c");
    expect([small.has("a"), small.has("b"), small.has("c"), small.size]).toEqual([false, true, true, 2]);
  });
});

describe("work queues and replay", () => {
  it("a work queue runs at most maxInFlight tasks per worker and removes each task once done", async () => {
    await using f = await openDurable(nats.url);
    let running = 0;
    let peak = 0;
    let done = 0;
    await f.durable.work(
      "resize",
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        done++;
      },
      { maxInFlight: 3 },
    );
    for (let i = 0; i < 60; i++) await f.durable.enqueue("resize", "image.resize", { i });
    await until("60 done", () => done === 60);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    await until(
      "stream empty",
      async () => (await (await jetstreamManager(f.transport.connection)).streams.info(f.durable.layout.work.name)).state.messages === 0,
    );
  });

  it("replays by sequence and by time, in order, ending at the last stored message", async () => {
    await using f = await openDurable(nats.url);
    for (let i = 1; i <= 10; i++) await f.durable.publish(i % 2 === 0 ? "r.even" : "r.odd", { i });
    const fromSeq: number[] = [];
    for await (const m of f.durable.replay({ fromSeq: 4 })) fromSeq.push(m.seq);
    expect(fromSeq).toEqual([4, 5, 6, 7, 8, 9, 10]);
    const even: number[] = [];
    for await (const m of f.durable.replay({ fromSeq: 1, pattern: "r.even" })) even.push((m.envelope!.payload as { i: number }).i);
    expect(even).toEqual([2, 4, 6, 8, 10]);
    const since: number[] = [];
    for await (const m of f.durable.replay({ since: new Date(Date.now() - 60_000) })) since.push(m.seq);
    expect(since).toHaveLength(10);
    const none: number[] = [];
    for await (const m of f.durable.replay({ since: new Date(Date.now() + 60_000) })) none.push(m.seq);
    expect(none).toEqual([]);
  });
});
