/**
 * bench/generate: time of full generation — the SDKs from schema/ for every target
 * (`oaio generate`: ts, a2a, kotlin, python) plus the three example contracts in ts, python
 * and kotlin with their A2A cards (`oaio generate --contracts examples/contracts`).
 *
 * Cold: both commands as a user runs them (a fresh `node --import tsx` process each, writing
 * into temp folders), median of ROUNDS rounds. Baseline, measured in the same rounds: the same
 * CLI started with `--help` (process start, TypeScript transpilation, loading every command's
 * modules), so `ratio` is full generation over bare CLI start-up. Warm: the same work in this
 * process after a warm-up, median of WARM_RUNS, broken down by phase.
 *
 * Run: npx tsx bench/generate.ts   → prints a table, writes bench/results/generate.json
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./lib/paired.js";
import { runInfo, writeResult } from "./lib/results.js";
import { performance } from "node:perf_hooks";
import { loadIr } from "../generator/ir/load.js";
import { emitAll } from "../generator/generate.js";
import { EMITTERS } from "../generator/targets.js";
import { loadContracts } from "../generator/contracts/load.js";
import { CONTRACT_LANGS, emitContracts, standardEvents } from "../generator/contracts/generate.js";

const ROUNDS = 3;
const WARM_RUNS = 5;
const TARGET_SECONDS = 10;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ms = (n: number): number => Math.round(n);

/** Runs the CLI in a fresh process; returns wall-clock ms (throws on a non-zero exit). */
function cli(args: readonly string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "bin/oaio.ts"), ...args], { cwd: root, encoding: "utf8" });
  const elapsed = performance.now() - start;
  if (r.status !== 0) throw new Error(`oaio ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return elapsed;
}

function cold(): { help: number; sdk: number; contracts: number; total: number; ratio: number } {
  const help: number[] = [];
  const sdk: number[] = [];
  const contracts: number[] = [];
  const totals: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const out = mkdtempSync(join(tmpdir(), "oaio-bench-gen-"));
    try {
      const h = cli(["--help"]);
      const s = cli(["generate", "-q", "--out", join(out, "sdk")]);
      const c = cli(["generate", "-q", "--contracts", "examples/contracts", "--out", join(out, "contracts")]);
      help.push(h);
      sdk.push(s);
      contracts.push(c);
      totals.push(s + c);
      ratios.push((s + c) / h);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return {
    help: ms(median(help)),
    sdk: ms(median(sdk)),
    contracts: ms(median(contracts)),
    total: ms(median(totals)),
    ratio: Number(median(ratios).toFixed(2)),
  };
}

interface WarmRun {
  loadSchema: number;
  sdk: Record<string, number>;
  loadContracts: number;
  contracts: Record<string, number>;
  total: number;
  files: { sdk: number; contracts: number };
}

async function warmOnce(): Promise<WarmRun> {
  const t0 = performance.now();
  const ir = loadIr(join(root, "schema"));
  const t1 = performance.now();
  const sdk: Record<string, number> = {};
  let sdkFiles = 0;
  for (const e of EMITTERS) {
    const s = performance.now();
    sdkFiles += (await emitAll(ir, [e])).length;
    sdk[e.name] = performance.now() - s;
  }
  const t2 = performance.now();
  const cir = loadContracts(join(root, "examples/contracts"), { standardEvents: standardEvents(join(root, "schema")) });
  const t3 = performance.now();
  const contracts: Record<string, number> = {};
  let contractFiles = 0;
  for (const lang of CONTRACT_LANGS) {
    const s = performance.now();
    contractFiles += (await emitContracts(cir, { langs: [lang], tsRuntimeImport: "openagentio" })).filter((f) => f.path.startsWith(`${lang}/`)).length;
    contracts[lang] = performance.now() - s;
  }
  const t4 = performance.now();
  return { loadSchema: t1 - t0, sdk, loadContracts: t3 - t2, contracts, total: t4 - t0, files: { sdk: sdkFiles, contracts: contractFiles } };
}

async function warm(): Promise<{
  total: number;
  loadSchema: number;
  sdk: Record<string, number>;
  loadContracts: number;
  contracts: Record<string, number>;
  files: WarmRun["files"];
}> {
  await warmOnce();
  const runs: WarmRun[] = [];
  for (let i = 0; i < WARM_RUNS; i++) runs.push(await warmOnce());
  const per = (pick: (r: WarmRun) => Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.keys(pick(runs[0]!)).map((k) => [k, ms(median(runs.map((r) => pick(r)[k] ?? 0)))]));
  return {
    total: ms(median(runs.map((r) => r.total))),
    loadSchema: ms(median(runs.map((r) => r.loadSchema))),
    sdk: per((r) => r.sdk),
    loadContracts: ms(median(runs.map((r) => r.loadContracts))),
    contracts: per((r) => r.contracts),
    files: runs[0]!.files,
  };
}

const coldResult = cold();
const warmResult = await warm();
const met = coldResult.total < TARGET_SECONDS * 1000;

console.log("| full generation | ms |");
console.log("|---|---:|");
console.log(`| cold: oaio generate (SDKs: ${EMITTERS.map((e) => e.name).join(", ")}) | ${coldResult.sdk} |`);
console.log(`| cold: oaio generate --contracts examples/contracts (${CONTRACT_LANGS.join(", ")}, cards) | ${coldResult.contracts} |`);
console.log(`| cold total | ${coldResult.total} |`);
console.log(`| baseline: oaio --help (CLI start-up) | ${coldResult.help} |`);
console.log(`| warm, in process: everything | ${warmResult.total} |`);
console.log(`ratio cold total / CLI start-up: ${coldResult.ratio}; target < ${TARGET_SECONDS} s: ${met ? "met" : "NOT met"}`);
console.log(
  "warm breakdown (ms):",
  JSON.stringify({ loadSchema: warmResult.loadSchema, sdk: warmResult.sdk, loadContracts: warmResult.loadContracts, contracts: warmResult.contracts }),
);

const result = {
  ...runInfo(),
  method: `cold: median of ${ROUNDS} rounds, each a fresh \`node --import tsx bin/oaio.ts\` process per command writing into a temp folder; baseline: \`oaio --help\` in the same rounds (ratio = median of per-round (sdk + contracts) / help). warm: same work in process, median of ${WARM_RUNS} runs after one warm-up, files not written`,
  target: { totalSeconds: TARGET_SECONDS, met },
  cold: coldResult,
  warm: warmResult,
};
console.log(`wrote ${writeResult("generate", result)}`);
