/**
 * Client-side stream reassembly (spec/event-types.md "Streams"): frames
 * arrive in any order, carry one `seq` counter from 0 (absent = 0), and end with
 * exactly one terminal frame. The reassembler hands frames out in seq order,
 * drops duplicates, bounds what it buffers (a gap of `maxGap` or more, more
 * than `maxPending` buffered frames, or more than `maxPendingBytes` of them, fails
 * the stream with BACKPRESSURE_DROP as deployed clients do) and ignores
 * everything after the terminal frame.
 *
 * A pure state machine: no timers and no I/O; the bus adds the overall and
 * idle timeouts around it.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { BackpressureDropError } from "../../generated/ts/errors.js";
import { isTerminal } from "../envelope/phase.js";
import { invalidArgument } from "../errors.js";

/** Bounds of a {@link StreamReassembler}. */
export interface ReassemblerOptions {
  /** A frame this far or further ahead of the next expected seq fails the stream (default 1024). */
  maxGap?: number;
  /** More buffered out-of-order frames than this fails the stream (default 256). */
  maxPending?: number;
  /** More bytes of buffered out-of-order frames than this (sizes as given to `push`) fails the stream (default: no byte bound). */
  maxPendingBytes?: number;
}

/** One outcome of {@link StreamReassembler.push}. */
export type ReassemblyStep =
  /** The next in-order frame, to hand to the consumer, with the size it was pushed with. */
  | { kind: "frame"; envelope: Envelope; bytes: number }
  /** A frame whose seq was already delivered or is already buffered: dropped. */
  | { kind: "duplicate"; seq: number }
  /** A bound was exceeded: the stream failed and {@link StreamReassembler.done} is true. */
  | { kind: "overflow"; error: BackpressureDropError };

/** Default of {@link ReassemblerOptions.maxGap}. */
export const DEFAULT_MAX_GAP = 1024;
/** Default of {@link ReassemblerOptions.maxPending}. */
export const DEFAULT_MAX_PENDING = 256;

function positiveInteger(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalidArgument("createReassembler", field, value, "a positive integer");
  return value;
}

/** Reorders the frames of one stream. Create one per stream. */
export class StreamReassembler {
  readonly #maxGap: number;
  readonly #maxPending: number;
  readonly #maxPendingBytes: number;
  readonly #pending = new Map<number, { envelope: Envelope; bytes: number }>();
  #pendingBytes = 0;
  #nextSeq = 0;
  #done = false;

  constructor(opts: ReassemblerOptions = {}) {
    this.#maxGap = positiveInteger("maxGap", opts.maxGap ?? DEFAULT_MAX_GAP);
    this.#maxPending = positiveInteger("maxPending", opts.maxPending ?? DEFAULT_MAX_PENDING);
    this.#maxPendingBytes = opts.maxPendingBytes ?? Number.POSITIVE_INFINITY;
    if (!(this.#maxPendingBytes > 0)) throw invalidArgument("createReassembler", "maxPendingBytes", this.#maxPendingBytes, "a positive number of bytes");
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

  /** Bytes of the buffered out-of-order frames (as given to `push`). */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Takes one arriving frame of `bytes` bytes (its wire size; 0 when not counted); returns what
   * to do, in order (possibly several frames, released from the buffer).
   */
  push(frame: Envelope, bytes = 0): ReassemblyStep[] {
    if (this.#done) return [];
    const seq = frame.seq ?? 0;
    if (seq < this.#nextSeq || this.#pending.has(seq)) return [{ kind: "duplicate", seq }];
    if (seq > this.#nextSeq) {
      const gap = seq - this.#nextSeq;
      if (gap >= this.#maxGap) {
        return this.#overflow(`frame seq ${seq} is ${gap} ahead of the next expected seq ${this.#nextSeq} (bound ${this.#maxGap})`, seq);
      }
      this.#pending.set(seq, { envelope: frame, bytes });
      this.#pendingBytes += bytes;
      if (this.#pending.size > this.#maxPending) {
        return this.#overflow(`${this.#pending.size} out-of-order frames buffered (bound ${this.#maxPending})`, seq);
      }
      if (this.#pendingBytes > this.#maxPendingBytes) {
        return this.#overflow(`${this.#pendingBytes} bytes of out-of-order frames buffered (bound ${this.#maxPendingBytes})`, seq);
      }
      return [];
    }
    const steps: ReassemblyStep[] = [];
    let next: { envelope: Envelope; bytes: number } | undefined = { envelope: frame, bytes };
    while (next !== undefined) {
      steps.push({ kind: "frame", envelope: next.envelope, bytes: next.bytes });
      this.#nextSeq++;
      if (isTerminal(next.envelope)) {
        this.#finish();
        break;
      }
      next = this.#pending.get(this.#nextSeq);
      if (next !== undefined) {
        this.#pending.delete(this.#nextSeq);
        this.#pendingBytes -= next.bytes;
      }
    }
    return steps;
  }

  #overflow(why: string, seq: number): ReassemblyStep[] {
    const error = new BackpressureDropError(`stream reassembly overflow: ${why}`, {
      details: {
        seq,
        nextSeq: this.#nextSeq,
        pending: this.#pending.size,
        pendingBytes: this.#pendingBytes,
        maxGap: this.#maxGap,
        maxPending: this.#maxPending,
        ...(Number.isFinite(this.#maxPendingBytes) ? { maxPendingBytes: this.#maxPendingBytes } : {}),
      },
    });
    this.#finish();
    return [{ kind: "overflow", error }];
  }

  #finish(): void {
    this.#done = true;
    this.#pending.clear();
    this.#pendingBytes = 0;
  }
}

/** Creates a {@link StreamReassembler}. */
export function createReassembler(opts?: ReassemblerOptions): StreamReassembler {
  return new StreamReassembler(opts);
}
