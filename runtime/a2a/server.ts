/**
 * Serving a bus target as an A2A agent: {@link a2aPlugin} mounts it on any fastify instance
 * (e.g. next to the HTTP gateway, under a prefix); {@link startA2aServer} runs a standalone
 * server for it.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from "fastify";
import { resolveAuth } from "./auth.js";
import { A2aBridge, type A2aServerOptions } from "./bridge.js";
import { registerA2aRoutes, type A2aHttpOptions } from "./http.js";

export type A2aPluginOptions = A2aServerOptions & A2aHttpOptions & { /** Receives the bridge once created (tests, stats). */ onBridge?: (b: A2aBridge) => void };

/**
 * Fastify plugin serving one bus target over A2A JSON-RPC; the bridge closes with fastify.
 * On a gateway app (createGateway) without `auth`, it authenticates with the gateway's verifier;
 * `auth: "none"` there is refused (it would bypass the gateway's auth).
 */
export const a2aPlugin: FastifyPluginAsync<A2aPluginOptions> = async (app, opts) => {
  const bridge = new A2aBridge(opts, resolveAuth(opts.auth, app));
  opts.onBridge?.(bridge);
  await registerA2aRoutes(app, bridge, opts);
};

export interface StartA2aServerOptions extends A2aServerOptions, A2aHttpOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
}

/** A running standalone A2A server. */
export interface A2aServer extends AsyncDisposable {
  /** Base URL, e.g. http://127.0.0.1:40123 (the JSON-RPC endpoint with the default rpcPath "/"). */
  readonly url: string;
  readonly bridge: A2aBridge;
  readonly app: FastifyInstance;
  /** Cancels running tasks, ends streams, closes the listener. Idempotent. */
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
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= app.close().then(() => b.close()));
  return { url: address, bridge: b, app, close, [Symbol.asyncDispose]: close };
}
