/**
 * The JSON-RPC binding over HTTP (spec: JSON-RPC binding) as a fastify plugin: POST the
 * endpoint with one JSON-RPC request; unary methods answer JSON, streaming methods answer
 * `text/event-stream` with one JSON-RPC response per SSE event. GET the well-known path for the
 * Agent Card (public). A2A-Version picks 1.0 or 0.3 (empty header) for names and shapes.
 * Every POST is authenticated in onRequest, before its body is read (auth.ts); failures,
 * oversized and too-deep bodies are answered as JSON-RPC errors with id null.
 */
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  A2A_VERSION_HEADER,
  AGENT_CARD_PATH,
  A2A_LEGACY_VERSION,
  A2A_PROTOCOL_VERSION,
  messageToV03,
  pushConfigToV03,
  resolveMethod,
  streamResponseToV03,
  taskToV03,
  type A2aMethodName,
  type AgentCard,
  type JsonRpcId,
  type Message,
  type StreamResponse,
  type Task,
  type TaskPushNotificationConfig,
} from "../../generated/a2a/index.js";
import { HttpError } from "../gateway/errors.js";
import { pipeSse } from "./sse-stream.js";
import { authenticate, type A2aCaller } from "./auth.js";
import { a2aErrors, type A2aError } from "./errors.js";
import { jsonDepthExceeds } from "../http/json-depth.js";
import { errorResponse, idOf, parseRequest, resultResponse, toJsonRpcError } from "./jsonrpc.js";
import { paramsFromV03 } from "./params.js";
import type { RpcOutcome } from "./rpc-handler.js";
import { negotiateVersion, type WireVersion } from "./version.js";
import { withLegacyFields } from "./agent-card.js";
import type { A2aBridge } from "./bridge.js";

export interface A2aHttpOptions {
  /** JSON-RPC endpoint path inside the plugin's prefix. Default "/". */
  rpcPath?: string;
  /** Largest request body, bytes. Default 4 MiB. A larger body is answered 413 with a JSON-RPC error (id null). */
  bodyLimit?: number;
  /** Deepest nesting of arrays and objects in a request body. Default 64; deeper is answered -32600 (id null) before parsing. */
  maxDepth?: number;
  /** SSE comment sent on idle streams, ms; 0 disables. Default 15,000. */
  heartbeatMs?: number;
  /** Cache-Control max-age of the Agent Card, seconds. Default 300. */
  cardMaxAgeSeconds?: number;
  /** Serve the JSON-RPC endpoint (default true); false serves the Agent Card alone. */
  jsonRpc?: boolean;
}

/** The card version a card request asks for: 0.3 only when its A2A-Version says 0.3 (0.3.x); else 1.0. */
function cardVersion(asked: string): WireVersion {
  return /^0\.3(?:\.\d+)?$/.test(asked.trim()) ? A2A_LEGACY_VERSION : A2A_PROTOCOL_VERSION;
}

