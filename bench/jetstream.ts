/**
 * bench/jetstream: durable messaging through runtime/jetstream against raw @nats-io/jetstream
 * doing the same work, on one nats-server (file storage) this script starts itself.
 *
 * - acknowledged publish/s (64 in flight): `durable.publish` (builds the envelope, encodes it,
 *   publishes with Nats-Msg-Id = event_id, waits for the PubAck) vs a raw sender that builds
 *   the same envelope per message (createEnvelope), JSON-encodes it and awaits `js.publish`
 *   with the same msgID;
 * - consume+ack msgs/s: a durable subscription (decode + schema check, handler, ack) vs a raw
 *   pull consumer with the same config iterating `consume()` that decodes the same way, reads the
 *   delivery count and stream sequence (what the durable handler is given) and acks;
 * - replay msgs/s (ordered consumer over the whole stream, decoded);
 * - redelivery delay after a nak against the configured backoff.
 * Bus and raw alternate over several rounds; figures are median rounds, ratios the median
 * of per-pair ratios.
 *
 * Run: npx tsx bench/jetstream.ts   → prints a table, writes bench/results/jetstream.json
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { AcpError } from "../generated/ts/errors.js";
import { createBus } from "../runtime/bus/index.js";
import { createEnvelope, decode } from "../runtime/envelope/index.js";
import { createDurableBus, streamLayout } from "../runtime/jetstream/index.js";
import { connectNats } from "../runtime/transport/index.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { alternatingPairs, median, type Pair } from "./lib/paired.js";
import { runInfo, writeResult } from "./lib/results.js";

const ROUNDS = 5;
const PUBLISHES = 6_000;
const IN_FLIGHT = 64;
const CONSUME = 20_000;
const TARGETS = { publishRatio: 0.85, consumeRatio: 0.85 };
const PAYLOAD = { order: "ORD-1042", amount: 42.5, currency: "EUR", items: 3 };

const now = (): number => performance.now();

async function throughput(calls: number, inFlight: number, call: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started < calls) {
        started++;
        await call();
      }
    }),
  );
  return calls / ((now() - t0) / 1000);
}

const summary = (pairs: Pair[]): { bus: number; raw: number; ratio: number; rounds: Pair[] } => ({
  bus: Math.round(median(pairs.map((p) => p.bus))),
  raw: Math.round(median(pairs.map((p) => p.raw))),
  ratio: Number(median(pairs.map((p) => p.bus / p.raw)).toFixed(3)),
  rounds: pairs.map((p) => ({ bus: Math.round(p.bus), raw: Math.round(p.raw) })),
});

async function main(): Promise<void> {
  await using server = await startNatsServer();
  const prefix = "bench.v1";
  const transport = await connectNats({ servers: server.url });
  const bus = createBus({ agentId: "bench", transport, ownsTransport: true, prefix });
  const durable = createDurableBus({ bus, layout: streamLayout({ prefix, events: { maxBytes: -1 } }) });
  await durable.ensureStreams();
  const rawNc = await connect({ servers: server.url });
  const js = jetstream(rawNc);
  const jsm = await jetstreamManager(rawNc);
  const stream = durable.layout.events.name;
  try {
    // ---- acknowledged publish
    const rawSubject = `${prefix}.events.bench.raw`;
    const rawPublish = async (): Promise<void> => {
      const env = createEnvelope({ event_type: "bench.raw", from: "bench", payload: PAYLOAD });
      await js.publish(rawSubject, JSON.stringify(env), { msgID: env.event_id });
    };
    const busPublish = (): Promise<unknown> => durable.publish("bench.bus", PAYLOAD);
    await throughput(2_000, IN_FLIGHT, rawPublish);
    await throughput(2_000, IN_FLIGHT, busPublish);
    process.stderr.write("publish…\n");
    const publish = summary(await alternatingPairs(ROUNDS, (w) => throughput(PUBLISHES, IN_FLIGHT, w === "bus" ? busPublish : rawPublish)));

    // ---- consume + ack: each round a fresh consumer over CONSUME messages of its own subject
    process.stderr.write("consume…\n");
    const consume = summary(
      await alternatingPairs(ROUNDS, async (which, round) => {
        const type = `bench.consume.${which}.r${round}`;
        const subject = `${prefix}.events.${type}`;
        await throughput(CONSUME, IN_FLIGHT, () => durable.publish(type, PAYLOAD));
        const t0 = now();
        if (which === "bus") {
          let n = 0;
          let done!: () => void;
          const finished = new Promise<void>((r) => (done = r));
          const sub = await durable.subscribe(
            type,
            `c-${which}-${round}`,
            () => {
              if (++n === CONSUME) done();
            },
            { maxInFlight: IN_FLIGHT },
          );
          await finished;
          const rate = CONSUME / ((now() - t0) / 1000);
          await sub.close();
          return rate;
        }
        await jsm.consumers.add(stream, {
          durable_name: `c-${which}-${round}`,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          filter_subject: subject,
          max_deliver: -1,
        });
        const consumer = await js.consumers.get(stream, `c-${which}-${round}`);
        const messages = await consumer.consume({ max_messages: IN_FLIGHT });
        let n = 0;
        for await (const m of messages) {
          const d = decode(m.data);
          if (!d.ok) throw new Error("bench: undecodable");
          // what a handler is given besides the envelope: delivery count (acp.retry.attempt) and stream sequence
          if (m.info.deliveryCount < 1 || m.seq < 1) throw new Error("bench: bad delivery info");
          m.ack();
          if (++n === CONSUME) break;
        }
        const rate = CONSUME / ((now() - t0) / 1000);
        await messages.close();
        return rate;
      }),
    );

    // ---- replay the whole stream
    process.stderr.write("replay…\n");
    const total = (await jsm.streams.info(stream)).state.messages;
    const replayRates: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = now();
      let n = 0;
      for await (const m of durable.replay({ fromSeq: 1, pattern: ">" })) if (m.envelope !== undefined) n++;
      replayRates.push(n / ((now() - t0) / 1000));
    }

    // ---- redelivery delay after nak vs configured backoff
    process.stderr.write("redelivery…\n");
    const backoffMs = [200, 400];
    const seenAt = new Map<string, number[]>();
    const target = 20;
    let finishedCount = 0;
    let allDone!: () => void;
    const redelivered = new Promise<void>((r) => (allDone = r));
    const sub = await durable.subscribe(
      "bench.redeliver",
      "redeliver",
      (_p, ctx) => {
        const times = seenAt.get(ctx.eventId) ?? [];
        times.push(now());
        seenAt.set(ctx.eventId, times);
        if (ctx.deliveryCount <= backoffMs.length) throw new AcpError("AGENT_UNAVAILABLE", "bench: fail, then succeed");
        if (++finishedCount === target) allDone();
      },
      { backoffMs, maxDeliver: 5 },
    );
    for (let i = 0; i < target; i++) await durable.publish("bench.redeliver", { i });
    await redelivered;
    await sub.close();
    const gaps = backoffMs.map((_, k) => median([...seenAt.values()].map((t) => t[k + 1]! - t[k]!)));

    const met = { publish: publish.ratio >= TARGETS.publishRatio, consume: consume.ratio >= TARGETS.consumeRatio };
    const result = {
      ...runInfo(),
      server: "nats-server v2.15.3 (single node, file storage)",
      rounds: ROUNDS,
      in_flight: IN_FLIGHT,
      targets: TARGETS,
      met,
      publish_acked_per_s: publish,
      consume_ack_per_s: consume,
      replay_per_s: { median: Math.round(median(replayRates)), messages: total },
      redelivery_after_nak_ms: backoffMs.map((configured, k) => ({ configured, measured_median: Number(gaps[k]!.toFixed(1)) })),
    };
    const path = writeResult("jetstream", result);
    const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
    process.stdout.write(
      [
        `| | runtime/jetstream | raw @nats-io/jetstream | ratio | target |`,
        `|---|---:|---:|---:|---|`,
        `| acknowledged publish/s (${IN_FLIGHT} in flight) | ${fmt(publish.bus)} | ${fmt(publish.raw)} | ${publish.ratio.toFixed(2)}x | >= 0.85x ${met.publish ? "✓" : "✗"} |`,
        `| consume + ack msgs/s | ${fmt(consume.bus)} | ${fmt(consume.raw)} | ${consume.ratio.toFixed(2)}x | >= 0.85x ${met.consume ? "✓" : "✗"} |`,
        `| replay msgs/s (${fmt(total)} stored) | ${fmt(median(replayRates))} | | | |`,
        ...backoffMs.map(
          (c, k) => `| redelivery after nak #${k + 1}: measured median vs configured (ms) | ${gaps[k]!.toFixed(0)} | ${c} | ${(gaps[k]! / c).toFixed(2)}x | |`,
        ),
        "",
      ].join("\n"),
    );
    process.stdout.write(`wrote ${path} (load average ${result.loadAverage.join(", ")})\n`);
  } finally {
    await durable.close();
    await bus.close();
    await rawNc.close();
  }
}

await main();
