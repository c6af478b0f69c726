/**
 * The HTTP+JSON (REST) binding of A2A 1.0 (spec section 11, the google.api.http options of
 * a2a.proto) as a fastify plugin context beside the JSON-RPC one, served by the same
 * protocol-neutral handler (rpc-handler.ts): `POST /message:send`, `POST /message:stream`
 * (SSE), `GET /tasks/{id}`, `GET /tasks`, `POST /tasks/{id}:cancel`, `POST|GET
 * /tasks/{id}:subscribe` (SSE), push-config create/get/list/delete under
 * `/tasks/{taskId}/pushNotificationConfigs`, `GET /extendedAgentCard`, each also under a
 * `/{tenant}` prefix. Every request is authenticated in onRequest before its body is read (the
 * same hook as JSON-RPC); errors answer the AIP-193 body of rest-errors.ts. spec/a2a.md
 * "HTTP+JSON binding".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER, type StreamResponse } from "../../generated/a2a/index.js";
import { jsonDepthExceeds } from "../http/json-depth.js";
import { authenticate, type A2aCaller } from "./auth.js";
import type { A2aBridge } from "./bridge.js";
import { A2aError, a2aErrors } from "./errors.js";
import { endpointUrl, type A2aHttpOptions } from "./http.js";
import { pipeSse } from "./sse-stream.js";
import { loadA2aProto, type A2aProto } from "./proto.js";
import { restErrorOf } from "./rest-errors.js";
import { matchRestRoute, queryToJson, requestDesc, routeParams } from "./rest-request.js";
import { negotiateVersion } from "./version.js";

/** Options of the HTTP+JSON binding. */
export interface A2aRestOptions {
  /**
   * Base path of the HTTP+JSON binding inside the plugin's prefix. Default "/": the operations sit
   * next to the JSON-RPC endpoint (`POST /message:send`, `GET /tasks/{id}`, ...).
   */
  restPath?: string;
}

/** Media types a REST request body may have (parameters such as charset allowed). */
const JSON_TYPES = new Set(["application/json", "application/a2a+json"]);
/** Media type of REST errors (AIP-193 bodies; the TCK's HTTP_JSON-ERR-001 takes application/json or application/a2a+json). */
const JSON_CONTENT_TYPE = "application/json";
/** Media type of REST results (A2A 1.0 section 11.1; the TCK's HTTP_JSON-SVC-001 checks for exactly this media type). */
const A2A_JSON_CONTENT_TYPE = "application/a2a+json";

/** The base path of the binding inside the plugin's prefix: "" or "/x" (no trailing slash). */
export function restBasePath(restPath: string | undefined): string {
  return (restPath ?? "/").replace(/\/+$/, "");
}

/**
 * Refuses an A2A-Version this binding does not speak. It speaks 1.0 (any 1.0.x) only: an absent
 * or empty header means 0.3 (spec 3.6.2), whose REST form (/v1/... paths) is not served, so it
 * is refused too, as the reference SDK's REST server does.
 */
function checkRestVersion(header: string | string[] | undefined): void {
  const raw = (Array.isArray(header) ? header[0] : header)?.trim() ?? "";
  if (raw === "") {
    throw new A2aError(
      "VERSION_NOT_SUPPORTED",
      `no ${A2A_VERSION_HEADER} header means version 0.3, which the HTTP+JSON binding does not serve; send ${A2A_VERSION_HEADER}: ${A2A_PROTOCOL_VERSION}`,
    );
  }
  negotiateVersion(raw, false);
}

