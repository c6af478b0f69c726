/**
 * bench/validate: decode + validate throughput of a small (~400 B) and a 64 KiB
 * envelope, against bare JSON.parse of the same bytes in the same run.
 *
 * Input is a Buffer, so decode includes UTF-8 decoding; the baseline does the
 * same UTF-8 step (`JSON.parse(textDecoder.decode(bytes))`, a fatal TextDecoder
 * like the decoder's) so the ratio measures what size/BOM checks and schema
 * validation cost on top of parsing. Each case warms up, then runs several
 * short rounds, pairing decode with baseline in alternating order; ops/s is
 * the median round, the ratio the median of per-pair ratios (robust to other
 * processes loading the machine, which the absolute numbers are not).
 *
 * Run: npx tsx bench/validate.ts   → prints a table, writes bench/results/validate.json
 */
import { pairedRounds } from "./lib/paired.js";
import { runInfo, writeResult } from "./lib/results.js";
import { createEnvelope, decode, encode } from "../runtime/envelope/index.js";

const ROUNDS = 21;
const ROUND_MS = 100;
const WARMUP_MS = 1000;
const TARGET_SMALL_OPS = 300_000;
const TARGET_RATIO = 0.4;

const ids = { newId: () => "019ca8d7-2d7e-7a13-a05a-7d35c6194e63", now: () => "2026-03-01T10:00:00.123456Z" };

function smallEnvelope(): Buffer {
  const env = createEnvelope(
    {
      event_type: "agent.response.delta",
      correlation_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
      session_id: "sess-7f3a9c",
      tenant_id: "acme",
      from: "billing-agent",
      to: "web-client",
      seq: 12,
      payload: { delta: "Your balance is 1042.50 EUR." },
    },
    ids,
  );
  return Buffer.from(encode(env));
}

function largeEnvelope(target: number): Buffer {
  const rows: unknown[] = [];
  const env = createEnvelope(
    { event_type: "agent.response.final", is_final: true, correlation_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41", payload: { result: { rows } } },
    ids,
  );
  let size = encode(env).byteLength;
  for (let i = 0; size < target; i++) {
    const row = {
      id: i,
      account: `ACC-${100000 + i}`,
      amount: Math.round(i * 1234.567) / 100,
      note: i % 7 === 0 ? "Überweisung – März ✓" : "transfer",
      tags: ["a", "b"],
    };
    const rowSize = JSON.stringify(row).length + 1;
    if (size + rowSize > target) break;
    rows.push(row);
    size = encode(env).byteLength;
  }
  return Buffer.from(encode(env));
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

interface CaseResult {
  name: string;
  bytes: number;
  opsPerSec: number;
  baselineOpsPerSec: number;
  ratio: number;
}

function runCase(name: string, bytes: Buffer): CaseResult {
  const check = decode(bytes);
  if (!check.ok) throw new Error(`${name}: sample does not decode: ${check.error.message}`);
  const subject = (): number => (decode(bytes).ok ? 1 : 0);
  const baseline = (): number => ((JSON.parse(utf8.decode(bytes)) as object) === null ? 0 : 1);
  const r = pairedRounds(subject, baseline, { rounds: ROUNDS, roundMs: ROUND_MS, warmupMs: WARMUP_MS / 2 });
  return {
    name,
    bytes: bytes.byteLength,
    opsPerSec: Math.round(r.subject),
    baselineOpsPerSec: Math.round(r.baseline),
    ratio: Number(r.ratio.toFixed(3)),
  };
}

const cases = [runCase("small envelope (decode+validate)", smallEnvelope()), runCase("64 KiB envelope (decode+validate)", largeEnvelope(65_536))];

const fmt = (n: number): string => n.toLocaleString("en-US");
console.log("| case | bytes | decode ops/s | JSON.parse ops/s | ratio |");
console.log("|---|---:|---:|---:|---:|");
for (const c of cases) console.log(`| ${c.name} | ${fmt(c.bytes)} | ${fmt(c.opsPerSec)} | ${fmt(c.baselineOpsPerSec)} | ${(c.ratio * 100).toFixed(1)}% |`);
const small = cases[0]!;
const meets = small.opsPerSec >= TARGET_SMALL_OPS && cases.every((c) => c.ratio >= TARGET_RATIO);
console.log(`targets: >= ${fmt(TARGET_SMALL_OPS)} small/s and >= ${TARGET_RATIO * 100}% of JSON.parse: ${meets ? "met" : "NOT met"}`);

const result = {
  ...runInfo(),
  method: `medians of ${ROUNDS} paired rounds of ${ROUND_MS} ms (order alternating) after ${WARMUP_MS} ms warmup; ratio = median of per-pair ratios; baseline = JSON.parse(fatal TextDecoder.decode(bytes))`,
  targets: { smallOpsPerSec: TARGET_SMALL_OPS, ratio: TARGET_RATIO, met: meets },
  cases,
};
console.log(`wrote ${writeResult("validate", result)}`);
