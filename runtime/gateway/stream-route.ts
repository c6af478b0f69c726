/**
 * `POST /v1/agents/{target}/stream` → `text/event-stream`, one SSE event per frame
 * (spec/gateway.md "Streams"). An error before the first frame (NO_HANDLER, a refused send, a
 * timeout) is answered as a JSON error with its HTTP status; after it, as a terminal
 * `agent.response.error` event. With `Last-Event-ID` the request resumes a retained stream
 * instead of starting one (410 when it is no longer retained). spec/gateway.md "Streams".
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Envelope } from "../../generated/ts/types.js";
import { InvalidRequestError, PermissionDeniedError, type AcpError } from "../../generated/ts/errors.js";
import type { ContextFields } from "../bus/types.js";
import { createEnvelope } from "../envelope/index.js";
import { toErrorPayload } from "../errors.js";
import { headerValue } from "./context.js";
import { HttpError } from "./errors.js";
import { checkTarget, prepare, sendError, timeoutOf, type GatewayRuntime, type RouteRequest } from "./routes.js";
import { SseResponse } from "./sse.js";
import type { StreamSession } from "./stream-session.js";

/** Headers already set on the reply (request id, CORS) as plain strings, for a hijacked response. */
function replyHeaders(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

/** Takes the response over from fastify and opens the event stream on it. */
function openSse(gw: GatewayRuntime, reply: FastifyReply, session: StreamSession): SseResponse {
  const headers = { ...replyHeaders(reply), "x-stream-id": session.requestId };
  reply.hijack();
  const sse = new SseResponse(reply.raw, { heartbeatMs: gw.heartbeatMs });
  sse.open(headers);
  reply.raw.once("close", () => {
    sse.end();
    session.detach(sse);
  });
  return sse;
}

function errorFrame(gw: GatewayRuntime, requestId: string, target: string, context: ContextFields, error: AcpError): Envelope {
  return createEnvelope(
    {
      event_type: "agent.response.error",
      is_final: true,
      correlation_id: requestId,
      from: target,
      to: gw.agentId,
      ...context,
      payload: toErrorPayload(error) as Envelope["payload"],
    },
    { schemaVersion: gw.schemaVersion },
  );
}

function gone(lastEventId: string, windowMs: number): HttpError {
  const why = windowMs > 0 ? `streams stay resumable for ${windowMs} ms after a disconnect or their end` : "this gateway keeps no streams for resume";
  return new HttpError(
    410,
    new InvalidRequestError(`cannot resume: no retained stream holds Last-Event-ID ${JSON.stringify(lastEventId)} (${why}); start a new stream`, {
      details: { pointer: "" },
    }),
  );
}

async function resume(gw: GatewayRuntime, reply: FastifyReply, target: string, tenant: string | undefined, lastEventId: string): Promise<FastifyReply> {
  const session = gw.store.find(lastEventId);
  if (session === undefined || session.target !== target) throw gone(lastEventId, gw.store.windowMs);
  if (session.tenant !== tenant) {
    throw new HttpError(403, new PermissionDeniedError("the stream of this Last-Event-ID belongs to another tenant"));
  }
  if (!session.canResume(lastEventId)) throw gone(lastEventId, gw.store.windowMs);
  // nothing runs between the check and attach(), so attach() does not refuse
  const sse = openSse(gw, reply, session);
  if (!session.attach(sse, lastEventId)) sse.end();
  return reply;
}

async function stream(gw: GatewayRuntime, req: RouteRequest, reply: FastifyReply): Promise<FastifyReply> {
  const target = req.params["target"] ?? "";
  checkTarget(target);
  const context = await prepare(gw, req, { target });
  const lastEventId = headerValue(req.headers, "last-event-id");
  if (lastEventId !== undefined && lastEventId !== "") return resume(gw, reply, target, context.tenant_id, lastEventId);
  const timeoutMs = timeoutOf(gw, req);
  const call = gw.bus.streamInvoke(target, req.body, { context, timeoutMs, yieldErrors: true });
  const session = gw.store.open(call, {
    tenant: context.tenant_id,
    target,
    errorEnvelope: (error) => errorFrame(gw, call.requestId, target, context, error),
  });
  // client gone before the first frame: stop the bus stream
  const onEarlyClose = (): void => {
    if (!reply.raw.headersSent) void call.close("HTTP client disconnected");
  };
  reply.raw.once("close", onEarlyClose);
  let timer: NodeJS.Timeout | undefined;
  const waited =
    gw.heartbeatMs > 0
      ? new Promise<"commit">((resolve) => (timer = setTimeout(() => resolve("commit"), gw.heartbeatMs)))
      : new Promise<"commit">(() => undefined);
  const first = await Promise.race([session.first, waited]);
  clearTimeout(timer);
  reply.raw.off("close", onEarlyClose);
  if (first !== "commit" && first.kind === "error") return sendError(reply, first.error);
  if (reply.raw.destroyed) {
    await call.close("HTTP client disconnected");
    return reply;
  }
  const sse = openSse(gw, reply, session);
  session.attach(sse);
  return reply;
}

/** Registers the stream route. */
export function registerStreamRoute(app: FastifyInstance, gw: GatewayRuntime): void {
  app.post("/v1/agents/:target/stream", async (req: RouteRequest, reply: FastifyReply) => {
    try {
      return await stream(gw, req, reply);
    } catch (err: unknown) {
      if (reply.sent || reply.raw.headersSent) return reply;
      return sendError(reply, err);
    }
  });
}
