/**
 * bench/bus: the bus against raw nats.js on one nats-server this script starts itself.
 *
 * - invoke latency (one call at a time: p50, p99) and throughput (64 calls in flight) of
 *   `bus.invoke` vs `nc.request` of the same envelope bytes answered by a raw responder;
 * - publish throughput of `bus.publish` vs a raw nats.js sender that builds the same envelope
 *   per message (UUIDv7 id, RFC 3339 time, the same fields), JSON-encodes it and calls
 *   `nc.publish` — the work an agent must do without the bus, and the target's baseline — and,
 *   for reference, vs `nc.publish` of one pre-encoded envelope (no per-message work at all);
 * - streamInvoke frames/s over NATS: a handler writing deltas, a client iterating them; the
 *   handler in another process (two agents, two processes) and, for reference, in this thread;
 *   against a raw nats.js publisher in that other process sending the same number of frame
 *   envelopes (the bytes of a real delta frame, pre-encoded) to a raw nats.js subscriber here,
 *   rounds alternating; with each side's CPU time per frame (client: this process while it
 *   receives; server: the other process from its first frame to the PONG after its last);
 * - invokes/s over the memory transport (64 in flight), and with a pass-through inbound
 *   middleware against none (one inbound path: the same cost).
 * Bus and baseline alternate over several rounds; each figure is the median round, each ratio
 * the median of the per-pair ratios (robust to other processes loading the machine).
 *
 * Run: npx tsx bench/bus.ts   → prints a table, writes bench/results/bus.json
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus, loadavg } from "node:os";
import { spawn } from "node:child_process";
import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import { createBus } from "../runtime/bus/index.js";
import type { InboundMiddleware } from "../runtime/bus/types.js";
import { createEnvelope, createUuidV7Generator, encode } from "../runtime/envelope/index.js";
import { connectNats, createMemoryTransport } from "../runtime/transport/index.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { alternatingPairs, median, type Pair } from "./lib/paired.js";

const ROUNDS = 7;
const LATENCY_CALLS = 1500;
const THROUGHPUT_CALLS = 6000;
const IN_FLIGHT = 64;
const PUBLISHES = 60_000;
const STREAM_FRAMES = 50_000;
const MEMORY_CALLS = 40_000;
const TARGETS = { invokeP50Ratio: 1.2, publishRatio: 0.8, streamFramesPerSec: 100_000, memoryInvokesPerSec: 150_000, streamRatio: 0.5 };

const REQUEST = { question: "What is my balance?", account: "ACC-1042" };
const RESULT = { balance: 1042.5, currency: "EUR" };

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const now = (): number => performance.now();

/** Runs `calls` async calls with `inFlight` at a time; resolves with calls/s. */
async function throughput(calls: number, inFlight: number, call: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const t0 = now();
  const worker = async (): Promise<void> => {
    while (started < calls) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return calls / ((now() - t0) / 1000);
}

/** One call at a time; resolves with the sorted latencies in µs. */
async function latencies(calls: number, call: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = now();
    await call();
    out.push((now() - t0) * 1000);
  }
  return out.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const server = await startNatsServer();
  const opened: { close(): Promise<unknown> }[] = [];
  try {
    // ---- raw nats.js: a responder answering with fixed reply bytes
    const requestBytes = encode(createEnvelope({ event_type: "agent.message.received", from: "bench-client", to: "bench", payload: REQUEST }));
    const replyBytes = encode(
      createEnvelope({
        event_type: "agent.response.final",
        from: "bench",
        to: "bench-client",
        is_final: true,
        correlation_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
        payload: { result: RESULT },
      }),
    );
    const rawServer: NatsConnection = await connect({ servers: server.url });
    const rawClient: NatsConnection = await connect({ servers: server.url });
    opened.push(rawServer, rawClient);
    rawServer.subscribe("raw.invoke.bench", { queue: "bench", callback: (_err, msg) => void msg.respond(replyBytes) });
    await rawServer.flush();

    // ---- the bus: one connection per side, as two agents would have
    const serverT = await connectNats({ servers: server.url });
    const clientT = await connectNats({ servers: server.url });
    const serverBus = createBus({ agentId: "bench", transport: serverT, ownsTransport: true });
    const clientBus = createBus({ agentId: "bench-client", transport: clientT, ownsTransport: true });
    opened.push(serverBus, clientBus);
    serverBus.handleInvoke("bench", () => RESULT);
    serverBus.handleStream<number>("frames", async (n, w) => {
      for (let i = 0; i < n; i++) await w.delta("tok ");
      await w.final(n);
    });
    await serverT.flush();

    const rawInvoke = (): Promise<unknown> => rawClient.request("raw.invoke.bench", requestBytes, { timeout: 10_000 });
    const busInvoke = (): Promise<unknown> => clientBus.invoke("bench", REQUEST);
    // warmup
    await throughput(3000, 16, rawInvoke);
    await throughput(3000, 16, busInvoke);

    process.stderr.write("invoke latency…\n");
    const lat = { bus: [] as number[][], raw: [] as number[][] };
    const latPairs = await alternatingPairs(ROUNDS, async (which) => {
      const l = await latencies(LATENCY_CALLS, which === "bus" ? busInvoke : rawInvoke);
      lat[which].push(l);
      return percentile(l, 0.5);
    });
    const p99 = (which: "bus" | "raw"): number => median(lat[which].map((l) => percentile(l, 0.99)));

    process.stderr.write("invoke throughput…\n");
    const tputPairs = await alternatingPairs(ROUNDS, (which) => throughput(THROUGHPUT_CALLS, IN_FLIGHT, which === "bus" ? busInvoke : rawInvoke));

    process.stderr.write("publish throughput…\n");
    const eventPayload = { task_id: "t-1", status: "submitted" as const };
    const eventBytes = encode(createEnvelope({ event_type: "agent.task.created", from: "bench-client", payload: eventPayload }));
    // The raw sender's ids: the same UUIDv7 generator the bus uses (as fast as any), so the ratio
    // is the bus' own overhead; its time is `toISOString()` (milliseconds: less work than the bus'
    // microseconds).
    const rawId = createUuidV7Generator();
    const publishRound = async (which: "bus" | "raw" | "json"): Promise<number> => {
      const t0 = now();
      if (which === "raw") {
        for (let i = 0; i < PUBLISHES; i++) rawClient.publish("acp.v1.events.agent.task.created", eventBytes);
        await rawClient.flush();
      } else if (which === "json") {
        // what an agent does without the bus: build the same envelope, JSON-encode it, publish
        for (let i = 0; i < PUBLISHES; i++) {
          const env = {
            spec_version: "acp/1.0",
            schema_version: 2,
            event_id: rawId(),
            event_type: "agent.task.created",
            occurred_at: new Date().toISOString(),
            from: "bench-client",
            payload: eventPayload,
            phase: "submitted",
          };
          rawClient.publish("acp.v1.events.agent.task.created", Buffer.from(JSON.stringify(env)));
        }
        await rawClient.flush();
      } else {
        for (let i = 0; i < PUBLISHES; i++) await clientBus.publish("agent.task.created", eventPayload);
        await clientT.flush();
      }
      return PUBLISHES / ((now() - t0) / 1000);
    };
    const jsonPairs = await alternatingPairs(ROUNDS, (which) => publishRound(which === "raw" ? "json" : "bus"));
    const pubPairs = await alternatingPairs(ROUNDS, (which) => publishRound(which));

    process.stderr.write("stream frames…\n");
    // CPU per frame of each side (µs, user + system): what the ratio is made of, and steadier
    // than frames/s when other processes share the cores
    const clientCpu = { bus: [] as number[], raw: [] as number[] };
    const cpuPerFrame = (since: NodeJS.CpuUsage, frames: number): number => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / frames;
    };
    const streamFrames = async (target: string, record = false): Promise<number> => {
      const c0 = process.cpuUsage();
      const t0 = now();
      let frames = 0;
      for await (const f of clientBus.streamInvoke(target, STREAM_FRAMES, { timeoutMs: 120_000 })) {
        if (f.type === "delta" || f.type === "final") frames++;
      }
      if (frames !== STREAM_FRAMES + 1) throw new Error(`stream delivered ${frames} frames, expected ${STREAM_FRAMES + 1}`);
      const rate = frames / ((now() - t0) / 1000);
      if (record) clientCpu.bus.push(cpuPerFrame(c0, frames));
      return rate;
    };
    // Raw baseline: the other process publishes `n` pre-encoded frame envelopes with nc.publish
    // (no per-frame work) to our inbox, then a final; a raw subscription counts them.
    const rawStreamFrames = async (): Promise<number> => {
      const inbox = createInbox();
      const c0 = process.cpuUsage();
      const t0 = now();
      let frames = 0;
      const done = new Promise<void>((resolve) => {
        const sub = rawClient.subscribe(inbox, {
          callback: () => {
            if (++frames === STREAM_FRAMES + 1) {
              sub.unsubscribe();
              resolve();
            }
          },
        });
      });
      await rawClient.flush();
      rawClient.publish("raw.stream.bench", Buffer.from(String(STREAM_FRAMES)), { reply: inbox });
      await done;
      if (frames !== STREAM_FRAMES + 1) throw new Error(`raw stream delivered ${frames} frames, expected ${STREAM_FRAMES + 1}`);
      const rate = frames / ((now() - t0) / 1000);
      clientCpu.raw.push(cpuPerFrame(c0, frames));
      return rate;
    };
    // The stream server in its own process: two agents, two processes (as deployed).
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, [...(self.endsWith(".ts") ? ["--import", "tsx"] : []), self, "--stream-server", server.url], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    // the server process reports "ready", then one line per stream it served: `cpu bus|raw <µs per frame>`
    const serverCpu = { bus: [] as number[], raw: [] as number[] };
    const warmup = { bus: 1, raw: 1 }; // the first stream of each is a warm-up: not counted
    let serverOut = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        serverOut += chunk.toString("utf8");
        for (let nl = serverOut.indexOf("\n"); nl !== -1; nl = serverOut.indexOf("\n")) {
          const line = serverOut.slice(0, nl).split(" ");
          serverOut = serverOut.slice(nl + 1);
          if (line[0] === "ready") resolve();
          else if (line[0] === "cpu" && (line[1] === "bus" || line[1] === "raw")) {
            if (warmup[line[1]]-- <= 0) serverCpu[line[1]].push(Number(line[2]));
          }
        }
      });
      child.once("exit", (code) => reject(new Error(`stream server exited early (${code})`)));
    });
    await streamFrames("frames-remote");
    await rawStreamFrames();
    clientCpu.raw.length = 0;
    const streamPairs = await alternatingPairs(ROUNDS, (which) => (which === "bus" ? streamFrames("frames-remote", true) : rawStreamFrames()));
    const streamRounds = streamPairs.map((p) => p.bus);
    const streamSameThread: number[] = [];
    for (let r = 0; r < ROUNDS; r++) streamSameThread.push(await streamFrames("frames"));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.stdin!.end();
    await exited;

    process.stderr.write("memory transport invokes…\n");
    const memT = createMemoryTransport();
    const memServer = createBus({ agentId: "mem-server", transport: memT });
    const memClient = createBus({ agentId: "mem-client", transport: memT });
    memServer.handleInvoke("bench", () => RESULT);
    const memInvoke = (): Promise<unknown> => memClient.invoke("bench", REQUEST);
    // baseline: request-reply on the same memory transport with pre-encoded bytes, no codec at all
    memT.subscribe("raw.mem.bench", { queue: "bench" }, (m) => memT.publish(m.reply!, replyBytes));
    const memInbox = memT.newInbox();
    const memWaiters = new Map<string, () => void>();
    let memNext = 0;
    memT.subscribe(`${memInbox}.*`, {}, (m) => {
      const token = m.subject.slice(memInbox.length + 1);
      memWaiters.get(token)?.();
      memWaiters.delete(token);
    });
    const memRaw = (): Promise<void> =>
      new Promise((resolve) => {
        const token = (memNext++).toString(36);
        memWaiters.set(token, resolve);
        memT.publish("raw.mem.bench", requestBytes, { reply: `${memInbox}.${token}` });
      });
    await throughput(10_000, IN_FLIGHT, memInvoke);
    await throughput(10_000, IN_FLIGHT, memRaw);
    const memPairs = await alternatingPairs(ROUNDS, (which) => throughput(MEMORY_CALLS, IN_FLIGHT, which === "bus" ? memInvoke : memRaw));
    // the same server behind a pass-through inbound middleware: one inbound path, so the same cost
    const passThrough: InboundMiddleware = (next) => (env, ctx) => next(env, ctx);
    const memServerMw = createBus({ agentId: "mem-server-mw", transport: memT, middleware: { inbound: [passThrough] } });
    memServerMw.handleInvoke("bench-mw", () => RESULT);
    const memInvokeMw = (): Promise<unknown> => memClient.invoke("bench-mw", REQUEST);
    await throughput(10_000, IN_FLIGHT, memInvokeMw);
    // "raw" here is the bus without middleware
    const mwPairs = await alternatingPairs(ROUNDS, (which) => throughput(MEMORY_CALLS, IN_FLIGHT, which === "bus" ? memInvokeMw : memInvoke));
    await memServerMw.close();
    await memClient.close();
    await memServer.close();
    await memT.close();

    const ratio = (pairs: Pair[]): number => median(pairs.map((p) => p.bus / p.raw));
    const results = {
      invoke_latency_us: {
        bus_p50: median(latPairs.map((p) => p.bus)),
        raw_p50: median(latPairs.map((p) => p.raw)),
        bus_p99: p99("bus"),
        raw_p99: p99("raw"),
        p50_ratio: ratio(latPairs),
        target_p50_ratio_max: TARGETS.invokeP50Ratio,
      },
      invoke_throughput_per_s: {
        bus: median(tputPairs.map((p) => p.bus)),
        raw: median(tputPairs.map((p) => p.raw)),
        ratio: ratio(tputPairs),
        in_flight: IN_FLIGHT,
      },
      publish_per_s: {
        baseline: "raw nats.js building the same envelope per message (UUIDv7, toISOString, same fields) + JSON.stringify + nc.publish",
        bus: median(jsonPairs.map((p) => p.bus)),
        raw: median(jsonPairs.map((p) => p.raw)),
        ratio: ratio(jsonPairs),
        target_ratio_min: TARGETS.publishRatio,
        reference_preencoded: {
          baseline: "nc.publish of one pre-encoded envelope (no per-message work)",
          bus: median(pubPairs.map((p) => p.bus)),
          raw: median(pubPairs.map((p) => p.raw)),
          ratio: ratio(pubPairs),
        },
      },
      stream_frames_per_s_nats: {
        bus: median(streamRounds),
        server_process: "separate",
        same_thread: median(streamSameThread),
        raw: median(streamPairs.map((p) => p.raw)),
        ratio: ratio(streamPairs),
        raw_baseline:
          "raw nats.js in the server process: nc.publish of the same number of pre-encoded delta-frame envelopes (then a final) to a raw subscriber",
        target_ratio_min: TARGETS.streamRatio,
        frames_per_stream: STREAM_FRAMES + 1,
        target_min: TARGETS.streamFramesPerSec,
        cpu_us_per_frame: {
          client: { bus: median(clientCpu.bus), raw: median(clientCpu.raw) },
          server: { bus: median(serverCpu.bus), raw: median(serverCpu.raw) },
        },
      },
      memory_invokes_per_s: {
        bus: median(memPairs.map((p) => p.bus)),
        raw_transport_request_reply: median(memPairs.map((p) => p.raw)),
        ratio: ratio(memPairs),
        in_flight: IN_FLIGHT,
        target_min: TARGETS.memoryInvokesPerSec,
        with_passthrough_inbound_middleware: {
          bus: median(mwPairs.map((p) => p.bus)),
          ratio_to_none: ratio(mwPairs),
        },
      },
    };
    const met = {
      invoke_p50: results.invoke_latency_us.p50_ratio <= TARGETS.invokeP50Ratio,
      publish: results.publish_per_s.ratio >= TARGETS.publishRatio,
      stream: results.stream_frames_per_s_nats.bus >= TARGETS.streamFramesPerSec,
      stream_ratio: results.stream_frames_per_s_nats.ratio >= TARGETS.streamRatio,
      memory: results.memory_invokes_per_s.bus >= TARGETS.memoryInvokesPerSec,
    };
    const out = {
      bench: "bus",
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      load_average: loadavg().map((l) => Math.round(l * 100) / 100),
      rounds: ROUNDS,
      runner: process.execArgv.join(" ").includes("tsx") || process.argv.some((a) => a.includes("tsx")) ? "tsx" : "node",
      results,
      targets_met: met,
    };
    const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
    const pct = (r: number): string => `${(r * 100).toFixed(1)}%`;
    const lines = [
      `| measure | bus | raw nats.js | ratio | target |`,
      `|---|---:|---:|---:|---|`,
      `| invoke p50 latency (µs) | ${fmt(results.invoke_latency_us.bus_p50)} | ${fmt(results.invoke_latency_us.raw_p50)} | ${results.invoke_latency_us.p50_ratio.toFixed(2)}x | <= 1.2x ${met.invoke_p50 ? "✓" : "✗"} |`,
      `| invoke p99 latency (µs) | ${fmt(results.invoke_latency_us.bus_p99)} | ${fmt(results.invoke_latency_us.raw_p99)} | ${(results.invoke_latency_us.bus_p99 / results.invoke_latency_us.raw_p99).toFixed(2)}x | |`,
      `| invoke throughput (/s, ${IN_FLIGHT} in flight) | ${fmt(results.invoke_throughput_per_s.bus)} | ${fmt(results.invoke_throughput_per_s.raw)} | ${pct(results.invoke_throughput_per_s.ratio)} | |`,
      `| publish (/s), raw = builds the same envelope + JSON.stringify each | ${fmt(results.publish_per_s.bus)} | ${fmt(results.publish_per_s.raw)} | ${pct(results.publish_per_s.ratio)} | >= 80% ${met.publish ? "✓" : "✗"} |`,
      `| publish (/s), raw = one pre-encoded envelope (reference) | ${fmt(results.publish_per_s.reference_preencoded.bus)} | ${fmt(results.publish_per_s.reference_preencoded.raw)} | ${pct(results.publish_per_s.reference_preencoded.ratio)} | |`,
      `| streamInvoke frames/s over NATS (server in another process) | ${fmt(results.stream_frames_per_s_nats.bus)} | ${fmt(results.stream_frames_per_s_nats.raw)} | ${results.stream_frames_per_s_nats.ratio.toFixed(2)}x | >= 100,000 ${met.stream ? "✓" : "✗"}, >= 0.5x ${met.stream_ratio ? "✓" : "✗"} |`,
      `| stream CPU µs per frame, client side (bus vs raw subscriber) | ${results.stream_frames_per_s_nats.cpu_us_per_frame.client.bus.toFixed(2)} | ${results.stream_frames_per_s_nats.cpu_us_per_frame.client.raw.toFixed(2)} | | |`,
      `| stream CPU µs per frame, server side (bus vs raw publisher) | ${results.stream_frames_per_s_nats.cpu_us_per_frame.server.bus.toFixed(2)} | ${results.stream_frames_per_s_nats.cpu_us_per_frame.server.raw.toFixed(2)} | | |`,
      `| streamInvoke frames/s over NATS (server and client in one process) | ${fmt(results.stream_frames_per_s_nats.same_thread)} | | | |`,
      `| memory transport invokes/s, pass-through inbound middleware (vs none) | ${fmt(results.memory_invokes_per_s.with_passthrough_inbound_middleware.bus)} | | ${pct(results.memory_invokes_per_s.with_passthrough_inbound_middleware.ratio_to_none)} | |`,
      `| memory transport invokes/s (raw = transport request-reply, no codec) | ${fmt(results.memory_invokes_per_s.bus)} | ${fmt(results.memory_invokes_per_s.raw_transport_request_reply)} | ${pct(results.memory_invokes_per_s.ratio)} | >= 150,000 ${met.memory ? "✓" : "✗"} |`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    const here = dirname(fileURLToPath(import.meta.url));
    mkdirSync(join(here, "results"), { recursive: true });
    writeFileSync(join(here, "results", "bus.json"), `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`wrote bench/results/bus.json (load average ${out.load_average.join(", ")})\n`);
  } finally {
    for (const o of opened.reverse()) await o.close().catch(() => undefined);
    await server.stop();
  }
}

/** `--stream-server URL`: the stream server agent on its own NATS connection, until stdin closes. */
async function streamServer(url: string): Promise<void> {
  const transport = await connectNats({ servers: url });
  const bus = createBus({ agentId: "bench-remote", transport, ownsTransport: true });
  // the raw baseline: the same frames' bytes, pre-encoded, published with nc.publish
  const raw = await connect({ servers: url });
  const base = { event_type: "agent.response.delta", from: "bench-remote", to: "bench-client", correlation_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41" };
  const deltaBytes = encode(createEnvelope({ ...base, seq: 1, payload: { delta: "tok " } }));
  const finalBytes = encode(createEnvelope({ ...base, event_type: "agent.response.final", seq: 2, is_final: true, payload: { result: 50_000 } }));
  // CPU per frame from the first frame to the server's PONG after the last one (its bytes are written)
  const report = (which: string, since: NodeJS.CpuUsage, frames: number): void => {
    const used = process.cpuUsage(since);
    process.stdout.write(`cpu ${which} ${(used.user + used.system) / frames}\n`);
  };
  raw.subscribe("raw.stream.bench", {
    callback: (_err, msg) => {
      const c0 = process.cpuUsage();
      const n = Number(new TextDecoder().decode(msg.data));
      for (let i = 0; i < n; i++) raw.publish(msg.reply!, deltaBytes);
      raw.publish(msg.reply!, finalBytes);
      void raw.flush().then(() => report("raw", c0, n + 1));
    },
  });
  await raw.flush();
  bus.handleStream<number>("frames-remote", async (n, w) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await w.delta("tok ");
    await w.final(n);
    await transport.flush();
    report("bus", c0, n + 1);
  });
  await transport.flush();
  process.stdout.write("ready\n");
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once("end", resolve));
  await raw.close();
  await bus.close();
}

const serverFlag = process.argv.indexOf("--stream-server");
if (serverFlag === -1) await main();
else await streamServer(process.argv[serverFlag + 1]!);
