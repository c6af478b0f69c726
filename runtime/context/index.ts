/**
 * Context propagation (spec/bus.md "Context propagation"): the session, conversation,
 * tenant, user, channel and W3C trace context of the envelope being handled flow, through
 * AsyncLocalStorage, into every envelope sent while handling it. Explicit values win.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Envelope } from "../../generated/ts/types.js";
import { TraceIdSource, formatTraceparent, isW3cTraceId, parseTraceparent } from "./traceparent.js";

export { parseTraceparent, formatTraceparent, isW3cTraceId, TraceIdSource } from "./traceparent.js";
export type { TraceParent } from "./traceparent.js";

/**
 * Envelope fields that flow from a handled envelope into everything sent while handling it.
 * Field names are the envelope's (snake_case).
 */
export interface ContextFields {
  session_id?: string;
  conversation_id?: string;
  tenant_id?: string;
  user_id?: string;
  channel?: string;
  /** W3C trace context; a send keeps its trace id and gets a new span id. */
  traceparent?: string;
  trace_id?: string;
  span_id?: string;
}

/** The propagated field names, in envelope order. */
export const CONTEXT_FIELDS = [
  "session_id", "conversation_id", "tenant_id", "user_id", "channel", "trace_id", "span_id", "traceparent",
] as const satisfies readonly (keyof ContextFields)[];

// One storage for the process, like OpenTelemetry's context: a bus handling an envelope and
// another bus sending from inside that handler must see the same context. It holds no data
// outside an active run.
const storage = new AsyncLocalStorage<Readonly<ContextFields>>();

/** The context of the envelope being handled, or `undefined` outside any handler. */
export function currentContext(): Readonly<ContextFields> | undefined {
  return storage.getStore();
}

/** Runs `fn` with `ctx` as the current context (for edges such as an HTTP gateway, and for tests). */
export function runWithContext<T>(ctx: Readonly<ContextFields>, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The propagated fields of an envelope (string values only). */
export function contextFromEnvelope(env: Envelope): ContextFields {
  const ctx: ContextFields = {};
  for (const key of CONTEXT_FIELDS) {
    const value = env[key];
    if (typeof value === "string") ctx[key] = value;
  }
  return ctx;
}

/**
 * The context fields of an outbound envelope: the current context, with a new span id in the
 * same trace, overridden field by field by `explicit`. An explicit `traceparent` is kept as is
 * (its trace and span ids become `trace_id` / `span_id` unless those are explicit too).
 */
export function outboundContext(ids: TraceIdSource, explicit?: Readonly<ContextFields>, base: Readonly<ContextFields> | undefined = currentContext()): ContextFields {
  const out: ContextFields = {};
  if (base !== undefined) {
    if (base.session_id !== undefined) out.session_id = base.session_id;
    if (base.conversation_id !== undefined) out.conversation_id = base.conversation_id;
    if (base.tenant_id !== undefined) out.tenant_id = base.tenant_id;
    if (base.user_id !== undefined) out.user_id = base.user_id;
    if (base.channel !== undefined) out.channel = base.channel;
    childTrace(ids, base, out);
  }
  if (explicit !== undefined) {
    for (const key of CONTEXT_FIELDS) {
      const value = explicit[key];
      if (value !== undefined) out[key] = value;
    }
    if (explicit.traceparent !== undefined) {
      const tp = parseTraceparent(explicit.traceparent);
      if (tp !== undefined) {
        out.trace_id = explicit.trace_id ?? tp.traceId;
        out.span_id = explicit.span_id ?? tp.spanId;
      }
    }
  }
  return out;
}

/** Fills `out` with a child of `parent`'s trace: same trace id, new span id. */
function childTrace(ids: TraceIdSource, parent: Readonly<ContextFields>, out: ContextFields): void {
  const tp = parseTraceparent(parent.traceparent);
  if (tp !== undefined) {
    const spanId = ids.spanId();
    out.traceparent = formatTraceparent(tp.traceId, spanId, tp.flags);
    out.trace_id = tp.traceId;
    out.span_id = spanId;
    return;
  }
  if (parent.trace_id !== undefined) {
    out.trace_id = parent.trace_id;
    const spanId = ids.spanId();
    out.span_id = spanId;
    // A W3C-shaped trace id without traceparent (e.g. from a v1 peer): give it one.
    if (isW3cTraceId(parent.trace_id)) out.traceparent = formatTraceparent(parent.trace_id, spanId);
  }
}
