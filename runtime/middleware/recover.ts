/**
 * recover: a handler that throws (synchronously or by rejecting) becomes an `error`
 * result, so the bus replies `agent.response.error` and the process lives on.
 * spec/middleware.md "recover". Place it outermost so it also catches throws of the
 * middleware inside it.
 */
import type { Envelope } from "../../generated/ts/types.js";
import type { ErrorCodeName } from "../../generated/ts/constants.js";
import type { AcpError } from "../../generated/ts/errors.js";
import type { InboundContext, InboundMiddleware, InboundResult } from "../bus/types.js";
import { toAcpError } from "./internal.js";

/** Options of {@link recover}. */
export interface RecoverOptions {
  /** Code for thrown values that carry none (default AGENT_UNAVAILABLE, as the bus). */
  fallbackCode?: ErrorCodeName;
  /** Told about every recovered throw (for logs and metrics); its own throws are ignored. */
  onError?: (error: AcpError, thrown: unknown, env: Envelope, ctx: InboundContext) => void;
}

/** Inbound middleware turning throws and rejections into `error` results. */
export function recover(opts: RecoverOptions = {}): InboundMiddleware {
  const { fallbackCode, onError } = opts;
  return (next) =>
    async (env, ctx): Promise<InboundResult> => {
      try {
        return await next(env, ctx);
      } catch (thrown: unknown) {
        const error = toAcpError(thrown, fallbackCode);
        if (onError !== undefined) {
          try {
            onError(error, thrown, env, ctx);
          } catch {
            // an observer must not turn a recovered failure into a crash
          }
        }
        return { kind: "error", error };
      }
    };
}
