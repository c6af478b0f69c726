/**
 * Server-Sent Events on a raw Node response (WHATWG HTML "Server-sent events"): one event
 * per stream frame as `event: <event_type>` / `id: <event_id>` / `data: <envelope JSON>`,
 * comment lines (`: ping`) as heartbeats while nothing else is written, and backpressure:
 * {@link SseResponse.write} reports a full socket buffer and {@link SseResponse.drained}
 * waits for it to empty.
 */
import type { ServerResponse } from "node:http";

/** SSE field values may not contain line breaks: CR and LF become spaces. */
function oneLine(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/[\r\n]/g, " ") : value;
}

/**
 * One SSE event. `data` must be one line (compact JSON is: JSON escapes line breaks
 * inside strings); a multi-line `data` is split into several `data:` lines as the format says.
 */
export function sseEvent(event: string, id: string, data: string): string {
  const body =
    data.includes("\n") || data.includes("\r")
      ? data
          .split(/\r\n|\r|\n/)
          .map((l) => `data: ${l}`)
          .join("\n")
      : `data: ${data}`;
  return `event: ${oneLine(event)}\nid: ${oneLine(id)}\n${body}\n\n`;
}

/** An SSE comment line (ignored by clients; keeps proxies from closing an idle stream). */
export function sseComment(text: string): string {
  return `: ${oneLine(text)}\n\n`;
}

/** Response headers of an event stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  // nginx and similar proxies: do not buffer the stream
  "x-accel-buffering": "no",
});

/** Options of {@link SseResponse}. */
export interface SseResponseOptions {
  /** Heartbeat comment after this many ms without a write (0 = none). */
  heartbeatMs: number;
  /** Text of the heartbeat comment (default "ping"). */
  heartbeatText?: string;
}

/** An event stream being written to one HTTP response. */
export class SseResponse {
  readonly #res: ServerResponse;
  readonly #heartbeatMs: number;
  readonly #heartbeat: string;
  #timer: NodeJS.Timeout | undefined;
  #lastWrite = 0;
  #open = false;
  #ended = false;
  #corked = false;
  /** Heartbeat comments written. */
  heartbeats = 0;

  constructor(res: ServerResponse, opts: SseResponseOptions) {
    this.#res = res;
    this.#heartbeatMs = opts.heartbeatMs;
    this.#heartbeat = sseComment(opts.heartbeatText ?? "ping");
  }

  /** True once the headers went out. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** True once the response ended or the client went away. */
  get isEnded(): boolean {
    return this.#ended || this.#res.destroyed || this.#res.writableEnded;
  }

  /** Sends the status line and headers (once) and starts the heartbeat. */
  open(headers: Readonly<Record<string, string>>): void {
    if (this.#open || this.isEnded) return;
    this.#open = true;
    this.#res.writeHead(200, { ...headers, ...SSE_HEADERS });
    this.#res.flushHeaders();
    this.#lastWrite = Date.now();
    if (this.#heartbeatMs > 0) this.#arm(this.#heartbeatMs);
  }

  /**
   * Writes one chunk; false when the socket buffer is full (wait for {@link drained}).
   * Chunks written in one run of the event loop go out together (cork until the next tick),
   * so a burst of frames costs one socket write, not one each.
   */
  write(chunk: string): boolean {
    if (this.isEnded) return true;
    this.#lastWrite = Date.now();
    if (!this.#corked) {
      this.#corked = true;
      this.#res.cork();
      process.nextTick(this.#uncork);
    }
    return this.#res.write(chunk);
  }

  #uncork = (): void => {
    this.#corked = false;
    this.#res.uncork();
  };

  /** Resolves once the socket buffer has room again, or the response is gone. */
  drained(): Promise<void> {
    if (this.isEnded || !this.#res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#res.off("drain", done);
        this.#res.off("close", done);
        resolve();
      };
      this.#res.on("drain", done);
      this.#res.on("close", done);
    });
  }

  /** Ends the response (idempotent). */
  end(): void {
    this.#stop();
    if (this.#ended) return;
    this.#ended = true;
    // end() flushes corked chunks; the pending uncork then finds nothing to do
    if (!this.#res.writableEnded && !this.#res.destroyed) this.#res.end();
  }

  /** Drops the connection without a clean end (the client sees an aborted stream). */
  destroy(): void {
    this.#stop();
    this.#ended = true;
    this.#res.destroy();
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.isEnded) return;
      const quiet = Date.now() - this.#lastWrite;
      if (quiet >= this.#heartbeatMs) {
        this.heartbeats++;
        this.write(this.#heartbeat);
        this.#arm(this.#heartbeatMs);
      } else {
        this.#arm(this.#heartbeatMs - quiet);
      }
    }, ms);
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
