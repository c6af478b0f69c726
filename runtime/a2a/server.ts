/**
 * Serving a bus target as an A2A agent: {@link a2aPlugin} mounts it on any fastify instance
 * (e.g. next to the HTTP gateway, under a prefix); {@link startA2aServer} runs a standalone
 * server for it.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from "fastify";
import { invalidArgument } from "../errors.js";
import { resolveAuth } from "./auth.js";
import { A2aBridge, type A2aServerOptions } from "./bridge.js";
import { registerA2aRoutes, type A2aHttpOptions } from "./http.js";
import type { A2aGrpcOptions, A2aGrpcServer } from "./grpc.js";
import type { KvStoreOptions } from "./kv-store.js";
import { registerA2aRestRoutes, restBasePath, type A2aRestOptions } from "./rest.js";
import { A2A_PROTOCOL_VERSION } from "../../generated/a2a/index.js";

/** The HTTP bindings an A2A server can serve (their card `protocolBinding` names). */
export type A2aHttpBinding = "JSONRPC" | "HTTP+JSON";
/** Every HTTP binding, the default of `bindings`. */
export const A2A_HTTP_BINDINGS: readonly A2aHttpBinding[] = ["JSONRPC", "HTTP+JSON"];

/** Keep tasks and push configs in a JetStream KV bucket (spec/jetstream.md "A2A task store on KV"). */
export interface A2aKvStoreOption extends Omit<KvStoreOptions, "maxTasksPerTenant" | "maxTasks" | "terminalTtlMs" | "maxConfigsPerTask"> {
  /** The connection (stays the caller's; the stores close with the server). */
  nats: NatsConnection;
}

export type A2aPluginOptions = A2aServerOptions &
  Omit<A2aHttpOptions, "jsonRpc"> &
  A2aRestOptions & {
    /**
     * The bindings served, each listed in the card's supportedInterfaces. Default both:
     * JSON-RPC at `rpcPath`, HTTP+JSON under `restPath`. The Agent Card is served either way.
     */
    bindings?: readonly A2aHttpBinding[];
    /** Receives the bridge once created (tests, stats). */
    onBridge?: (b: A2aBridge) => void;
    /** Tasks and push configs on JetStream KV instead of memory (the limits apply to it); not with `store` / `pushStore`. */
    kvStore?: A2aKvStoreOption;
  };

/**
 * Fastify plugin serving one bus target over A2A JSON-RPC and HTTP+JSON (`bindings`); the bridge closes with fastify.
 * On a gateway app (createGateway) without `auth`, it authenticates with the gateway's verifier;
 * `auth: "none"` there is refused (it would bypass the gateway's auth).
 */
export const a2aPlugin: FastifyPluginAsync<A2aPluginOptions> = async (app, given) => {
  let opts = given; // with a kvStore: its stores become store/pushStore
  const auth = resolveAuth(opts.auth, app);
  if (opts.kvStore !== undefined) {
    if (opts.store !== undefined || opts.pushStore !== undefined) {
      throw invalidArgument(
        "A2A server",
        "kvStore",
        "given with store/pushStore",
        "given alone: kvStore and store/pushStore both choose where tasks live; give kvStore alone (it holds tasks and push configs, which expire with their task) or store/pushStore alone",
      );
    }
    const { nats, ...kvOpts } = opts.kvStore;
    const l = opts.limits ?? {};
    // loaded here so that @nats-io/jetstream and @nats-io/kv load only for a server that uses them
    const { openKvA2aStores } = await import("./kv-store.js");
    const stores = await openKvA2aStores(nats, {
      ...kvOpts,
      ...(l.maxTasksPerTenant === undefined ? {} : { maxTasksPerTenant: l.maxTasksPerTenant }),
      ...(l.maxTasks === undefined ? {} : { maxTasks: l.maxTasks }),
      ...(l.terminalTtlMs === undefined ? {} : { terminalTtlMs: l.terminalTtlMs }),
      ...(l.maxConfigsPerTask === undefined ? {} : { maxConfigsPerTask: l.maxConfigsPerTask }),
    });
    app.addHook("onClose", async () => stores.close());
    opts = { ...opts, store: stores.tasks, pushStore: stores.pushConfigs };
  }
  const bindings = checkBindings(opts.bindings);
  const bridge = new A2aBridge(opts, auth);
  const jsonRpc = bindings.includes("JSONRPC");
  const restPath = restBasePath(opts.restPath);
  if (bindings.includes("HTTP+JSON")) {
    bridge.cardInterfaces = (rpcUrl) => ({
      jsonRpc,
      extra: [{ url: `${originOf(rpcUrl)}${app.prefix}${restPath}` || "/", protocolBinding: "HTTP+JSON", protocolVersion: A2A_PROTOCOL_VERSION }],
    });
  } else bridge.cardInterfaces = () => ({ jsonRpc, extra: [] });
  opts.onBridge?.(bridge);
  // Each binding in a context of its own: body parsers, error handlers and auth hooks answer in its framing.
  await app.register(async (ctx) => registerA2aRoutes(ctx, bridge, { ...opts, jsonRpc }));
  if (bindings.includes("HTTP+JSON")) await app.register(async (ctx) => registerA2aRestRoutes(ctx, bridge, opts));
};

