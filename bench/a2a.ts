/**
 * bench/a2a: one long token stream through the A2A server (SendStreamingMessage, one JSON-RPC
 * response per SSE event) against the same stream through the gateway's SSE route
 * (POST /v1/agents/{target}/stream), same process, same bus, same agent, same run. Both
 * servers authenticate with the same Bearer JWT verifier. Rounds alternate A2A / gateway; the
 * figures are medians, the ratio the median of per-round ratios. Memory: peak heap growth
 * during one stream (sampled every 500 events, after a GC before the stream), and the A2A
 * growth of a full-length stream against a quarter-length one (linear would be 4x; the old
 * deep copy per event was quadratic). Writes bench/results/a2a.json.
 *
 *   npx tsx bench/a2a.ts [--tokens 10000] [--rounds 5]
 */
import { cpus, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createParser } from "eventsource-parser";
import { SignJWT } from "jose";
import { createBus } from "../runtime/bus/index.js";
import { createMemoryTransport } from "../runtime/transport/index.js";
import { createJwtVerifier, startGateway } from "../runtime/gateway/index.js";
import { startA2aServer } from "../runtime/a2a/index.js";
import { median } from "./lib/paired.js";
import { writeResult } from "./lib/results.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const TOKENS = arg("tokens", 10_000);
const ROUNDS = arg("rounds", 5);
const TARGET_RATIO = 0.5;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMb = (): number => process.memoryUsage().heapUsed / 2 ** 20;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** One stream: POSTs `body`, counts SSE events accepted by `isToken`; tokens/s and peak heap growth. */
async function measure(
  url: string,
  headers: Record<string, string>,
  body: string,
  isToken: (event: string | undefined, data: string) => boolean,
  tokens: number,
): Promise<{ tokensPerS: number; peakHeapMb: number }> {
  gc();
  const base = heapMb();
  let peak = base;
  let seen = 0;
  const started = performance.now();
  const res = await fetch(url, { method: "POST", headers: { ...headers, "content-type": "application/json", accept: "text/event-stream" }, body });
  if (res.body === null) throw new Error(`no body from ${url}: HTTP ${res.status}`);
  const parser = createParser({
    onEvent: (e) => {
      if (!isToken(e.event, e.data)) return;
      seen += 1;
      if (seen % 500 === 0) peak = Math.max(peak, heapMb());
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  const seconds = (performance.now() - started) / 1000;
  if (seen !== tokens) throw new Error(`${url}: ${seen} token events, expected ${tokens} (HTTP ${res.status})`);
  return { tokensPerS: tokens / seconds, peakHeapMb: Math.max(peak, heapMb()) - base };
}

async function main(): Promise<void> {
  const transport = createMemoryTransport();
  const agents = createBus({ agentId: "bench-agent", transport });
  const bus = createBus({ agentId: "bench-edge", transport });
  const secret = "bench-a2a-secret-bench-a2a-secret";
  const auth = createJwtVerifier({ secret });
  const token = await new SignJWT({ tenant_id: "bench" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("bench")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
  const headers = { authorization: `Bearer ${token}` };
  // The agent serves the token's tenant (the bus routes by tenant).
  agents.handleStream(
    "tokens",
    async (req, w) => {
      const n = (req as { n: number }).n;
      await w.started();
      for (let i = 0; i < n; i++) await w.delta(`tok${i} `);
      await w.final();
    },
    { tenant: "bench" },
  );
  const gateway = await startGateway({ bus, auth, heartbeatMs: 0 });
  const a2a = await startA2aServer({ bus, target: "tokens", auth, card: { name: "bench", description: "tokens", version: "1" }, heartbeatMs: 0 });

  let rpcId = 0;
  const a2aBody = (n: number): string =>
    JSON.stringify({
      jsonrpc: "2.0",
      id: ++rpcId,
      method: "SendStreamingMessage",
      params: { message: { messageId: `m${rpcId}`, role: "ROLE_USER", parts: [{ data: { n } }] } },
    });
  const a2aToken = (_e: string | undefined, data: string): boolean => data.includes('"artifactUpdate"');
  const gwToken = (e: string | undefined): boolean => e === "agent.response.delta";
  const runA2a = (n: number): ReturnType<typeof measure> => measure(a2a.url, { ...headers, "A2A-Version": "1.0" }, a2aBody(n), a2aToken, n);
  const runGateway = (n: number): ReturnType<typeof measure> => measure(`${gateway.url}/v1/agents/tokens/stream`, headers, JSON.stringify({ n }), gwToken, n);

  // warm-up
  await runA2a(1000);
  await runGateway(1000);

  const rows: { a2a: number; gateway: number; ratio: number; a2aHeap: number; gatewayHeap: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0 ? "a2a" : "gateway";
    const x = first === "a2a" ? await runA2a(TOKENS) : await runGateway(TOKENS);
    const y = first === "a2a" ? await runGateway(TOKENS) : await runA2a(TOKENS);
    const [a, g] = first === "a2a" ? [x, y] : [y, x];
    rows.push({ a2a: a.tokensPerS, gateway: g.tokensPerS, ratio: a.tokensPerS / g.tokensPerS, a2aHeap: a.peakHeapMb, gatewayHeap: g.peakHeapMb });
    process.stdout.write(
      `round ${r + 1}/${ROUNDS}: a2a ${a.tokensPerS.toFixed(0)} tokens/s (+${a.peakHeapMb.toFixed(1)} MB heap), gateway ${g.tokensPerS.toFixed(0)} tokens/s (+${g.peakHeapMb.toFixed(1)} MB heap), ratio ${(a.tokensPerS / g.tokensPerS).toFixed(2)}\n`,
    );
  }
  const quarter: number[] = [];
  const full: number[] = [];
  for (let r = 0; r < 3; r++) {
    quarter.push((await runA2a(Math.round(TOKENS / 4))).peakHeapMb);
    full.push((await runA2a(TOKENS)).peakHeapMb);
  }

  const result = {
    benchmark: "a2a",
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    loadavg_1_5_15_min_at_end: loadavg().map(round3),
    transport: "memory",
    tokens_per_stream: TOKENS,
    rounds: ROUNDS,
    a2a_tokens_per_s: Math.round(median(rows.map((r) => r.a2a))),
    gateway_tokens_per_s: Math.round(median(rows.map((r) => r.gateway))),
    ratio: round3(median(rows.map((r) => r.ratio))),
    target_ratio: TARGET_RATIO,
    peak_heap_growth_mb: {
      a2a: round3(median(rows.map((r) => r.a2aHeap))),
      gateway: round3(median(rows.map((r) => r.gatewayHeap))),
      a2a_quarter_stream: round3(median(quarter)),
      a2a_full_stream: round3(median(full)),
      full_over_quarter: round3(median(full) / Math.max(median(quarter), 0.001)),
    },
    a2a_tasks_in_memory_after: a2a.bridge.manager.stats().activeTasks,
  };
  writeResult("a2a", result);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote bench/results/a2a.json\n`);

  await a2a.close();
  await gateway.close();
  await bus.close();
  await agents.close();
  await transport.close();
}

await main();
