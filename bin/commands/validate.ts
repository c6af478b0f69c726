/**
 * `oaio validate <files | dirs | ->`: decodes every envelope it is given with the
 * runtime decoder (a golden stream sample's frames each as one envelope) and reports each defect as `file[:line]: CODE pointer:
 * expected X, got Y`, or as one JSON report with --json. Exit 0 when all are
 * valid, 1 when some are invalid, 2 on a usage or I/O error (missing path,
 * unreadable directory, any input over --max-file-size: files, FIFOs, devices and stdin
 * alike, checked while reading; `-` given twice).
 *
 * Memory stays bounded however many envelopes are invalid: text output waits for stdout
 * to drain (a slow pipe holds the reader, not our heap), and the JSON report lists the
 * first --max-findings findings (default {@link DEFAULT_MAX_FINDINGS}) while its counts
 * stay exact (`findingsOmitted` says how many were left out).
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { createReadStream } from "node:fs";
import { DEFAULT_MAX_BYTES, decode, tooLargeError } from "../../runtime/envelope/decode.js";
import { EnvelopeDecodeError } from "../../runtime/envelope/errors.js";
import type { IoProblem, Source } from "./validate-sources.js";
import { TooLargeError, bounded, collectSources, ioMessage, readDocument, readLines, regularFileSize } from "./validate-sources.js";

/** Default --max-file-size: 256 MiB. */
export const DEFAULT_MAX_FILE_SIZE = 256 * 1_048_576;
/** Batches with more envelopes than this get a progress line (on a TTY or with --progress). */
export const PROGRESS_THRESHOLD = 5000;
const PROGRESS_INTERVAL_MS = 250;
/** Default --max-findings: how many findings the --json report lists. */
export const DEFAULT_MAX_FINDINGS = 1000;

/** Options of {@link runValidate} (the command's flags). */
export interface ValidateOptions {
  json?: boolean;
  ndjson?: boolean;
  quiet?: boolean;
  progress?: boolean;
  maxFileSize?: number;
  maxBytes?: number;
  /** Findings listed in the --json report (default {@link DEFAULT_MAX_FINDINGS}); the counts stay exact. */
  maxFindings?: number;
}

/** Where {@link runValidate} reads and writes (process streams in the CLI, fakes in tests). */
export interface ValidateIo {
  /**
   * Where findings and the report go. When `write` returns false (a stream's buffer is full),
   * nothing more is written until "drain" (or "close"/"error") is emitted, via `once` (the
   * listeners that did not fire are removed with `off`; a `destroyed` stream is not waited for).
   */
  stdout: {
    write(text: string): unknown;
    once?(event: "drain" | "close" | "error", listener: () => void): unknown;
    off?(event: "drain" | "close" | "error", listener: () => void): unknown;
    readonly destroyed?: boolean;
  };
  stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  stdin: AsyncIterable<Uint8Array>;
}

/** One invalid envelope. `line` is set for NDJSON input. */
export interface Finding {
  file: string;
  line?: number;
  code: string;
  pointer: string;
  expected: string;
  got: string;
}

/**
 * What --json prints. Findings are collected only in JSON mode, the first --max-findings of
 * them; `invalid` counts all, `findingsOmitted` those not listed.
 */
export interface ValidateReport {
  files: number;
  envelopes: number;
  valid: number;
  invalid: number;
  findings: Finding[];
  findingsOmitted: number;
  ioErrors: IoProblem[];
}

