/**
 * Reading a Server-Sent Events body as it arrives: `eventsource-parser` fed from the
 * body's reader, one message at a time. Shared by the HTTP clients (gateway, A2A).
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

/**
 * The SSE messages of `body`, in order, each yielded as soon as its bytes are in.
 * `onComment` sees every comment line (heartbeats). Ends when the body ends; the reader's
 * lock is released when the iteration stops, for whatever reason, so the caller may still
 * `body.cancel()` a stream it abandons.
 */
export async function* sseMessages(body: ReadableStream<Uint8Array>, onComment?: (comment: string) => void): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e), onComment });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) yield queue.shift()!;
    }
  } finally {
    reader.releaseLock();
  }
}
