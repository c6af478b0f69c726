/**
 * One bus stream seen through HTTP: pumps the {@link StreamCall}'s frames into SSE chunks,
 * writes them to the attached response (with backpressure), and keeps the most recent ones
 * for a short window so a client that lost its connection can resume with `Last-Event-ID`.
 *
 * Lifecycle: a client disconnect detaches the response; with retention off the bus stream
 * is closed at once (the server's handler is told through agent.stream.cancel), with it on
 * the stream runs on, buffered, for `windowMs` waiting for a resume, then it is closed. A
 * finished stream stays resumable for `windowMs` from its end, however many times it is
 * resumed meanwhile (a resume never extends it). See spec/gateway.md "Streams".
 */
import type { Envelope } from "../../generated/ts/types.js";
import { AcpError, CanceledError, errorFromCode } from "../../generated/ts/errors.js";
import type { StreamCall } from "../bus/types.js";
import { sseEvent, type SseResponse } from "./sse.js";

interface Frame {
  readonly id: string;
  readonly chunk: string;
}

/** How the stream began: a first frame, or an error before any frame (answered as an HTTP status). */
export type FirstOutcome = { kind: "frame" } | { kind: "error"; error: AcpError };

/** Options of a {@link StreamSession}. */
export interface StreamSessionOptions {
  /** Tenant the stream belongs to (resume is refused to any other). */
  tenant: string | undefined;
  target: string;
  /** Frames kept for resume (0 = no resume). */
  retainFrames: number;
  /** Bytes (UTF-16 code units of SSE text) kept for resume. */
  retainBytes: number;
  /** How long a disconnected or finished stream stays resumable, ms. */
  windowMs: number;
  /** The error frame written when the stream fails locally after the response was committed. */
  errorEnvelope: (error: AcpError) => Envelope;
  /** Called once when the session is gone (closed and no longer resumable). */
  onGone: (session: StreamSession) => void;
  /** Called for each retained frame id (for the resume index). */
  onRetained: (id: string, session: StreamSession) => void;
  /** Called for each frame id dropped from retention. */
  onForgotten: (id: string) => void;
}

/** A bus stream pumped into SSE. */
export class StreamSession {
  readonly requestId: string;
  readonly tenant: string | undefined;
  readonly target: string;
  /** Resolves with the first frame or the first error. */
  readonly first: Promise<FirstOutcome>;
  readonly #call: StreamCall;
  readonly #opts: StreamSessionOptions;
  readonly #retain: boolean;
  /** Frames not yet written (no retention), or the most recent ones (retention). */
  #frames: Frame[] = [];
  /** Index in #frames of the next frame to write to the response. */
  #next = 0;
  /** Size of the retained frames. */
  #bytes = 0;
  /** True when frames were dropped from the front of a retained buffer. */
  #trimmed = false;
  #res: SseResponse | undefined;
  #everAttached = false;
  #ended = false;
  #gone = false;
  #gotFirst = false;
  #resolveFirst!: (o: FirstOutcome) => void;
  /** Running and detached: closes the bus stream when no resume comes within the window. */
  #resumeTimer: NodeJS.Timeout | undefined;
  /** Ended: forgets the session when the window after its end is over (set once, never cleared by a resume). */
  #goneTimer: NodeJS.Timeout | undefined;
  /** Resolves once the pump loop has finished. */
  readonly done: Promise<void>;