/** True when the request's validators match the card (If-None-Match first, else If-Modified-Since). */
function notModified(req: FastifyRequest, etag: string, modified: string): boolean {
  const inm = req.headers["if-none-match"];
  if (typeof inm === "string") return inm.split(",").some((t) => t.trim() === "*" || t.trim().replace(/^W\//, "") === etag);
  const ims = req.headers["if-modified-since"];
  return typeof ims === "string" && !Number.isNaN(Date.parse(ims)) && Date.parse(ims) >= Date.parse(modified);
}

/** JSON-RPC takes JSON: `application/json` or a `+json` type (`application/a2a+json`). Checked before the body is read as JSON. */
const JSON_MEDIA = /^application\/(?:[\w.-]+\+)?json$/i;
function contentTypeError(header: string | undefined): A2aError | undefined {
  const media = (header ?? "").split(";")[0]?.trim() ?? "";
  if (JSON_MEDIA.test(media)) return undefined;
  return a2aErrors.contentType(
    `the JSON-RPC endpoint takes Content-Type application/json; got ${media === "" ? "none" : JSON.stringify(media)}: send the request as application/json`,
  );
}

/** The 0.3 form of a 1.0 unary result. */
function resultToV03(method: A2aMethodName, value: unknown): unknown {
  switch (method) {
    case "SendMessage": {
      const r = value as { task: Task } | { message: Message };
      return "message" in r ? messageToV03(r.message) : taskToV03(r.task);
    }
    case "GetTask":
    case "CancelTask":
      return taskToV03(value as Task);
    case "CreateTaskPushNotificationConfig":
    case "GetTaskPushNotificationConfig":
      return pushConfigToV03(value as TaskPushNotificationConfig);
    case "ListTaskPushNotificationConfigs":
      return (value as { configs: TaskPushNotificationConfig[] }).configs.map(pushConfigToV03);
    case "GetExtendedAgentCard":
      // a 0.3 caller gets the card in its version, as from the well-known path
      return withLegacyFields(value as AgentCard);
    default:
      return value;
  }
}

/** Registers the A2A routes of `bridge` on `app` (an encapsulated context: its body parsers stay local). */
export async function registerA2aRoutes(app: FastifyInstance, bridge: A2aBridge, opts: A2aHttpOptions = {}): Promise<void> {
  const rpcPath = opts.rpcPath ?? "/";
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const bodyLimit = opts.bodyLimit ?? 4 * 1024 * 1024;
  const maxDepth = opts.maxDepth ?? 64;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit }, (_req, body, done) => done(null, body));
  app.addHook("preClose", async () => bridge.close());
  // What fails before the route runs (body over the limit, bad content length) is still a JSON-RPC answer.
  app.setErrorHandler((err, _req, reply) => {
    const code = (err as { code?: unknown }).code;
    const status = (err as { statusCode?: unknown }).statusCode;
    const tooLarge = code === "FST_ERR_CTP_BODY_TOO_LARGE";
    const error = tooLarge
      ? a2aErrors.invalidRequest(`the request body is larger than ${bodyLimit} bytes (bodyLimit)`)
      : a2aErrors.invalidRequest(err instanceof Error ? err.message : "unreadable request");
    const httpStatus = typeof status === "number" && status >= 400 && status < 500 ? status : tooLarge ? 413 : 400;
    return reply.code(httpStatus).send(errorResponse(null, toJsonRpcError(error)));
  });

  // The card is public and changes only with the server (and the Host it is asked under):
  // caches may keep it for cardMaxAgeSeconds and revalidate with its ETag (304).
  const cardModified = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
  const cardMaxAge = opts.cardMaxAgeSeconds ?? 300;
  app.get(AGENT_CARD_PATH, async (req, reply) => {
    const header = req.headers[A2A_VERSION_HEADER.toLowerCase()];
    const asked = (Array.isArray(header) ? header[0] : header) ?? "";
    const card = bridge.card(endpointUrl(req, app.prefix, rpcPath));
    const body = JSON.stringify(bridge.legacy && cardVersion(asked) === A2A_LEGACY_VERSION ? withLegacyFields(card) : card);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    reply
      .header("vary", A2A_VERSION_HEADER)
      .header("cache-control", `public, max-age=${cardMaxAge}`)
      .header("etag", etag)
      .header("last-modified", cardModified);
    if (notModified(req, etag, cardModified)) return reply.code(304).send();
    return reply.type("application/json; charset=utf-8").send(body);
  });

  if (opts.jsonRpc === false) return; // the card alone (another binding serves the operations)

  // Authentication runs before the body is read: an unauthenticated caller costs no body parsing.
  const callers = new WeakMap<FastifyRequest, A2aCaller>();
  app.addHook("onRequest", async (req, reply) => {
    if (req.method !== "POST") return;
    try {
      callers.set(req, { ...(await authenticate(bridge.auth, req)), endpoint: endpointUrl(req, app.prefix, rpcPath) });
    } catch (err: unknown) {
      // 401 / 403 with the verifier's challenge; the body is a JSON-RPC error (id null: nothing was read).
      const status = err instanceof HttpError ? err.status : 401;
      const headers = err instanceof HttpError ? err.headers : {};
      const cause = err instanceof HttpError ? err.error : err;
      return reply
        .code(status)
        .headers(headers)
        .header("connection", "close")
        .send(errorResponse(null, toJsonRpcError(cause)));
    }
  });

  // The content type is checked before anything reads the body (HTTP 415, id null: nothing was
  // read): preParsing runs before the body parser, so a refused body costs no bytes read.
  app.addHook("preParsing", async (req, reply) => {
    if (req.method !== "POST") return;
    const refused = contentTypeError(req.headers["content-type"]);
    if (refused !== undefined)
      return reply
        .code(415)
        .header("connection", "close")
        .send(errorResponse(null, toJsonRpcError(refused)));
  });

  app.post(rpcPath, async (req, reply) => {
    let id: JsonRpcId = null;
    let version: WireVersion = A2A_LEGACY_VERSION;
    const caller = callers.get(req);
    if (caller === undefined) return reply.code(401).send(errorResponse(null, toJsonRpcError(a2aErrors.internal("request was not authenticated"))));
    try {
      const header = req.headers[A2A_VERSION_HEADER.toLowerCase()];
      version = negotiateVersion(Array.isArray(header) ? header[0] : header, bridge.legacy);
      const text = typeof req.body === "string" ? req.body : "";
      if (jsonDepthExceeds(text, maxDepth)) throw a2aErrors.invalidRequest(`the body nests arrays and objects deeper than ${maxDepth} levels`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err: unknown) {
        throw a2aErrors.parse(err instanceof Error ? err.message : "not JSON");
      }
      id = idOf(body);
      const rpc = parseRequest(body);
      const legacy = version === A2A_LEGACY_VERSION;
      const method = resolveMethod(rpc.method, legacy);
      if (method === undefined) throw a2aErrors.methodNotFound(rpc.method);
      const params = legacy ? paramsFromV03(method, rpc.params) : rpc.params;
      const outcome = await runLegacyAware(bridge, caller, method, params, legacy);
      if (outcome.kind === "result") return reply.send(resultResponse(id, legacy ? resultToV03(method, outcome.value) : outcome.value));
      return streamSse(reply, id, outcome.events, legacy, heartbeatMs);
    } catch (err: unknown) {
      return reply.send(errorResponse(id, toJsonRpcError(err)));
    }
  });
}

