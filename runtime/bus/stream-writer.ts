/**
 * The server side of a stream: a {@link StreamWriter} publishing frames to the request's
 * `reply_to` with one seq counter from 0, and the registry that turns an inbound
 * `agent.stream.cancel` into the handler's AbortSignal. The first frame of every stream
 * carries `metadata["acp.stream.cancel_to"]`: where this bus listens for cancels. A request
 * that names `metadata["acp.stream.early_cancel"]` (exactly `<reply_to>.cancel`) is also
 * listened for there while its handler runs, so a client that gives up before the first
 * frame reaches the handler in one round trip.
 *
 * The writer hands the event loop a turn every {@link YIELD_EVERY} frames: a handler that
 * writes in a loop of resolved sends would otherwise starve the socket reads that carry
 * the cancel, and write every frame it had before it learns the client is gone.
 */
import type { Envelope, ResponseDeltaPayload } from "../../generated/ts/types.js";
import type { PayloadOf } from "../../generated/ts/event-map.js";
import { EVENT_TYPES, MetadataKey, TERMINAL_EVENT_TYPES } from "../../generated/ts/constants.js";
import { CanceledError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import type { TransportMessage, TransportSubscription } from "../transport/types.js";
import { sentVoid, type BusCore } from "./core.js";
import { isEmpty } from "./handlers.js";
import { LazyInbox } from "./inbox.js";
import { subjectProblem } from "../transport/subject.js";
import { errorPayload, inheritMetadata, resultPayload, toAcpError } from "./replies.js";
import type { FinalFrameOptions, FrameOptions, OutboundCall, StreamWriter } from "./types.js";

/** Listens for agent.stream.cancel on one inbox subject; aborts the matching stream. */
export class CancelRegistry {
  readonly #core: BusCore;
  readonly #streams = new Map<string, AbortController>();
  /** Early-cancel subscriptions by request id (one per running stream whose client asked). */
  readonly #early = new Map<string, TransportSubscription>();
  readonly #inbox: LazyInbox;

  constructor(core: BusCore) {
    this.#core = core;
    this.#inbox = new LazyInbox(core.transport, false, (msg) => this.#onCancel(msg));
  }

  /**
   * Registers a running stream; returns the cancel subject to announce. With `request`, also
   * listens on its early-cancel subject when it names one bound to its reply_to.
   */
  add(requestId: string, controller: AbortController, request?: Envelope): string {
    const subject = this.#inbox.subject;
    this.#streams.set(requestId, controller);
    const early = request === undefined ? undefined : earlyCancelSubject(request);
    if (early !== undefined && !this.#early.has(requestId)) {
      try {
        this.#early.set(
          requestId,
          this.#core.transport.subscribe(early, {}, (msg) => this.#onCancel(msg)),
        );
      } catch (err: unknown) {
        // the announced cancel_to still works; only the early path is lost
        this.#core.log.warn({ subject: early, reason: err instanceof Error ? err.message : String(err) }, "could not listen for an early stream cancel");
      }
    }
    return subject;
  }

  remove(requestId: string): void {
    this.#streams.delete(requestId);
    this.#unlisten(requestId);
  }

  /** Subscriptions open for early cancels (for tests and stats). */
  get earlyListeners(): number {
    return this.#early.size;
  }

  dispose(): Promise<void> {
    this.#streams.clear();
    for (const id of [...this.#early.keys()]) this.#unlisten(id);
    return this.#inbox.close();
  }

  #unlisten(requestId: string): void {
    const sub = this.#early.get(requestId);
    if (sub === undefined) return;
    this.#early.delete(requestId);
    sub.unsubscribe();
  }

  #onCancel(msg: TransportMessage): void {
    const inbound = this.#core.gate.decodeMessage(msg);
    if (!inbound.ok) return;
    const env = inbound.envelope;
    if (env.event_type !== "agent.stream.cancel" || typeof env.correlation_id !== "string") return;
    const c = this.#streams.get(env.correlation_id);
    if (c === undefined) return;
    this.#streams.delete(env.correlation_id);
    this.#unlisten(env.correlation_id);
    const reason = (env.payload as { reason?: unknown } | undefined)?.reason;
    this.#core.log.debug({ requestId: env.correlation_id, reason }, "stream canceled by the client");
    c.abort(
      new CanceledError(`stream canceled by the client${typeof reason === "string" ? `: ${reason}` : ""}`, {
        details: { requestId: env.correlation_id, from: env.from },
      }),
    );
  }
}

