/** The durable CLI commands as processes against a real nats-server: streams, publish --durable, subscribe --durable, replay, dlq. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { runCli } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { openDurable, uniquePrefix, until } from "./fixtures.js";

// each CLI run starts Node + tsx (seconds on a busy 2-core machine)
vi.setConfig({ testTimeout: 90_000 });

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

const lines = (text: string): unknown[] =>
  text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as unknown);

describe("oaio streams / publish --durable / replay", () => {
  it("ensure creates then reports unchanged; ls and info show the streams; publish - acks each NDJSON line; replay prints them in order", async () => {
    const prefix = uniquePrefix();
    const common = ["--nats", nats.url, "--prefix", prefix];
    const first = await runCli(["streams", "ensure", ...common, "--tenants", "acme", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(lines(first.stdout).map((r) => (r as { action: string }).action)).toEqual(["created", "created", "created"]);
    const again = await runCli(["streams", "ensure", ...common, "--tenants", "acme", "--json"]);
    expect(lines(again.stdout).map((r) => (r as { action: string }).action)).toEqual(["unchanged", "unchanged", "unchanged"]);
    const ls = await runCli(["streams", "ls", ...common]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(`${prefix.toUpperCase().replace(/\./g, "_")}_EVENTS`);

    const input = ['{"n":1}', '{"n":2}', "", '{"n":3}'].join("\n");
    const pub = await runCli(["publish", "orders.created", "-", "--durable", "--json", ...common], { stdin: input });
    expect(pub.code, pub.stderr).toBe(0);
    expect(lines(pub.stdout).map((r) => (r as { seq: number }).seq)).toEqual([1, 2, 3]);

    const info = await runCli(["streams", "info", ...common, "--json"]);
    expect(lines(info.stdout)[0]).toMatchObject({ messages: 3, lastSeq: 3 });

    const replay = await runCli(["replay", "--from-seq", "2", ...common, "--json"]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(lines(replay.stdout).map((r) => (r as { seq: number; envelope: { payload: unknown } }).envelope.payload)).toEqual([{ n: 2 }, { n: 3 }]);
    const since = await runCli(["replay", "orders.*", "--since", new Date(Date.now() - 60_000).toISOString(), ...common, "--json"]);
    expect(lines(since.stdout)).toHaveLength(3);
  });

  it("exit codes: 2 for usage, 1 when the server lacks the stream or JetStream, with the fix in the message", async () => {
    const prefix = uniquePrefix();
    const usage = await runCli(["replay", "--nats", nats.url, "--prefix", prefix]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/exactly one of --from-seq N and --since RFC3339/);
    const missing = await runCli(["publish", "a.b", "{}", "--durable", "--nats", nats.url, "--prefix", prefix]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/oaio streams ensure/);
    await using plain = await startNatsServer({ noJetStream: true });
    const off = await runCli(["streams", "ensure", "--nats", plain.url, "--prefix", prefix]);
    expect(off.code).toBe(1);
    expect(off.stderr).toMatch(/JetStream is not enabled.*-js/);
  });
});

describe("oaio subscribe --durable", () => {
  it("two processes with the same name share the work: each event printed (JSON line) by exactly one", async () => {
    // a member that stops may hold a message it pulled but never started: it goes to the other after --ack-wait
    const prefix = uniquePrefix();
    const common = ["--nats", nats.url, "--prefix", prefix];
    await runCli(["streams", "ensure", ...common]);
    const pub = await runCli(["publish", "jobs.run", "-", "--durable", "--json", ...common], { stdin: [1, 2, 3, 4, 5, 6].map((n) => `{"n":${n}}`).join("\n") });
    expect(pub.code, pub.stderr).toBe(0);
    const [a, b] = await Promise.all([
      runCli(["subscribe", "jobs.*", "--durable", "crew", "--json", "--count", "3", "--ack-wait", "2000", ...common]),
      runCli(["subscribe", "jobs.*", "--durable", "crew", "--json", "--count", "3", "--ack-wait", "2000", ...common]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const got = [...lines(a.stdout), ...lines(b.stdout)].map((e) => (e as { payload: { n: number } }).payload.n);
    expect(got.sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("oaio dlq", () => {
  it("ls shows dead letters with context, show prints one, replay re-drives it and empties the DLQ", async () => {
    await using f = await openDurable(nats.url);
    const prefix = f.bus.prefix;
    const common = ["--nats", nats.url, "--prefix", prefix];
    const sub = await f.durable.subscribe("pay.>", "payer", () => {
      throw new InvalidRequestError("card number missing");
    });
    const ack = await f.durable.publish("pay.card", { amount: 5 });
    await until("dead-lettered", () => sub.stats().deadLettered === 1);
    await sub.close();
    const ls = await runCli(["dlq", "ls", ...common, "--json"]);
    expect(ls.code, ls.stderr).toBe(0);
    const [letter] = lines(ls.stdout) as Array<Record<string, unknown>>;
    expect(letter).toMatchObject({
      event_id: ack.eventId,
      error_code: "INVALID_REQUEST",
      error: "card number missing",
      consumer: "payer",
      deliveries: 1,
      original: { seq: ack.seq },
    });
    const show = await runCli(["dlq", "show", String(letter!["dlq_seq"]), ...common, "--json"]);
    expect(lines(show.stdout)[0]).toMatchObject({ envelope: { event_id: ack.eventId, payload: { amount: 5 } } });
    const replay = await runCli(["dlq", "replay", String(letter!["dlq_seq"]), ...common, "--json"]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(lines(replay.stdout)[0]).toMatchObject({ seq: ack.seq + 1 });
    expect(lines((await runCli(["dlq", "ls", ...common, "--json"])).stdout)).toEqual([]);
    const none = await runCli(["dlq", "show", "999", ...common]);
    expect(none.code).toBe(1);
  });
});
