/**
 * bench/sdk-python: the generated Python runtime (`openagentio.runtime.Bus`, .venv with
 * PYTHONPATH=generated/python/src) against the deployed `openagentio==0.3.0` SDK (.venv-peer)
 * and raw nats-py moving the same envelope bytes, on one nats-server this script starts.
 *
 * Each contender is two Python processes (bench/sdk-python/side.py): a server (invoke target
 * `bench`, stream target `frames`, under the contender's own subject prefix) and a client
 * that runs the operations this script sends it and answers JSON. The server side of each
 * contender is the same SDK as its client side. Rounds rotate the contenders' order; each
 * figure is the median round, each ratio the median of the per-round ratios (ours / deployed,
 * ours / raw; for latency deployed / ours, so > 1 means ours is faster everywhere).
 *
 * Figures: invoke p50 (one call at a time), invokes/s with 64 in flight, stream frames/s
 * (deltas + final, one stream), publishes/s (awaited publishes, then a flush).
 *
 * Run: npx tsx bench/sdk-python.ts [--rounds 7] [--ours-src DIR] [--out NAME]  → prints a table,
 * writes bench/results/sdk-python.json (or NAME.json). `--ours-src` runs another copy of the
 * generated package (e.g. an older commit's generated/python/src) as "ours".
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { median } from "./lib/paired.js";
import { runInfo, writeResult } from "./lib/results.js";
import { REPO_ROOT } from "../test/helpers/cli.js";

const SDKS = ["ours", "deployed", "raw"] as const;
type Sdk = (typeof SDKS)[number];
const FIGURES = ["p50_us", "invokes_per_s", "frames_per_s", "publishes_per_s"] as const;
type Figure = (typeof FIGURES)[number];

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
const ROUNDS = Number(arg("--rounds") ?? 7);
const OURS_SRC = arg("--ours-src") ?? join(REPO_ROOT, "generated", "python", "src");
const OUT = arg("--out") ?? "sdk-python";
const LATENCY_CALLS = 1000;
const THROUGHPUT_CALLS = 4000;
const IN_FLIGHT = 64;
const STREAM_FRAMES = 10_000;
const PUBLISHES = 20_000;
const TARGET = 1.5;

const SIDE = join(REPO_ROOT, "bench", "sdk-python", "side.py");
const PYTHON: Record<Sdk, string> = {
  ours: join(REPO_ROOT, ".venv", "bin", "python"),
  deployed: join(REPO_ROOT, ".venv-peer", "bin", "python"),
  raw: join(REPO_ROOT, ".venv", "bin", "python"),
};
const SETUP: Record<Sdk, string> = { ours: "scripts/python-env.sh", deployed: "scripts/peer-env.sh", raw: "scripts/python-env.sh" };

/** One Python process of one contender, answering one JSON line per command. */
interface Side {
  readonly child: ChildProcessWithoutNullStreams;
  command(cmd: object): Promise<Record<string, number>>;
  close(): Promise<void>;
}

