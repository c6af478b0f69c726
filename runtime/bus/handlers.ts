/**
 * The handler side of a registration (registration.ts): the user's handler as the innermost
 * inbound handler, the per-envelope state that rides on the InboundContext, and the checks
 * made on every inbound request (reply subject, context to propagate).
 */
import type { Envelope } from "../../generated/ts/types.js";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { LiteralSubjectCheck, subjectProblem } from "../transport/subject.js";
import type { Writer } from "./stream-writer.js";
import type { EventHandler, HandlerContext, InboundContext, InboundHandler, InboundResult, InvokeHandler, StreamHandler } from "./types.js";

/** The user's handler, by kind. */
export type AnyHandler =
  | { readonly kind: "event"; readonly fn: EventHandler<string, unknown> }
  | { readonly kind: "invoke"; readonly fn: InvokeHandler }
  | { readonly kind: "stream"; readonly fn: StreamHandler };

/** Per-envelope state riding on the InboundContext (under a symbol, so copies of ctx keep it). */
export const STATE = Symbol("oaio.bus.inbound-state");
export interface InboundState {
  readonly replyMetadata: Record<string, unknown>;
  readonly writer: Writer | undefined;
  /**
   * The promise the core handler returned for a handler that answered without a promise, and
   * that answer: when the chain hands this very promise back (no middleware, or middleware
   * that passes it through), the registration takes the answer at once, without a promise hop.
   */
  settled?: Promise<InboundResult>;
  result?: InboundResult;
}
export type StatefulContext = InboundContext & { readonly [STATE]?: InboundState };

export const NONE: InboundResult = Object.freeze({ kind: "none" });

function stateOf(ctx: InboundContext): InboundState {
  return (ctx as StatefulContext)[STATE] ?? { replyMetadata: {}, writer: undefined };
}

export function handlerContext(env: Envelope, ctx: InboundContext, state: InboundState): HandlerContext {
  return { envelope: env, subject: ctx.subject, signal: ctx.signal, replyMetadata: state.replyMetadata };
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}

function toNone(): InboundResult {
  return NONE;
}

function toValue(value: unknown): InboundResult {
  return { kind: "value", value };
}

/** An answer given without a promise: a settled promise of it, recorded on the state (see {@link InboundState.settled}). */
function settled(state: InboundState, result: InboundResult): Promise<InboundResult> {
  const promise = Promise.resolve(result);
  state.settled = promise;
  state.result = result;
  return promise;
}

/**
 * The innermost inbound handler for a user handler. Event and invoke handlers that return
 * without a promise cost no promise hop: the answer is recorded on the state for the
 * registration to take when the chain returns it unchanged (a throw still becomes a rejection).
 */
export function coreHandler(handler: AnyHandler): InboundHandler {
  switch (handler.kind) {
    case "event":
      return (env, ctx) => {
        const state = stateOf(ctx);
        let out: unknown;
        try {
          out = handler.fn(env.payload, handlerContext(env, ctx, state));
        } catch (err: unknown) {
          return Promise.reject(err);
        }
        return isPromiseLike(out) ? Promise.resolve(out).then(toNone) : settled(state, NONE);
      };
    case "invoke":
      return (env, ctx) => {
        const state = stateOf(ctx);
        let value: unknown;
        try {
          value = handler.fn(env.payload, handlerContext(env, ctx, state));
        } catch (err: unknown) {
          return Promise.reject(err);
        }
        return isPromiseLike(value) ? Promise.resolve(value).then(toValue) : settled(state, toValue(value));
      };
    case "stream":
      return async (env, ctx) => {
        const state = stateOf(ctx);
        if (state.writer === undefined) throw new InvalidRequestError("stream request without a usable reply_to");
        const value: unknown = await handler.fn(env.payload, state.writer, handlerContext(env, ctx, state));
        return value === undefined ? NONE : { kind: "value", value };
      };
  }
}

export function isEmpty(obj: Record<string, unknown>): boolean {
  for (const _ in obj) return false;
  return true;
}

/**
 * `replyTo` when the bus may send to it: a literal subject under the inbox prefix
 * (`inbox` = the transport's `inboxPrefix` followed by "."), else `undefined`. A request
 * naming any other subject (another tenant's events or invoke subject, say) is refused:
 * replying there would let a caller publish as this agent wherever it likes.
 */
export function replyable(replyTo: unknown, inbox: string): string | undefined {
  return typeof replyTo === "string" && replyTo.length > inbox.length && replyTo.startsWith(inbox) && subjectProblem(replyTo, "publish") === undefined
    ? replyTo
    : undefined;
}

/** {@link replyable} with the transport's {@link LiteralSubjectCheck} (only the last token once a caller's prefix passed). */
export class ReplySubjects {
  readonly #check = new LiteralSubjectCheck();
  readonly #inbox: string;

  /** `inbox`: the transport's inbox prefix followed by ".". */
  constructor(inbox: string) {
    this.#inbox = inbox;
  }

  check(replyTo: unknown): string | undefined {
    return typeof replyTo === "string" && replyTo.length > this.#inbox.length && replyTo.startsWith(this.#inbox) && this.#check.valid(replyTo)
      ? replyTo
      : undefined;
  }
}
