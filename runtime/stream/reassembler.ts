/**
 * Client-side stream reassembly (shared/PROTOCOL.md "StreamInvoke"): frames
 * arrive in any order, carry one `seq` counter from 0 (absent = 0), and end with
 * exactly one terminal frame. The reassembler hands frames out in seq order,
 * drops duplicates, bounds what it buffers (a gap of `maxGap` or more, or more
 * than `maxPending` buffered frames, fails the stream with BACKPRESSURE_DROP as
 * deployed clients do) and ignores everything after the terminal frame.
 *
 * A pure state machine: no timers and no I/O; the bus adds the overall and
 * idle timeouts around it.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { BackpressureDropError } from "../../generated/ts/errors.js";
import { isTerminal } from "../envelope/phase.js";

/** Bounds of a {@link StreamReassembler}. */
export interface ReassemblerOptions {
  /** A frame this far or further ahead of the next expected seq fails the stream (default 1024). */
  maxGap?: number;
  /** More buffered out-of-order frames than this fails the stream (default 256). */
  maxPending?: number;
}

/** One outcome of {@link StreamReassembler.push}. */
export type ReassemblyStep =
  /** The next in-order frame, to hand to the consumer. */
  | { kind: "frame"; envelope: Envelope }
  /** A frame whose seq was already delivered or is already buffered: dropped. */
  | { kind: "duplicate"; seq: number }
  /** A bound was exceeded: the stream failed and {@link StreamReassembler.done} is true. */
  | { kind: "overflow"; error: BackpressureDropError };

/** Default of {@link ReassemblerOptions.maxGap}. */
export const DEFAULT_MAX_GAP = 1024;
/** Default of {@link ReassemblerOptions.maxPending}. */
export const DEFAULT_MAX_PENDING = 256;

/** Reorders the frames of one stream. Create one per stream. */
export class StreamReassembler {
  readonly #maxGap: number;
  readonly #maxPending: number;
  readonly #pending = new Map<number, Envelope>();
  #nextSeq = 0;
  #done = false;

  constructor(opts: ReassemblerOptions = {}) {
    this.#maxGap = opts.maxGap ?? DEFAULT_MAX_GAP;
    this.#maxPending = opts.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** True once the terminal frame was delivered or a bound was exceeded; later pushes return []. */
  get done(): boolean {
    return this.#done;
  }

  /** The seq of the next frame to deliver. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** How many out-of-order frames are buffered. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Takes one arriving frame; returns what to do, in order (possibly several frames, released from the buffer). */
  push(frame: Envelope): ReassemblyStep[] {
    if (this.#done) return [];
    const seq = frame.seq ?? 0;
    if (seq < this.#nextSeq || this.#pending.has(seq)) return [{ kind: "duplicate", seq }];
    if (seq > this.#nextSeq) {
      const gap = seq - this.#nextSeq;
      if (gap >= this.#maxGap) {
        return this.#overflow(`frame seq ${seq} is ${gap} ahead of the next expected seq ${this.#nextSeq} (bound ${this.#maxGap})`, seq);
      }
      this.#pending.set(seq, frame);
      if (this.#pending.size > this.#maxPending) {
        return this.#overflow(`${this.#pending.size} out-of-order frames buffered (bound ${this.#maxPending})`, seq);
      }
      return [];
    }
    const steps: ReassemblyStep[] = [];
    let next: Envelope | undefined = frame;
    while (next !== undefined) {
      steps.push({ kind: "frame", envelope: next });
      this.#nextSeq++;
      if (isTerminal(next)) {
        this.#finish();
        break;
      }
      next = this.#pending.get(this.#nextSeq);
      if (next !== undefined) this.#pending.delete(this.#nextSeq);
    }
    return steps;
  }

  #overflow(why: string, seq: number): ReassemblyStep[] {
    const error = new BackpressureDropError(`stream reassembly overflow: ${why}`, {
      details: { seq, nextSeq: this.#nextSeq, pending: this.#pending.size, maxGap: this.#maxGap, maxPending: this.#maxPending },
    });
    this.#finish();
    return [{ kind: "overflow", error }];
  }

  #finish(): void {
    this.#done = true;
    this.#pending.clear();
  }
}

/** Creates a {@link StreamReassembler}. */
export function createReassembler(opts?: ReassemblerOptions): StreamReassembler {
  return new StreamReassembler(opts);
}
