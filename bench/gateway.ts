/**
 * bench/gateway: the HTTP/SSE gateway (fastify) against a bare node:http server doing the
 * same bus work on the same bus in the same run: invoke requests/s, SSE frames/s, and the
 * latency to the first SSE frame. Load comes from a child process (keep-alive connections,
 * eventsource-parser on the SSE side) so client and servers do not share an event loop.
 * Rounds alternate gateway / bare; figures are medians. Writes bench/results/gateway.json.
 *
 *   npx tsx bench/gateway.ts [--rounds 7] [--round-ms 2000] [--nats]
 */
import { spawn } from "node:child_process";
import { createServer, request, Agent, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { createParser } from "eventsource-parser";
import { createBus, isErrorReply, type Bus, type ContextFields } from "../runtime/bus/index.js";
import { createMemoryTransport, connectNats, type Transport } from "../runtime/transport/index.js";
import { startGateway } from "../runtime/gateway/index.js";
import { SSE_HEADERS, sseEvent } from "../runtime/gateway/sse.js";
import { CONTEXT_HEADERS } from "../runtime/gateway/context.js";
import { writeResult } from "./lib/results.js";

const FRAMES_PER_STREAM = 100;
const INVOKE_CONCURRENCY = 32;
const STREAM_CONCURRENCY = 8;
const FIRST_FRAME_SAMPLES = 300;

// ---------------------------------------------------------------- load generator (child)

interface LoadCommand {
  mode: "invoke" | "stream" | "first-frame";
  url: string;
  durationMs: number;
  concurrency: number;
  samples?: number;
}

async function loadChild(): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const body = JSON.stringify({ q: "hello gateway", n: 1 });
  const streamBody = JSON.stringify({ frames: FRAMES_PER_STREAM });
  const post = (url: string, payload: string, onData: (chunk: Buffer) => void): Promise<{ status: number; firstAt: number | undefined }> =>
    new Promise((resolve, reject) => {
      let firstAt: number | undefined;
      const req = request(
        url,
        { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "x-session-id": "bench" } },
        (res) => {
          res.on("data", (chunk: Buffer) => {
            firstAt ??= performance.now();
            onData(chunk);
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, firstAt }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });

  const run = async (cmd: LoadCommand): Promise<Record<string, number>> => {
    if (cmd.mode === "first-frame") {
      const samples: number[] = [];
      for (let i = 0; i < (cmd.samples ?? FIRST_FRAME_SAMPLES); i++) {
        const started = performance.now();
        let firstFrameAt: number | undefined;
        const parser = createParser({ onEvent: () => (firstFrameAt ??= performance.now()) });
        await post(`${cmd.url}/v1/agents/bench-stream/stream`, JSON.stringify({ frames: 1 }), (c) => parser.feed(c.toString("utf8")));
        if (firstFrameAt !== undefined) samples.push(firstFrameAt - started);
      }
      samples.sort((a, b) => a - b);
      return { p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]!, n: samples.length };
    }
    const deadline = performance.now() + cmd.durationMs;
    let done = 0;
    let frames = 0;
    let errors = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline) {
        if (cmd.mode === "invoke") {
          const r = await post(`${cmd.url}/v1/agents/bench-echo/invoke`, body, () => undefined);
          if (r.status === 200) done++;
          else errors++;
        } else {
          let n = 0;
          const parser = createParser({ onEvent: () => void n++ });
          const r = await post(`${cmd.url}/v1/agents/bench-stream/stream`, streamBody, (c) => parser.feed(c.toString("utf8")));
          if (r.status === 200 && n === FRAMES_PER_STREAM + 1) done++;
          else errors++;
          frames += n;
        }
      }
    };
    await Promise.all(Array.from({ length: cmd.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: (cmd.mode === "invoke" ? done : frames) / seconds, done, errors };
  };

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const result = await run(JSON.parse(line) as LoadCommand);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  agent.destroy();
}

// ---------------------------------------------------------------- bare node:http baseline

function contextOf(req: IncomingMessage): ContextFields {
  const ctx: ContextFields = {};
  for (const [header, field] of Object.entries(CONTEXT_HEADERS)) {
    const v = req.headers[header];
    if (typeof v === "string" && v !== "") ctx[field] = v;
  }
  return ctx;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve(text === "" ? undefined : JSON.parse(text));
      } catch (err: unknown) {
        reject(err);
      }
    });
    req.on("error", reject);
  });
}

