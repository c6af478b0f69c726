/**
 * Scene 1, parallel execution (spec/orchestration.md): three quote agents answer at different
 * speeds; `any` takes the first quote and cancels the others (the streamed one's handler sees
 * the cancel), `quorum` waits for two, `all` lists every outcome with at most two in flight,
 * and `mergeStreams` merges two writers.
 *
 *   npx tsx examples/scenes/parallel.ts                                  # memory transport
 *   NATS_URL=nats://127.0.0.1:4222 npx tsx examples/scenes/parallel.ts   # the same over NATS
 */
import { createBus, createMemoryTransport, type Bus, type Transport } from "../../runtime/index.js";
import { mergeStreams, parallel } from "../../runtime/orchestration/index.js";

async function transportFromEnv(): Promise<Transport> {
  const url = process.env["NATS_URL"];
  if (url === undefined || url === "") return createMemoryTransport();
  const { connectNats } = await import("../../runtime/nats.js");
  return connectNats({ servers: url });
}

const transport = await transportFromEnv();
const agents = createBus({ agentId: "quotes", transport });
const app = createBus({ agentId: "app", transport, ownsTransport: true });

// "fast" answers at once; "slow" streams and answers only when released (or canceled); "down" refuses
let releaseSlow: () => void = () => {};
const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
let slowCanceled = 0;
agents.handleInvoke<{ item: string }, { seller: string; price: number }>("quote-fast", (req) => ({ seller: "fast", price: req.item.length * 10 }));
agents.handleStream<{ item: string }>("quote-slow", async (req, w) => {
  await w.started();
  const canceled = new Promise<"canceled">((resolve) => w.signal.addEventListener("abort", () => resolve("canceled"), { once: true }));
  if ((await Promise.race([canceled, slowReleased.then(() => "released" as const)])) === "canceled") {
    slowCanceled++;
    return;
  }
  await w.final({ seller: "slow", price: req.item.length * 9 });
});
agents.handleInvoke("quote-down", () => {
  throw new Error("out of stock");
});
agents.handleStream<{ text: string }>("writer", async (req, w) => {
  for (const word of req.text.split(" ")) await w.delta(word);
});
await transport.flush();

const item = { item: "lamp" };
const quotes = [
  { target: "quote-slow", request: item, via: "stream" as const },
  { target: "quote-fast", request: item },
  { target: "quote-down", request: item },
];

/** Polls `cond` every 20 ms for up to 5 s. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function show(bus: Bus): Promise<void> {
  const any = await parallel<{ seller: string; price: number }>(bus, quotes, { mode: "any", timeoutMs: 5_000 });
  const winner = any.outcomes.find((o) => o.ok);
  console.log(`any → ok=${any.ok} winner=${winner?.ok ? JSON.stringify(winner.value) : "-"} canceled=${any.canceled.map((c) => c.target).join(",")}`);

  // the loser's cancel travels to its handler (a stream call): wait until it has arrived
  await until(() => slowCanceled === 1);
  console.log(`slow handler saw ${slowCanceled} cancel`);
  releaseSlow(); // from now on "slow" answers
  const quorum = await parallel(bus, quotes, { mode: "quorum", quorum: 2, timeoutMs: 5_000 });
  console.log(`quorum(2) → ok=${quorum.ok} error=${quorum.error?.code} outcomes=${quorum.outcomes.map((o) => (o.ok ? "ok" : o.error.code)).join(",")}`);

  const all = await parallel(bus, quotes, { mode: "all", concurrency: 2, timeoutMs: 5_000 });
  console.log(`all → ok=${all.ok} outcomes=${all.outcomes.map((o) => (o.ok ? "ok" : o.error.code)).join(",")} maxInFlight=${all.maxInFlight}`);

  const words: Record<string, string[]> = {};
  for await (const { index, frame } of mergeStreams(bus, [
    { target: "writer", request: { text: "fan out" } },
    { target: "writer", request: { text: "and merge back" } },
  ])) {
    if (frame.type === "delta" && frame.delta !== undefined) (words[index] ??= []).push(frame.delta);
  }
  console.log(`merged → [0] ${words[0]?.join(" ")} · [1] ${words[1]?.join(" ")}`);
}

try {
  await show(app);
} finally {
  await agents.close();
  await app.close();
}
