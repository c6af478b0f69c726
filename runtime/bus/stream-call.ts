/**
 * The client side of a stream (shared/PROTOCOL.md "StreamInvoke"): one request, frames to a
 * reply route, reordered and de-duplicated by {@link StreamReassembler}, handed out through
 * an async iterator. Overall and idle timeouts, an AbortSignal and close() end it; when the
 * client gives up early it sends `agent.stream.cancel` to the server's `acp.stream.cancel_to`
 * (an extension old servers never announce, so they are never sent one).
 */
import type { Envelope } from "../../generated/ts/types.js";
import { MetadataKey } from "../../generated/ts/constants.js";
import {
  AgentTimeoutError, BackpressureDropError, CanceledError, type AcpError,
} from "../../generated/ts/errors.js";
import { contextFromEnvelope } from "../context/index.js";
import { isTerminal } from "../envelope/index.js";
import { StreamReassembler } from "../stream/reassembler.js";
import type { TransportMessage } from "../transport/types.js";
import type { BusCore, PendingCall } from "./core.js";
import { errorFromReply, isErrorReply, resultOf, toAcpError } from "./replies.js";
import { toStreamFrame } from "./frames.js";
import { replyable } from "./handlers.js";
import type { StreamCall, StreamFrame, StreamInvokeOptions } from "./types.js";

const OPEN = 0;
const ENDED = 1; // no more frames will come; buffered ones are still handed out
const CLOSED = 2; // closed by the client: nothing more is handed out

/** Longest wait for a server's cancel address after the client gave up before the first frame. */
const CANCEL_GRACE_MS = 10_000;

export class StreamCallImpl implements StreamCall, PendingCall {
  readonly requestId: string;
  readonly #core: BusCore;
  readonly #request: Envelope;
  readonly #target: string;
  readonly #subject: string;
  readonly #yieldErrors: boolean;
  readonly #reassembler: StreamReassembler;
  readonly #maxBuffered: number;
  readonly #idleMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #route: { subject: string; token: number };
  #state = OPEN;
  #queue: StreamFrame[] = [];
  #head = 0;
  #waiter: { resolve(r: IteratorResult<StreamFrame>): void; reject(err: unknown): void } | undefined;
  #error: AcpError | undefined;
  #errorEnvelope: Envelope | undefined;
  #errorDelivered = false;
  #cancelTo: string | undefined;
  #cancelPending: string | undefined;
  #released = false;
  #overallTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #cancelTimer: ReturnType<typeof setTimeout> | undefined;
  #lastFrameAt = 0;
  #iterator: AsyncIterator<StreamFrame> | undefined;

