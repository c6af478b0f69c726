import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BackpressureDropError } from "../../generated/ts/errors.js";
import { createEnvelope, validate } from "../../runtime/envelope/index.js";
import type { Envelope } from "../../runtime/envelope/index.js";
import { StreamReassembler, createReassembler, finalValue, reassembleAll } from "../../runtime/stream/index.js";
import type { ReassemblyStep } from "../../runtime/stream/index.js";
import { REPO_ROOT } from "../helpers/cli.js";

interface StreamSample {
  description: string;
  client: { max_gap: number; max_pending: number };
  frames: unknown[];
  expect: { outcome: string; delivered_seqs: number[]; text: string; result?: unknown; error?: { code: string } };
}

const dir = join(REPO_ROOT, "golden", "streams");
const samples = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
  : [];

describe("golden/streams", () => {
  it("has samples", () => expect(samples.length).toBeGreaterThanOrEqual(6));

  it.each(samples)("%s reassembles as recorded", (file) => {
    const sample = JSON.parse(readFileSync(join(dir, file), "utf8")) as StreamSample;
    const frames = sample.frames.map((raw, i) => {
      const result = validate(raw);
      if (!result.ok) expect.fail(`frame ${i}: ${result.error.message}`);
      return result.envelope;
    });
    const got = reassembleAll(frames, { maxGap: sample.client.max_gap, maxPending: sample.client.max_pending });
    expect(got.outcome).toBe(sample.expect.outcome);
    expect(got.delivered.map((f) => f.seq ?? 0)).toEqual(sample.expect.delivered_seqs);
    expect(got.text).toBe(sample.expect.text);
    if (sample.expect.outcome === "completed") expect(got.result).toEqual(sample.expect.result);
    if (sample.expect.outcome === "error") expect(got.errorCode).toBe(sample.expect.error?.code);
    if (sample.expect.outcome === "overflow") {
      expect(got.overflow).toBeInstanceOf(BackpressureDropError);
      expect(got.errorCode).toBe(sample.expect.error?.code);
    }
    // incomplete: the bus's idle timeout reports AGENT_TIMEOUT; the reassembler just is not done
    if (sample.expect.outcome === "incomplete") expect(sample.expect.error?.code).toBe("AGENT_TIMEOUT");
  });
});

const fixed = { newId: () => "019ca8d7-2d7e-7a13-a05a-7d35c6194e63", now: () => "2026-03-01T10:00:00Z" };
const delta = (seq: number | undefined, text = String(seq)): Envelope =>
  createEnvelope({ event_type: "agent.response.delta", ...(seq === undefined ? {} : { seq }), payload: { delta: text } }, fixed);
const final = (seq: number): Envelope => createEnvelope({ event_type: "agent.response.final", seq, is_final: true, payload: { result: 1 } }, fixed);
const kinds = (steps: ReassemblyStep[]): string[] =>
  steps.map((s) => (s.kind === "frame" ? `frame:${s.envelope.seq ?? 0}` : s.kind === "duplicate" ? `dup:${s.seq}` : "overflow"));

