/**
 * A live setup for the gRPC binding tests: the demo agent on a memory bus, one A2A server
 * verifying ES256 Bearer JWTs and serving JSON-RPC and gRPC (a second port), one in
 * development mode with streaming and push off, and a grpc-js client made from loadA2aGrpc.
 */
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import type { JsonValue } from "@bufbuild/protobuf";
import type * as Grpc from "@grpc/grpc-js";
import { createBus } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { createJwtVerifier } from "../../runtime/gateway/auth/jwt.js";
import { startA2aServer, type A2aServer, type StartA2aServerOptions } from "../../runtime/a2a/index.js";
import { serveDemoAgent, type DemoAgent } from "../../bin/a2a/conformance/index.js";
import { loadA2aGrpc } from "../../runtime/a2a/grpc-proto.js";
import { rpcStatusOf } from "../../runtime/a2a/grpc-status.js";
import { loadA2aProto, type RpcStatusJson } from "../../runtime/a2a/proto.js";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
export type Obj = Record<string, any>;

export const TENANT = "tenant-a";

/** A generic grpc-js client's methods by proto name. */
export type GrpcMethods = Record<string, (this: unknown, ...args: unknown[]) => unknown>;

export interface GrpcEnv extends AsyncDisposable {
  readonly main: A2aServer;
  /** auth "none", streaming and push notifications off. */
  readonly alt: A2aServer;
  readonly demo: DemoAgent;
  readonly grpc: typeof Grpc;
  /** A Bearer token for `sub` of `tenant` ("": no tenant claim), signed by the main server's key (`otherKey`: by a key it does not trust). */
  token(sub: string, tenant: string, otherKey?: boolean): Promise<string>;
  /** Metadata with `authorization` (when `token` is given) and `a2a-version` (default "1.0"; null: none). */
  md(token?: string, version?: string | null): Grpc.Metadata;
  /** A client of the main (default) or alt server's gRPC address. */
  client(address?: string): Grpc.Client & GrpcMethods;
  close(): Promise<void>;
}

export async function startGrpcEnv(mainOpts: Partial<StartA2aServerOptions> = {}): Promise<GrpcEnv> {
  const transport = createMemoryTransport();
  const agentBus = createBus({ agentId: "agent", transport });
  const bridgeBus = createBus({ agentId: "bridge", transport });
  const demo = serveDemoAgent(agentBus, "demo", [TENANT, "tenant-b"]);
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const other = (await generateKeyPair("ES256")).privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
  const main = await startA2aServer({
    bus: bridgeBus,
    target: "demo",
    auth: createJwtVerifier({ jwks: { keys: [jwk] } }),
    card: { name: "grpc-demo", description: "demo agent over gRPC", version: "1.0.0" },
    extendedCard: { description: "demo agent over gRPC (extended card)" },
    webhooks: { allowHosts: ["127.0.0.1"] },
    heartbeatMs: 0,
    grpc: true,
    ...mainOpts,
  });
  const alt = await startA2aServer({
    bus: bridgeBus,
    target: "demo",
    auth: "none",
    card: { name: "alt", description: "capabilities off", version: "1" },
    streaming: false,
    pushNotifications: false,
    heartbeatMs: 0,
    grpc: true,
  });
  const { Client, grpc } = loadA2aGrpc();
  const clients: Grpc.Client[] = [];
  const close = async (): Promise<void> => {
    for (const c of clients) c.close();
    await main.close();
    await alt.close();
    await demo.close();
    await bridgeBus.close();
    await agentBus.close();
    await transport.close();
  };
  return {
    main,
    alt,
    demo,
    grpc,
    token: (sub, tenant, otherKey = false) =>
      new SignJWT(tenant === "" ? {} : { tenant_id: tenant })
        .setProtectedHeader({ alg: "ES256", kid: "k1" })
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(otherKey ? other : privateKey),
    md: (token, version = "1.0") => {
      const md = new grpc.Metadata();
      if (token !== undefined) md.set("authorization", `Bearer ${token}`);
      if (version !== null) md.set("a2a-version", version);
      return md;
    },
    client: (address = main.grpc?.address ?? "") => {
      const c = new Client(address, grpc.credentials.createInsecure());
      clients.push(c);
      return c as Grpc.Client & GrpcMethods;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** What a unary call answered: its value, or its error with the google.rpc.Status of its trailer. */
export type Unary = { ok: true; value: Obj } | { ok: false; code: number; details: string; status: RpcStatusJson | undefined };

const proto = loadA2aProto();

/** The answer of a failed call (code, message, decoded google.rpc.Status). */
export function failure(err: Grpc.ServiceError): Unary {
  return { ok: false, code: err.code, details: err.details, status: rpcStatusOf(proto, err.metadata) };
}

/** Calls unary `method` with `request`. */
export function unary(client: GrpcMethods, method: string, request: Obj, md: Grpc.Metadata, options: Grpc.CallOptions = {}): Promise<Unary> {
  return new Promise((resolve) => {
    const fn = client[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    fn.call(client, request as JsonValue, md, options, (err: Grpc.ServiceError | null, value: Obj) => resolve(err ? failure(err) : { ok: true, value }));
  });
}

/** Reads a server stream to its end: the messages, and the error it ended with, if any. */
export function stream(
  client: GrpcMethods,
  method: string,
  request: Obj,
  md: Grpc.Metadata,
  options: Grpc.CallOptions = {},
): Promise<{ events: Obj[]; error: Unary | undefined }> {
  return new Promise((resolve) => {
    const fn = client[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    const call = fn.call(client, request as JsonValue, md, options) as Grpc.ClientReadableStream<Obj>;
    const events: Obj[] = [];
    let error: Unary | undefined;
    call.on("data", (ev: Obj) => events.push(ev));
    call.on("error", (err: Grpc.ServiceError) => (error = failure(err)));
    call.on("close", () => resolve({ events, error }));
  });
}

/** The error part of an answer (fails the test with the value when the call succeeded). */
export function errorOf(u: Unary): Exclude<Unary, { ok: true }> {
  if (u.ok) throw new Error(`expected an error, got ${JSON.stringify(u.value)}`);
  return u;
}

/** The value of an answer (fails the test with the error when the call failed). */
export function resultOf(u: Unary): Obj {
  if (!u.ok) throw new Error(`expected a value, got ${u.code} ${u.details}`);
  return u.value;
}

let n = 0;
/** A SendMessageRequest for `text` (ProtoJSON). */
export const send = (text: string, extra: Obj = {}, message: Obj = {}): Obj => ({
  message: { messageId: `grpc-${++n}`, role: "ROLE_USER", parts: [{ text }], ...message },
  ...extra,
});

/** Text of a task's artifacts. */
export const artifactText = (t: Obj): string =>
  (t["artifacts"] ?? [])
    .flatMap((a: Obj) => a["parts"])
    .map((p: Obj) => p["text"] ?? "")
    .join("");

/** Polls `probe` until it returns true (at most `ms`). */
export async function until(probe: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