async function startSide(sdk: Sdk, role: "server" | "client", url: string): Promise<Side> {
  // ours runs the generated package of this tree; the deployed SDK must not see it (same name)
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: "1" };
  delete env.PYTHONPATH;
  if (sdk === "ours") env.PYTHONPATH = OURS_SRC;
  const child = spawn(PYTHON[sdk], [SIDE, "--sdk", sdk, "--role", role, "--nats", url], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      waiting.push((line) => resolve(JSON.parse(line) as Record<string, unknown>));
      void exited.then((code) => reject(new Error(`${sdk} ${role} exited (${String(code)}): ${stderr}`)));
    });
  await next();
  return {
    child,
    async command(cmd) {
      child.stdin.write(`${JSON.stringify(cmd)}\n`);
      const answer = await next();
      if (answer.ok !== true) throw new Error(`${sdk} ${role}: ${String(answer.error)}`);
      return answer as Record<string, number>;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

async function main(): Promise<void> {
  for (const sdk of SDKS) {
    if (!existsSync(PYTHON[sdk])) throw new Error(`bench/sdk-python: no ${PYTHON[sdk]}; run bash ${SETUP[sdk]} first`);
  }
  const server = await startNatsServer({ noJetStream: true });
  const sides: Side[] = [];
  try {
    const clients = {} as Record<Sdk, Side>;
    for (const sdk of SDKS) {
      sides.push(await startSide(sdk, "server", server.url));
      clients[sdk] = await startSide(sdk, "client", server.url);
      sides.push(clients[sdk]);
    }
    const measure = async (sdk: Sdk, figure: Figure): Promise<number> => {
      const c = clients[sdk];
      if (figure === "p50_us") return (await c.command({ op: "latency", calls: LATENCY_CALLS })).p50_us!;
      if (figure === "invokes_per_s") return (await c.command({ op: "throughput", calls: THROUGHPUT_CALLS, in_flight: IN_FLIGHT })).per_s!;
      if (figure === "frames_per_s") return (await c.command({ op: "stream", frames: STREAM_FRAMES })).per_s!;
      return (await c.command({ op: "publish", count: PUBLISHES })).per_s!;
    };
    process.stderr.write("warmup…\n");
    for (const sdk of SDKS) {
      await clients[sdk].command({ op: "throughput", calls: 1000, in_flight: 16 });
      await clients[sdk].command({ op: "stream", frames: 1000 });
      await clients[sdk].command({ op: "publish", count: 2000 });
    }
    const rounds: Record<Figure, Record<Sdk, number>[]> = { p50_us: [], invokes_per_s: [], frames_per_s: [], publishes_per_s: [] };
    for (const figure of FIGURES) {
      process.stderr.write(`${figure}…\n`);
      for (let r = 0; r < ROUNDS; r++) {
        const order = SDKS.map((_, i) => SDKS[(i + r) % SDKS.length]!);
        const round = {} as Record<Sdk, number>;
        for (const sdk of order) round[sdk] = await measure(sdk, figure);
        rounds[figure].push(round);
      }
    }
    // > 1 means ours is better: speeds ours / other, latency other / ours
    const better = (figure: Figure, other: Sdk) => (r: Record<Sdk, number>) => (figure === "p50_us" ? r[other] / r.ours : r.ours / r[other]);
    interface Summary {
      ours: number;
      deployed: number;
      raw: number;
      ours_vs_deployed: number;
      ours_vs_raw: number;
      deployed_vs_raw: number;
      rounds: Record<Sdk, number>[];
    }
    const results = Object.fromEntries(
      FIGURES.map((figure) => {
        const rs = rounds[figure];
        return [
          figure,
          {
            ours: median(rs.map((r) => r.ours)),
            deployed: median(rs.map((r) => r.deployed)),
            raw: median(rs.map((r) => r.raw)),
            ours_vs_deployed: median(rs.map(better(figure, "deployed"))),
            ours_vs_raw: median(rs.map(better(figure, "raw"))),
            deployed_vs_raw: median(rs.map((r) => (figure === "p50_us" ? r.raw / r.deployed : r.deployed / r.raw))),
            rounds: rs,
          },
        ];
      }),
    ) as Record<Figure, Summary>;
    const met = Object.fromEntries(FIGURES.map((f) => [f, results[f].ours_vs_deployed >= TARGET]));
    const out = {
      bench: "sdk-python",
      ...runInfo(),
      rounds: ROUNDS,
      sizes: { latency_calls: LATENCY_CALLS, throughput_calls: THROUGHPUT_CALLS, in_flight: IN_FLIGHT, stream_frames: STREAM_FRAMES + 1, publishes: PUBLISHES },
      contenders: {
        ours: `openagentio.runtime.Bus + NatsTransport (${OURS_SRC.replace(REPO_ROOT, "")})`,
        deployed: "openagentio==0.3.0 Bus + NATSDriver (.venv-peer)",
        raw: "nats-py 2.16.0: request/respond, publish of pre-encoded envelope bytes",
      },
      ratio_meaning: "ours_vs_X > 1 means ours is better (speeds: ours / X; p50: X / ours)",
      target: { ours_vs_deployed_min: TARGET },
      results,
      targets_met: met,
    };
    const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
    const label: Record<Figure, string> = {
      p50_us: "invoke p50 (µs)",
      invokes_per_s: `invokes/s (${IN_FLIGHT} in flight)`,
      frames_per_s: "stream frames/s",
      publishes_per_s: "publishes/s",
    };
    const lines = [
      "| figure | ours | deployed 0.3.0 | raw nats-py | ours vs deployed | ours vs raw | deployed vs raw |",
      "|---|---:|---:|---:|---:|---:|---:|",
      ...FIGURES.map((f) => {
        const x = results[f];
        return `| ${label[f]} | ${fmt(x.ours)} | ${fmt(x.deployed)} | ${fmt(x.raw)} | ${x.ours_vs_deployed.toFixed(2)}x ${met[f] ? "✓" : "✗"} | ${x.ours_vs_raw.toFixed(2)}x | ${x.deployed_vs_raw.toFixed(2)}x |`;
      }),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    process.stdout.write(`wrote ${writeResult(OUT, out)} (load average ${out.loadAverage.join(", ")})\n`);
  } finally {
    for (const s of sides.reverse()) await s.close().catch(() => undefined);
    await server.stop();
  }
}

await main();
