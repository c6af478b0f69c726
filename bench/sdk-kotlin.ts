/**
 * bench/sdk-kotlin: the generated Kotlin Bus (generated/kotlin, dev.openagentio.acp.runtime)
 * against raw jnats doing the same work (bench/sdk-kotlin/SdkBench.kt says what that is), both
 * in one JVM on one nats-server this script starts, in alternating rounds:
 * invoke p50 (one call at a time), invokes/s at 64 in flight, stream frames/s (one stream of
 * FRAMES deltas), publishes/s (PUBLISHES envelopes built per message, then a flush).
 * Each figure is the median round; each ratio the median of the per-round ratios, as "speed"
 * (bus/raw for rates, raw/bus for p50: 1 = as fast as raw). Target (issue 12): >= 0.8 on each.
 *
 * Run: npx tsx bench/sdk-kotlin.ts   → prints a table, writes bench/results/sdk-kotlin.json
 * (compiles the bench against generated/kotlin's sources with Maven offline first, ~1 min).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { buildKotlinProgram } from "../test/kotlin/peer-build.js";
import { median } from "./lib/paired.js";

const ROUNDS = 5;
const LATENCY_CALLS = 2000;
const THROUGHPUT_CALLS = 20_000;
const FRAMES = 50_000;
const PUBLISHES = 100_000;
const TARGET = 0.8;

interface Round {
  round: number;
  which: "bus" | "raw";
  p50_us: number;
  invokes_per_s: number;
  frames_per_s: number;
  publishes_per_s: number;
}

type Metric = "p50_us" | "invokes_per_s" | "frames_per_s" | "publishes_per_s";

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const work = mkdtempSync(join(tmpdir(), "oaio-bench-kotlin-"));
  const server = await startNatsServer({ noJetStream: true });
  try {
    const program = buildKotlinProgram(work, [join(here, "sdk-kotlin")], "dev.openagentio.bench.SdkBenchKt");
    const args = [server.url, ROUNDS, LATENCY_CALLS, THROUGHPUT_CALLS, FRAMES, PUBLISHES].map(String);
    const r = spawnSync("java", ["-cp", program.classpath, program.mainClass, ...args], {
      encoding: "utf8",
      timeout: 20 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`the Kotlin bench failed (exit ${String(r.status)}):\n${r.stdout}\n${r.stderr.slice(-4000)}`);
    const rounds = r.stdout
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Round);
    const figure = (which: "bus" | "raw", m: Metric): number => median(rounds.filter((x) => x.which === which).map((x) => x[m]));
    const speed = (m: Metric): number => {
      const ratios: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const bus = rounds.find((x) => x.round === i && x.which === "bus");
        const raw = rounds.find((x) => x.round === i && x.which === "raw");
        if (bus && raw) ratios.push(m === "p50_us" ? raw[m] / bus[m] : bus[m] / raw[m]);
      }
      return median(ratios);
    };
    const metrics: Metric[] = ["p50_us", "invokes_per_s", "frames_per_s", "publishes_per_s"];
    const results = Object.fromEntries(
      metrics.map((m) => [m, { bus: figure("bus", m), raw: figure("raw", m), speed: speed(m), target: TARGET, met: speed(m) >= TARGET }]),
    );
    const out = {
      bench: "sdk-kotlin",
      what: "generated Kotlin Bus (coroutines, jnats 2.25.1) vs raw jnats doing the same envelope work, one JVM, one nats-server 2.15.3, alternating rounds; speed = bus/raw for rates, raw/bus for p50",
      rounds: ROUNDS,
      latency_calls: LATENCY_CALLS,
      throughput_calls_64_in_flight: THROUGHPUT_CALLS,
      stream_frames: FRAMES,
      publishes: PUBLISHES,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown" },
      load_average: loadavg().map((x) => Math.round(x * 100) / 100),
      results,
      per_round: rounds,
    };
    const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
    const lines = [
      "| figure | bus | raw jnats | speed | target |",
      "|---|---:|---:|---:|---|",
      ...metrics.map((m) => {
        const x = results[m]!;
        return `| ${m} | ${fmt(x.bus)} | ${fmt(x.raw)} | ${x.speed.toFixed(2)} | >= ${TARGET} ${x.met ? "✓" : "✗"} |`;
      }),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    mkdirSync(join(here, "results"), { recursive: true });
    writeFileSync(join(here, "results", "sdk-kotlin.json"), `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`wrote bench/results/sdk-kotlin.json (load average ${out.load_average.join(", ")})\n`);
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