  constructor(core: BusCore, request: Envelope, subject: string, target: string, opts: StreamInvokeOptions) {
    this.#core = core;
    this.#target = target;
    this.#subject = subject;
    this.#yieldErrors = opts.yieldErrors ?? false;
    const d = core.streamDefaults;
    this.#reassembler = new StreamReassembler({ maxGap: opts.maxGap ?? d.maxGap, maxPending: opts.maxPending ?? d.maxPending });
    this.#maxBuffered = opts.maxBuffered ?? d.maxBuffered;
    this.#idleMs = opts.idleTimeoutMs ?? d.idleTimeoutMs;
    this.#signal = opts.signal;
    this.#route = core.inbox.open((msg) => this.#onMessage(msg));
    this.#request = { ...request, reply_to: this.#route.subject };
    this.requestId = request.event_id;
    core.pending.add(this);

    if (this.#signal?.aborted) {
      this.#fail(this.#canceled(), false);
      return;
    }
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    const overallMs = opts.timeoutMs ?? d.timeoutMs;
    this.#overallTimer = setTimeout(() => {
      this.#fail(new AgentTimeoutError(`stream from ${JSON.stringify(target)} did not finish within ${overallMs} ms`, {
        details: { target, timeoutMs: overallMs, requestId: this.requestId },
      }), true);
    }, overallMs);
    this.#lastFrameAt = Date.now();
    this.#armIdle(this.#idleMs);
    try {
      core.sendOwn(this.#request, { kind: "stream", subject, timeoutMs: overallMs, signal: this.#signal, bus: core.bus }).catch((err: unknown) => {
        this.#fail(toAcpError(err), false);
      });
    } catch (err: unknown) {
      // a middleware that throws instead of rejecting
      this.#fail(toAcpError(err), false);
    }
  }

  // ---- PendingCall
  fail(err: AcpError): void {
    if (this.#state === OPEN) this.#fail(err, false);
    this.#release();
  }

  // ---- StreamCall
  [Symbol.asyncIterator](): AsyncIterator<StreamFrame> {
    this.#iterator ??= {
      next: () => this.#next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
    return this.#iterator;
  }

  close(reason = "client closed the stream"): Promise<void> {
    if (this.#state === CLOSED) return Promise.resolve();
    const wasOpen = this.#state === OPEN;
    this.#state = CLOSED;
    this.#queue = [];
    this.#head = 0;
    this.#stopTimers();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
    if (wasOpen) this.#cancel(reason);
    else this.#release();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- internals
  #onAbort = (): void => {
    this.#fail(this.#canceled(), true);
  };

  #canceled(): CanceledError {
    return new CanceledError(`stream from ${JSON.stringify(this.#target)} canceled`, {
      cause: this.#signal?.reason,
      details: { target: this.#target, requestId: this.requestId },
    });
  }

  #next(): Promise<IteratorResult<StreamFrame>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as StreamFrame;
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#state !== OPEN) return this.#settled();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The end of iteration: the error (once), then done. */
  #settled(): Promise<IteratorResult<StreamFrame>> {
    if (this.#error !== undefined && !this.#errorDelivered && this.#state !== CLOSED) {
      this.#errorDelivered = true;
      if (this.#yieldErrors) return Promise.resolve({ done: false, value: { type: "error", error: this.#error, envelope: this.#errorEnvelope } });
      return Promise.reject(this.#error);
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  #push(frame: StreamFrame): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: frame });
      return;
    }
    this.#queue.push(frame);
    if (this.#queue.length - this.#head > this.#maxBuffered) {
      this.#fail(new BackpressureDropError(`stream from ${JSON.stringify(this.#target)}: more than ${this.#maxBuffered} frames wait for the consumer`, {
        details: { target: this.#target, requestId: this.requestId, maxBuffered: this.#maxBuffered },
      }), true);
    }
  }

  #onMessage(msg: TransportMessage): void {
    if (this.#state !== OPEN) {
      if (this.#cancelPending !== undefined && !msg.noResponders) {
        const inbound = this.#core.gate.decodeMessage(msg);
        if (inbound.ok && this.#readCancelTo(inbound.envelope)) this.#cancel(this.#cancelPending);
      }
      return;
    }
    if (msg.noResponders) {
      this.#fail(this.#core.link.noResponders(this.#target, this.#subject), false);
      return;
    }
    const inbound = this.#core.gate.decodeMessage(msg);
    if (!inbound.ok) {
      this.#fail(inbound.error, true);
      return;
    }
    const env = inbound.envelope;
    if (env.correlation_id !== undefined && env.correlation_id !== this.requestId) {
      this.#core.counters.unmatchedReplies++;
      return;
    }
    this.#lastFrameAt = Date.now();
    this.#readCancelTo(env);
    for (const step of this.#reassembler.push(env)) {
      if (step.kind === "duplicate") {
        this.#core.counters.duplicateFrames++;
      } else if (step.kind === "overflow") {
        this.#fail(step.error, true);
      } else {
        const frame = step.envelope;
        const terminal = this.#reassembler.done && isTerminal(frame);
        if (terminal && isErrorReply(frame)) {
          this.#fail(errorFromReply(frame), false, frame);
          return;
        }
        this.#push(toStreamFrame(frame, resultOf));
        if (this.#state !== OPEN) return;
        if (terminal) this.#end();
      }
    }
  }

  #readCancelTo(env: Envelope): boolean {
    const to = env.metadata?.[MetadataKey.STREAM_CANCEL_TO];
    // only an inbox subject: a server must not make this client publish elsewhere
    if (replyable(to, this.#core.inboxDot) !== undefined) this.#cancelTo = to as string;
    return this.#cancelTo !== undefined;
  }

  #armIdle(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      const silent = Date.now() - this.#lastFrameAt;
      if (silent < this.#idleMs) {
        this.#armIdle(this.#idleMs - silent);
        return;
      }
      this.#fail(new AgentTimeoutError(`stream from ${JSON.stringify(this.#target)}: no frame for ${this.#idleMs} ms`, {
        details: { target: this.#target, idleTimeoutMs: this.#idleMs, requestId: this.requestId, nextSeq: this.#reassembler.nextSeq },
      }), true);
    }, ms);
  }

  #stopTimers(): void {
    if (this.#overallTimer !== undefined) clearTimeout(this.#overallTimer);
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#overallTimer = undefined;
    this.#idleTimer = undefined;
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  /** The terminal frame arrived: no more frames. */
  #end(): void {
    this.#state = ENDED;
    this.#stopTimers();
    this.#release();
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: true, value: undefined });
    }
  }

  /** The stream failed; `cancel`: tell the server we gave up. */
  #fail(err: AcpError, cancel: boolean, envelope?: Envelope): void {
    if (this.#state !== OPEN) return;
    this.#state = ENDED;
    this.#error = err;
    this.#errorEnvelope = envelope;
    this.#stopTimers();
    if (cancel) this.#cancel(err.message);
    else this.#release();
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      this.#settled().then(waiter.resolve, waiter.reject);
    }
  }

  /** Sends agent.stream.cancel once the server's cancel address is known (waits a while for it). */
  #cancel(reason: string): void {
    if (this.#cancelTo === undefined) {
      if (this.#cancelPending === undefined && !this.#released) {
        this.#cancelPending = reason;
        this.#cancelTimer = setTimeout(() => this.#release(), Math.min(this.#idleMs, CANCEL_GRACE_MS));
      }
      return;
    }
    const subject = this.#cancelTo;
    this.#cancelPending = undefined;
    this.#release();
    const env = this.#core.envelope({
      event_type: "agent.stream.cancel",
      correlation_id: this.requestId,
      from: this.#core.agentId,
      to: this.#target,
      ...contextFromEnvelope(this.#request),
      payload: { reason },
    });
    this.#core.send(env, { kind: "publish", subject, timeoutMs: undefined, signal: undefined, bus: this.#core.bus }).catch((err: unknown) => {
      this.#core.log.warn({ subject, reason: err instanceof Error ? err.message : String(err) }, "could not send agent.stream.cancel");
    });
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#cancelPending = undefined;
    if (this.#cancelTimer !== undefined) clearTimeout(this.#cancelTimer);
    this.#cancelTimer = undefined;
    this.#core.inbox.close(this.#route.token);
    this.#core.pending.delete(this);
  }
}
