/**
 * `oaio validate` keeps its memory bounded whatever it reads: the --max-file-size limit holds
 * while reading for devices (/dev/zero), FIFOs and stdin, not only for what stat() can size.
 * Memory is measured as the child's maximum RSS (GNU time -v), against a baseline run of the
 * same CLI in the same test; a watchdog kills a child that grows far past it (the old code
 * read /dev/zero until 18 GB).
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvelope, encode } from "../../runtime/envelope/index.js";
import { REPO_ROOT } from "../helpers/cli.js";

interface Bounded {
  code: number | null;
  stdout: string;
  stderr: string;
  maxRssKb: number;
  killed: boolean;
}

const MiB = 1024 * 1024;

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `oaio args` under GNU time -v; kills it once its RSS passes `killAboveKb`. With
 * `holdStdoutMs`, its stdout is not read for that long (a slow reader: the pipe fills up).
 */
function runMeasured(args: readonly string[], killAboveKb: number, input?: string, holdStdoutMs = 0): Promise<Bounded> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-v", process.execPath, "--import", "tsx", `${REPO_ROOT}bin/oaio.ts`, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    const read = (): void => void child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const hold = holdStdoutMs > 0 ? setTimeout(read, holdStdoutMs) : undefined;
    if (hold === undefined) read();
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.on("error", () => {});
    const watchdog = setInterval(() => {
      for (const pid of childPids(child.pid!)) {
        if (rssKb(pid) > killAboveKb) {
          killed = true;
          process.kill(pid, "SIGKILL");
        }
      }
    }, 50);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(watchdog);
      clearTimeout(hold);
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const exit = /Exit status: (\d+)/.exec(stderr);
      resolve({ code: exit ? Number(exit[1]) : code, stdout, stderr, maxRssKb: m ? Number(m[1]) : Number.NaN, killed });
    });
    child.stdin.end(input ?? "");
  });
}

