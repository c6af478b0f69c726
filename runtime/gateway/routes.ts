/**
 * The deployed routes (spec/gateway.md "Routes") except the stream:
 * `POST /v1/agents/{target}/invoke` → 200 with the reply payload (204 when empty),
 * `POST /v1/events/{event_type}` → 202, and `GET /healthz`, `GET /readyz`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Envelope } from "../../generated/ts/types.js";
import { SUBJECTS } from "../../generated/ts/constants.js";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import type { Bus, ContextFields } from "../bus/types.js";
import { createEnvelope, validate } from "../envelope/index.js";
import { isErrorReply } from "../bus/index.js";
import { targetProblem } from "../bus/subjects.js";
import type { AuthHook, AuthResult } from "./auth/types.js";
import { requestContext, headerValue } from "./context.js";
import { HttpError, statusOfCode, toErrorAnswer } from "./errors.js";
import type { StreamStore } from "./stream-store.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** What the routes share. */
export interface GatewayRuntime {
  readonly bus: Bus;
  readonly auth: AuthHook | undefined;
  /** `from` of envelopes the gateway writes itself (events, synthesized error frames). */
  readonly agentId: string;
  readonly schemaVersion: 1 | 2;
  readonly timeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly store: StreamStore;
  /** True while the gateway can take work (bus open, transport connected, not closing). */
  ready(): Promise<boolean>;
}

export type RouteRequest = FastifyRequest<{ Params: Record<string, string>; Body: unknown }>;

/**
 * 400 unless `target` is a target the bus can address: dotted, as deployed bridges register
 * (`openclaw.chat`), with no empty token, white space or wildcard (spec/bus.md "Dotted targets").
 */
export function checkTarget(target: string): void {
  const problem = targetProblem(target);
  if (problem !== undefined) {
    throw new HttpError(
      400,
      new InvalidRequestError(
        `invalid target ${JSON.stringify(target)} in the URL path: ${problem}; targets are dotted names such as "billing" or "openclaw.chat"`,
        { details: { pointer: "/to" } },
      ),
    );
  }
}

/** Authenticates (when a hook is set) and builds the request's envelope context. */
export async function prepare(gw: GatewayRuntime, req: RouteRequest, route: { target?: string; eventType?: string }): Promise<ContextFields> {
  let auth: AuthResult | undefined;
  if (gw.auth !== undefined) {
    // null prototype: a hook indexing it with a name ("constructor", "__proto__") finds only what was sent
    const headers = Object.create(null) as Record<string, string | undefined>;
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    auth = await gw.auth({ method: req.method, url: req.url, headers, ...route });
  }
  return requestContext(req.headers, auth);
}

/** The call timeout: `X-Timeout-Ms` (1 … maxTimeoutMs) or the gateway default. */
export function timeoutOf(gw: GatewayRuntime, req: RouteRequest): number {
  const raw = headerValue(req.headers, "x-timeout-ms");
  if (raw === undefined) return gw.timeoutMs;
  const ms = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(ms >= 1 && ms <= gw.maxTimeoutMs)) {
    throw new HttpError(400, new InvalidRequestError(`header x-timeout-ms must be an integer from 1 to ${gw.maxTimeoutMs}, got ${JSON.stringify(raw)}`));
  }
  return ms;
}

/** Sends an error answer (JSON ErrorPayload with its status). */
export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const answer = toErrorAnswer(err);
  return reply.code(answer.status).headers(answer.headers).header("content-type", JSON_TYPE).send(JSON.stringify(answer.body));
}

/** An AbortSignal that fires when the client goes away before the response is finished. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  res.once("close", () => {
    if (!res.writableFinished) controller.abort(new Error("HTTP client disconnected"));
  });
  return controller.signal;
}

function isEmptyPayload(payload: unknown): boolean {
  return payload === undefined || payload === null;
}

async function invoke(gw: GatewayRuntime, req: RouteRequest, reply: FastifyReply): Promise<FastifyReply> {
  const target = req.params["target"] ?? "";
  checkTarget(target);
  const context = await prepare(gw, req, { target });
  const timeoutMs = timeoutOf(gw, req);
  const signal = clientGone(reply);
  const env = await gw.bus.invokeEnvelope(target, req.body, { context, timeoutMs, signal });
  const headers: Record<string, string> = { "x-event-id": env.event_id, "content-type": JSON_TYPE };
  if (env.correlation_id !== undefined) headers["x-correlation-id"] = env.correlation_id;
  if (isErrorReply(env)) {
    const code = (env.payload as { code?: unknown } | undefined)?.code;
    return reply
      .code(statusOfCode(typeof code === "string" ? code : "AGENT_UNAVAILABLE"))
      .headers(headers)
      .send(JSON.stringify(env.payload));
  }
  if (isEmptyPayload(env.payload)) {
    delete headers["content-type"];
    return reply.code(204).headers(headers).send();
  }
  return reply.code(200).headers(headers).send(JSON.stringify(env.payload));
}

function checkEventType(eventType: string): void {
  if (!SUBJECTS.tokens.event_type.pattern.test(eventType)) {
    throw new HttpError(
      400,
      new InvalidRequestError(`event type ${JSON.stringify(eventType)} is not ${SUBJECTS.tokens.event_type.description}`, {
        details: { pointer: "/event_type" },
      }),
    );
  }
}

async function emit(gw: GatewayRuntime, req: RouteRequest, reply: FastifyReply): Promise<FastifyReply> {
  const eventType = req.params["event_type"] ?? "";
  checkEventType(eventType);
  const context = await prepare(gw, req, { eventType });
  const env: Envelope = createEnvelope(
    { event_type: eventType, from: gw.agentId, ...context, payload: req.body as Envelope["payload"] },
    { schemaVersion: gw.schemaVersion },
  );
  const checked = validate(env);
  if (!checked.ok) throw new HttpError(400, checked.error);
  await gw.bus.publishEnvelope(env);
  return reply
    .code(202)
    .header("x-event-id", env.event_id)
    .header("content-type", JSON_TYPE)
    .send(JSON.stringify({ event_id: env.event_id }));
}

/** Registers invoke, events, healthz and readyz. */
export function registerRoutes(app: FastifyInstance, gw: GatewayRuntime): void {
  const wrap =
    (fn: (gw: GatewayRuntime, req: RouteRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
    async (req: RouteRequest, reply: FastifyReply): Promise<FastifyReply> => {
      try {
        return await fn(gw, req, reply);
      } catch (err: unknown) {
        return sendError(reply, err);
      }
    };
  app.post("/v1/agents/:target/invoke", wrap(invoke));
  app.post("/v1/events/:event_type", wrap(emit));
  app.get("/healthz", async (_req, reply) => reply.code(200).send({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const ready = await gw.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready" });
  });
}
