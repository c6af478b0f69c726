/**
 * Fault tests on real servers: a member killed mid-handling, and a single node killed with
 * kill -9 and restarted on its store. (The 3-node cluster run is cluster.test.ts.)
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Envelope } from "../../generated/ts/types.js";
import { createEnvelope } from "../../runtime/envelope/index.js";
import { createIdempotencyFilter, idempotent } from "../../runtime/jetstream/index.js";
import { REPO_ROOT, killOnTestEnd } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { openDurable, until } from "./fixtures.js";

vi.setConfig({ testTimeout: 120_000 });

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

interface MemberEvent {
  ev: string;
  n?: number;
  seq?: number;
  deliveries?: number;
}

describe("a consumer killed mid-handling", () => {
  it("only its unacknowledged messages are redelivered, to another member", async () => {
    await using f = await openDurable(nats.url);
    const prefix = f.bus.prefix;
    const child = spawn(process.execPath, ["--import", "tsx", `${REPO_ROOT}test/jetstream/member.ts`, nats.url, prefix, "crew", "1500"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    killOnTestEnd(child);
    const events: MemberEvent[] = [];
    let buf = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        events.push(JSON.parse(buf.slice(0, i)) as MemberEvent);
        buf = buf.slice(i + 1);
      }
    });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      await until("member ready", () => events.some((e) => e.ev === "ready"), 60_000);
      for (let n = 0; n < 10; n++) await f.durable.publish("jobs.run", { n });
      await until("member acked the first ten", async () => {
        const info = await (await jetstreamManager(f.transport.connection)).consumers.info(f.durable.layout.events.name, "crew");
        return events.filter((e) => e.ev === "done").length === 10 && info.num_ack_pending === 0 && info.num_pending === 0;
      });
      for (let n = 10; n < 14; n++) await f.durable.publish("jobs.run", { n, hang: true });
      await until("member started the four that hang", () => events.filter((e) => e.ev === "start" && e.n! >= 10).length === 4);
      const got: Array<{ n: number; deliveries: number }> = [];
      await f.durable.subscribe<{ n: number }>("jobs.>", "crew", (p, ctx) => void got.push({ n: p.n, deliveries: ctx.deliveryCount }), { ackWaitMs: 1500 });
      child.kill("SIGKILL");
      await exited;
      await until("the four redelivered", () => got.length >= 4);
      for (let n = 14; n < 20; n++) await f.durable.publish("jobs.run", { n });
      await until("all handled", () => got.length >= 10);
      await new Promise((r) => setTimeout(r, 2_000)); // one more ackWait: anything else redelivered would show now
      const redelivered = got
        .filter((g) => g.deliveries > 1)
        .map((g) => g.n)
        .sort((a, b) => a - b);
      expect(redelivered).toEqual([10, 11, 12, 13]);
      expect(got.map((g) => g.n).sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("single node kill -9 and restart on the same store", () => {
  it("durable consumers resume and nothing acknowledged is lost", async () => {
    await using own = await startNatsServer();
    await using pub = await openDurable(own.url, { publish: { ackTimeoutMs: 500, attempts: 1 } });
    await using sub = await openDurable(own.url, { prefix: pub.bus.prefix, ensure: false });
    const total = 3_000;
    const received = new Map<string, number>();
    const filter = createIdempotencyFilter({ maxEntries: 10_000 });
    let handled = 0;
    await sub.durable.subscribe(
      "load.>",
      "resume",
      idempotent(filter, (_p, ctx) => {
        received.set(ctx.eventId, (received.get(ctx.eventId) ?? 0) + 1);
        handled++;
      }),
      { ackWaitMs: 2_000 },
    );
    const acked = new Set<string>();
    let publishFailures = 0;
    const publishOne = async (env: Envelope): Promise<void> => {
      for (;;) {
        try {
          await pub.durable.publishEnvelope(env);
          acked.add(env.event_id);
          return;
        } catch {
          publishFailures++; // no PubAck: the same envelope (same Msg-Id) again
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const publisher = (async () => {
      for (let i = 0; i < total; i++) {
        await publishOne(createEnvelope({ event_type: "load.tick", from: "test", payload: { i } }));
        if (i % 100 === 0) await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await until("a third published", () => acked.size >= total / 3, 60_000);
    await own.crash();
    await new Promise((r) => setTimeout(r, 1_500));
    await own.start();
    await publisher;
    await until("every acknowledged event handled", () => [...acked].every((id) => received.has(id)), 60_000);
    const info = await (await jetstreamManager(pub.transport.connection)).streams.info(pub.durable.layout.events.name);
    const lost = [...acked].filter((id) => !received.has(id)).length;
    console.log(
      `single-node kill -9: published ${total}, acked ${acked.size}, stored ${info.state.messages}, lost ${lost}, handled ${handled}, duplicates dropped ${filter.duplicates}, publish attempts without PubAck ${publishFailures}`,
    );
    expect(acked.size).toBe(total);
    expect(info.state.messages).toBe(total);
    expect(lost).toBe(0);
    expect(handled).toBe(total);
  });
});