const good = new TextDecoder().decode(encode(createEnvelope({ event_type: "agent.response.delta", seq: 1, payload: { delta: "x" } })));
let dir: string;
let baselineKb: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "oaio-validate-bounds-"));
  writeFileSync(join(dir, "good.json"), good);
  const base = await runMeasured(["validate", join(dir, "good.json")], 4 * 1024 * 1024);
  expect(base.code).toBe(0);
  baselineKb = base.maxRssKb;
  expect(baselineKb).toBeGreaterThan(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Headroom over the baseline a bounded read may use: one envelope, a few 1 MiB chunks, GC lag. */
const HEADROOM_KB = 160 * 1024;
/** Past this the child is killed (the unbounded read is seen, and the machine kept safe). */
const KILL_KB = () => baselineKb + 768 * 1024;

describe("oaio validate bounds what it reads", () => {
  it("/dev/zero (size 0 by stat, endless) stops at --max-file-size: exit 2, bounded RSS", async () => {
    for (const args of [
      ["validate", "/dev/zero"],
      ["validate", "--ndjson", "/dev/zero"],
    ]) {
      const r = await runMeasured(args, KILL_KB());
      expect({ args, killed: r.killed, code: r.code }).toEqual({ args, killed: false, code: 2 });
      expect(r.stderr).toContain("oaio validate: /dev/zero: over the 268435456-byte limit (256 MiB); raise it with --max-file-size");
      expect(r.maxRssKb).toBeLessThan(baselineKb + HEADROOM_KB);
    }
  }, 120_000);

  it("a FIFO streaming more than the limit is refused while reading (exit 2), one within it is validated", async () => {
    const fifo = join(dir, "pipe.json");
    const write = (bytes: number, chunk: Buffer): Promise<number> =>
      new Promise((resolve) => {
        // the writer is the other end of the FIFO; it stops (EPIPE) when the reader gives up
        const out = createWriteStream(fifo);
        let written = 0;
        const pump = (): void => {
          while (written < bytes) {
            written += chunk.length;
            if (!out.write(chunk)) return void out.once("drain", pump);
          }
          out.end();
        };
        out.on("error", () => resolve(written));
        out.on("close", () => resolve(written));
        pump();
      });
    for (const ndjson of [false, true]) {
      execFileSync("mkfifo", [fifo]);
      const total = 48 * MiB;
      const [r] = await Promise.all([
        runMeasured(["validate", ...(ndjson ? ["--ndjson"] : []), "--max-file-size", "16MiB", fifo], KILL_KB()),
        write(total, Buffer.alloc(MiB, ndjson ? "x" : " ")),
      ]);
      rmSync(fifo);
      expect({ ndjson, killed: r.killed, code: r.code }).toEqual({ ndjson, killed: false, code: 2 });
      expect(r.stderr).toContain(`${fifo}: over the 16777216-byte limit (16 MiB); raise it with --max-file-size`);
      expect(r.maxRssKb).toBeLessThan(baselineKb + HEADROOM_KB);
    }
    execFileSync("mkfifo", [fifo]);
    const [ok] = await Promise.all([runMeasured(["validate", fifo], KILL_KB()), write(good.length, Buffer.from(good))]);
    rmSync(fifo);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("1 envelope in 1 file: 1 valid, 0 invalid");
  }, 120_000);

  it("stdin over the limit is refused while reading (exit 2)", async () => {
    const r = await runMeasured(["validate", "--max-file-size", "2MiB", "-"], KILL_KB(), " ".repeat(3 * MiB));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("<stdin>: over the 2097152-byte limit (2 MiB)");
  }, 120_000);
});

describe("oaio validate bounds what it writes", () => {
  /** Old code: ~1.2 KB of RSS per invalid line (607 MB max RSS for these with --json, 532 MB text to a slow reader). */
  const LINES = 256 * 1024;
  /** 256 Ki invalid NDJSON lines ("x"), 512 KiB: within --max-file-size, one finding per line. */
  const manyInvalid = (): string => {
    const path = join(dir, "many-invalid.ndjson");
    writeFileSync(path, "x\n".repeat(LINES));
    return path;
  };

  it("text findings to a slow stdout wait for it to drain: bounded RSS, every finding printed", async () => {
    const r = await runMeasured(["validate", manyInvalid()], KILL_KB(), undefined, 8000);
    expect({ killed: r.killed, code: r.code }).toEqual({ killed: false, code: 1 });
    expect(r.maxRssKb).toBeLessThan(baselineKb + HEADROOM_KB);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => l.includes("many-invalid.ndjson:")).length).toBe(LINES);
    expect(r.stdout).toContain(`${LINES} envelopes in 1 file: 0 valid, ${LINES} invalid`);
  }, 180_000);

  it("--json lists the first --max-findings findings with exact counts: bounded RSS", async () => {
    const path = manyInvalid();
    const r = await runMeasured(["validate", "--json", path], KILL_KB());
    expect({ killed: r.killed, code: r.code }).toEqual({ killed: false, code: 1 });
    expect(r.maxRssKb).toBeLessThan(baselineKb + HEADROOM_KB);
    const report = JSON.parse(r.stdout) as { envelopes: number; invalid: number; findings: { line: number }[]; findingsOmitted: number };
    expect({ envelopes: report.envelopes, invalid: report.invalid, listed: report.findings.length, omitted: report.findingsOmitted }).toEqual({
      envelopes: LINES,
      invalid: LINES,
      listed: 1000,
      omitted: LINES - 1000,
    });
    expect(report.findings.map((f) => f.line).slice(0, 3)).toEqual([1, 2, 3]);
    const raised = await runMeasured(["validate", "--json", "--max-findings", "5000", path], KILL_KB());
    const more = JSON.parse(raised.stdout) as { findings: unknown[]; findingsOmitted: number };
    expect({ listed: more.findings.length, omitted: more.findingsOmitted }).toEqual({ listed: 5000, omitted: LINES - 5000 });
  }, 180_000);
});
