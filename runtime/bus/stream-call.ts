/**
 * The client side of a stream (spec/bus.md "Streams on the client"): one request, frames to a
 * reply route, reordered and de-duplicated by {@link StreamReassembler}, handed out through
 * an async iterator. Overall and idle timeouts, an AbortSignal and close() end it; when the
 * client gives up early it sends `agent.stream.cancel` to the server's `acp.stream.cancel_to`
 * (an extension old servers never announce, so they are never sent one), or, before the
 * first frame, to the `acp.stream.early_cancel` subject its request named.
 *
 * What waits for the consumer is bounded in frames (`maxBuffered`) and in wire bytes
 * (`maxBufferedBytes`, together with the reassembler's out-of-order frames): past either
 * bound the buffered frames are dropped, the consumer gets BACKPRESSURE_DROP next and the
 * server is sent a cancel (spec/bus.md "Stream buffers").
 */
import type { Envelope } from "../../generated/ts/types.js";
import { MetadataKey } from "../../generated/ts/constants.js";
import { AgentTimeoutError, BackpressureDropError, CanceledError, type AcpError } from "../../generated/ts/errors.js";
import { contextFromEnvelope } from "../context/index.js";
import { isTerminal } from "../envelope/index.js";
import { StreamReassembler } from "../stream/reassembler.js";
import { SizedQueue } from "../stream/sized-queue.js";
import type { TransportMessage } from "../transport/types.js";
import type { BusCore, PendingCall } from "./core.js";
import { errorFromReply, isErrorReply, resultOf, toAcpError } from "./replies.js";
import { toStreamFrame } from "./frames.js";
import { replyable } from "./handlers.js";
import { EnvelopeBody } from "./local.js";
import type { StreamCall, StreamFrame, StreamInvokeOptions } from "./types.js";

const OPEN = 0;
const ENDED = 1; // no more frames will come; buffered ones are still handed out
const CLOSED = 2; // closed by the client: nothing more is handed out

/** Longest wait for a server's cancel address after the client gave up before the first frame. */
const CANCEL_GRACE_MS = 10_000;

/**
 * First delay before an early cancel is sent again (then doubling, until the grace period ends
 * or the server announces its address): the server subscribes to the early-cancel subject when
 * its handler starts, and NATS does not order that subscription against the client's publish.
 */
const EARLY_CANCEL_RESEND_MS = 25;

/** Last token of the early-cancel subject: `<reply route>.cancel` (one token past the reply mux' `<inbox>.*`). */
const EARLY_CANCEL_TOKEN = "cancel";

/** Wire size of a message, without producing the bytes of a sealed in-process body (its upper bound then). */
function messageBytes(msg: TransportMessage): number {
  const body = msg.body;
  return body instanceof EnvelopeBody && body.sealed ? body.maxByteLength : msg.data.byteLength;
}

export class StreamCallImpl implements StreamCall, PendingCall {
  readonly requestId: string;
  readonly #core: BusCore;
  readonly #request: Envelope;
  readonly #target: string;
  readonly #subject: string;
  readonly #yieldErrors: boolean;
  readonly #reassembler: StreamReassembler;
  readonly #maxBuffered: number;
  readonly #maxBufferedBytes: number;
  readonly #idleMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #route: { subject: string; token: number };
  #state = OPEN;
  /** In-order frames waiting for the consumer, with their wire bytes. */
  readonly #queue = new SizedQueue<StreamFrame>();
  /** Where this client sends a cancel before the server announced its own address. */
  readonly #earlyCancelTo: string;
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
  #earlyTimer: ReturnType<typeof setTimeout> | undefined;
  #lastFrameAt = 0;
  /** A frame came: a server that announced no cancel address with it is a deployed one (no early cancel either). */
  #sawFrame = false;
  #iterator: AsyncIterator<StreamFrame> | undefined;