/** Validates `paths`, writes the report, and returns the exit code (0, 1 or 2). */
export async function runValidate(paths: readonly string[], opts: ValidateOptions, io: ValidateIo): Promise<number> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const maxFindings = opts.maxFindings ?? DEFAULT_MAX_FINDINGS;
  const report: ValidateReport = { files: 0, envelopes: 0, valid: 0, invalid: 0, findings: [], findingsOmitted: 0, ioErrors: [] };
  const stdinCount = paths.filter((p) => p === "-").length;
  if (stdinCount > 1) {
    io.stderr.write(`oaio validate: - (standard input) is given ${stdinCount} times; standard input can be read once: give - once\n`);
    return 2;
  }
  const { sources, problems } = await collectSources(paths, opts.ndjson === true);
  let current = 0; // 1-based index of the source being read, for the progress line
  const progress = new Progress(io.stderr, opts.progress === true || (io.stderr.isTTY === true && !opts.json && !opts.quiet));

  const ioProblem = (problem: IoProblem): void => {
    report.ioErrors.push(problem);
    if (!opts.json) {
      progress.clear();
      io.stderr.write(`oaio validate: ${problem.path}: ${problem.message}\n`);
    }
  };
  const out = (text: string): Promise<void> | undefined => (io.stdout.write(text) === false ? drained(io.stdout) : undefined);
  const record = (source: Source, line: number | undefined, error: EnvelopeDecodeError | undefined): Promise<void> | undefined => {
    let wait: Promise<void> | undefined;
    report.envelopes++;
    if (error === undefined) {
      report.valid++;
    } else {
      report.invalid++;
      const finding: Finding = {
        file: source.path,
        ...(line === undefined ? {} : { line }),
        code: error.code,
        pointer: error.pointer,
        expected: error.expected,
        got: error.got,
      };
      if (opts.json) {
        if (report.findings.length < maxFindings) report.findings.push(finding);
        else report.findingsOmitted++;
      } else {
        progress.clear();
        wait = out(`${formatFinding(finding)}\n`);
      }
    }
    progress.tick(report.envelopes, current, sources.length);
    return wait;
  };

  for (const problem of problems) ioProblem(problem);
  for (const source of sources) {
    current++;
    try {
      await validateSource(source, { maxBytes, maxFileSize, stdin: io.stdin }, record);
      report.files++;
    } catch (err: unknown) {
      ioProblem({ path: source.path, message: err instanceof TooLargeError ? err.message : ioMessage(err) });
    }
  }
  progress.clear();

  if (opts.json) {
    await out(`${JSON.stringify(report, null, 2)}\n`);
  } else if (!opts.quiet) {
    const io2 = report.ioErrors.length > 0 ? `, ${report.ioErrors.length} input error${plural(report.ioErrors.length)}` : "";
    await out(
      `${report.envelopes} envelope${plural(report.envelopes)} in ${report.files} file${plural(report.files)}: ${report.valid} valid, ${report.invalid} invalid${io2}\n`,
    );
  }
  return report.ioErrors.length > 0 ? 2 : report.invalid > 0 ? 1 : 0;
}

interface SourceLimits {
  maxBytes: number;
  maxFileSize: number;
  stdin: AsyncIterable<Uint8Array>;
}

/** Records one envelope; a returned promise settles once its output may continue (stdout drained). */
type Recorder = (source: Source, line: number | undefined, error: EnvelopeDecodeError | undefined) => Promise<void> | undefined;

const DRAIN_EVENTS = ["drain", "close", "error"] as const;

/** Settles when `stream` drains, closes or fails (whichever comes first); at once without `once` or when destroyed. */
function drained(stream: ValidateIo["stdout"]): Promise<void> | undefined {
  const { once, off } = stream;
  if (once === undefined || stream.destroyed === true) return undefined;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      if (off !== undefined) for (const event of DRAIN_EVENTS) off.call(stream, event, done);
      resolve();
    };
    for (const event of DRAIN_EVENTS) once.call(stream, event, done);
  });
}

/**
 * Validates one source. Every input is read as a stream bounded by --max-file-size while
 * reading (a FIFO, a device or stdin has no size to check first), keeping at most one
 * envelope (--max-bytes) in memory.
 */
async function validateSource(source: Source, limits: SourceLimits, record: Recorder): Promise<void> {
  const { maxBytes, maxFileSize } = limits;
  if (!source.stdin) {
    const size = await regularFileSize(source.path);
    if (size !== undefined && size > maxFileSize) throw new TooLargeError(size, maxFileSize);
    if (size !== undefined && !source.ndjson && size > maxBytes) {
      await record(source, undefined, tooLargeError(size, maxBytes)); // no need to read it
      return;
    }
  }
  const stream = source.stdin ? limits.stdin : createReadStream(source.path, { highWaterMark: 1 << 20 });
  try {
    if (source.ndjson) {
      for await (const line of readLines(bounded(stream, maxFileSize), maxBytes)) {
        const error = line.bytes === undefined ? tooLargeError(line.size, maxBytes) : errorOf(line.bytes, maxBytes);
        const wait = record(source, line.line, error);
        if (wait !== undefined) await wait;
      }
      return;
    }
    const doc = await readDocument(stream, maxBytes, maxFileSize);
    const error = doc.bytes === undefined ? tooLargeError(doc.size, maxBytes) : errorOf(doc.bytes, maxBytes);
    const frames = error !== undefined && doc.bytes !== undefined ? streamSampleFrames(doc.bytes) : undefined;
    if (frames === undefined) {
      await record(source, undefined, error);
      return;
    }
    for (const [i, frame] of frames.entries()) await record(source, undefined, atFrame(i, errorOf(new TextEncoder().encode(JSON.stringify(frame)), maxBytes)));
  } finally {
    if (!source.stdin) (stream as ReturnType<typeof createReadStream>).destroy();
  }
}

