/**
 * Paired benchmark rounds: a subject and its baseline run in alternating rounds, so load from
 * other processes hits both sides alike; the ratio per round is what a bench reports. Also the
 * one median the benches use.
 */

/** Runs `fn(i)` for about `ms` milliseconds (in batches of `batch` calls, `i` counting within a batch); returns operations per second. */
export function opsPerSecond(fn: (i: number) => number, ms: number, batch = 256): number {
  let ops = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) sink += fn(i);
    ops += batch;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink === -1) console.log(sink); // keeps the results alive
  return ops / (Number(elapsed) / 1e9);
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One round's figures of a bus-vs-raw pair. */
export interface Pair {
  bus: number;
  raw: number;
}

/** Alternates bus and raw rounds (raw first on even rounds); returns every round's figures. */
export async function alternatingPairs(rounds: number, run: (which: "bus" | "raw", round: number) => Promise<number>): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let r = 0; r < rounds; r++) {
    const order: ("bus" | "raw")[] = r % 2 === 0 ? ["raw", "bus"] : ["bus", "raw"];
    const pair: Partial<Pair> = {};
    for (const which of order) pair[which] = await run(which, r);
    pairs.push(pair as Pair);
  }
  return pairs;
}

/** Options of {@link pairedRounds}. */
export interface PairedOptions {
  rounds: number;
  roundMs: number;
  warmupMs: number;
  /** Calls per timing check (default 256). */
  batch?: number;
}

/** Medians of the paired rounds: subject and baseline ops/s, and the median of the per-round ratios. */
export interface PairedResult {
  subject: number;
  baseline: number;
  ratio: number;
}

/** Warms both up, then times them in `rounds` alternating pairs (subject first in even rounds). */
export function pairedRounds(subject: (i: number) => number, baseline: (i: number) => number, opts: PairedOptions): PairedResult {
  const batch = opts.batch ?? 256;
  opsPerSecond(subject, opts.warmupMs, batch);
  opsPerSecond(baseline, opts.warmupMs, batch);
  const s: number[] = [];
  const b: number[] = [];
  const r: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    let x: number;
    let y: number;
    if (round % 2 === 0) {
      x = opsPerSecond(subject, opts.roundMs, batch);
      y = opsPerSecond(baseline, opts.roundMs, batch);
    } else {
      y = opsPerSecond(baseline, opts.roundMs, batch);
      x = opsPerSecond(subject, opts.roundMs, batch);
    }
    s.push(x);
    b.push(y);
    r.push(x / y);
  }
  return { subject: median(s), baseline: median(b), ratio: median(r) };
}
