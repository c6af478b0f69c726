/**
 * bench/orchestration: a fan-out of 100 parallel invokes (`parallel`, mode all) against the
 * slowest of its calls made alone, over one nats-server this script starts (issue 14: target
 * <= 1.2x). The agent answers each request after the delay it names: the 100 calls ask for
 * delays spread evenly from 0 to D ms, the baseline is one call asking for D. Rounds alternate
 * fan-out and baseline; the figure is the median of the per-round ratios.
 *
 *   npx tsx bench/orchestration.ts [--rounds 15] [--delay 50] [--calls 100]
 */
import { parseArgs } from "node:util";
import { createBus } from "../runtime/bus/index.js";
import { connectNats } from "../runtime/transport/index.js";
import { parallel } from "../runtime/orchestration/index.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { alternatingPairs, median } from "./lib/paired.js";
import { runInfo, writeResult } from "./lib/results.js";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "15" }, delay: { type: "string", default: "50" }, calls: { type: "string", default: "100" } },
});
const rounds = Number(values.rounds);
const delayMs = Number(values.delay);
const calls = Number(values.calls);

const server = await startNatsServer();
const agents = createBus({ agentId: "bench-agents", transport: await connectNats({ servers: server.url }), ownsTransport: true });
const client = createBus({ agentId: "bench-client", transport: await connectNats({ servers: server.url }), ownsTransport: true });
try {
  agents.handleInvoke<{ delayMs: number }>("work", (req) => new Promise((resolve) => setTimeout(() => resolve({ waited: req.delayMs }), req.delayMs)));
  await agents.transport.flush();
  const fan = Array.from({ length: calls }, (_, i) => ({ target: "work", request: { delayMs: Math.round((delayMs * i) / (calls - 1)) } }));
  const single = async (): Promise<number> => {
    const t0 = performance.now();
    await client.invoke("work", { delayMs }, { timeoutMs: 10_000 });
    return performance.now() - t0;
  };
  const fanOut = async (): Promise<number> => {
    const t0 = performance.now();
    const r = await parallel(client, fan, { timeoutMs: 10_000 });
    if (!r.ok) throw new Error(`fan-out failed: ${r.error?.code} ${r.error?.message}`);
    return performance.now() - t0;
  };
  // warm-up: JIT, subjects, connections
  for (let i = 0; i < 3; i++) {
    await single();
    await fanOut();
  }
  const pairs = await alternatingPairs(rounds, (which) => (which === "bus" ? fanOut() : single()));
  const ratios = pairs.map((p) => p.bus / p.raw);
  const result = {
    ...runInfo(),
    transport: "nats",
    calls,
    delayMs,
    rounds,
    fanOutMs: Number(median(pairs.map((p) => p.bus)).toFixed(2)),
    slowestSingleMs: Number(median(pairs.map((p) => p.raw)).toFixed(2)),
    ratio: Number(median(ratios).toFixed(3)),
    target: "<= 1.2x",
    perRound: pairs.map((p) => ({ fanOutMs: Number(p.bus.toFixed(2)), singleMs: Number(p.raw.toFixed(2)) })),
  };
  const out = writeResult("orchestration", result);
  console.log(
    `fan-out of ${calls} invokes (delays 0..${delayMs} ms): ${result.fanOutMs} ms; slowest single call: ${result.slowestSingleMs} ms; ratio ${result.ratio}x (target <= 1.2x) → ${out}`,
  );
} finally {
  await client.close();
  await agents.close();
  await server.stop();
}
