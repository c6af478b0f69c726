/**
 * One webhook POST to a checked target ({@link resolveWebhookTarget}): the connection goes to
 * the address that was checked, never to a fresh DNS answer. node:http(s) takes a `lookup`
 * that answers the checked address, while the URL keeps the host name, so the Host header and
 * TLS SNI (and certificate checks) still name the host. No connection pooling (a pooled
 * socket may have been opened to an address checked earlier) and no redirects.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupAddress } from "node:dns";
import { isIP } from "node:net";
import type { WebhookTarget } from "./ssrf.js";

/** Longest response body read (and discarded) before the connection is dropped: a webhook's answer is its status. */
const MAX_RESPONSE_BYTES = 64 * 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for node:net that always answers `target`'s checked address. */
export function pinnedLookup(target: WebhookTarget): (host: string, opts: { all?: boolean }, cb: LookupCallback) => void {
  return (_host, opts, cb) => {
    if (opts.all === true) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
}

/** POSTs `body` to the checked target; resolves with the response status. Rejects on network errors and on `signal`. */
export function postToTarget(target: WebhookTarget, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number> {
  const https = target.url.protocol === "https:";
  const options: RequestOptions & { servername?: string } = {
    method: "POST",
    headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
    agent: false,
    lookup: pinnedLookup(target) as unknown as RequestOptions["lookup"],
    signal,
    ...(https && isIP(target.host) === 0 ? { servername: target.host } : {}),
  };
  return new Promise<number>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(target.url, options, (res: IncomingMessage) => {
      let seen = 0;
      res.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > MAX_RESPONSE_BYTES) res.destroy();
      });
      res.on("error", () => resolve(res.statusCode ?? 0));
      res.on("close", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}