  constructor(call: StreamCall, opts: StreamSessionOptions) {
    this.#call = call;
    this.#opts = opts;
    this.requestId = call.requestId;
    this.tenant = opts.tenant;
    this.target = opts.target;
    this.#retain = opts.retainFrames > 0 && opts.windowMs > 0;
    this.first = new Promise((resolve) => (this.#resolveFirst = resolve));
    this.done = this.#pump();
  }

  /** True once the bus stream is over (terminal frame or failure). */
  get ended(): boolean {
    return this.#ended;
  }

  /** True while a response is attached. */
  get attached(): boolean {
    return this.#res !== undefined;
  }

  /** Where a resume after `lastEventId` starts in the buffer, or -1 when it cannot resume from there. */
  #resumeIndex(lastEventId: string | undefined): number {
    if (lastEventId === undefined) return 0;
    if (lastEventId === this.requestId) return this.#trimmed ? -1 : 0;
    const at = this.#frames.findIndex((f) => f.id === lastEventId);
    return at < 0 ? -1 : at + 1;
  }

  /** True when a client that saw `lastEventId` can resume here (check before committing a response). */
  canResume(lastEventId: string): boolean {
    return this.#retain && this.#resumeIndex(lastEventId) >= 0;
  }

  /**
   * Attaches a response (the first one, or a resume) and writes what it has not seen:
   * every buffered frame, or those after `lastEventId`. Returns false when `lastEventId`
   * is not retained (the caller answers 410). A previous response is ended (taken over).
   */
  attach(res: SseResponse, lastEventId?: string): boolean {
    const from = this.#resumeIndex(lastEventId);
    if (from < 0) return false;
    this.#stopResumeTimer();
    const previous = this.#res;
    this.#res = res;
    this.#everAttached = true;
    if (previous !== undefined && previous !== res) previous.end();
    for (let i = from; i < this.#frames.length; i++) res.write(this.#frames[i]!.chunk);
    this.#next = this.#frames.length;
    if (!this.#retain) {
      this.#frames = [];
      this.#next = 0;
    }
    if (this.#ended) this.#finishResponse();
    return true;
  }

  /** The client of `res` went away before the stream was over. */
  detach(res: SseResponse): void {
    if (this.#res !== res) return;
    this.#res = undefined;
    if (this.#ended) return;
    if (!this.#retain) {
      void this.#call.close("HTTP client disconnected");
      return;
    }
    this.#resumeTimer = setTimeout(() => {
      this.#resumeTimer = undefined;
      void this.#call.close(`HTTP client did not resume within ${this.#opts.windowMs} ms`);
    }, this.#opts.windowMs);
  }

  /** Stops everything now (gateway shutdown). */
  async close(): Promise<void> {
    this.#stopResumeTimer();
    if (this.#goneTimer !== undefined) clearTimeout(this.#goneTimer);
    this.#goneTimer = undefined;
    await this.#call.close("gateway closing");
    this.#res?.end();
    this.#res = undefined;
    await this.done;
    this.#setGone();
  }

  async #pump(): Promise<void> {
    try {
      for await (const frame of this.#call) {
        let env = frame.envelope;
        if (env === undefined) {
          // a local failure (timeout, overflow, NO_HANDLER, refused send): no frame to forward
          const error = (frame as { error: AcpError }).error;
          if (this.#failFirst(error)) break;
          env = this.#opts.errorEnvelope(error);
        }
        await this.#deliverEnvelope(env);
      }
    } catch (err: unknown) {
      // yieldErrors is on, so this is unexpected; treat it as a local failure
      const error = err instanceof AcpError ? err : errorFromCode("AGENT_UNAVAILABLE", err instanceof Error ? err.message : String(err), { cause: err });
      if (!this.#failFirst(error)) await this.#deliverEnvelope(this.#opts.errorEnvelope(error));
    }
    this.#ended = true;
    this.#stopResumeTimer();
    // closed before anything came (client gone or gateway closing)
    if (!this.#gotFirst) this.#failFirst(new CanceledError("stream closed before its first frame"));
    this.#finishResponse();
    if (this.#retain && this.#frames.length > 0) {
      this.#goneTimer = setTimeout(() => {
        this.#goneTimer = undefined;
        this.#setGone();
      }, this.#opts.windowMs);
    } else {
      this.#setGone();
    }
  }

  /** Settles {@link first} with `error` when no frame came yet (true); false once one did. */
  #failFirst(error: AcpError): boolean {
    if (this.#gotFirst) return false;
    this.#gotFirst = true;
    this.#resolveFirst({ kind: "error", error });
    return true;
  }

  /** True while the retained frames are over either bound. */
  #overBound(): boolean {
    return this.#frames.length > this.#opts.retainFrames || this.#bytes > this.#opts.retainBytes;
  }

  #deliverEnvelope(env: Envelope): Promise<void> {
    return this.#deliver({ id: env.event_id, chunk: sseEvent(env.event_type, env.event_id, JSON.stringify(env)) });
  }

  async #deliver(frame: Frame): Promise<void> {
    this.#frames.push(frame);
    if (this.#retain) {
      this.#opts.onRetained(frame.id, this);
      this.#bytes += frame.chunk.length;
      // drop the oldest frames already written while over either bound
      while (this.#overBound() && this.#next > 0) {
        const old = this.#frames.shift()!;
        this.#bytes -= old.chunk.length;
        this.#opts.onForgotten(old.id);
        this.#next--;
        this.#trimmed = true;
      }
      if (this.#overBound() && this.#res === undefined && this.#everAttached) {
        // nobody reads and the buffer is full: give up rather than grow without bound
        void this.#call.close("HTTP client gone and the resume buffer is full");
      }
    }
    if (!this.#gotFirst) {
      this.#gotFirst = true;
      this.#resolveFirst({ kind: "frame" });
    }
    const res = this.#res;
    if (res === undefined) return;
    let ok = true;
    while (this.#next < this.#frames.length) ok = res.write(this.#frames[this.#next++]!.chunk);
    if (!this.#retain) {
      this.#frames = [];
      this.#next = 0;
    }
    if (!ok) await res.drained();
  }

  #stopResumeTimer(): void {
    if (this.#resumeTimer !== undefined) clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
  }

  #finishResponse(): void {
    if (!this.#ended || this.#res === undefined) return;
    this.#res.end();
    this.#res = undefined;
  }

  #setGone(): void {
    if (this.#gone) return;
    this.#gone = true;
    if (this.#retain) for (const f of this.#frames) this.#opts.onForgotten(f.id);
    // frames not yet written stay until the first response attaches (a stream that ended before it)
    if (this.#everAttached) this.#frames = [];
    this.#opts.onGone(this);
  }
}