/**
 * The frames of a golden stream sample (golden/streams/*.json, golden/README.md "Stream
 * samples": `{description, client, frames: [envelope, …], expect}`), or undefined when `bytes`
 * is not one. A sample is not an envelope: each of its frames is validated as one.
 */
export function streamSampleFrames(bytes: Uint8Array): unknown[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const frames: unknown = (doc as Record<string, unknown>)["frames"];
  if (!Array.isArray(frames) || frames.length === 0 || "spec_version" in doc || "event_type" in doc) return undefined;
  return frames;
}

/** `error` with its pointer under `/frames/<i>` (undefined stays undefined). */
function atFrame(i: number, error: EnvelopeDecodeError | undefined): EnvelopeDecodeError | undefined {
  if (error === undefined) return undefined;
  return new EnvelopeDecodeError(error.code, { pointer: `/frames/${i}${error.pointer}`, expected: error.expected, got: error.got });
}

function errorOf(bytes: Uint8Array, maxBytes: number): EnvelopeDecodeError | undefined {
  const result = decode(bytes, { maxBytes });
  return result.ok ? undefined : result.error;
}

/** `file[:line]: CODE pointer: expected X, got Y` (the whole-document pointer prints as ""). */
export function formatFinding(f: Finding): string {
  const where = f.line === undefined ? f.file : `${f.file}:${f.line}`;
  return `${where}: ${f.code} ${f.pointer === "" ? '""' : f.pointer}: expected ${f.expected}, got ${f.got}`;
}

function plural(n: number): string {
  return n === 1 ? "" : "s";
}

/** A progress line on stderr once a batch passes {@link PROGRESS_THRESHOLD} envelopes. */
class Progress {
  #last = 0;
  #shown = false;
  constructor(
    private readonly out: ValidateIo["stderr"],
    private readonly enabled: boolean,
  ) {}

  tick(envelopes: number, file: number, files: number): void {
    if (!this.enabled || envelopes <= PROGRESS_THRESHOLD || envelopes % 256 !== 0) return;
    const now = Date.now();
    if (now - this.#last < PROGRESS_INTERVAL_MS) return;
    this.#last = now;
    const text = `validated ${envelopes} envelopes (file ${file} of ${files})…`;
    if (this.out.isTTY === true) {
      this.out.write(`\r${text}\x1b[K`);
      this.#shown = true;
    } else {
      this.out.write(`${text}\n`);
    }
  }

  clear(): void {
    if (this.#shown) this.out.write("\r\x1b[K");
    this.#shown = false;
  }
}

/** Parses --max-findings: a whole number, 0 or more. */
export function parseCount(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not a count (a whole number, 0 or more)`);
  return n;
}

/** Parses a byte count: `1048576`, `64k`, `256M`, `256MiB`, `1G` (binary multiples). */
export function parseByteSize(value: string): number {
  const m = /^(\d+)\s*(?:([kmg])(?:i?b)?|b)?$/i.exec(value.trim());
  if (m === null) throw new InvalidArgumentError(`"${value}" is not a byte count (examples: 1048576, 64KiB, 256MiB, 1G)`);
  const scale = { k: 1024, m: 1_048_576, g: 1_073_741_824 }[(m[2] ?? "").toLowerCase()] ?? 1;
  const bytes = Number(m[1]) * scale;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new InvalidArgumentError(`"${value}" is not a usable byte count`);
  return bytes;
}

interface CommandOptions extends ValidateOptions {
  maxFileSize: number;
  maxBytes: number;
}

/** Registers `oaio validate`. */
export function register(program: Command): void {
  program
    .command("validate")
    .description("validate envelopes in JSON / NDJSON files, directories (recursively) or standard input (-)")
    .argument("<paths...>", "files, directories, or - for standard input")
    .option("--json", "print one JSON report instead of lines")
    .option("--ndjson", "read every input (including -) as NDJSON: one envelope per line (default for *.ndjson, *.jsonl)")
    .option("--max-bytes <size>", "largest envelope accepted, as the decoder's size check", parseByteSize, DEFAULT_MAX_BYTES)
    .option(
      "--max-file-size <size>",
      "refuse any input (file, FIFO, device, stdin) larger than this, checked while reading (I/O error, exit 2)",
      parseByteSize,
      DEFAULT_MAX_FILE_SIZE,
    )
    .option(
      "--max-findings <n>",
      "findings listed in the --json report (the counts stay exact; findingsOmitted says how many were left out)",
      parseCount,
      DEFAULT_MAX_FINDINGS,
    )
    .option("--progress", "print a progress line on stderr for batches over 5000 envelopes even when stderr is not a terminal")
    .option("-q, --quiet", "print only problems (no summary line, no progress)")
    .action(async (paths: string[], opts: CommandOptions) => {
      process.exitCode = await runValidate(paths, opts, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
    });
}
