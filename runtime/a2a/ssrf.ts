/**
 * SSRF guard for webhook URLs (spec: Security, push notifications): a URL whose host resolves
 * to a loopback, private, link-local, CGNAT, multicast or otherwise non-public address is
 * refused unless the server allows private targets or lists the host. Checked when a config
 * is created and again before each delivery (the name may resolve elsewhere by then).
 */
import { BlockList, isIP } from "node:net";
import { lookup } from "node:dns/promises";
import { rpcErrors } from "./errors.js";

const blocked = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blocked.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96]] as const) blocked.addSubnet(net, bits, "ipv6");

/** True for addresses a webhook must not reach by default. IPv4-mapped IPv6 is judged as IPv4. */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return blocked.check(mapped[1], "ipv4");
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, "ipv4");
  if (family === 6) return blocked.check(ip, "ipv6");
  return true;
}

export interface WebhookGuardOptions {
  /** Allow every address (tests, trusted networks). Default false. */
  allowPrivate?: boolean;
  /** Host names or literal addresses allowed even when private (e.g. "127.0.0.1"). */
  allowHosts?: readonly string[];
  /** Resolves a host to its addresses (default: the system resolver). */
  resolve?: (host: string) => Promise<string[]>;
}

async function systemResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/**
 * Resolves when `url` may receive webhooks.
 * @throws A2aRpcError InvalidParams (-32602) naming the host and why.
 */
export async function checkWebhookUrl(url: string, opts: WebhookGuardOptions = {}): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw rpcErrors.invalidParams("push notification url is not a URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw rpcErrors.invalidParams("push notification url must be http or https");
  if (opts.allowPrivate) return;
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  if (opts.allowHosts?.includes(host)) return;
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (opts.resolve ?? systemResolve)(host);
  } catch (err: unknown) {
    throw rpcErrors.invalidParams(`push notification host ${host} does not resolve: ${err instanceof Error ? err.message : String(err)}`);
  }
  const bad = addresses.find(isPrivateAddress);
  if (addresses.length === 0 || bad !== undefined) {
    throw rpcErrors.invalidParams(`push notification host ${host} resolves to a non-public address${bad ? ` (${bad})` : ""}; refused (SSRF guard)`);
  }
}