/** The same bus work as the gateway routes, with nothing else. */
function bareServer(bus: Bus): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const m = /^\/v1\/agents\/([^/]+)\/(invoke|stream)$/.exec(req.url ?? "");
      if (req.method !== "POST" || m === null) {
        res.writeHead(404).end();
        return;
      }
      const target = m[1]!;
      const payload = await readJson(req);
      const context = contextOf(req);
      if (m[2] === "invoke") {
        const env = await bus.invokeEnvelope(target, payload, { context });
        const status = isErrorReply(env) ? 500 : env.payload === undefined ? 204 : 200;
        res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(status === 204 ? undefined : JSON.stringify(env.payload));
        return;
      }
      const call = bus.streamInvoke(target, payload, { context, yieldErrors: true });
      res.once("close", () => void call.close("client gone"));
      let open = false;
      for await (const frame of call) {
        if (!open) {
          res.writeHead(200, SSE_HEADERS);
          open = true;
        }
        const env = frame.envelope;
        if (env !== undefined && !res.write(sseEvent(env.event_type, env.event_id, JSON.stringify(env)))) {
          await new Promise((r) => res.once("drain", r));
        }
      }
      res.end();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}

// ---------------------------------------------------------------- main

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const rounds = arg("--rounds", 7);
  const roundMs = arg("--round-ms", 2000);
  const useNats = args.includes("--nats");

  let transports: Transport[];
  let stopServer: (() => Promise<void>) | undefined;
  if (useNats) {
    const { startNatsServer } = await import("../test/helpers/nats-server.js");
    const server = await startNatsServer();
    stopServer = () => server.stop();
    transports = [await connectNats({ servers: server.url }), await connectNats({ servers: server.url })];
  } else {
    const t = createMemoryTransport();
    transports = [t, t];
  }
  const agents = createBus({ agentId: "bench-agents", transport: transports[0]! });
  agents.handleInvoke("bench-echo", (req) => req);
  agents.handleStream("bench-stream", async (req: { frames: number }, w) => {
    await w.started();
    for (let i = 1; i < req.frames; i++) await w.delta("tok ");
    await w.final("done");
  });
  const bus = createBus({ agentId: "bench-gateway", transport: transports[1]! });
  await Promise.all(transports.map((t) => t.flush()));

  const gateway = await startGateway({ bus });
  const bare = bareServer(bus);
  await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--load"], { stdio: ["pipe", "pipe", "inherit"] });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  /** Runs one load step; adds this process's CPU time (servers + bus + agents), µs, as `cpuUs`. */
  const load = async (cmd: LoadCommand): Promise<Record<string, number>> => {
    const cpu0 = process.cpuUsage();
    child.stdin.write(`${JSON.stringify(cmd)}\n`);
    const next = await replies.next();
    if (next.done === true) throw new Error("load generator exited");
    const cpu = process.cpuUsage(cpu0);
    return { ...(JSON.parse(next.value) as Record<string, number>), cpuUs: cpu.user + cpu.system };
  };

  const targets = { gateway: gateway.url, bare: bareUrl } as const;
  // warm-up: JIT, connections, bus routes
  for (const url of Object.values(targets)) {
    await load({ mode: "invoke", url, durationMs: 500, concurrency: INVOKE_CONCURRENCY });
    await load({ mode: "stream", url, durationMs: 500, concurrency: STREAM_CONCURRENCY });
    await load({ mode: "first-frame", url, durationMs: 0, concurrency: 1, samples: 50 });
  }

  const invoke = {
    gateway: [] as number[],
    bare: [] as number[],
    ratios: [] as number[],
    cpu: { gateway: [] as number[], bare: [] as number[], ratios: [] as number[] },
  };
  const sse = {
    gateway: [] as number[],
    bare: [] as number[],
    ratios: [] as number[],
    cpu: { gateway: [] as number[], bare: [] as number[], ratios: [] as number[] },
  };
  const first = { gateway: [] as Record<string, number>[], bare: [] as Record<string, number>[] };
  let errors = 0;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (["gateway", "bare"] as const) : (["bare", "gateway"] as const);
    const inv: Record<string, number> = {};
    const str: Record<string, number> = {};
    const invCpu: Record<string, number> = {};
    const strCpu: Record<string, number> = {};
    for (const who of order) {
      const a = await load({ mode: "invoke", url: targets[who], durationMs: roundMs, concurrency: INVOKE_CONCURRENCY });
      const b = await load({ mode: "stream", url: targets[who], durationMs: roundMs, concurrency: STREAM_CONCURRENCY });
      first[who].push(await load({ mode: "first-frame", url: targets[who], durationMs: 0, concurrency: 1 }));
      inv[who] = a["perSecond"]!;
      str[who] = b["perSecond"]!;
      invCpu[who] = a["cpuUs"]! / a["done"]!;
      strCpu[who] = b["cpuUs"]! / (b["done"]! * (FRAMES_PER_STREAM + 1));
      errors += a["errors"]! + b["errors"]!;
    }
    invoke.gateway.push(inv["gateway"]!);
    invoke.bare.push(inv["bare"]!);
    invoke.ratios.push(inv["gateway"]! / inv["bare"]!);
    sse.gateway.push(str["gateway"]!);
    sse.bare.push(str["bare"]!);
    sse.ratios.push(str["gateway"]! / str["bare"]!);
    for (const who of order) {
      invoke.cpu[who].push(invCpu[who]!);
      sse.cpu[who].push(strCpu[who]!);
    }
    invoke.cpu.ratios.push(invCpu["bare"]! / invCpu["gateway"]!);
    sse.cpu.ratios.push(strCpu["bare"]! / strCpu["gateway"]!);
    process.stdout.write(
      `round ${r + 1}/${rounds}: invoke ${inv["gateway"]!.toFixed(0)} vs ${inv["bare"]!.toFixed(0)} req/s (${invCpu["gateway"]!.toFixed(0)} vs ${invCpu["bare"]!.toFixed(0)} µs cpu/req), sse ${str["gateway"]!.toFixed(0)} vs ${str["bare"]!.toFixed(0)} frames/s\n`,
    );
  }
  child.stdin.end();
  await new Promise((r) => child.once("close", r));

  const round3 = (x: number): number => Math.round(x * 1000) / 1000;
  const result = {
    benchmark: "gateway",
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    loadavg_1_5_15_min_at_end: loadavg().map(round3),
    transport: useNats ? "nats" : "memory",
    rounds,
    round_ms: roundMs,
    errors,
    invoke: {
      concurrency: INVOKE_CONCURRENCY,
      gateway_rps: Math.round(median(invoke.gateway)),
      bare_rps: Math.round(median(invoke.bare)),
      ratio: round3(median(invoke.ratios)),
      target_ratio: 0.6,
      server_cpu_us_per_request: { gateway: round3(median(invoke.cpu.gateway)), bare: round3(median(invoke.cpu.bare)) },
      cpu_ratio: round3(median(invoke.cpu.ratios)),
    },
    sse: {
      concurrency: STREAM_CONCURRENCY,
      frames_per_stream: FRAMES_PER_STREAM + 1,
      gateway_frames_per_s: Math.round(median(sse.gateway)),
      bare_frames_per_s: Math.round(median(sse.bare)),
      ratio: round3(median(sse.ratios)),
      server_cpu_us_per_frame: { gateway: round3(median(sse.cpu.gateway)), bare: round3(median(sse.cpu.bare)) },
      cpu_ratio: round3(median(sse.cpu.ratios)),
    },
    first_frame_ms: {
      samples_per_round: FIRST_FRAME_SAMPLES,
      gateway_p50: round3(median(first.gateway.map((f) => f["p50"]!))),
      gateway_p99: round3(median(first.gateway.map((f) => f["p99"]!))),
      bare_p50: round3(median(first.bare.map((f) => f["p50"]!))),
      bare_p99: round3(median(first.bare.map((f) => f["p99"]!))),
      target_ms: 5,
    },
  };
  writeResult("gateway", result);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote bench/results/gateway.json\n`);

  await gateway.close();
  bare.closeAllConnections();
  await new Promise<void>((r) => bare.close(() => r()));
  await bus.close();
  await agents.close();
  await Promise.all([...new Set(transports)].map((t) => t.close()));
  await stopServer?.();
}

if (process.argv.includes("--load")) await loadChild();
else await main();
