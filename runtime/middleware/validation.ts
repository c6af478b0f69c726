/**
 * validation: strict schema validation of every envelope (the envelope schema and the
 * standard payload schemas, through the generated validators), plus optional checks of
 * your own (an agent contract's input schema). A failure is INVALID_REQUEST with the
 * RFC 6901 pointer of the defect in `details.pointer` and in the reply's `cause.pointer`.
 * Useful on a `lenient` bus, to make some handlers strict. spec/middleware.md "validation".
 */
import type { Envelope } from "../../generated/ts/types.js";
import { InvalidRequestError, type AcpError } from "../../generated/ts/errors.js";
import type { InboundKind, InboundMiddleware, InboundResult, OutboundMiddleware, OutboundResult } from "../bus/types.js";
import { validate } from "../envelope/decode.js";
import type { MiddlewarePair } from "./compose.js";

/** One defect found by an extra check. */
export interface ValidationProblem {
  /** RFC 6901 pointer into the envelope (`/payload/query`). */
  pointer: string;
  message: string;
}

/** Options of {@link validation}. */
export interface ValidationOptions {
  /** Extra check after the schema (for example an agent contract's input schema on `/payload`). */
  check?: (env: Envelope) => ValidationProblem | undefined;
  /** Inbound kinds validated (default all). */
  inboundKinds?: readonly InboundKind[];
  /** Validate what this bus sends too (default false: the bus builds valid envelopes). */
  outbound?: boolean;
}

/** The defect of `env`, as an INVALID_REQUEST error, or undefined when it is valid. */
export function envelopeProblem(env: Envelope, check?: (env: Envelope) => ValidationProblem | undefined): AcpError | undefined {
  const result = validate(env);
  if (!result.ok) {
    const { pointer, expected, got } = result.error;
    // the cause is plain data so it travels in the error reply's ErrorPayload.cause
    return new InvalidRequestError(result.error.message, { cause: { pointer, expected, got }, details: { pointer, expected, got } });
  }
  const problem = check?.(env);
  if (problem === undefined) return undefined;
  return new InvalidRequestError(`invalid envelope at ${problem.pointer || "(root)"}: ${problem.message}`, {
    cause: { pointer: problem.pointer },
    details: { pointer: problem.pointer },
  });
}

/** Inbound (and optionally outbound) validation middleware. */
export function validation(opts: ValidationOptions = {}): MiddlewarePair {
  const kinds = new Set<InboundKind>(opts.inboundKinds ?? ["event", "invoke", "stream"]);
  const check = opts.check;

  const inbound: InboundMiddleware =
    (next) =>
    (env, ctx): Promise<InboundResult> => {
      if (!kinds.has(ctx.kind)) return next(env, ctx);
      const error = envelopeProblem(env, check);
      return error === undefined ? next(env, ctx) : Promise.resolve({ kind: "error", error });
    };

  const outbound: OutboundMiddleware =
    (next) =>
    (env, call): Promise<OutboundResult> => {
      if (opts.outbound !== true) return next(env, call);
      const error = envelopeProblem(env, check);
      return error === undefined ? next(env, call) : Promise.reject(error);
    };

  return { inbound, outbound };
}
