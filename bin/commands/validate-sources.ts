/**
 * Inputs of `oaio validate`: which files a list of paths names (directories
 * walked recursively), and reading a byte stream as NDJSON lines without
 * loading it whole.
 */
import type { Dirent, Stats } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

/** One thing to validate: a file or standard input, as one JSON document or as NDJSON. */
export type Source = { readonly path: string; readonly stdin: boolean; readonly ndjson: boolean };

/** A path that could not be used (missing, unreadable, too large). */
export interface IoProblem {
  readonly path: string;
  readonly message: string;
}

const NDJSON_EXTENSIONS = [".ndjson", ".jsonl"];
const WALKED_EXTENSIONS = [".json", ...NDJSON_EXTENSIONS];
const SIDECAR_SUFFIX = ".expected.json";

/** True for names ending .ndjson or .jsonl. */
export function isNdjsonName(name: string): boolean {
  return NDJSON_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/**
 * Expands paths: `-` is standard input, a file is taken whatever its name, a
 * directory gives its *.json / *.ndjson / *.jsonl files (not *.expected.json
 * sidecars) recursively in sorted order. `forceNdjson` reads everything as NDJSON.
 */
export async function collectSources(paths: readonly string[], forceNdjson: boolean): Promise<{ sources: Source[]; problems: IoProblem[] }> {
  const sources: Source[] = [];
  const problems: IoProblem[] = [];
  for (const path of paths) {
    if (path === "-") {
      sources.push({ path: "<stdin>", stdin: true, ndjson: forceNdjson });
      continue;
    }
    let info: Stats;
    try {
      info = await stat(path);
    } catch (err: unknown) {
      problems.push({ path, message: ioMessage(err) });
      continue;
    }
    if (info.isDirectory()) {
      await walk(path, forceNdjson, sources, problems, new Set());
    } else {
      sources.push({ path, stdin: false, ndjson: forceNdjson || isNdjsonName(path) });
    }
  }
  return { sources, problems };
}

async function walk(dir: string, forceNdjson: boolean, sources: Source[], problems: IoProblem[], seen: Set<string>): Promise<void> {
  let entries: Dirent[];
  try {
    const real = await realpath(dir);
    if (seen.has(real)) return; // a symlink loop
    seen.add(real);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err: unknown) {
    problems.push({ path: dir, message: ioMessage(err) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(full);
        isDir = target.isDirectory();
        isFile = target.isFile();
      } catch (err: unknown) {
        problems.push({ path: full, message: ioMessage(err) });
        continue;
      }
    }
    if (isDir) {
      await walk(full, forceNdjson, sources, problems, seen);
    } else if (isFile && !entry.name.endsWith(SIDECAR_SUFFIX) && WALKED_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) {
      sources.push({ path: full, stdin: false, ndjson: forceNdjson || isNdjsonName(entry.name) });
    }
  }
}

/** One NDJSON line: its 1-based number and bytes (without the line break), or only its size when over the limit. */
export interface Line {
  readonly line: number;
  readonly bytes: Uint8Array | undefined;
  readonly size: number;
}

/**
 * Splits a byte stream into lines at "\n" (a "\r" before it is dropped),
 * skipping blank lines. A line longer than `maxLineBytes` is not kept in
 * memory: it is yielded with its size only.
 */
export async function* readLines(stream: AsyncIterable<Uint8Array>, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let lineNo = 0;
  const finish = (): Line | undefined => {
    lineNo++;
    const oversize = size > maxLineBytes + 1; // + 1: a "\r" still to be stripped
    let bytes = oversize ? undefined : parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    let length = size;
    if (bytes !== undefined && length > 0 && bytes[length - 1] === 0x0d) {
      bytes = bytes.subarray(0, length - 1);
      length--;
    }
    parts = [];
    size = 0;
    if (bytes !== undefined && isBlank(bytes)) return undefined;
    return { line: lineNo, bytes, size: length };
  };
  for await (const chunk of stream) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (end > start) {
        size += end - start;
        if (size <= maxLineBytes + 1) parts.push(chunk.subarray(start, end));
        else parts = [];
      }
      if (nl === -1) break;
      const line = finish();
      if (line !== undefined) yield line;
      start = nl + 1;
    }
  }
  if (size > 0) {
    const line = finish();
    if (line !== undefined) yield line;
  }
}

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/**
 * Passes a byte stream through, failing with a {@link TooLargeError} as soon as more than
 * `limit` bytes have come: the --max-file-size bound holds while reading, whatever the input
 * is (a file that grows, a FIFO, /dev/zero, stdin), not only for what stat() can size.
 */
export async function* bounded(stream: AsyncIterable<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > limit) throw new TooLargeError(size, limit, false);
    yield chunk;
  }
}

/**
 * Reads one document: its bytes while they fit in `keep` bytes, else only its size (an
 * envelope over the decoder's limit is invalid whatever follows; the rest is counted, not
 * kept). Memory is bounded by `keep` plus one chunk; `limit` bounds the whole read.
 */
export async function readDocument(stream: AsyncIterable<Uint8Array>, keep: number, limit: number): Promise<{ bytes: Uint8Array | undefined; size: number }> {
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bounded(stream, limit)) {
    size += chunk.byteLength;
    if (size <= keep) parts.push(chunk);
    else parts = [];
  }
  return { bytes: size <= keep ? Buffer.concat(parts, size) : undefined, size };
}

/** Input over the --max-file-size limit (`size` is how much was seen: all of it for a file, enough to know for a stream). */
export class TooLargeError extends Error {
  override readonly name = "TooLargeError";
  constructor(
    readonly size: number,
    readonly limit: number,
    exact = true,
  ) {
    super(`${exact ? `${size} bytes, ` : ""}over the ${limit}-byte limit (${mib(limit)}); raise it with --max-file-size`);
  }
}

function mib(bytes: number): string {
  return `${Number((bytes / 1_048_576).toFixed(2))} MiB`;
}

/** The size of a regular file, for the --max-file-size check before reading; undefined for FIFOs, devices and sockets (their size is only known by reading). */
export async function regularFileSize(path: string): Promise<number | undefined> {
  const info = await stat(path);
  return info.isFile() ? info.size : undefined;
}

/** A short message for a file system error ("ENOENT: no such file or directory"). */
export function ioMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = err.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
    return code === undefined ? err.message : `${code}: ${text}`;
  }
  return String(err);
}
