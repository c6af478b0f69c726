/**
 * Options of {@link connectNats} and their translation to nats.js connection options.
 */
import type { NodeConnectionOptions } from "@nats-io/transport-node";
import { invalidArgument } from "../errors.js";
import { DEFAULT_INBOX_PREFIX, subjectProblem } from "./subject.js";

export interface NatsTransportOptions {
  /** Server URL(s), e.g. `"nats://127.0.0.1:4222"`. */
  servers: string | string[];
  /** Client name shown by the server's monitoring. */
  name?: string;
  /** Token authentication (exclusive with user/pass). */
  token?: string;
  user?: string;
  pass?: string;
  /** Reconnect attempts per server before giving up; `-1` (the default) never gives up. */
  maxReconnectAttempts?: number;
  /** Wait between reconnect attempts to one server. Default 2000 ms. */
  reconnectTimeWaitMs?: number;
  /** Upper bound of a random delay added to `reconnectTimeWaitMs`. Default 100 ms. */
  reconnectJitterMs?: number;
  /**
   * Bytes of publishes held while disconnected and sent after reconnecting; a publish beyond
   * it throws `BACKPRESSURE_DROP`. `0` holds nothing. Default 8 MiB (nats.go's ReconnectBufSize).
   */
  reconnectBufferBytes?: number;
  /** Handshake timeout for one connection attempt. Default 20,000 ms. */
  timeoutMs?: number;
  /** Client ping interval (detects dead connections). Default 2 minutes. */
  pingIntervalMs?: number;
  /** Unanswered pings before the connection is considered stale. Default 2. */
  maxPingOut?: number;
  /** Keep trying when no server answers the first connect (counts toward `maxReconnectAttempts`). Default false. */
  waitOnFirstConnect?: boolean;
  /** Do not deliver this connection's own publishes to its subscriptions. Default false. */
  noEcho?: boolean;
  /** Prefix of inbox subjects (a dotted subject without wildcards; nats.js `inboxPrefix`). Default `_INBOX`. */
  inboxPrefix?: string;
}

export const DEFAULT_RECONNECT_BUFFER_BYTES = 8 * 1024 * 1024;

const API = "connectNats";

function nonNegative(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw invalidArgument(API, what, value, "a non-negative number");
  return value;
}

/** Validated nats.js options, plus the reconnect buffer size. Throws the invalid-argument error (`INVALID_REQUEST`). */
export function toConnectionOptions(opts: NatsTransportOptions): { options: NodeConnectionOptions; reconnectBufferBytes: number; inboxPrefix: string } {
  const servers = opts.servers;
  if (servers === undefined || servers.length === 0) throw invalidArgument(API, "servers", servers, "at least one server URL");
  const maxReconnectAttempts = opts.maxReconnectAttempts ?? -1;
  if (!Number.isInteger(maxReconnectAttempts) || maxReconnectAttempts < -1) {
    throw invalidArgument(API, "maxReconnectAttempts", maxReconnectAttempts, "-1 or a non-negative integer");
  }
  const options: NodeConnectionOptions = { servers, maxReconnectAttempts };
  if (opts.name !== undefined) options.name = opts.name;
  if (opts.token !== undefined) options.token = opts.token;
  if (opts.user !== undefined) options.user = opts.user;
  if (opts.pass !== undefined) options.pass = opts.pass;
  if (opts.noEcho !== undefined) options.noEcho = opts.noEcho;
  if (opts.waitOnFirstConnect !== undefined) options.waitOnFirstConnect = opts.waitOnFirstConnect;
  const maxPingOut = nonNegative(opts.maxPingOut, "maxPingOut");
  if (maxPingOut !== undefined) options.maxPingOut = maxPingOut;
  const reconnectTimeWait = nonNegative(opts.reconnectTimeWaitMs, "reconnectTimeWaitMs");
  if (reconnectTimeWait !== undefined) options.reconnectTimeWait = reconnectTimeWait;
  const reconnectJitter = nonNegative(opts.reconnectJitterMs, "reconnectJitterMs");
  if (reconnectJitter !== undefined) options.reconnectJitter = reconnectJitter;
  const timeout = nonNegative(opts.timeoutMs, "timeoutMs");
  if (timeout !== undefined) options.timeout = timeout;
  const pingInterval = nonNegative(opts.pingIntervalMs, "pingIntervalMs");
  if (pingInterval !== undefined) options.pingInterval = pingInterval;
  const reconnectBufferBytes = nonNegative(opts.reconnectBufferBytes, "reconnectBufferBytes") ?? DEFAULT_RECONNECT_BUFFER_BYTES;
  const inboxPrefix = opts.inboxPrefix ?? DEFAULT_INBOX_PREFIX;
  const problem = subjectProblem(inboxPrefix, "publish");
  if (problem !== undefined) throw invalidArgument(API, "inboxPrefix", inboxPrefix, `a dotted subject without wildcards (it ${problem})`);
  options.inboxPrefix = inboxPrefix;
  return { options, reconnectBufferBytes, inboxPrefix };
}
