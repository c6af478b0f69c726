/**
 * SSRF guard for webhook URLs (spec: Security, push notifications): a URL whose host resolves
 * to a loopback, private, link-local, CGNAT, multicast, reserved or otherwise non-public
 * address is refused unless the server allows private targets or lists the host. Checked when
 * a config is created and again before each delivery attempt.
 *
 * The name is resolved ONCE per check and every address it gave is classified; the delivery
 * then connects to the exact address that was checked ({@link resolveWebhookTarget} returns
 * it, webhook-post.ts pins the connection to it), so a second DNS answer (rebinding) is never
 * used. Addresses are classified with ipaddr.js, IPv6 forms that embed an IPv4 address
 * (IPv4-mapped, IPv4-compatible, IPv4-translated, 6to4, NAT64) by the address they embed.
 */
import { isIP } from "node:net";
import { lookup } from "node:dns/promises";
import { createRequire } from "node:module";
import type * as IpAddr from "ipaddr.js";

// ipaddr.js is CommonJS assigning module.exports at run time: Node's ESM loader finds no named
// exports in it and TypeScript (no esModuleInterop) no default one, so it is required.
const ipaddr = createRequire(import.meta.url)("ipaddr.js") as typeof IpAddr;
type IPv4 = IpAddr.IPv4;
type IPv6 = IpAddr.IPv6;
import { a2aErrors } from "./errors.js";

/** How an address was judged. */
export interface AddressVerdict {
  /** True when a webhook may reach it by default. */
  readonly public: boolean;
  /** Why (the ipaddr.js range, or the embedding form and what it embeds). */
  readonly reason: string;
}

