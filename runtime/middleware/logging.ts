/**
 * logging: one structured pino line per handled envelope (inbound) and per send
 * (outbound) with the routing facts, the outcome and the duration. Payloads and
 * metadata values are redacted unless `payloads: true`. spec/middleware.md "logging".
 */
import { pino, type BaseLogger, type Level } from "pino";
import type { Envelope } from "../../generated/ts/types.js";
import type { AcpError } from "../../generated/ts/errors.js";
import type { InboundMiddleware, InboundResult, OutboundMiddleware, OutboundResult } from "../bus/types.js";
import type { MiddlewarePair } from "./compose.js";
import { setOwn } from "../bus/own.js";
import { toAcpError } from "./internal.js";

/** Options of {@link logging}. */
export interface LoggingOptions {
  /** Where lines go. Default: `pino({ name: "oaio" })` on stdout. */
  logger?: BaseLogger;
  /** Level of successful outcomes (default "debug"); failures log at "warn". */
  level?: Level;
  /** Log payloads and metadata values as they are (default false: `"[redacted]"`). */
  payloads?: boolean;
}

const REDACTED = "[redacted]";

function envelopeFields(env: Envelope, payloads: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    event_id: env.event_id,
    event_type: env.event_type,
  };
  if (env.correlation_id !== undefined) fields["correlation_id"] = env.correlation_id;
  if (env.from !== undefined) fields["from"] = env.from;
  if (env.to !== undefined) fields["to"] = env.to;
  if (env.tenant_id !== undefined) fields["tenant_id"] = env.tenant_id;
  if (env.session_id !== undefined) fields["session_id"] = env.session_id;
  if (env.trace_id !== undefined) fields["trace_id"] = env.trace_id;
  if (env.traceparent !== undefined) fields["traceparent"] = env.traceparent;
  if (env.seq !== undefined) fields["seq"] = env.seq;
  if (payloads) {
    if (env.payload !== undefined) fields["payload"] = env.payload;
    if (env.metadata !== undefined) fields["metadata"] = env.metadata;
  } else {
    if (env.payload !== undefined) fields["payload"] = REDACTED;
    // metadata keys are routing facts (acp.retry.attempt, …): keep the runtime's, redact the rest
    if (env.metadata !== undefined) {
      const meta: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(env.metadata)) setOwn(meta, key, key.startsWith("acp.") ? value : REDACTED);
      fields["metadata"] = meta;
    }
  }
  return fields;
}

/** Inbound and outbound logging middleware sharing one logger. */
export function logging(opts: LoggingOptions = {}): MiddlewarePair {
  const logger = opts.logger ?? pino({ name: "oaio" });
  const level = opts.level ?? "debug";
  const payloads = opts.payloads ?? false;
  /** The warn line of a failed handling or send. */
  const failed = (base: Record<string, unknown>, error: AcpError, started: number, msg: string): void => {
    logger.warn(
      { ...base, outcome: "error", error: { code: error.code, message: error.message, retryable: error.retryable }, duration_ms: elapsed(started) },
      msg,
    );
  };

  const inbound: InboundMiddleware =
    (next) =>
    async (env, ctx): Promise<InboundResult> => {
      const started = performance.now();
      const base = { direction: "in", kind: ctx.kind, subject: ctx.subject, ...envelopeFields(env, payloads) };
      let result: InboundResult;
      try {
        result = await next(env, ctx);
      } catch (thrown: unknown) {
        // a handler's throw is its usual way to fail (the bus replies with the error)
        failed(base, toAcpError(thrown), started, "handled with error");
        throw thrown;
      }
      if (result.kind === "error") failed(base, result.error, started, "handled with error");
      else logger[level]({ ...base, outcome: result.kind, duration_ms: elapsed(started) }, "handled");
      return result;
    };

  const outbound: OutboundMiddleware =
    (next) =>
    async (env, call): Promise<OutboundResult> => {
      const started = performance.now();
      const base = { direction: "out", kind: call.kind, subject: call.subject, ...envelopeFields(env, payloads) };
      let result: OutboundResult;
      try {
        result = await next(env, call);
      } catch (thrown: unknown) {
        failed(base, toAcpError(thrown), started, "send failed");
        throw thrown;
      }
      const fields: Record<string, unknown> = { ...base, outcome: result.kind, duration_ms: elapsed(started) };
      if (result.kind === "reply") fields["reply"] = envelopeFields(result.envelope, payloads);
      logger[level](fields, "sent");
      return result;
    };

  return { inbound, outbound };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