  constructor(core: BusCore, request: Envelope, subject: string, target: string, opts: StreamInvokeOptions) {
    this.#core = core;
    this.#target = target;
    this.#subject = subject;
    this.#yieldErrors = opts.yieldErrors ?? false;
    const d = core.streamDefaults;
    this.#maxBuffered = opts.maxBuffered ?? d.maxBuffered;
    this.#maxBufferedBytes = opts.maxBufferedBytes ?? d.maxBufferedBytes;
    this.#reassembler = new StreamReassembler({
      maxGap: opts.maxGap ?? d.maxGap,
      maxPending: opts.maxPending ?? d.maxPending,
      maxPendingBytes: this.#maxBufferedBytes,
    });
    this.#idleMs = opts.idleTimeoutMs ?? d.idleTimeoutMs;
    this.#signal = opts.signal;
    this.#route = core.inbox.open((msg) => this.#onMessage(msg));
    this.#earlyCancelTo = `${this.#route.subject}.${EARLY_CANCEL_TOKEN}`;
    this.#request = {
      ...request,
      reply_to: this.#route.subject,
      metadata: { ...request.metadata, [MetadataKey.STREAM_EARLY_CANCEL]: this.#earlyCancelTo },
    };
    this.requestId = request.event_id;
    core.pending.add(this);

    if (this.#signal?.aborted) {
      this.#fail(this.#canceled(), false);
      return;
    }
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    const overallMs = opts.timeoutMs ?? d.timeoutMs;
    this.#overallTimer = setTimeout(() => {
      this.#fail(
        new AgentTimeoutError(`stream from ${JSON.stringify(target)} did not finish within ${overallMs} ms`, {
          details: { target, timeoutMs: overallMs, requestId: this.requestId },
        }),
        true,
      );
    }, overallMs);
    this.#lastFrameAt = Date.now();
    this.#armIdle(this.#idleMs);
    try {
      core.send(this.#request, { kind: "stream", subject, timeoutMs: overallMs, signal: this.#signal, bus: core.bus }, true).catch((err: unknown) => {
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
    this.#queue.clear();
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
    const value = this.#queue.shift();
    if (value !== undefined) return Promise.resolve({ done: false, value });
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

  #push(frame: StreamFrame, bytes: number): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: frame });
      return;
    }
    this.#queue.push(frame, bytes);
    const frames = this.#queue.length;
    const total = this.#queue.bytes + this.#reassembler.pendingBytes;
    if (frames > this.#maxBuffered || total > this.#maxBufferedBytes) {
      const what = frames > this.#maxBuffered ? `more than ${this.#maxBuffered} frames` : `more than ${this.#maxBufferedBytes} bytes of frames`;
      const option = frames > this.#maxBuffered ? "maxBuffered" : "maxBufferedBytes";
      // the consumer is too slow: drop what waits (it gets the error next) and stop the server
      this.#queue.clear();
      this.#fail(
        new BackpressureDropError(
          `stream from ${JSON.stringify(this.#target)}: ${what} wait for the consumer; read faster or raise the stream option ${option}`,
          {
            details: {
              target: this.#target,
              requestId: this.requestId,
              frames,
              bytes: total,
              maxBuffered: this.#maxBuffered,
              maxBufferedBytes: this.#maxBufferedBytes,
            },
          },
        ),
        true,
      );
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
    this.#sawFrame = true;
    this.#readCancelTo(env);
    for (const step of this.#reassembler.push(env, messageBytes(msg))) {
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
        this.#push(toStreamFrame(frame, resultOf), step.bytes);
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
      this.#fail(
        new AgentTimeoutError(`stream from ${JSON.stringify(this.#target)}: no frame for ${this.#idleMs} ms`, {
          details: { target: this.#target, idleTimeoutMs: this.#idleMs, requestId: this.requestId, nextSeq: this.#reassembler.nextSeq },
        }),
        true,
      );
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

  /**
   * Sends agent.stream.cancel to the server's announced cancel address. Before any frame
   * came: to the early-cancel subject of the request at once (servers of this runtime listen
   * there while the handler runs), and to the announced address should a first frame still
   * come within a grace period (a server that had not subscribed yet, or an older one). A
   * stream whose frames announced no address is served by a deployed SDK: nothing is sent.
   */
  #cancel(reason: string): void {
    if (this.#cancelTo === undefined) {
      if (this.#cancelPending === undefined && !this.#released) {
        this.#cancelPending = reason;
        this.#cancelTimer = setTimeout(() => this.#release(), Math.min(this.#idleMs, CANCEL_GRACE_MS));
        if (!this.#sawFrame) this.#sendEarlyCancel(reason, EARLY_CANCEL_RESEND_MS);
      }
      return;
    }
    const subject = this.#cancelTo;
    this.#cancelPending = undefined;
    this.#release();
    this.#sendCancel(subject, reason);
  }

  /** Sends the early cancel, and again after `nextMs` (doubling) while no address is known. */
  #sendEarlyCancel(reason: string, nextMs: number): void {
    this.#sendCancel(this.#earlyCancelTo, reason);
    this.#earlyTimer = setTimeout(() => {
      this.#earlyTimer = undefined;
      if (this.#cancelPending !== undefined) this.#sendEarlyCancel(reason, nextMs * 2);
    }, nextMs);
  }

  #sendCancel(subject: string, reason: string): void {
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
    if (this.#earlyTimer !== undefined) clearTimeout(this.#earlyTimer);
    this.#cancelTimer = undefined;
    this.#earlyTimer = undefined;
    this.#core.inbox.close(this.#route.token);
    this.#core.pending.delete(this);
  }
}
