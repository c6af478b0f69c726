/**
 * A minimal recording tracer and AsyncLocalStorage context manager for the trace tests.
 * The real SDK packages cannot be installed next to the project's @opentelemetry/api
 * 1.10.0: sdk-trace-base 2.x and context-async-hooks 2.x declare peer api < 1.10, and
 * context-async-hooks 3.x needs Node 22. This implements only the API interfaces the
 * middleware calls, and records every span for the assertions.
 */
import { randomBytes } from "node:crypto";
import { AsyncLocalStorage } from "node:async_hooks";
import {
  ROOT_CONTEXT,
  SpanKind,
  TraceFlags,
  context as otelContext,
  trace,
  type Attributes,
  type Context,
  type ContextManager,
  type Link,
  type Span,
  type SpanAttributeValue,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
} from "@opentelemetry/api";

export class AlsContextManager implements ContextManager {
  readonly #als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#als.disable();
    return this;
  }
}

export interface RecordedSpan {
  name: string;
  kind: SpanKind;
  context: SpanContext;
  parentSpanId: string | undefined;
  attributes: Attributes;
  status: SpanStatus | undefined;
  ended: boolean;
}

class RecordingSpan implements Span {
  constructor(private readonly rec: RecordedSpan) {}
  spanContext(): SpanContext {
    return this.rec.context;
  }
  setAttribute(key: string, value: SpanAttributeValue): this {
    this.rec.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.rec.attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.rec.status = status;
    return this;
  }
  updateName(name: string): this {
    this.rec.name = name;
    return this;
  }
  end(): void {
    this.rec.ended = true;
  }
  isRecording(): boolean {
    return !this.rec.ended;
  }
  recordException(): void {}
}

export class RecordingTracer implements Tracer {
  readonly spans: RecordedSpan[] = [];

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = otelContext.active()): Span {
    const parent = trace.getSpanContext(ctx);
    const rec: RecordedSpan = {
      name,
      kind: options.kind ?? SpanKind.INTERNAL,
      context: {
        traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
        spanId: randomBytes(8).toString("hex"),
        traceFlags: TraceFlags.SAMPLED,
      },
      parentSpanId: parent?.spanId,
      attributes: { ...options.attributes },
      status: undefined,
      ended: false,
    };
    this.spans.push(rec);
    return new RecordingSpan(rec);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = (rest.length > 1 ? rest[0] : {}) as SpanOptions;
    const ctx = (rest.length > 2 ? rest[1] : otelContext.active()) as Context;
    const span = this.startSpan(name, options, ctx);
    return otelContext.with(trace.setSpan(ctx, span), () => fn(span)) as ReturnType<F>;
  }
}