/** 0.3 `tasks/pushNotificationConfig/get` may omit the config id: the task's first config answers. */
async function runLegacyAware(bridge: A2aBridge, caller: A2aCaller, method: A2aMethodName, params: unknown, legacy: boolean): Promise<RpcOutcome> {
  if (legacy && method === "GetTaskPushNotificationConfig" && (params as { id?: unknown }).id === undefined) {
    const list = await bridge.handler.handle(caller, "ListTaskPushNotificationConfigs", params);
    const first = outcomeValue(list).configs[0];
    if (first === undefined) throw a2aErrors.invalidParams("the task has no push notification config");
    return { kind: "result", value: first };
  }
  return bridge.handler.handle(caller, method, params);
}

function outcomeValue(o: RpcOutcome): { configs: TaskPushNotificationConfig[] } {
  return o.kind === "result" ? (o.value as { configs: TaskPushNotificationConfig[] }) : { configs: [] };
}

/** The JSON-RPC endpoint URL as `req` reached it (its scheme and Host, the plugin's prefix, rpcPath). */
export function endpointUrl(req: FastifyRequest, prefix: string, rpcPath: string): string {
  const path = `${prefix}${rpcPath === "/" && prefix !== "" ? "" : rpcPath}` || "/";
  return `${req.protocol}://${req.host}${path}`;
}

/** Streams `events` as SSE, one JSON-RPC response each (0.3 shapes for a 0.3 caller); a failure is one `event: error` JSON-RPC error. */
function streamSse(reply: FastifyReply, id: JsonRpcId, events: AsyncIterable<StreamResponse>, legacy: boolean, heartbeatMs: number): Promise<void> {
  return pipeSse(reply, events, heartbeatMs, {
    event: (ev) => resultResponse(id, legacy ? streamResponseToV03(ev) : ev),
    error: (err) => errorResponse(id, toJsonRpcError(err)),
  });
}
