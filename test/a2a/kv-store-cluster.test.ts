/**
 * The A2A KV stores on a 3-node cluster (R3 bucket): tasks and push configs survive a
 * kill -9 of the bucket's stream leader, and writes go on once a new leader is elected.
 */
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { openKvA2aStores } from "../../runtime/a2a/kv.js";
import { startNatsCluster } from "../helpers/nats-cluster.js";
import { config, task } from "./store-contract.js";

/** Retries `fn` for a bounded time (a leader election is in progress). */
async function eventually<T>(fn: () => Promise<T>, tries = 100): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe("A2A KV store on a 3-node cluster", () => {
  it("an R3 bucket keeps every task and push config through a kill -9 of its stream leader; creates and updates go on", async () => {
    await using cluster = await startNatsCluster();
    const nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const stores = await openKvA2aStores(nc, { bucket: "a2a_r3", replicas: 3 });
      for (let i = 0; i < 20; i++) await stores.tasks.create({ tenant: i % 2 === 0 ? "even" : "odd", owner: "p", task: task(`t${i}`) });
      for (let i = 0; i < 20; i += 4) await stores.tasks.update(i % 2 === 0 ? "even" : "odd", task(`t${i}`, "TASK_STATE_COMPLETED"));
      await stores.pushConfigs.set(config("t1", "c1"));
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info("KV_a2a_r3");
      expect(info.config.num_replicas).toBe(3);
      const leader = info.cluster?.leader;
      const victim = cluster.nodes.findIndex((n) => n.name === leader);
      expect(victim, `leader ${String(leader)} is one of the nodes`).toBeGreaterThanOrEqual(0);
      await cluster.crash(victim);

      const even = await eventually(() => stores.tasks.list("even", { pageSize: 100 }));
      const odd = await eventually(() => stores.tasks.list("odd", { pageSize: 100 }));
      expect(even.totalSize + odd.totalSize, "no task lost").toBe(20);
      expect(even.tasks.filter((t) => t.status.state === "TASK_STATE_COMPLETED").map((t) => t.id)).toEqual(["t16", "t12", "t8", "t4", "t0"]);
      expect((await eventually(() => stores.pushConfigs.list("t1"))).map((c) => c.id)).toEqual(["c1"]);
      // a create whose reply was lost in the election is retried; "exists already" then means it landed
      await eventually(() =>
        stores.tasks.create({ tenant: "odd", owner: "p", task: task("after-kill") }).catch((err: unknown) => {
          if (!/exists already/.test(String(err))) throw err;
        }),
      );
      await eventually(() => stores.tasks.update("odd", task("t1", "TASK_STATE_INPUT_REQUIRED")));
      expect((await stores.tasks.get("odd", "t1"))?.task.status.state).toBe("TASK_STATE_INPUT_REQUIRED");

      await cluster.start(victim);
      expect((await eventually(() => stores.tasks.list("odd", { pageSize: 100 }))).totalSize).toBe(11);
      await stores.close();
    } finally {
      await nc.close();
    }
  }, 120_000);
});
