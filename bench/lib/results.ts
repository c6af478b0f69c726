/** What every benchmark records about the run, and where it writes its results. */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The machine and moment of a run: numbers only compare within one run, but readers need context. */
export interface RunInfo {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly loadAverage: number[];
}

export function runInfo(): RunInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** Writes `bench/results/<name>.json` (pretty, trailing newline) and returns its path. */
export function writeResult(name: string, result: object): string {
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "results", `${name}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  return out;
}
