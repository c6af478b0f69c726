/**
 * HTTP for the A2A client: fetch with errors that say what happened (unreachable →
 * TransportFailureError, too late → AgentTimeoutError) and bounded reads of what an agent
 * answers (a body, the bytes between two SSE events: {@link A2aClientOptions.maxResponseBytes}).
 */
import { AgentTimeoutError, TransportFailureError } from "../../generated/ts/errors.js";
import { a2aErrors, isA2aError, type A2aError } from "./errors.js";

export interface A2aClientOptions {
  /** Extra headers on every request (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Per unary call (and card fetch), ms. Default 30,000. */
  timeoutMs?: number;
  /**
   * Bytes one answer may have: a card, a unary JSON-RPC response, one SSE event (the bytes
   * between two events). Past it the answer is INVALID_AGENT_RESPONSE and the connection is
   * dropped. Default {@link A2A_CLIENT_MAX_RESPONSE_BYTES}.
   */
  maxResponseBytes?: number;
}

/** Default of {@link A2aClientOptions.maxResponseBytes}: 4 MiB, the server's own body limit. */
export const A2A_CLIENT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * The body of a unary answer, at most `maxResponseBytes` (else INVALID_AGENT_RESPONSE, the body
 * canceled); the timeout firing while it is read is an AgentTimeoutError too.
 */
export async function readBody(res: Response, what: string, opts: A2aClientOptions, signal: AbortSignal | undefined): Promise<string> {
  const max = opts.maxResponseBytes ?? A2A_CLIENT_MAX_RESPONSE_BYTES;
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(what, max);
  }
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(what, max);
      }
      chunks.push(value);
    }
  } catch (err: unknown) {
    if (isA2aError(err) || signal?.aborted) throw err;
    if (err instanceof Error && err.name === "TimeoutError")
      throw new AgentTimeoutError(`${what}: no answer within ${opts.timeoutMs ?? 30_000} ms`, { cause: err });
    throw new TransportFailureError(`${what}: the connection broke while reading the answer: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(what: string, max: number): A2aError {
  return a2aErrors.invalidAgentResponse(`${what}: the answer is over ${max} bytes (maxResponseBytes)`);
}

/**
 * `body` with a bound on the bytes between two SSE events: `eventSeen()` resets the count;
 * past `max` the stream errors with INVALID_AGENT_RESPONSE (an event that never ends cannot
 * grow the parser's buffer without bound).
 */
export function boundedEvents(body: ReadableStream<Uint8Array>, what: string, max: number): { stream: ReadableStream<Uint8Array>; eventSeen(): void } {
  let pending = 0;
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        pending += chunk.byteLength;
        if (pending > max) ctl.error(a2aErrors.invalidAgentResponse(`${what}: an SSE event over ${max} bytes (maxResponseBytes)`));
        else ctl.enqueue(chunk);
      },
    }),
  );
  return { stream, eventSeen: () => void (pending = 0) };
}

/** The body's start, for error messages. */
export function truncate(text: string): string {
  const t = text.trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/**
 * `fetch` whose failures say what happened: no connection → TransportFailureError, the timeout
 * → AgentTimeoutError; an abort by the caller's signal is rethrown as it is.
 */
export async function fetchOrFail(
  what: string,
  url: URL | string,
  init: RequestInit,
  timeoutMs: number | null | undefined,
  signal?: AbortSignal,
): Promise<Response> {
  const ms = timeoutMs === null ? undefined : (timeoutMs ?? 30_000);
  const timeout = ms === undefined ? undefined : AbortSignal.timeout(ms);
  const signals = [signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  try {
    return await fetch(url, { ...init, ...(signals.length === 0 ? {} : { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) }) });
  } catch (err: unknown) {
    if (signal?.aborted) throw err;
    if (timeout?.aborted) throw new AgentTimeoutError(`${what}: no answer within ${ms} ms`, { cause: err });
    const cause =
      err instanceof Error && err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err instanceof Error ? err.message : String(err);
    throw new TransportFailureError(`cannot reach ${what}: ${cause}`, { cause: err });
  }
}
