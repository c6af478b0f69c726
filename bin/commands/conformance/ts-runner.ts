/**
 * The TypeScript golden-corpus runner: runs every case through the runtime (decode,
 * encodeCanonical, reassembleAll) in-process and reports in the shared results format.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalize, decode, encodeCanonical, validate } from "../../../runtime/envelope/index.js";
import type { Envelope } from "../../../runtime/envelope/index.js";
import { reassembleAll } from "../../../runtime/stream/index.js";
import type { CorpusCase } from "./corpus.js";
import { summarize, type CaseResult, type LanguageResult } from "./results.js";

interface StreamExpect {
  outcome: string;
  delivered_seqs: number[];
  text: string;
  result?: unknown;
  error?: { code?: string };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function runValid(c: CorpusCase, goldenDir: string): string | undefined {
  const decoded = decode(readFileSync(c.file));
  if (!decoded.ok) return `rejected: ${decoded.error.code} ${decoded.error.pointer}: ${decoded.error.message}`;
  const name = c.id.slice("valid/".length);
  let expected: Buffer;
  try {
    expected = readFileSync(join(goldenDir, "canonical", `${name}.json`));
  } catch {
    return `no canonical/${name}.json`;
  }
  const got = encodeCanonical(decoded.envelope);
  if (!bytesEqual(got, expected)) return `canonical bytes differ (got ${got.length} bytes, expected ${expected.length})`;
  return undefined;
}

function runInvalid(c: CorpusCase): string | undefined {
  const sidecar = JSON.parse(readFileSync(c.file.replace(/\.json$/u, ".expected.json"), "utf8")) as { code: string; pointer: string };
  const decoded = decode(readFileSync(c.file));
  if (decoded.ok) return `accepted; expected ${sidecar.code} at "${sidecar.pointer}"`;
  const { code, pointer } = decoded.error;
  if (code !== sidecar.code || pointer !== sidecar.pointer) return `got ${code} at "${pointer}", expected ${sidecar.code} at "${sidecar.pointer}"`;
  return undefined;
}

function runStream(c: CorpusCase): string | undefined {
  const sample = JSON.parse(readFileSync(c.file, "utf8")) as { client: { max_gap: number; max_pending: number }; frames: unknown[]; expect: StreamExpect };
  const frames: Envelope[] = [];
  for (const [i, raw] of sample.frames.entries()) {
    const v = validate(raw);
    if (!v.ok) return `frame ${i} invalid: ${v.error.code} ${v.error.pointer}`;
    frames.push(v.envelope);
  }
  const got = reassembleAll(frames, { maxGap: sample.client.max_gap, maxPending: sample.client.max_pending });
  const want = sample.expect;
  if (got.outcome !== want.outcome) return `outcome ${got.outcome}, expected ${want.outcome}`;
  const seqs = got.delivered.map((f) => f.seq ?? 0);
  if (JSON.stringify(seqs) !== JSON.stringify(want.delivered_seqs))
    return `delivered seqs ${JSON.stringify(seqs)}, expected ${JSON.stringify(want.delivered_seqs)}`;
  if (got.text !== want.text) return `text ${JSON.stringify(got.text)}, expected ${JSON.stringify(want.text)}`;
  if (want.outcome === "completed" && canonicalize(got.result ?? null) !== canonicalize(want.result ?? null)) {
    return `result ${canonicalize(got.result ?? null)}, expected ${canonicalize(want.result ?? null)}`;
  }
  if ((want.outcome === "error" || want.outcome === "overflow") && got.errorCode !== want.error?.code) {
    return `error code ${String(got.errorCode)}, expected ${String(want.error?.code)}`;
  }
  return undefined;
}

function runV1(c: CorpusCase): string | undefined {
  const decoded = decode(readFileSync(c.file));
  if (!decoded.ok) return `rejected: ${decoded.error.code} ${decoded.error.pointer}: ${decoded.error.message}`;
  if (decoded.envelope.schema_version !== 1) return `schema_version ${decoded.envelope.schema_version}, expected 1`;
  return undefined;
}

/** Runs every case; a case that throws is a failure with the exception's message. */
export function runTypeScript(corpus: readonly CorpusCase[], goldenDir: string): LanguageResult {
  const cases: CaseResult[] = corpus.map((c) => {
    let detail: string | undefined;
    try {
      detail = c.kind === "valid" ? runValid(c, goldenDir) : c.kind === "invalid" ? runInvalid(c) : c.kind === "stream" ? runStream(c) : runV1(c);
    } catch (err) {
      detail = `runner threw: ${err instanceof Error ? err.message : String(err)}`;
    }
    return detail === undefined ? { id: c.id, kind: c.kind, ok: true } : { id: c.id, kind: c.kind, ok: false, detail };
  });
  return summarize("typescript", cases);
}
