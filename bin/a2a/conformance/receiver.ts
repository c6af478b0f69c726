/**
 * A real local HTTP receiver for webhook checks: records every POST (path, headers, JSON
 * body) and can answer the first N requests with 503 to prove redelivery.
 */
import { createServer, type Server } from "node:http";

export interface ReceivedHook {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
  /** The status the receiver answered. */
  readonly status: number;
}

export interface WebhookReceiver extends AsyncDisposable {
  /** Base URL, http://127.0.0.1:port */
  readonly url: string;
  readonly received: readonly ReceivedHook[];
  /** Answers the next `n` requests to `path` with 503. */
  failNext(path: string, n: number): void;
  /** Resolves with the first hook (already received or future) matching `pred`. */
  waitFor(pred: (h: ReceivedHook) => boolean): Promise<ReceivedHook>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const failures = new Map<string, number>();
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const left = failures.get(path) ?? 0;
      const status = left > 0 ? 503 : 200;
      if (left > 0) failures.set(path, left - 1);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = undefined;
      }
      received.push({ path, authorization: req.headers.authorization, contentType: req.headers["content-type"], body, status });
      res.writeHead(status).end();
      waiters.forEach((w) => {
        w();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext: (path, n) => void failures.set(path, n),
    waitFor: (pred) =>
      new Promise((resolve) => {
        const check = (): void => {
          const hit = received.find(pred);
          if (hit !== undefined) {
            waiters.delete(check);
            resolve(hit);
          }
        };
        waiters.add(check);
        check();
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