/** The refusal of a body of this Content-Type (undefined: a JSON type). */
function contentTypeError(header: string | undefined): A2aError | undefined {
  const type = (header ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
  if (JSON_TYPES.has(type)) return undefined;
  return a2aErrors.contentType(
    `the request body must be application/json or application/a2a+json, got ${type === "" ? "no Content-Type" : JSON.stringify(type)}`,
  );
}

/** True when the request announces a body (Content-Length > 0 or chunked): an empty body may have any type. */
function announcesBody(req: FastifyRequest): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** The parsed JSON body of a POST (an empty body is `{}`). @throws A2aError with the defect. */
function bodyOf(req: FastifyRequest, maxDepth: number): Record<string, unknown> {
  const text = typeof req.body === "string" ? req.body : "";
  if (text.trim() === "") return {};
  const refused = contentTypeError(req.headers["content-type"]);
  if (refused !== undefined) throw refused;
  if (jsonDepthExceeds(text, maxDepth)) throw a2aErrors.invalidRequest(`the body nests arrays and objects deeper than ${maxDepth} levels`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err: unknown) {
    throw a2aErrors.parse(err instanceof Error ? err.message : "not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw a2aErrors.invalidRequest("the body must be a JSON object");
  return body as Record<string, unknown>;
}

/**
 * Registers the HTTP+JSON routes of `bridge` on `app`, which must be an encapsulated context of
 * its own (its body parser, error handler and auth hook stay local).
 */
export async function registerA2aRestRoutes(app: FastifyInstance, bridge: A2aBridge, opts: A2aHttpOptions & A2aRestOptions = {}): Promise<void> {
  const base = restBasePath(opts.restPath);
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const bodyLimit = opts.bodyLimit ?? 4 * 1024 * 1024;
  const maxDepth = opts.maxDepth ?? 64;
  const proto: A2aProto = loadA2aProto();
  const send = (reply: FastifyReply, err: unknown, status?: number): FastifyReply => {
    const a = restErrorOf(err, status);
    return reply.code(a.status).headers(a.headers).type(JSON_CONTENT_TYPE).send(a.body);
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit }, (_req, body, done) => done(null, body));
  // What fails before the route runs (body over the limit, bad content length) still answers AIP-193.
  app.setErrorHandler((err, _req, reply) => {
    const code = (err as { code?: unknown }).code;
    const status = (err as { statusCode?: unknown }).statusCode;
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return send(reply, a2aErrors.invalidRequest(`the request body is larger than ${bodyLimit} bytes (bodyLimit)`), 413);
    const http = typeof status === "number" && status >= 400 && status < 500 ? status : 400;
    return send(reply, a2aErrors.invalidRequest(err instanceof Error ? err.message : "unreadable request"), http);
  });

  // Authentication runs before the body is read: an unauthenticated caller costs no body parsing.
  const callers = new WeakMap<FastifyRequest, A2aCaller>();
  app.addHook("onRequest", async (req, reply) => {
    try {
      callers.set(req, { ...(await authenticate(bridge.auth, req)), endpoint: endpointUrl(req, app.prefix, opts.rpcPath ?? "/") });
    } catch (err: unknown) {
      return send(reply.header("connection", "close"), err);
    }
  });

  // A body of another type is refused before it is read (415): preParsing runs before the body parser.
  app.addHook("preParsing", async (req, reply) => {
    if (req.method !== "POST" || !announcesBody(req)) return;
    const refused = contentTypeError(req.headers["content-type"]);
    if (refused !== undefined) return send(reply.header("connection", "close"), refused);
  });

  app.route({
    method: ["GET", "POST", "DELETE"],
    url: `${base}/*`,
    handler: async (req, reply) => {
      const caller = callers.get(req);
      if (caller === undefined) return send(reply, a2aErrors.internal("request was not authenticated"), 401);
      try {
        checkRestVersion(req.headers[A2A_VERSION_HEADER.toLowerCase()]);
        // The path as sent, the one fastify routed and the auth hook was shown: never a normalized
        // form (new URL would resolve "/x/../tasks" to "/tasks", serving what the hook did not see).
        const q = req.url.indexOf("?");
        const rawPath = q < 0 ? req.url : req.url.slice(0, q);
        const route = rawPath.startsWith(`${app.prefix}${base}/`) ? matchRestRoute(req.method, rawPath.slice(app.prefix.length + base.length)) : undefined;
        if (route === undefined) throw a2aErrors.methodNotFound(`${req.method} ${rawPath} (see spec/a2a.md "HTTP+JSON binding" for the paths)`);
        const query = new URLSearchParams(q < 0 ? "" : req.url.slice(q + 1));
        const input = route.fromBody ? bodyOf(req, maxDepth) : queryToJson(requestDesc(proto, route), query);
        const outcome = await bridge.handler.handle(caller, route.method, routeParams(proto, route, input));
        if (outcome.kind === "result")
          return reply
            .code(200)
            .type(A2A_JSON_CONTENT_TYPE)
            .send(outcome.value ?? {});
        return streamSse(reply, outcome.events, heartbeatMs);
      } catch (err: unknown) {
        return send(reply, err);
      }
    },
  });
}

/**
 * Streams `events` as SSE, one StreamResponse (ProtoJSON) per `data:` event; a failure after the
 * stream opened is one `event: error` whose data is the AIP-193 body, then the stream ends.
 */
function streamSse(reply: FastifyReply, events: AsyncIterable<StreamResponse>, heartbeatMs: number): Promise<void> {
  return pipeSse(reply, events, heartbeatMs, { event: (ev) => ev, error: (err) => restErrorOf(err).body });
}
