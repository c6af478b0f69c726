/**
 * The 3-node cluster fault run (issue 10): R3 streams; EVENTS events published at a steady
 * rate (each publish retried with the same envelope, so the same Msg-Id, until its PubAck);
 * meanwhile one node is killed with kill -9 and later restarted on its store, and one of the
 * two consumer-group members crashes (its connection closes with messages unacked) and
 * restarts. Every acknowledged event must be handled (0 lost); duplicate deliveries are
 * counted, dropped by the idempotency filter and written to the test output.
 * OAIO_CLUSTER_EVENTS / OAIO_CLUSTER_RATE override the size (default 50,000 at 2,500/s).
 */
import { describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Envelope } from "../../generated/ts/types.js";
import { createEnvelope } from "../../runtime/envelope/index.js";
import { createIdempotencyFilter, idempotent, type DurableContext } from "../../runtime/jetstream/index.js";
import { startNatsCluster } from "../helpers/nats-cluster.js";
import { openDurable, uniquePrefix, until, type DurableFixture } from "./fixtures.js";

const EVENTS = Number(process.env["OAIO_CLUSTER_EVENTS"] ?? 50_000);
const RATE = Number(process.env["OAIO_CLUSTER_RATE"] ?? 2_500);
const MAX_OUTSTANDING = 512;

describe("3-node cluster, R3 streams", () => {
  it(`${EVENTS} events at ${RATE}/s through a node kill -9 + restart and a member crash + restart: 0 lost`, async () => {
    await using cluster = await startNatsCluster();
    const prefix = uniquePrefix();
    const layout = { replicas: 3 };
    await using pub = await openDurable(cluster.urls, { prefix, layout, publish: { ackTimeoutMs: 2_000, attempts: 1 } });

    const deliveries = new Map<string, number>();
    const filter = createIdempotencyFilter({ maxEntries: EVENTS + 1_000 });
    let handledOnce = 0;
    const record = (_p: unknown, ctx: DurableContext): void => {
      handledOnce++;
      void ctx;
    };
    const guarded = idempotent(filter, record);
    const handler = async (p: unknown, ctx: DurableContext): Promise<void> => {
      deliveries.set(ctx.eventId, (deliveries.get(ctx.eventId) ?? 0) + 1);
      await new Promise((r) => setImmediate(r)); // some work, so a crash finds handlers running
      await guarded(p, ctx);
    };
    const member = async (): Promise<DurableFixture> => {
      const m = await openDurable(cluster.urls, { prefix, layout, ensure: false });
      await m.durable.subscribe("load.>", "group", handler, { ackWaitMs: 3_000, maxInFlight: 64, maxAckPending: 4_096 });
      return m;
    };
    const a = await member();
    let memberA: DurableFixture | undefined = a;
    await using memberB = await member();

    const acked = new Set<string>();
    let publishRetries = 0;
    let outstanding = 0;
    const publishOne = async (env: Envelope): Promise<void> => {
      outstanding++;
      for (;;) {
        try {
          await pub.durable.publishEnvelope(env);
          acked.add(env.event_id);
          outstanding--;
          return;
        } catch {
          publishRetries++;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    const started = Date.now();
    const inflight = new Set<Promise<void>>();
    const publisher = (async () => {
      for (let i = 0; i < EVENTS; i++) {
        const due = started + (i * 1000) / RATE;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        while (outstanding >= MAX_OUTSTANDING) await new Promise((r) => setTimeout(r, 5));
        const p = publishOne(createEnvelope({ event_type: "load.tick", from: "test", payload: { i } }));
        inflight.add(p);
        void p.then(() => inflight.delete(p));
      }
      await Promise.all(inflight);
    })();

    const at = (fraction: number): Promise<void> => until(`${fraction * 100}% acked`, () => acked.size >= EVENTS * fraction, 600_000);
    await at(0.2);
    // kill the events stream's leader: the node whose loss the stream must survive by election
    const leader = (await (await jetstreamManager(pub.transport.connection)).streams.info(pub.durable.layout.events.name)).cluster?.leader;
    const victim = Math.max(
      0,
      cluster.nodes.findIndex((n) => n.name === leader),
    );
    await cluster.crash(victim);
    const nodeDownAt = acked.size;
    await at(0.4);
    await memberA.transport.close(); // crash: nothing more is acked by it
    memberA = undefined;
    const memberDownAt = acked.size;
    await at(0.55);
    await cluster.start(victim);
    await at(0.7);
    memberA = await member();
    await publisher;
    const publishSeconds = (Date.now() - started) / 1000;
    await until("every acknowledged event handled", () => handledOnce >= acked.size, 300_000);
    await new Promise((r) => setTimeout(r, 4_000)); // one more ackWait: late redeliveries show up in the counts
    const lost = [...acked].filter((id) => !deliveries.has(id)).length;
    let totalDeliveries = 0;
    for (const n of deliveries.values()) totalDeliveries += n;
    const info = await (await jetstreamManager(pub.transport.connection)).streams.info(pub.durable.layout.events.name);
    const report = {
      events: EVENTS,
      rate_per_s: RATE,
      publish_seconds: Number(publishSeconds.toFixed(1)),
      acked: acked.size,
      stored: info.state.messages,
      lost,
      handled_once: handledOnce,
      deliveries: totalDeliveries,
      duplicate_deliveries: totalDeliveries - deliveries.size,
      duplicates_dropped_by_filter: filter.duplicates,
      publish_retries: publishRetries,
      node_killed: cluster.nodes[victim]!.name,
      stream_leader_before: leader,
      node_killed_at_acked: nodeDownAt,
      member_crashed_at_acked: memberDownAt,
    };
    console.log(`cluster fault run: ${JSON.stringify(report)}`);
    expect(memberB.durable.layout.events.replicas).toBe(3);
    await memberA.durable.close();
    await memberA.bus.close();
    expect(acked.size).toBe(EVENTS);
    expect(info.state.messages).toBe(EVENTS);
    expect(lost).toBe(0);
    expect(handledOnce).toBe(EVENTS);
    expect(filter.duplicates).toBe(totalDeliveries - deliveries.size);
  }, 900_000);
});