function v4Verdict(v4: IPv4, via?: string): AddressVerdict {
  const range = v4.range();
  const what = via === undefined ? range : `${via} of ${v4.toString()} (${range})`;
  return { public: range === "unicast", reason: what };
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function low32(parts: readonly number[]): IPv4 {
  const hi = parts[6]!;
  const lo = parts[7]!;
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/**
 * An IPv6 address with a dotted IPv4 tail written as two hex groups: ipaddr.js 2.5.0 reads
 * "::a.b.c.d" (IPv4-compatible) as "::ffff:a.b.c.d" (IPv4-mapped), so the parts are built here.
 */
function hexTail(ip: string): string {
  const m = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (m === null) return ip;
  const [a, b, c, d] = [m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number];
  return `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/**
 * Classifies one IP address (v4 or v6, as a resolver or a URL gives it). Only global unicast
 * is public: ipaddr.js's `range()` must say "unicast". IPv6 forms that carry an IPv4 address
 * are judged by it: IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002:AABB:CCDD::/48) and NAT64
 * (64:ff9b::/96). Forms with no legitimate webhook use are refused whatever they carry:
 * IPv4-compatible (::a.b.c.d, deprecated by RFC 4291), IPv4-translated (::ffff:0:a.b.c.d,
 * SIIT-internal), local-use NAT64 (64:ff9b:1::/48) and Teredo (2001::/32, a tunnel).
 * An address with a zone id (`fe80::1%eth0`, `::8.8.8.8%lo`) is refused whatever it is: a zone
 * scopes the address to one interface, which no public address needs.
 */
export function classifyAddress(ip: string): AddressVerdict {
  if (ip.includes("%")) return { public: false, reason: "scoped to an interface (zone id)" };
  if (!ipaddr.isValid(ip) || isIP(ip) === 0) return { public: false, reason: "not an IP address" };
  const parsed = ipaddr.parse(hexTail(ip));
  if (parsed.kind() === "ipv4") return v4Verdict(parsed as IPv4);
  const v6 = parsed as IPv6;
  const p = v6.parts;
  const zero = (from: number, to: number): boolean => p.slice(from, to).every((x: number) => x === 0);
  if (zero(0, 5) && p[5] === 0xffff) return v4Verdict(low32(p), "IPv4-mapped form");
  if (zero(0, 6)) {
    const range = v6.range(); // :: and ::1
    if (range === "unspecified" || range === "loopback") return { public: false, reason: range };
    return { public: false, reason: `IPv4-compatible form of ${low32(p).toString()} (deprecated)` };
  }
  if (zero(0, 4) && p[4] === 0xffff && p[5] === 0) return { public: false, reason: `IPv4-translated form of ${low32(p).toString()}` };
  if (p[0] === 0x2002) return v4Verdict(new ipaddr.IPv4([p[1]! >> 8, p[1]! & 0xff, p[2]! >> 8, p[2]! & 0xff]), "6to4 form");
  if (p[0] === 0x64 && p[1] === 0xff9b) {
    if (zero(2, 6)) return v4Verdict(low32(p), "NAT64 form");
    return { public: false, reason: "local-use NAT64 (64:ff9b:1::/48)" };
  }
  if (p[0] === 0x2001 && p[1] === 0) return { public: false, reason: "Teredo tunnel address" };
  const range = v6.range();
  return { public: range === "unicast", reason: range };
}

/** True for addresses a webhook must not reach by default (see {@link classifyAddress}). */
export function isPrivateAddress(ip: string): boolean {
  return !classifyAddress(ip).public;
}

export interface WebhookGuardOptions {
  /** Allow every address (tests, trusted networks). Default false. */
  allowPrivate?: boolean;
  /** Host names or literal addresses allowed even when private (e.g. "127.0.0.1"), matched against the URL's host. */
  allowHosts?: readonly string[];
  /**
   * Addresses or CIDR ranges (e.g. "10.20.0.0/16") a host NAME may resolve to even when
   * private: for webhook receivers on an internal network reached by name.
   */
  allowAddresses?: readonly string[];
  /** Resolves a host to its addresses (default: the system resolver). Called once per check. */
  resolve?: (host: string) => Promise<string[]>;
}

/** A checked webhook target: where to connect (the checked address) and what to name (the host, for Host and SNI). */
export interface WebhookTarget {
  readonly url: URL;
  /** The URL's host name (brackets removed from an IPv6 literal). */
  readonly host: string;
  /** The address that was checked, to connect to. */
  readonly address: string;
  readonly family: 4 | 6;
}

async function systemResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/** True when `address` is in one of `allowed` (addresses or CIDR ranges, compared as addresses: ::1 matches 0:0::1). */
function allowedAddress(address: string, allowed: readonly string[] | undefined): boolean {
  // a scoped address (zone id) is never matched: the list names unscoped addresses
  if (allowed === undefined || allowed.length === 0 || address.includes("%") || !ipaddr.isValid(address)) return false;
  const a = ipaddr.process(hexTail(address));
  return allowed.some((entry) => {
    if (ipaddr.isValidCIDR(entry)) {
      const [net, bits] = ipaddr.parseCIDR(entry);
      return net.kind() === a.kind() && a.match(net, bits);
    }
    return ipaddr.isValid(entry) && ipaddr.process(hexTail(entry)).toNormalizedString() === a.toNormalizedString();
  });
}

/**
 * Resolves the host of `url` once, checks every address it gave, and returns the first one
 * to connect to.
 * @throws A2aError INVALID_PARAMS naming the host, the address and why.
 */
export async function resolveWebhookTarget(url: string, opts: WebhookGuardOptions = {}): Promise<WebhookTarget> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw a2aErrors.invalidParams("push notification url is not a URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw a2aErrors.invalidParams("push notification url must be http or https");
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : await (opts.resolve ?? systemResolve)(host);
  } catch (err: unknown) {
    throw a2aErrors.invalidParams(`push notification host ${host} does not resolve: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (addresses.length === 0) throw a2aErrors.invalidParams(`push notification host ${host} resolves to no address; refused (SSRF guard)`);
  const hostAllowed = opts.allowPrivate === true || opts.allowHosts?.includes(host) === true;
  for (const address of addresses) {
    if (isIP(address) === 0)
      throw a2aErrors.invalidParams(`push notification host ${host} resolved to ${JSON.stringify(address)}, not an IP address; refused (SSRF guard)`);
    if (hostAllowed || allowedAddress(address, opts.allowAddresses)) continue;
    const verdict = classifyAddress(address);
    if (!verdict.public) {
      throw a2aErrors.invalidParams(`push notification host ${host} resolves to a non-public address (${address}: ${verdict.reason}); refused (SSRF guard)`);
    }
  }
  const address = addresses[0]!;
  return { url: u, host, address, family: isIP(address) === 6 ? 6 : 4 };
}

/**
 * Resolves when `url` may receive webhooks (when a config is created).
 * @throws A2aError INVALID_PARAMS naming the host and why.
 */
export async function checkWebhookUrl(url: string, opts: WebhookGuardOptions = {}): Promise<void> {
  await resolveWebhookTarget(url, opts);
}
