/**
 * Streams fanned out and merged (spec/orchestration.md "Merged streams"): every call is a
 * stream request; their frames come out of one async iterable in arrival order, tagged with
 * the call, through a buffer bounded in entries (a stream whose frame finds it full stops
 * reading until the consumer takes one, so the bus's own per-stream bounds apply behind it).
 * A stream's failure is an `error` frame of that call unless `failFast`. Breaking out,
 * `close()`, the deadline and the caller's signal cancel every stream still open
 * (agent.stream.cancel, spec/bus.md "Stream cancellation (extension)").
 */
import type { AcpError } from "../../generated/ts/errors.js";
import type { Bus, StreamCall } from "../bus/types.js";
import { DEFAULT_DEADLINE_MS, DEFAULT_MERGE_BUFFER, MAX_MERGE_BUFFER, checkCalls, checkInt, checkMs } from "./args.js";
import type { MergeCall, MergedFrame, MergedStreams, MergeOptions } from "./types.js";

const API = "mergeStreams";

class Merge implements MergedStreams {
  readonly #streams: StreamCall[];
  readonly #queue: MergedFrame[] = [];
  readonly #max: number;
  readonly #failFast: boolean;
  readonly #pumps: Promise<void>[];
  /** Producers waiting for room, woken one per frame taken. */
  #roomWaiters: (() => void)[] = [];
  /** The consumer waiting for a frame or the end. */
  #wake: (() => void) | undefined;
  #open: number;
  #closing: Promise<void> | undefined;
  #failure: AcpError | undefined;
  #iterated = false;

  constructor(bus: Bus, calls: readonly MergeCall[], opts: MergeOptions) {
    const timeoutMs = checkMs(API, "opts.timeoutMs", opts.timeoutMs, DEFAULT_DEADLINE_MS);
    const idleTimeoutMs = opts.idleTimeoutMs === undefined ? undefined : checkMs(API, "opts.idleTimeoutMs", opts.idleTimeoutMs, timeoutMs);
    this.#max = checkInt(API, "opts.maxBuffered", opts.maxBuffered, 1, MAX_MERGE_BUFFER, DEFAULT_MERGE_BUFFER);
    this.#failFast = opts.failFast ?? false;
    this.#streams = calls.map((c) =>
      bus.streamInvoke(c.target, c.request, { timeoutMs, idleTimeoutMs, signal: opts.signal, context: c.context, metadata: c.metadata, yieldErrors: true }),
    );
    this.#open = calls.length;
    this.#pumps = this.#streams.map((s, index) => this.#pump(s, index, calls[index]!.target));
  }

  async #pump(stream: StreamCall, index: number, target: string): Promise<void> {
    try {
      for await (const frame of stream) {
        if (this.#closing !== undefined) break;
        while (this.#queue.length >= this.#max && this.#closing === undefined) await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
        if (this.#closing !== undefined) break;
        if (frame.type === "error" && this.#failFast) {
          this.#failure ??= frame.error;
          void this.close();
          break;
        }
        this.#queue.push({ index, target, frame });
        this.#notify();
      }
    } finally {
      this.#open--;
      this.#notify();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async next(): Promise<IteratorResult<MergedFrame>> {
    for (;;) {
      if (this.#failure !== undefined) {
        await this.close();
        throw this.#failure;
      }
      const item = this.#queue.shift();
      if (item !== undefined) {
        this.#roomWaiters.shift()?.();
        return { done: false, value: item };
      }
      if (this.#open === 0 || this.#closing !== undefined) {
        await this.close();
        if (this.#failure !== undefined) throw this.#failure;
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<MergedFrame>> {
    await this.close();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterator<MergedFrame> {
    if (this.#iterated) throw new TypeError("mergeStreams: iterate a merge once");
    this.#iterated = true;
    return this;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const w of waiters) w();
      this.#notify();
      await Promise.all(this.#streams.map((s) => s.close("merge closed")));
      await Promise.all(this.#pumps);
      this.#queue.length = 0;
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts one stream per call and merges their frames, in arrival order, into one async
 * iterable of `{ index, target, frame }`. Ends when every stream has ended. A stream's failure
 * (its error reply, its timeout, the deadline) is an `error` frame of that call, the others
 * going on; with `failFast` the first failure cancels every stream and the iteration throws it.
 * Breaking out, `close()`, the deadline (`timeoutMs`, one for all) and `signal` cancel the
 * streams still open. Throws INVALID_REQUEST naming the field for empty `calls` or bad options.
 *
 * @example
 * for await (const { target, frame } of mergeStreams(bus, [{ target: "writer-a", request: r }, { target: "writer-b", request: r }])) {
 *   if (frame.type === "delta") console.log(target, frame.delta);
 * }
 */
export function mergeStreams(bus: Bus, calls: readonly MergeCall[], opts: MergeOptions = {}): MergedStreams {
  checkCalls(API, calls);
  return new Merge(bus, calls, opts);
}
