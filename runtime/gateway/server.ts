/**
 * The HTTP/SSE gateway: a fastify server in front of a {@link Bus}. Every response carries
 * `X-Request-Id` (the caller's when it sent a sane one, else a new UUIDv7) and the CORS
 * headers; errors are JSON ErrorPayloads (errors.ts); bodies are JSON only (body.ts).
 * See spec/gateway.md, which also says why fastify.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { Bus, BusLogger } from "../bus/types.js";
import { uuidv7 } from "../envelope/index.js";
import type { AuthHook } from "./auth/types.js";
import { DEFAULT_BODY_LIMIT, installBodyParser } from "./body.js";
import { CorsPolicy, type CorsOptions } from "./cors.js";
import { headerValue } from "./context.js";
import { registerRoutes, sendError, type GatewayRuntime } from "./routes.js";
import { registerStreamRoute } from "./stream-route.js";
import { StreamStore, type ResumeOptions } from "./stream-store.js";
import { HttpError } from "./errors.js";
import { NoHandlerError } from "../../generated/ts/errors.js";

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** The bus the gateway calls agents through. The gateway does not close it. */
  bus: Bus;
  /** Listen address (default 127.0.0.1) and port (default 0: a free port). */
  host?: string;
  port?: number;
  /** Largest request body, bytes (default 4 MiB). */
  bodyLimit?: number;
  /** Authenticates each request (see {@link createJwtVerifier}); none: open. */
  auth?: AuthHook;
  /** CORS for browsers; none: no CORS headers (same-origin only). */
  cors?: CorsOptions;
  /** Invoke and stream timeout, ms (default 30,000); `X-Timeout-Ms` may ask for less or more up to maxTimeoutMs. */
  timeoutMs?: number;
  /** Largest `X-Timeout-Ms` accepted (default 300,000). */
  maxTimeoutMs?: number;
  /** SSE heartbeat comment after this many quiet ms (default 15,000; 0 = none). */
  heartbeatMs?: number;
  /** Last-Event-ID resume (default on: 5 s window, 1,024 frames); false: off. */
  resume?: ResumeOptions | false;
  /** schema_version of envelopes the gateway writes itself (default 2; match the bus). */
  schemaVersion?: 1 | 2;
  /** `from` of envelopes the gateway writes itself (default the bus's agent id). */
  agentId?: string;
  /** Extra readiness check for /readyz. */
  readiness?: () => boolean | Promise<boolean>;
  /** Logs unexpected failures (pino-compatible). */
  logger?: BusLogger;
}

/** Counters, a snapshot. */
export interface GatewayStats {
  /** Bus streams running for HTTP clients now. */
  activeStreams: number;
  /** Streams running or kept for resume. */
  retainedStreams: number;
}

/** A running gateway. */
export interface Gateway extends AsyncDisposable {
  /** `http://host:port` once listening. */
  readonly url: string;
  /** The Node HTTP server. */
  readonly server: Server;
  /** The fastify instance (to add routes of your own before {@link listen}). */
  readonly app: FastifyInstance;
  /** Starts listening; resolves with {@link url}. */
  listen(): Promise<string>;
  stats(): GatewayStats;
  /** Stops taking requests, ends open streams (their bus streams are closed), closes the server. Idempotent. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * Name under which the gateway's fastify instance carries its auth hook (null: none), so
 * plugins mounted on it (the A2A server) authenticate with the same verifier.
 */
export const GATEWAY_AUTH_DECORATOR = "oaioGatewayAuth";

/** Creates a gateway (call {@link Gateway.listen}, or use {@link startGateway}). */
export function createGateway(opts: GatewayOptions): Gateway {
  const bus = opts.bus;
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const cors = opts.cors === undefined ? undefined : new CorsPolicy(opts.cors);
  const store = new StreamStore(opts.resume ?? {});
  let closing = false;
  let connected = true;
  let busClosed = false;
  void bus.closed.then(() => (busClosed = true));
  const stopStatus = bus.transport.onStatus((s) => {
    if (s.type === "disconnected" || s.type === "closed") connected = false;
    else if (s.type === "reconnected") connected = true;
  });

  const gw: GatewayRuntime = {
    bus,
    auth: opts.auth,
    agentId: opts.agentId ?? bus.agentId,
    schemaVersion: opts.schemaVersion ?? 2,
    timeoutMs: opts.timeoutMs ?? 30_000,
    maxTimeoutMs: opts.maxTimeoutMs ?? 300_000,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    store,
    ready: async () => !closing && !busClosed && connected && (opts.readiness === undefined || (await opts.readiness())),
  };

  const app = Fastify({
    logger: false,
    bodyLimit,
    forceCloseConnections: true,
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = headerValue(req.headers, "x-request-id");
      return given !== undefined && REQUEST_ID.test(given) ? given : uuidv7();
    },
  });
  app.decorate(GATEWAY_AUTH_DECORATOR, opts.auth ?? null);
  installBodyParser(app, bodyLimit);
  // callback style: no promise per request on the hot path
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    if (cors !== undefined) reply.headers(cors.headers(headerValue(req.headers, "origin")));
    done();
  });
  app.setErrorHandler((err, _req, reply) => {
    if (!(err instanceof HttpError) && !(typeof (err as { code?: unknown }).code === "string")) {
      opts.logger?.error?.({ reason: err instanceof Error ? err.message : String(err) }, "gateway: unexpected error");
    }
    return sendError(reply, err);
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.method === "OPTIONS" && cors !== undefined) {
      return reply
        .code(204)
        .headers(cors.preflight(headerValue(req.headers, "origin")))
        .send();
    }
    return sendError(reply, new HttpError(404, new NoHandlerError(`no route ${req.method} ${req.url.split("?")[0] ?? ""}`)));
  });
  registerRoutes(app, gw);
  registerStreamRoute(app, gw);

  let url = "";
  let closed: Promise<void> | undefined;
  const gateway: Gateway = {
    get url() {
      return url;
    },
    server: app.server,
    app,
    async listen() {
      await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 });
      const addr = app.server.address() as AddressInfo;
      const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      url = `http://${host}:${addr.port}`;
      return url;
    },
    stats: () => ({ activeStreams: store.active, retainedStreams: store.size }),
    close() {
      closed ??= (async () => {
        closing = true;
        await store.closeAll();
        await app.close();
        stopStatus();
      })();
      return closed;
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return gateway;
}

/** Creates a gateway and starts listening. */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const gateway = createGateway(opts);
  await gateway.listen();
  return gateway;
}