describe("StreamReassembler", () => {
  it("treats an absent seq as 0 and tracks nextSeq", () => {
    const r = createReassembler();
    expect(kinds(r.push(delta(undefined)))).toEqual(["frame:0"]);
    expect(r.nextSeq).toBe(1);
    expect(kinds(r.push(delta(0)))).toEqual(["dup:0"]);
  });

  it("releases buffered frames in order when the gap closes", () => {
    const r = new StreamReassembler();
    expect(r.push(delta(2))).toEqual([]);
    expect(r.push(delta(1))).toEqual([]);
    expect(r.pendingCount).toBe(2);
    expect(kinds(r.push(delta(0)))).toEqual(["frame:0", "frame:1", "frame:2"]);
    expect(r.pendingCount).toBe(0);
  });

  it("is done after the terminal frame and drops what was buffered beyond it", () => {
    const r = new StreamReassembler();
    r.push(delta(3));
    r.push(final(2));
    expect(kinds(r.push(delta(1)))).toEqual([]);
    expect(kinds(r.push(delta(0)))).toEqual(["frame:0", "frame:1", "frame:2"]);
    expect(r.done).toBe(true);
    expect(r.pendingCount).toBe(0);
    expect(r.push(delta(3))).toEqual([]);
  });

  it("fails with BACKPRESSURE_DROP at the gap bound (gap >= maxGap) and ignores everything after", () => {
    const r = new StreamReassembler({ maxGap: 3 });
    expect(r.push(delta(2))).toEqual([]); // gap 2
    const steps = r.push(delta(3)); // gap 3
    expect(kinds(steps)).toEqual(["overflow"]);
    const step = steps[0];
    expect(step?.kind === "overflow" && step.error).toBeInstanceOf(BackpressureDropError);
    expect(r.done).toBe(true);
    expect(r.push(delta(0))).toEqual([]);
  });

  it("fails when more than maxPending frames are buffered, but still takes the expected seq", () => {
    const r = new StreamReassembler({ maxPending: 2 });
    r.push(delta(1));
    r.push(delta(2));
    expect(kinds(r.push(delta(0)))).toEqual(["frame:0", "frame:1", "frame:2"]);
    r.push(delta(4));
    r.push(delta(5));
    expect(kinds(r.push(delta(6)))).toEqual(["overflow"]);
  });

  it("uses the default bounds of deployed clients (1024, 256)", () => {
    const gap = new StreamReassembler();
    expect(gap.push(delta(1023))).toEqual([]);
    expect(kinds(gap.push(delta(1024)))).toEqual(["overflow"]);
    const pending = new StreamReassembler();
    for (let seq = 1; seq <= 256; seq++) expect(pending.push(delta(seq))).toEqual([]);
    expect(kinds(pending.push(delta(257)))).toEqual(["overflow"]);
  });
});

describe("finalValue", () => {
  const frame = (payload: unknown): Envelope =>
    ({ ...createEnvelope({ event_type: "agent.response.final", is_final: true }, fixed), ...(payload === undefined ? {} : { payload }) }) as Envelope;

  it("unwraps a {result}-shaped payload and keeps every other shape as the value (deployed SDKs send both)", () => {
    expect(finalValue(frame({ result: { answer: 42 } }))).toEqual({ answer: 42 });
    expect(finalValue(frame({ result: 1, extra: true }))).toEqual({ result: 1, extra: true });
    expect(finalValue(frame([1, 2]))).toEqual([1, 2]);
    expect(finalValue(frame("text"))).toBe("text");
    expect(finalValue(frame(null))).toBeNull();
    expect(finalValue(frame(undefined))).toBeNull();
  });
});

describe("StreamReassembler byte bound", () => {
  it("counts the bytes of buffered out-of-order frames and overflows past maxPendingBytes; released frames keep their size", () => {
    const r = new StreamReassembler({ maxPendingBytes: 1_000 });
    expect(r.push(delta(1), 400)).toEqual([]);
    expect(r.push(delta(2), 500)).toEqual([]);
    expect(r.pendingBytes).toBe(900);
    const released = r.push(delta(0), 100);
    expect(released.map((s) => (s.kind === "frame" ? [s.envelope.seq ?? 0, s.bytes] : s.kind))).toEqual([
      [0, 100],
      [1, 400],
      [2, 500],
    ]);
    expect(r.pendingBytes).toBe(0);
    expect(r.push(delta(4), 600)).toEqual([]);
    const over = r.push(delta(5), 401);
    expect(over).toHaveLength(1);
    expect(over[0]!.kind).toBe("overflow");
    const err = (over[0] as { error: BackpressureDropError }).error;
    expect(err.details).toMatchObject({ pendingBytes: 1_001, maxPendingBytes: 1_000 });
    expect(r.done).toBe(true);
    expect(r.pendingBytes).toBe(0);
  });
});
