/**
 * The A2A 1.0 gRPC binding (lf.a2a.v1.A2AService) on @grpc/grpc-js, served from the same
 * protocol-neutral handler as the JSON-RPC binding (spec/a2a.md "gRPC binding"): every call
 * is authenticated from its `authorization` metadata with the bridge's verifier, speaks the
 * version its `a2a-version` metadata names (1.0; the service has no 0.3 form), and hands the
 * request (ProtoJSON, see grpc-proto.ts) to the handler. Unary methods answer one message,
 * SendStreamingMessage and SubscribeToTask are server-streaming. Errors: grpc-status.ts.
 */
import type * as Grpc from "@grpc/grpc-js";
import type { JsonValue } from "@bufbuild/protobuf";
import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER, type A2aMethodName, type StreamResponse } from "../../generated/a2a/index.js";
import { AcpError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import { authenticate, type A2aCaller } from "./auth.js";
import { a2aErrors } from "./errors.js";
import type { A2aBridge } from "./bridge.js";
import { loadA2aGrpc } from "./grpc-proto.js";
import { toServiceError } from "./grpc-status.js";
import { loadA2aProto, type A2aProto } from "./proto.js";
import { negotiateVersion } from "./version.js";

/** The card's protocolBinding for this binding. */
export const GRPC_PROTOCOL_BINDING = "GRPC";

/** Bounds and address of a gRPC listener (defaults in spec/a2a.md "gRPC binding"). */
export interface A2aGrpcOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Largest request and response message, bytes. Default 4 MiB (the JSON-RPC bodyLimit's default). */
  maxMessageBytes?: number;
  /** HTTP/2 streams one connection may open at once (SETTINGS_MAX_CONCURRENT_STREAMS). Default 100. */
  maxConcurrentStreams?: number;
  /** SendStreamingMessage and SubscribeToTask calls open at once across the server. Default 1,000; past it RESOURCE_EXHAUSTED. */
  maxActiveStreams?: number;
  /** How long close() lets calls finish before it cuts them, ms. Default 5,000. */
  shutdownGraceMs?: number;
  /** Default insecure (plaintext HTTP/2): put TLS in front, or pass grpc.ServerCredentials.createSsl(...). */
  credentials?: Grpc.ServerCredentials;
  /**
   * The host:port the card names for this interface. Default: the host of the card request's
   * URL with the bound port (so the card names an address the client already reaches).
   */
  advertisedAddress?: string;
}

/** A running gRPC listener of one bridge. */
export interface A2aGrpcServer extends AsyncDisposable {
  /** The bound address, `host:port` (what a grpc client dials). */
  readonly address: string;
  readonly port: number;
  /** Streaming calls open now. */
  activeStreams(): number;
  /** Stops accepting calls, ends open streams, waits for calls (at most shutdownGraceMs). Idempotent. Does not close the bridge. */
  close(): Promise<void>;
}

const UNARY: readonly A2aMethodName[] = [
  "SendMessage",
  "GetTask",
  "ListTasks",
  "CancelTask",
  "CreateTaskPushNotificationConfig",
  "GetTaskPushNotificationConfig",
  "ListTaskPushNotificationConfigs",
  "DeleteTaskPushNotificationConfig",
  "GetExtendedAgentCard",
];
const STREAMING: readonly A2aMethodName[] = ["SendStreamingMessage", "SubscribeToTask"];

/** How close to its deadline a cancel counts as the deadline (timers of grpc-js and ours differ by a few ms). */
const DEADLINE_SLACK_MS = 50;

/** Why a call's signal aborted: the client's deadline passed, or the client (or the server's close) canceled it. */
type AbortWhy = "deadline" | "cancelled";

/**
 * Serves `bridge` over gRPC on its own port and adds the GRPC interface (protocolVersion 1.0)
 * to the bridge's card. @grpc/grpc-js must be installed (optional peer dependency).
 */
export async function startA2aGrpcServer(bridge: A2aBridge, opts: A2aGrpcOptions = {}): Promise<A2aGrpcServer> {
  const maxMessageBytes = positive(opts.maxMessageBytes, "maxMessageBytes", 4 * 1024 * 1024);
  const maxConcurrentStreams = positive(opts.maxConcurrentStreams, "maxConcurrentStreams", 100);
  const maxActiveStreams = positive(opts.maxActiveStreams, "maxActiveStreams", 1000);
  const graceMs = opts.shutdownGraceMs === 0 ? 0 : positive(opts.shutdownGraceMs, "shutdownGraceMs", 5000);
  const { service, grpc } = loadA2aGrpc();
  const proto = loadA2aProto();
  const server = new grpc.Server({
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
    "grpc.max_concurrent_streams": maxConcurrentStreams,
  });
  // A request that is not its proto message is answered INVALID_ARGUMENT after authentication
  // (grpc-js would answer a throwing deserializer INTERNAL, before the call reaches us).
  const malformed = new WeakMap<object, string>();
  const served: Record<string, Grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(service)) {
    served[name] = {
      ...m,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return m.requestDeserialize(bytes);
        } catch (err: unknown) {
          const marker = {};
          malformed.set(marker, `the request is not a valid ${m.path.split("/")[2] ?? name} request: ${err instanceof Error ? err.message : String(err)}`);
          return marker;
        }
      },
    };
  }
  const streams = new Set<AbortController>();
  let closing = false;
  const ctx: CallContext = { bridge, grpc, proto, malformed, isClosing: () => closing };

  const impl: Grpc.UntypedServiceImplementation = {};
  for (const method of UNARY)
    impl[method] = (call: Grpc.ServerUnaryCall<JsonValue, JsonValue>, cb: Grpc.sendUnaryData<JsonValue>) => void unary(ctx, method, call, cb);
  for (const method of STREAMING) {
    impl[method] = (call: Grpc.ServerWritableStream<JsonValue, JsonValue>) => {
      if (streams.size >= maxActiveStreams) {
        const err = new AcpError("BACKPRESSURE_DROP", `the server has ${maxActiveStreams} streams open (maxActiveStreams); retry later`);
        call.emit("error", toServiceError(grpc, proto, err));
        return;
      }
      const abort = new AbortController();
      streams.add(abort);
      void streaming(ctx, method, call, abort).finally(() => streams.delete(abort));
    };
  }
  server.addService(served, impl);

  const host = opts.host ?? "127.0.0.1";
  const bindHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${bindHost}:${opts.port ?? 0}`, opts.credentials ?? grpc.ServerCredentials.createInsecure(), (err, p) => {
      if (err) {
        server.forceShutdown();
        reject(err);
      } else resolve(p);
    }),
  );
  const address = `${bindHost}:${port}`;
  bridge.addInterface((endpoint) => ({
    url: opts.advertisedAddress ?? `${hostOf(endpoint) ?? bindHost}:${port}`,
    protocolBinding: GRPC_PROTOCOL_BINDING,
    protocolVersion: A2A_PROTOCOL_VERSION,
  }));

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      closing = true;
      for (const a of streams) a.abort("cancelled" satisfies AbortWhy);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    })());
  return { address, port, activeStreams: () => streams.size, close, [Symbol.asyncDispose]: close };
}

interface CallContext {
  readonly bridge: A2aBridge;
  readonly grpc: typeof Grpc;
  readonly proto: A2aProto;
  /** Requests that could not be decoded, with why. */
  readonly malformed: WeakMap<object, string>;
  isClosing(): boolean;
}

type AnyCall = Grpc.ServerUnaryCall<JsonValue, JsonValue> | Grpc.ServerWritableStream<JsonValue, JsonValue>;

/** The caller of a call (its `authorization` metadata through the bridge's verifier), after the version check. */
async function admit(ctx: CallContext, call: AnyCall): Promise<A2aCaller> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.metadata.getMap())) if (typeof value === "string") headers[name] = value;
  const caller = await authenticate(ctx.bridge.auth, { method: "POST", url: call.getPath(), headers });
  // The lf.a2a.v1 service speaks 1.0 only: an absent version means 0.3 (spec: Versioning), which it does not serve.
  negotiateVersion(headers[A2A_VERSION_HEADER.toLowerCase()], false);
  const why = typeof call.request === "object" && call.request !== null ? ctx.malformed.get(call.request) : undefined;
  if (why !== undefined) throw a2aErrors.invalidRequest(why);
  return caller;
}

/** Aborts `abort` when the client cancels or its deadline passes; returns a function that stops watching. */
function watch(call: AnyCall, abort: AbortController): () => void {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(at)) timer = setTimeout(() => abort.abort("deadline" satisfies AbortWhy), Math.max(0, at - Date.now()));
  // grpc-js ends a call whose deadline passed with its own timer, which may run a few ms before
  // ours: a cancel that close to the deadline is the deadline.
  const onCancel = (): void => abort.abort((Number.isFinite(at) && Date.now() >= at - DEADLINE_SLACK_MS ? "deadline" : "cancelled") satisfies AbortWhy);
  call.on("cancelled", onCancel);
  if (call.cancelled) onCancel();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    call.off("cancelled", onCancel);
  };
}

async function unary(
  ctx: CallContext,
  method: A2aMethodName,
  call: Grpc.ServerUnaryCall<JsonValue, JsonValue>,
  cb: Grpc.sendUnaryData<JsonValue>,
): Promise<void> {
  const abort = new AbortController();
  const unwatch = watch(call, abort);
  try {
    const caller = await admit(ctx, call);
    if (abort.signal.aborted) return; // the client left while it was authenticated: no work starts
    const outcome = await ctx.bridge.handler.handle(caller, method, call.request ?? {}, abort.signal);
    if (outcome.kind !== "result") throw new Error(`${method} answered a stream`);
    cb(null, (outcome.value ?? {}) as JsonValue);
  } catch (err: unknown) {
    cb(toServiceError(ctx.grpc, ctx.proto, err));
  } finally {
    unwatch();
  }
}

async function streaming(
  ctx: CallContext,
  method: A2aMethodName,
  call: Grpc.ServerWritableStream<JsonValue, JsonValue>,
  abort: AbortController,
): Promise<void> {
  const unwatch = watch(call, abort);
  let caller: A2aCaller | undefined;
  let taskId: string | undefined;
  let it: AsyncIterator<StreamResponse> | undefined;
  const leave = (): void => void it?.return?.();
  abort.signal.addEventListener("abort", leave, { once: true });
  try {
    caller = await admit(ctx, call);
    if (ctx.isClosing()) throw new AcpError("AGENT_UNAVAILABLE", "the server is closing");
    if (abort.signal.aborted) return; // the client left while it was authenticated: no work starts
    const outcome = await ctx.bridge.handler.handle(caller, method, call.request ?? {}, abort.signal);
    if (outcome.kind !== "stream") throw new Error(`${method} answered a single result`);
    it = outcome.events[Symbol.asyncIterator]();
    if (abort.signal.aborted) leave();
    for (;;) {
      const next = await it.next();
      if (next.done || abort.signal.aborted) break;
      const ev = next.value;
      taskId ??= taskIdOf(ev);
      // Backpressure: wait while grpc-js buffers (the task's queue then pauses its bus read).
      if (!call.write(ev as unknown as JsonValue)) await drained(call, abort.signal);
    }
    if (!abort.signal.aborted) call.end();
  } catch (err: unknown) {
    if (!abort.signal.aborted) call.emit("error", toServiceError(ctx.grpc, ctx.proto, err));
  } finally {
    abort.signal.removeEventListener("abort", leave);
    await it?.return?.();
    unwatch();
    // The client's deadline bounds the run it started: SendStreamingMessage cancels its task.
    // A client cancel only leaves (like an SSE disconnect): the task goes on and can be subscribed to.
    if (method === "SendStreamingMessage" && abort.signal.reason === "deadline" && caller !== undefined && taskId !== undefined) {
      await ctx.bridge.manager.cancel(caller, taskId).catch(() => undefined);
    }
    if (abort.signal.aborted && abort.signal.reason === "cancelled" && ctx.isClosing() && !call.cancelled) {
      call.emit("error", toServiceError(ctx.grpc, ctx.proto, new AcpError("AGENT_UNAVAILABLE", "the server is closing")));
    }
  }
}

/** The id of the task an event belongs to (a Message answer has none). */
function taskIdOf(ev: StreamResponse): string | undefined {
  if ("task" in ev) return ev.task.id;
  if ("statusUpdate" in ev) return ev.statusUpdate.taskId;
  if ("artifactUpdate" in ev) return ev.artifactUpdate.taskId;
  return undefined;
}

function drained(call: Grpc.ServerWritableStream<JsonValue, JsonValue>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    call.on("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The host of an endpoint URL as a gRPC target host (IPv6 in brackets), or undefined when it has none. */
function hostOf(endpoint: string): string | undefined {
  try {
    const host = new URL(endpoint).hostname;
    return host === "" ? undefined : host;
  } catch {
    return undefined;
  }
}

function positive(v: number | undefined, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw invalidArgument("A2A gRPC server", field, v, "a positive integer");
  return v;
}
