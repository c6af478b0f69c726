/**
 * trace: OpenTelemetry spans through `@opentelemetry/api` only. A CONSUMER span per
 * handled envelope (child of the envelope's `traceparent`), a PRODUCER span per publish,
 * reply or frame and a CLIENT span per invoke or stream request (child of the active
 * span); a sent envelope carries its span as `traceparent`. Without an SDK registered the
 * API is a no-op: nothing is recorded and envelopes keep the traceparent the bus gave
 * them. spec/middleware.md "trace".
 */
import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Context, type Span, type SpanContext, type Tracer } from "@opentelemetry/api";
import type { Envelope } from "../../generated/ts/types.js";
import { formatTraceparent, parseTraceparent } from "../context/traceparent.js";
import type { InboundMiddleware, InboundResult, OutboundKind, OutboundMiddleware, OutboundResult } from "../bus/types.js";
import type { MiddlewarePair } from "./compose.js";
import { toAcpError } from "./internal.js";

/** Options of {@link tracing}. */
export interface TraceOptions {
  /** Tracer to use (default `trace.getTracer("openagentio")` from the global provider). */
  tracer?: Tracer;
  /** Outbound kinds that get a span (default all). */
  outboundKinds?: readonly OutboundKind[];
}

/** The remote span context of a W3C `traceparent`, or undefined when it is absent or malformed. */
export function spanContextFromTraceparent(value: unknown): SpanContext | undefined {
  const tp = parseTraceparent(value);
  if (tp === undefined) return undefined;
  return { traceId: tp.traceId, spanId: tp.spanId, traceFlags: Number.parseInt(tp.flags, 16) & 0xff, isRemote: true };
}

/** The W3C `traceparent` (version 00) of a span context. */
export function traceparentOf(sc: SpanContext): string {
  return formatTraceparent(sc.traceId, sc.spanId, (sc.traceFlags & 0xff).toString(16).padStart(2, "0"));
}

function attributes(env: Envelope, subject: string, operation: string): Attributes {
  const attrs: Attributes = {
    "messaging.system": "acp",
    "messaging.operation.type": operation,
    "messaging.destination.name": subject,
    "messaging.message.id": env.event_id,
    "acp.event_type": env.event_type,
  };
  if (env.correlation_id !== undefined) attrs["messaging.message.conversation_id"] = env.correlation_id;
  if (env.tenant_id !== undefined) attrs["acp.tenant_id"] = env.tenant_id;
  if (env.from !== undefined) attrs["acp.from"] = env.from;
  if (env.to !== undefined) attrs["acp.to"] = env.to;
  return attrs;
}

function fail(span: Span, err: unknown): void {
  const error = toAcpError(err);
  span.setAttribute("error.type", error.code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/** The parent for an outbound span: the active span, else the envelope's own traceparent. */
function outboundParent(env: Envelope): Context {
  const active = context.active();
  if (trace.getSpan(active) !== undefined) return active;
  const remote = spanContextFromTraceparent(env.traceparent);
  return remote === undefined ? active : trace.setSpanContext(active, remote);
}

const OUTBOUND_OPERATION: Readonly<Record<OutboundKind, string>> = {
  publish: "publish",
  invoke: "send",
  stream: "send",
  reply: "publish",
  frame: "publish",
};

/** Inbound and outbound tracing middleware. */
export function tracing(opts: TraceOptions = {}): MiddlewarePair {
  const tracer = opts.tracer ?? trace.getTracer("openagentio");
  const outKinds = new Set<OutboundKind>(opts.outboundKinds ?? ["publish", "invoke", "stream", "reply", "frame"]);

  const inbound: InboundMiddleware =
    (next) =>
    (env, ctx): Promise<InboundResult> => {
      const remote = spanContextFromTraceparent(env.traceparent);
      const parent = remote === undefined ? context.active() : trace.setSpanContext(context.active(), remote);
      const span = tracer.startSpan(`process ${ctx.subject}`, { kind: SpanKind.CONSUMER, attributes: attributes(env, ctx.subject, "process") }, parent);
      return context.with(trace.setSpan(parent, span), async () => {
        try {
          const result = await next(env, ctx);
          if (result.kind === "error") fail(span, result.error);
          return result;
        } catch (err: unknown) {
          fail(span, err);
          throw err;
        } finally {
          span.end();
        }
      });
    };

  const outbound: OutboundMiddleware =
    (next) =>
    (env, call): Promise<OutboundResult> => {
      if (!outKinds.has(call.kind)) return next(env, call);
      const parent = outboundParent(env);
      const kind = call.kind === "invoke" || call.kind === "stream" ? SpanKind.CLIENT : SpanKind.PRODUCER;
      const operation = OUTBOUND_OPERATION[call.kind];
      const span = tracer.startSpan(`${operation} ${call.subject}`, { kind, attributes: attributes(env, call.subject, operation) }, parent);
      let sent = env;
      if (span.isRecording()) {
        const sc = span.spanContext();
        sent = { ...env, traceparent: traceparentOf(sc), trace_id: sc.traceId, span_id: sc.spanId };
      }
      return context.with(trace.setSpan(parent, span), async () => {
        try {
          return await next(sent, call);
        } catch (err: unknown) {
          fail(span, err);
          throw err;
        } finally {
          span.end();
        }
      });
    };

  return { inbound, outbound };
}
