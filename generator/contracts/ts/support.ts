/**
 * `ts/support.ts` of the contract output: the runtime types the contract modules use (from
 * one import specifier, `openagentio` for users) and the small helpers that turn untyped bus
 * streams into typed ones. Same text for every contract folder.
 */

/** Source of ts/support.ts; `runtime` is the module specifier of the openagentio runtime. */
export function supportSource(header: string, runtime: string): string {
  const from = JSON.stringify(runtime);
  return `${header}
/**
 * Helpers shared by the generated agent-contract modules: typed skill streams, typed delta
 * writers and registration groups over the openagentio Bus.
 */
import { CanceledError } from ${from};
import type { Envelope, FrameOptions, HandlerContext, StreamCall, StreamInvokeOptions, StreamWriter, Subscription } from ${from};

export type {
  Bus, Envelope, FrameOptions, HandleOptions, HandlerContext, InvokeOptions, PayloadOf, PublishOptions,
  StreamInvokeOptions, SubscribeOptions, Subscription,
} from ${from};

/** How the deltas of a stream skill travel: text in \`payload.delta\`, or an object in \`payload.data\`. */
export type DeltaEncoding = "text" | "data";

/** Options of a typed stream call. Errors always throw (\`yieldErrors\` is not offered). */
export type SkillStreamOptions = Omit<StreamInvokeOptions, "yieldErrors">;

/** Where generated handlers serve: the bus tenant by default, \`null\` for the untenanted subjects. */
export interface RegisterOptions {
  tenant?: string | null;
}

/** One frame of a typed skill stream, in seq order. */
export type SkillFrame<D, O> =
  | { readonly type: "started"; readonly meta: Record<string, unknown> | undefined; readonly envelope: Envelope }
  | { readonly type: "delta"; readonly delta: D; readonly envelope: Envelope }
  | { readonly type: "final"; readonly output: O; readonly envelope: Envelope }
  /** Any other event sent on the stream (e.g. agent.tool.call). */
  | { readonly type: "event"; readonly envelope: Envelope };

/** A running call of a stream skill: iterate it once, or call \`output()\`. */
export interface SkillStream<D, O> extends AsyncIterable<SkillFrame<D, O>>, AsyncDisposable {
  /** event_id of the request (correlation_id of every frame). */
  readonly requestId: string;
  /** Stops the stream and tells the server. Idempotent. */
  close(reason?: string): Promise<void>;
  /**
   * Runs the stream to its end, handing each delta to \`onDelta\`; resolves with the output.
   * Rejects with the stream's AcpError, or CANCELED when the stream ended without an output.
   */
  output(onDelta?: (delta: D) => void | Promise<void>): Promise<O>;
}

/** Wraps a bus stream call as a typed skill stream. */
export function typedStream<D, O>(call: StreamCall, encoding: DeltaEncoding): SkillStream<D, O> {
  async function* frames(): AsyncGenerator<SkillFrame<D, O>> {
    for await (const f of call) {
      switch (f.type) {
        case "delta":
          yield { type: "delta", delta: (encoding === "text" ? (f.delta ?? "") : (f.data ?? {})) as D, envelope: f.envelope };
          break;
        case "final":
          yield { type: "final", output: f.result as O, envelope: f.envelope };
          break;
        case "error":
          throw f.error;
        default:
          yield f;
      }
    }
  }
  return {
    requestId: call.requestId,
    [Symbol.asyncIterator]: () => frames(),
    close: (reason?: string) => call.close(reason),
    [Symbol.asyncDispose]: () => call.close(),
    async output(onDelta?: (delta: D) => void | Promise<void>): Promise<O> {
      for await (const f of frames()) {
        if (f.type === "delta" && onDelta !== undefined) await onDelta(f.delta);
        else if (f.type === "final") return f.output;
      }
      throw new CanceledError(\`stream \${call.requestId} ended without an output\`);
    },
  };
}

/** What a stream skill handler writes besides its returned output. */
export interface DeltaWriter<D> {
  /** Fires when the caller cancels or the bus gives up on the handler. */
  readonly signal: AbortSignal;
  /** Sends \`agent.response.started\` (optional). */
  started(meta?: Record<string, unknown>, opts?: FrameOptions): Promise<void>;
  /** Sends one delta. */
  delta(delta: D, opts?: FrameOptions): Promise<void>;
}

/** Wraps the bus stream writer of one request as a typed delta writer. */
export function deltaWriter<D>(writer: StreamWriter, encoding: DeltaEncoding): DeltaWriter<D> {
  return {
    get signal(): AbortSignal {
      return writer.signal;
    },
    started: (meta?: Record<string, unknown>, opts?: FrameOptions) => writer.started(meta, opts),
    delta: (delta: D, opts?: FrameOptions) =>
      writer.delta(encoding === "text" ? String(delta) : { data: delta as Record<string, unknown> }, opts),
  };
}

/** The handler context of a contract: the bus context plus the agent's typed publisher. */
export type ContractContext<P> = HandlerContext & { readonly publish: P };

/** Adds the publisher to a bus handler context. */
export function withPublisher<P>(ctx: HandlerContext, publish: P): ContractContext<P> {
  return { ...ctx, publish };
}

/** Every subscription of one registered agent, closed together. */
export interface Registrations extends AsyncDisposable {
  readonly subscriptions: readonly Subscription[];
  /** Resolves once every subscription has closed. */
  readonly closed: Promise<void>;
  /** Unsubscribes everything, waiting for handlers in flight. Idempotent. */
  unsubscribe(): Promise<void>;
}

/** Groups subscriptions into one {@link Registrations}. */
export function group(subscriptions: readonly Subscription[]): Registrations {
  const closed = Promise.all(subscriptions.map((s) => s.closed)).then(() => undefined);
  const unsubscribe = async (): Promise<void> => {
    await Promise.all(subscriptions.map((s) => s.unsubscribe()));
  };
  return { subscriptions, closed, unsubscribe, [Symbol.asyncDispose]: unsubscribe };
}
`;
}
