/**
 * The server side of a stream: a {@link StreamWriter} publishing frames to the request's
 * `reply_to` with one seq counter from 0, and the registry that turns an inbound
 * `agent.stream.cancel` into the handler's AbortSignal. The first frame of every stream
 * carries `metadata["acp.stream.cancel_to"]`: where this bus listens for cancels.
 */
import type { Envelope, ResponseDeltaPayload } from "../../generated/ts/types.js";
import type { PayloadOf } from "../../generated/ts/event-map.js";
import { EVENT_TYPES, MetadataKey, TERMINAL_EVENT_TYPES } from "../../generated/ts/constants.js";
import { CanceledError, InvalidRequestError } from "../../generated/ts/errors.js";
import type { TransportMessage } from "../transport/types.js";
import { sentVoid, type BusCore } from "./core.js";
import { isEmpty } from "./handlers.js";
import { LazyInbox } from "./inbox.js";
import { errorPayload, inheritMetadata, replyInit, resultPayload, toAcpError } from "./replies.js";
import type { FinalFrameOptions, FrameOptions, OutboundCall, StreamWriter } from "./types.js";

/** Listens for agent.stream.cancel on one inbox subject; aborts the matching stream. */
export class CancelRegistry {
  readonly #core: BusCore;
  readonly #streams = new Map<string, AbortController>();
  readonly #inbox: LazyInbox;

  constructor(core: BusCore) {
    this.#core = core;
    this.#inbox = new LazyInbox(core.transport, false, (msg) => this.#onCancel(msg));
  }

  /** Registers a running stream; returns the cancel subject to announce. */
  add(requestId: string, controller: AbortController): string {
    const subject = this.#inbox.subject;
    this.#streams.set(requestId, controller);
    return subject;
  }

  remove(requestId: string): void {
    this.#streams.delete(requestId);
  }

  dispose(): Promise<void> {
    this.#streams.clear();
    return this.#inbox.close();
  }

  #onCancel(msg: TransportMessage): void {
    const inbound = this.#core.gate.decodeMessage(msg);
    if (!inbound.ok) return;
    const env = inbound.envelope;
    if (env.event_type !== "agent.stream.cancel" || typeof env.correlation_id !== "string") return;
    const c = this.#streams.get(env.correlation_id);
    if (c === undefined) return;
    this.#streams.delete(env.correlation_id);
    const reason = (env.payload as { reason?: unknown } | undefined)?.reason;
    this.#core.log.debug({ requestId: env.correlation_id, reason }, "stream canceled by the client");
    c.abort(new CanceledError(`stream canceled by the client${typeof reason === "string" ? `: ${reason}` : ""}`, {
      details: { requestId: env.correlation_id, from: env.from },
    }));
  }
}

const FINAL_PHASES: readonly string[] = EVENT_TYPES["agent.response.final"].allowedPhases;

/** Writes the frames of one stream. */
export class Writer implements StreamWriter {
  readonly signal: AbortSignal;
  readonly #core: BusCore;
  readonly #request: Envelope;
  readonly #replyTo: string;
  readonly #replyMetadata: Record<string, unknown>;
  readonly #cancelTo: string;
  readonly #call: OutboundCall;
  #seq = 0;
  #ended = false;

  constructor(core: BusCore, request: Envelope, replyTo: string, replyMetadata: Record<string, unknown>, signal: AbortSignal, cancelTo: string) {
    this.#core = core;
    this.#request = request;
    this.#replyTo = replyTo;
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
      return Promise.reject(new InvalidRequestError(`phase ${JSON.stringify(phase)} is not allowed on agent.response.final (allowed: ${FINAL_PHASES.join(", ")})`, {
        details: { phase, allowed: FINAL_PHASES },
      }));
    }
    return this.#frame("agent.response.final", resultPayload(result), true, opts, phase);
  }

  error(err: unknown, opts?: FrameOptions): Promise<void> {
    return this.#frame("agent.response.error", errorPayload(toAcpError(err), this.#request), true, opts);
  }

  event<T extends string>(eventType: T, payload: PayloadOf<T>, opts?: FrameOptions): Promise<void> {
    if (typeof eventType !== "string" || eventType === "" || TERMINAL_EVENT_TYPES.has(eventType)) {
      const why = eventType === "" || typeof eventType !== "string" ? "an event frame needs a non-empty event type" : `${eventType} is terminal and would end the stream; end it with final() or error()`;
      return Promise.reject(new InvalidRequestError(why, { details: { eventType } }));
    }
    return this.#frame(eventType, payload, false, opts);
  }

  #frame(eventType: string, payload: unknown, final: boolean, opts: FrameOptions | undefined, phase?: string): Promise<void> {
    // After the terminal frame, or once the client canceled, nothing more is sent.
    if (this.#ended || this.signal.aborted) return Promise.resolve();
    if (final) this.#ended = true;
    const seq = this.#seq++;
    let metadata: Record<string, unknown> | undefined;
    if (seq === 0) metadata = { ...inheritMetadata(this.#request.metadata, this.#replyMetadata, opts?.metadata), [MetadataKey.STREAM_CANCEL_TO]: this.#cancelTo };
    else if (opts?.metadata !== undefined || this.#request.metadata !== undefined || !isEmpty(this.#replyMetadata)) {
      metadata = inheritMetadata(this.#request.metadata, this.#replyMetadata, opts?.metadata);
    }
    const init = replyInit(this.#request, this.#core.agentId, metadata, eventType, payload, seq, final);
    if (phase !== undefined) init.phase = phase as Envelope["phase"];
    const env = this.#core.envelope(init);
    return sentVoid(this.#core.send(env, this.#call));
  }
}
