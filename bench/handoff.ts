/**
 * bench/handoff: what agent handoff (spec/orchestration.md "Agent handoff") costs over the same
 * hops made by hand, over one nats-server this script starts. Subject: the caller invokes
 * `triage`, which hands off to `billing` (`handoff`: plan, guards, metadata, chain); baseline:
 * the caller invokes `relay`, whose handler just returns `bus.invoke("billing", req)` (the
 * same two hops, nothing else). The same for streams (`handoffStream` vs a handler that
 * relays `billing-stream`'s frames with writer.delta / final). Rounds alternate subject and
 * baseline; the figure is the median of the per-round ratios. A direct call of billing (one
 * hop) is reported for reference.
 *
 *   npx tsx bench/handoff.ts [--rounds 15] [--calls 200]
 */
import { parseArgs } from "node:util";
import { createBus } from "../runtime/bus/index.js";
import { connectNats } from "../runtime/transport/index.js";
import { handoff, handoffStream, invokeWithHandoff } from "../runtime/orchestration/index.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { alternatingPairs, median } from "./lib/paired.js";
import { runInfo, writeResult } from "./lib/results.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "15" }, calls: { type: "string", default: "200" } } });
const rounds = Number(values.rounds);
const calls = Number(values.calls);

const server = await startNatsServer();
const front = createBus({ agentId: "bench-front", transport: await connectNats({ servers: server.url }), ownsTransport: true });
const back = createBus({ agentId: "bench-back", transport: await connectNats({ servers: server.url }), ownsTransport: true });
const client = createBus({ agentId: "bench-client", transport: await connectNats({ servers: server.url }), ownsTransport: true });
try {
  back.handleInvoke<{ n: number }>("billing", (req) => ({ total: req.n * 2 }));
  back.handleStream<{ n: number }>("billing-stream", async (req, w) => {
    for (let i = 0; i < 10; i++) await w.delta(`d${i} `);
    await w.final({ total: req.n * 2 });
  });
  front.handleInvoke("triage", (_req, ctx) => handoff(front, ctx, "billing", { state: { invoice: "INV-1" }, reason: "bench" }));
  front.handleInvoke("relay", (req) => front.invoke("billing", req));
  front.handleStream("triage-stream", (_req, w, ctx) => handoffStream(front, w, ctx, "billing-stream", { state: { invoice: "INV-1" } }));
  front.handleStream("relay-stream", async (req, w) => {
    for await (const f of front.streamInvoke("billing-stream", req)) {
      if (f.type === "delta") await w.delta(f.delta ?? "");
      else if (f.type === "final") await w.final(f.result);
    }
  });
  await front.transport.flush();
  await back.transport.flush();

  const timed = async (one: (i: number) => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await one(i);
    return performance.now() - t0;
  };
  const drain = async (target: string, i: number): Promise<void> => {
    for await (const _f of client.streamInvoke(target, { n: i })) {
      // read every frame
    }
  };
  const viaHandoff = (): Promise<number> => timed((i) => invokeWithHandoff(client, "triage", { n: i }, { timeoutMs: 10_000 }));
  const viaRelay = (): Promise<number> => timed((i) => client.invoke("relay", { n: i }, { timeoutMs: 10_000 }));
  const direct = (): Promise<number> => timed((i) => client.invoke("billing", { n: i }, { timeoutMs: 10_000 }));
  const streamHandoff = (): Promise<number> => timed((i) => drain("triage-stream", i));
  const streamRelay = (): Promise<number> => timed((i) => drain("relay-stream", i));
  for (let w = 0; w < 2; w++) {
    await viaHandoff();
    await viaRelay();
    await direct();
    await streamHandoff();
    await streamRelay();
  }
  const invokePairs = await alternatingPairs(rounds, (which) => (which === "bus" ? viaHandoff() : viaRelay()));
  const streamPairs = await alternatingPairs(rounds, (which) => (which === "bus" ? streamHandoff() : streamRelay()));
  const directMs = median([await direct(), await direct(), await direct()]);
  const perCall = (ms: number): number => Number(((ms / calls) * 1000).toFixed(1));
  const result = {
    ...runInfo(),
    transport: "nats",
    calls,
    rounds,
    invoke: {
      handoffUsPerCall: perCall(median(invokePairs.map((p) => p.bus))),
      manualRelayUsPerCall: perCall(median(invokePairs.map((p) => p.raw))),
      directOneHopUsPerCall: perCall(directMs),
      ratio: Number(median(invokePairs.map((p) => p.bus / p.raw)).toFixed(3)),
    },
    stream: {
      framesPerCall: { handoff: 12, manualRelay: 11 },
      handoffUsPerCall: perCall(median(streamPairs.map((p) => p.bus))),
      manualRelayUsPerCall: perCall(median(streamPairs.map((p) => p.raw))),
      ratio: Number(median(streamPairs.map((p) => p.bus / p.raw)).toFixed(3)),
    },
    target: "<= 1.2x the same hops made by hand",
  };
  const out = writeResult("handoff", result);
  console.log(
    `handoff invoke ${result.invoke.handoffUsPerCall} µs/call vs manual relay ${result.invoke.manualRelayUsPerCall} (ratio ${result.invoke.ratio}x; direct one hop ${result.invoke.directOneHopUsPerCall}); ` +
      `stream ${result.stream.handoffUsPerCall} vs ${result.stream.manualRelayUsPerCall} µs/call (ratio ${result.stream.ratio}x) → ${out}`,
  );
} finally {
  await client.close();
  await front.close();
  await back.close();
  await server.stop();
}
