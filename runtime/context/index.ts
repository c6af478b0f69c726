/**
 * Context propagation (spec/bus.md "Context propagation"): the session, conversation,
 * tenant, user, channel and W3C trace context of the envelope being handled flow, through
 * AsyncLocalStorage, into every envelope sent while handling it. Explicit values win.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { assignContext, copyContext, copyContextExceptTrace, type ContextFields } from "../../generated/ts/envelope-facts.js";
import type { Envelope } from "../../generated/ts/types.js";
import { type TraceIdSource, formatTraceparent, isW3cTraceId, parseTraceparent } from "./traceparent.js";

export { parseTraceparent, formatTraceparent, isW3cTraceId, TraceIdSource } from "./traceparent.js";
export type { TraceParent } from "./traceparent.js";

/**
 * The propagated fields are the envelope schema's `"x-context"` fields (`ContextFields`,
 * `CONTEXT_FIELDS` and the copies below are generated from it: spec/envelope.md "Generated
 * runtime facts"): `copy` ones flow unchanged, `trace` ones continue the trace with a new span.
 */
export { CONTEXT_FIELDS, type ContextFields } from "../../generated/ts/envelope-facts.js";

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
  copyContext(env, ctx);
  return ctx;
}

/**
 * The context fields of an outbound envelope: the current context, with a new span id in the
 * same trace, overridden field by field by `explicit`. An explicit `traceparent` is kept as is
 * (its trace and span ids become `trace_id` / `span_id` unless those are explicit too).
 */
export function outboundContext(
  ids: TraceIdSource,
  explicit?: Readonly<ContextFields>,
  base: Readonly<ContextFields> | undefined = currentContext(),
): ContextFields {
  const out: ContextFields = {};
  if (base !== undefined) {
    copyContextExceptTrace(base, out);
    childTrace(ids, base, out);
  }
  if (explicit !== undefined) {
    assignContext(explicit, out);
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