/**
 * The early-cancel subject a request names, when it is exactly `<reply_to>.cancel` (so a
 * request can make the server listen only under its own reply subject, nowhere else).
 */
function earlyCancelSubject(request: Envelope): string | undefined {
  const early = request.metadata?.[MetadataKey.STREAM_EARLY_CANCEL];
  const replyTo = request.reply_to;
  if (typeof early !== "string" || typeof replyTo !== "string" || replyTo.length === 0) return undefined;
  return early === `${replyTo}.cancel` && subjectProblem(early, "publish") === undefined ? early : undefined;
}

const FINAL_PHASES: readonly string[] = EVENT_TYPES["agent.response.final"].allowedPhases;

/** Frames a writer sends before it hands the event loop a turn (so inbound cancels are read). */
export const YIELD_EVERY = 32;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Writes the frames of one stream. */
export class Writer implements StreamWriter {
  readonly signal: AbortSignal;
  readonly #core: BusCore;
  readonly #request: Envelope;
  readonly #replyMetadata: Record<string, unknown>;
  readonly #cancelTo: string;
  readonly #call: OutboundCall;
  #seq = 0;
  #ended = false;
  #sinceYield = 0;

  constructor(core: BusCore, request: Envelope, replyTo: string, replyMetadata: Record<string, unknown>, signal: AbortSignal, cancelTo: string) {
    this.#core = core;
    this.#request = request;
    this.#replyMetadata = replyMetadata;
    this.signal = signal;
    this.#cancelTo = cancelTo;
    this.#call = { kind: "frame", subject: replyTo, timeoutMs: undefined, signal, bus: core.bus };
  }

  get ended(): boolean {
    return this.#ended;
  }

  started(meta?: Record<string, unknown>, opts?: FrameOptions): Promise<void> {
    return this.#frame("agent.response.started", meta === undefined ? {} : { meta }, false, opts);
  }

  delta(piece: string | ResponseDeltaPayload, opts?: FrameOptions): Promise<void> {
    return this.#frame("agent.response.delta", typeof piece === "string" ? { delta: piece } : piece, false, opts);
  }

  final(result?: unknown, opts?: FinalFrameOptions): Promise<void> {
    const phase = opts?.phase;
    if (phase !== undefined && !FINAL_PHASES.includes(phase)) {
      return Promise.reject(invalidArgument("StreamWriter.final", "opts.phase", phase, `a phase agent.response.final allows (${FINAL_PHASES.join(", ")})`));
    }
    return this.#frame("agent.response.final", resultPayload(result), true, opts, phase);
  }

  error(err: unknown, opts?: FrameOptions): Promise<void> {
    return this.#frame("agent.response.error", errorPayload(toAcpError(err), this.#request), true, opts);
  }

  event<T extends string>(eventType: T, payload: PayloadOf<T>, opts?: FrameOptions): Promise<void> {
    if (typeof eventType !== "string" || eventType === "" || TERMINAL_EVENT_TYPES.has(eventType)) {
      return Promise.reject(
        invalidArgument(
          "StreamWriter.event",
          "eventType",
          eventType,
          "a non-empty, non-terminal event type (a terminal one would end the stream: end it with final() or error())",
        ),
      );
    }
    return this.#frame(eventType, payload, false, opts);
  }

  #frame(eventType: string, payload: unknown, final: boolean, opts: FrameOptions | undefined, phase?: string): Promise<void> {
    // After the terminal frame, or once the client canceled, nothing more is sent.
    if (this.#ended || this.signal.aborted) return Promise.resolve();
    if (final) this.#ended = true;
    const seq = this.#seq++;
    let metadata: Record<string, unknown> | undefined;
    if (seq === 0)
      metadata = { ...inheritMetadata(this.#request.metadata, this.#replyMetadata, opts?.metadata), [MetadataKey.STREAM_CANCEL_TO]: this.#cancelTo };
    else if (opts?.metadata !== undefined || this.#request.metadata !== undefined || !isEmpty(this.#replyMetadata)) {
      metadata = inheritMetadata(this.#request.metadata, this.#replyMetadata, opts?.metadata);
    }
    const env = this.#core.factory.frame(this.#request, this.#core.agentId, metadata, eventType, payload, final, seq, phase);
    const sent = sentVoid(this.#core.send(env, this.#call));
    if (final || ++this.#sinceYield < YIELD_EVERY) return sent;
    this.#sinceYield = 0;
    return sent.then(nextTurn);
  }
}