/** The origin of an absolute URL; "" for one not yet known (the extended card before any card request names no endpoint). */
function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : "";
}

/** The `bindings` option, checked: a non-empty list of known bindings. */
function checkBindings(given: readonly A2aHttpBinding[] | undefined): readonly A2aHttpBinding[] {
  if (given === undefined) return A2A_HTTP_BINDINGS;
  if (!Array.isArray(given) || given.length === 0 || given.some((b) => !A2A_HTTP_BINDINGS.includes(b))) {
    throw invalidArgument("A2A server", "bindings", given, `a non-empty list of ${A2A_HTTP_BINDINGS.map((b) => JSON.stringify(b)).join(", ")}`);
  }
  return given;
}

export interface StartA2aServerOptions
  extends A2aServerOptions,
    Omit<A2aHttpOptions, "jsonRpc">,
    A2aRestOptions,
    Pick<A2aPluginOptions, "kvStore" | "bindings"> {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Also serve the gRPC binding on a port of its own (`true`: defaults; host defaults to `host`). Needs @grpc/grpc-js. */
  grpc?: A2aGrpcOptions | boolean;
}

/** A running standalone A2A server. */
export interface A2aServer extends AsyncDisposable {
  /** Base URL, e.g. http://127.0.0.1:40123 (the JSON-RPC endpoint with the default rpcPath "/"). */
  readonly url: string;
  readonly bridge: A2aBridge;
  readonly app: FastifyInstance;
  /** The gRPC listener, when `grpc` was given (its `address` is what the card lists). */
  readonly grpc: A2aGrpcServer | undefined;
  /** Cancels running tasks, ends streams, closes the listener(s). Idempotent. */
  close(): Promise<void>;
}

/** Starts a standalone A2A server for one bus target. */
export async function startA2aServer(opts: StartA2aServerOptions): Promise<A2aServer> {
  resolveAuth(opts.auth, undefined);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  let bridge: A2aBridge | undefined;
  await app.register(a2aPlugin, { ...opts, onBridge: (b) => (bridge = b) });
  const address = await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 });
  if (bridge === undefined) throw new Error("a2aPlugin did not create its bridge");
  const b = bridge;
  // Until a card is requested over HTTP, the extended card (GetExtendedAgentCard, also over gRPC) names the listening endpoint.
  b.setEndpoint(new URL(opts.rpcPath ?? "/", address).href);
  let grpc: A2aGrpcServer | undefined;
  if (opts.grpc !== undefined && opts.grpc !== false) {
    const { startA2aGrpcServer } = await import("./grpc.js");
    const grpcOpts = opts.grpc === true ? {} : opts.grpc;
    grpc = await startA2aGrpcServer(b, { ...(opts.host === undefined ? {} : { host: opts.host }), ...grpcOpts }).catch(async (err: unknown) => {
      await app.close().then(() => b.close());
      throw err;
    });
  }
  const g = grpc;
  let closing: Promise<void> | undefined;
  // Both listeners stop together: closing the bridge (fastify's preClose) ends the tasks gRPC calls wait on.
  const close = (): Promise<void> => (closing ??= Promise.all([g?.close(), app.close()]).then(() => b.close()));
  return { url: address, bridge: b, app, grpc: g, close, [Symbol.asyncDispose]: close };
}
