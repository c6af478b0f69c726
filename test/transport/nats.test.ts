import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { connectNats, isTransportError, type Transport, type TransportMessage, type TransportStatus } from "../../runtime/transport/index.js";
import { freePort, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { runTransportContract } from "./contract.js";
import { waitFor } from "./wait.js";

let server: NatsServer | undefined;
const url = (): string => {
  if (server === undefined) throw new Error("nats-server not started");
  return server.url;
};

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

runTransportContract("nats", () => connectNats({ servers: url(), name: "contract" }));

const enc = new TextEncoder();
const dec = new TextDecoder();

describe("nats transport", () => {
  const open: Transport[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  it("coalesces a burst without reordering it against a subscribe, and sends a MessageBody as its bytes (never seals it)", async () => {
    const t = await connectNats({ servers: url() });
    open.push(t);
    const late: string[] = [];
    const early: string[] = [];
    t.subscribe("burst.early", {}, (m) => void early.push(dec.decode(m.data)));
    await t.flush();
    let sealed = 0;
    for (let i = 0; i < 10; i++) {
      t.publish("burst.early", { bytes: () => enc.encode(`m${i}`), seal: () => ++sealed, routed: () => undefined });
      t.publish("burst.late", enc.encode(`l${i}`)); // published before the subscription below exists
    }
    t.subscribe("burst.late", {}, (m) => void late.push(dec.decode(m.data)));
    t.publish("burst.late", enc.encode("after"));
    await t.flush();
    await waitFor("the burst", () => early.length === 10 && late.length === 1);
    expect(early).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(late).toEqual(["after"]);
    expect(sealed).toBe(0);
  });

  it("spreads a queue group across connections and fans out to plain subscribers on each", async () => {
    const a = await connectNats({ servers: url() });
    const b = await connectNats({ servers: url() });
    const pub = await connectNats({ servers: url() });
    open.push(a, b, pub);
    const got = { a: 0, b: 0, plainA: 0, plainB: 0 };
    a.subscribe("x.work", { queue: "workers" }, () => got.a++);
    b.subscribe("x.work", { queue: "workers" }, () => got.b++);
    a.subscribe("x.work", {}, () => got.plainA++);
    b.subscribe("x.>", {}, () => got.plainB++);
    await Promise.all([a.flush(), b.flush()]);
    for (let i = 0; i < 200; i++) pub.publish("x.work", enc.encode(String(i)));
    await pub.flush();
    await waitFor(
      "every delivery",
      () => got.a + got.b === 200 && got.plainA === 200 && got.plainB === 200,
      {},
      () => JSON.stringify(got),
    );
    expect(got.a).toBeGreaterThan(0);
    expect(got.b).toBeGreaterThan(0);
  });

  it("talks to a plain nats.js client: its request is answered, its no-responders is ours", async () => {
    const t = await connectNats({ servers: url() });
    open.push(t);
    t.subscribe("raw.echo", { queue: "echo" }, (m) => t.publish(m.reply!, enc.encode(`echo ${dec.decode(m.data)}`)));
    await t.flush();
    const nc = await connect({ servers: url() });
    try {
      const reply = await nc.request("raw.echo", enc.encode("hi"), { timeout: 5000 });
      expect(dec.decode(reply.data)).toBe("echo hi");
    } finally {
      await nc.close();
    }
  });

  it("rejects with TRANSPORT_FAILURE when no server listens", async () => {
    const port = await freePort();
    const err = await connectNats({ servers: `nats://127.0.0.1:${port}` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTransportError(err, "TRANSPORT_FAILURE")).toBe(true);
    expect((err as Error).message).toContain(String(port));
  });

  it("rejects bad options with INVALID_REQUEST", async () => {
    await expect(connectNats({ servers: [] })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(connectNats({ servers: url(), maxReconnectAttempts: -2 })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(connectNats({ servers: url(), reconnectTimeWaitMs: -1 })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("maps a refused token to AUTH_FAILURE and connects with the right one", async () => {
    const secured = await startNatsServer({ args: ["--auth", "s3cret"] });
    try {
      const err = await connectNats({ servers: secured.url }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTransportError(err, "AUTH_FAILURE")).toBe(true);
      expect((err as { retryable: boolean }).retryable).toBe(false);
      const t = await connectNats({ servers: secured.url, token: "s3cret" });
      const got: TransportMessage[] = [];
      t.subscribe("auth.ok", {}, (m) => got.push(m));
      t.publish("auth.ok", enc.encode("in"));
      await waitFor("delivery", () => got.length === 1);
      await t.drain();
    } finally {
      await secured.stop();
    }
  });
});

describe("nats transport across a server restart", () => {
  let own: NatsServer | undefined;
  afterEach(async () => {
    await own?.stop();
    own = undefined;
  });

  it("reconnects, resubscribes, reports status, and delivers messages published during and after the restart", async () => {
    own = await startNatsServer();
    const t = await connectNats({ servers: own.url, reconnectTimeWaitMs: 50, reconnectJitterMs: 10 });
    try {
      const statuses: TransportStatus[] = [];
      t.onStatus((s) => statuses.push(s));
      const got: string[] = [];
      const queued: string[] = [];
      t.subscribe("rs.events", {}, (m) => got.push(dec.decode(m.data)));
      t.subscribe("rs.work", { queue: "w" }, (m) => queued.push(dec.decode(m.data)));
      t.publish("rs.events", enc.encode("before"));
      await waitFor("before", () => got.includes("before"));

      const restarted = own.restart();
      await waitFor("disconnected status", () => statuses.some((s) => s.type === "disconnected"));
      // Published while disconnected: nats.js buffers it and sends it after reconnecting.
      t.publish("rs.events", enc.encode("during"));
      await restarted;
      await waitFor(
        "reconnected status",
        () => statuses.some((s) => s.type === "reconnected"),
        {},
        () => JSON.stringify(statuses),
      );

      t.publish("rs.events", enc.encode("after"));
      t.publish("rs.work", enc.encode("job"));
      await waitFor(
        "after",
        () => got.includes("after") && queued.includes("job"),
        {},
        () => JSON.stringify(got),
      );
      expect(got).toEqual(["before", "during", "after"]);
      const types = statuses.map((s) => s.type);
      expect(types.indexOf("disconnected")).toBeLessThan(types.indexOf("reconnected"));
      expect(types).not.toContain("closed");
    } finally {
      await t.close();
    }
  });

  it("holds publishes while the server is down (bounded: BACKPRESSURE_DROP beyond), sends them after reconnecting", async () => {
    own = await startNatsServer();
    const t = await connectNats({ servers: own.url, reconnectTimeWaitMs: 20, reconnectJitterMs: 0, reconnectBufferBytes: 64 });
    try {
      const statuses: TransportStatus[] = [];
      t.onStatus((s) => statuses.push(s));
      const got: string[] = [];
      t.subscribe("hold.x", {}, (m) => got.push(dec.decode(m.data)));
      await t.flush();
      await own.kill();
      await waitFor("disconnected status", () => statuses.some((s) => s.type === "disconnected"));
      t.publish("hold.x", enc.encode("one"));
      t.publish("hold.x", enc.encode("two"));
      expect(() => t.publish("hold.x", new Uint8Array(60))).toThrow(expect.objectContaining({ code: "BACKPRESSURE_DROP", subject: "hold.x" }));
      let flushed = false;
      const flushing = t.flush().then(() => {
        flushed = true;
      });
      await waitFor("reconnect attempts", () => statuses.filter((s) => s.type === "reconnecting").length >= 2);
      expect(flushed).toBe(false);
      await own.start();
      await flushing;
      await waitFor(
        "held messages",
        () => got.length === 2,
        {},
        () => JSON.stringify(got),
      );
      expect(got).toEqual(["one", "two"]);
    } finally {
      await t.close();
    }
  });

  it("closes with TRANSPORT_FAILURE and a closed status when reconnect attempts run out", async () => {
    own = await startNatsServer();
    const t = await connectNats({ servers: own.url, maxReconnectAttempts: 2, reconnectTimeWaitMs: 20, reconnectJitterMs: 0 });
    const statuses: TransportStatus[] = [];
    t.onStatus((s) => statuses.push(s));
    await own.stop();
    own = undefined;
    const err = await t.closed;
    expect(isTransportError(err, "TRANSPORT_FAILURE")).toBe(true);
    const closed = statuses.filter((s) => s.type === "closed");
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ type: "closed", error: { code: "TRANSPORT_FAILURE" } });
    expect(() => t.publish("x", new Uint8Array(1))).toThrow(expect.objectContaining({ code: "TRANSPORT_FAILURE" }));
    await t.close();
  });
});
