/**
 * The gateway's live and resumable streams: finds a stream by a `Last-Event-ID` (any
 * retained frame's event_id, or the stream's request id from `X-Stream-Id`), bounds how
 * many are kept, and closes them all at shutdown.
 */
import type { Envelope } from "../../generated/ts/types.js";
import type { AcpError } from "../../generated/ts/errors.js";
import type { StreamCall } from "../bus/types.js";
import { StreamSession } from "./stream-session.js";

/** Resume settings (spec/gateway.md "Streams"). */
export interface ResumeOptions {
  /** How long a disconnected or finished stream stays resumable, ms (default 5,000; 0 = no resume). */
  windowMs?: number;
  /** Frames kept per stream (default 1,024). */
  retainFrames?: number;
  /** Characters of SSE text kept per stream (default 262,144: 256 Ki). */
  retainBytes?: number;
  /** Streams kept at once; past it new streams are not resumable (default 1,000). */
  maxStreams?: number;
}

export class StreamStore {
  readonly #sessions = new Set<StreamSession>();
  readonly #byId = new Map<string, StreamSession>();
  readonly windowMs: number;
  readonly #retainFrames: number;
  readonly #retainBytes: number;
  readonly #maxStreams: number;
  /** Sessions opened as resumable and not gone yet. */
  #resumable = 0;

  constructor(opts: ResumeOptions | false) {
    this.windowMs = opts === false ? 0 : (opts.windowMs ?? 5_000);
    this.#retainFrames = opts === false ? 0 : (opts.retainFrames ?? 1_024);
    this.#retainBytes = opts === false ? 0 : (opts.retainBytes ?? 262_144);
    this.#maxStreams = opts === false ? 0 : (opts.maxStreams ?? 1_000);
  }

  /** Streams pumping or resumable now. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Streams whose bus stream is still running. */
  get active(): number {
    let n = 0;
    for (const s of this.#sessions) if (!s.ended) n++;
    return n;
  }

  /** Starts pumping `call` into a new session. */
  open(call: StreamCall, init: { tenant: string | undefined; target: string; errorEnvelope: (e: AcpError) => Envelope }): StreamSession {
    const resumable = this.windowMs > 0 && this.#retainFrames > 0 && this.#resumable < this.#maxStreams;
    const session = new StreamSession(call, {
      tenant: init.tenant,
      target: init.target,
      retainFrames: resumable ? this.#retainFrames : 0,
      retainBytes: this.#retainBytes,
      windowMs: resumable ? this.windowMs : 0,
      errorEnvelope: init.errorEnvelope,
      onGone: (s) => {
        this.#sessions.delete(s);
        if (this.#byId.get(s.requestId) === s) this.#byId.delete(s.requestId);
        if (resumable) this.#resumable--;
      },
      onRetained: (id, s) => this.#byId.set(id, s),
      onForgotten: (id) => this.#byId.delete(id),
    });
    this.#sessions.add(session);
    if (resumable) {
      this.#byId.set(session.requestId, session);
      this.#resumable++;
    }
    return session;
  }

  /** The session a Last-Event-ID belongs to, if it is still retained. */
  find(lastEventId: string): StreamSession | undefined {
    return this.#byId.get(lastEventId);
  }

  /** Closes every session (gateway shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => s.close()));
    this.#sessions.clear();
    this.#byId.clear();
    this.#resumable = 0;
  }
}
