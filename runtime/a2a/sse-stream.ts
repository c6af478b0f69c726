/**
 * One A2A event stream written as SSE, for the JSON-RPC and HTTP+JSON bindings alike: each
 * event framed by the binding, backpressure from the socket (a full buffer pauses the task's
 * queue, which pauses the bus read), a heartbeat comment, the iterator returned when the client
 * leaves, and a failure after the stream opened written as one `event: error`.
 */
import type { FastifyReply } from "fastify";
import type { StreamResponse } from "../../generated/a2a/index.js";
import { SseResponse } from "../gateway/sse.js";
import { sseEvent } from "./jsonrpc.js";

/** How a binding frames the stream: the data of each event, and of the error that ends it. */
export interface SseFraming {
  event(ev: StreamResponse): unknown;
  error(err: unknown): unknown;
}

/** Streams `events` on `reply` (hijacked) until they end, the client leaves or they fail. */
export async function pipeSse(reply: FastifyReply, events: AsyncIterable<StreamResponse>, heartbeatMs: number, framing: SseFraming): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  const sse = new SseResponse(raw, { heartbeatMs, heartbeatText: "keep-alive" });
  sse.open({});
  const it = events[Symbol.asyncIterator]();
  const onClose = (): void => void it.return?.();
  raw.on("close", onClose);
  try {
    for (;;) {
      const next = await it.next();
      if (next.done || sse.isEnded) break;
      if (!sse.write(sseEvent(framing.event(next.value)))) await sse.drained();
    }
  } catch (err: unknown) {
    if (!sse.isEnded) sse.write(sseEvent(framing.error(err), "error"));
  } finally {
    raw.off("close", onClose);
    await it.return?.();
    sse.end();
  }
}
