/**
 * dead letter: an inbound envelope whose handling finally failed is republished, as a
 * copy with `acp.dlq.*` metadata, to `{p}.dlq.{event_type}` (or `{p}.{tenant}.dlq.{event_type}`
 * for a tenant's envelope). Place it outside retry (see {@link chain}) so only exhausted
 * messages land there. The handling result is passed on unchanged: an invoke still gets
 * its error reply. spec/middleware.md "dead letter".
 */
import { MetadataKey } from "../../generated/ts/constants.js";
import type { Envelope } from "../../generated/ts/types.js";
import type { AcpError } from "../../generated/ts/errors.js";
import type { InboundContext, InboundKind, InboundMiddleware, InboundResult } from "../bus/types.js";
import { nowRfc3339 } from "../envelope/time.js";
import { handled, withMetadata } from "./internal.js";

/** Options of {@link deadLetter}. */
export interface DeadLetterOptions {
  /** Inbound kinds dead-lettered (default event and invoke; a stream's failure went to its client). */
  kinds?: readonly InboundKind[];
  /** Which final errors are dead-lettered (default: all but CANCELED: the caller gave up, nothing is lost). */
  when?: (error: AcpError, env: Envelope) => boolean;
  /** Told after a dead letter was published. */
  onDeadLettered?: (info: { subject: string; envelope: Envelope; error: AcpError }) => void;
  /** Told when publishing a dead letter failed (it is not retried; the handling result stands). */
  onPublishError?: (err: unknown, env: Envelope) => void;
  /** Clock for `acp.dlq.failed_at` (default RFC 3339 now). */
  now?: () => string;
}

/** The dead-letter copy of `env` that failed with `error` after `attempts` attempts. */
export function deadLetterEnvelope(env: Envelope, subject: string, error: AcpError, attempts: number, failedAt: string): Envelope {
  return withMetadata(env, {
    [MetadataKey.DLQ_ORIGINAL_EVENT_TYPE]: env.event_type,
    [MetadataKey.DLQ_ORIGINAL_SUBJECT]: subject,
    [MetadataKey.DLQ_LAST_ERROR]: error.message,
    [MetadataKey.DLQ_LAST_ERROR_CODE]: error.code,
    [MetadataKey.DLQ_ATTEMPTS]: attempts,
    [MetadataKey.DLQ_FAILED_AT]: failedAt,
  });
}

/** The dead-letter subject: tenant-scoped when the envelope (or the bus) has a usable tenant. */
function dlqSubject(env: Envelope, ctx: InboundContext): string {
  const tenant = env.tenant_id ?? ctx.bus.tenant;
  if (tenant !== undefined) {
    try {
      return ctx.bus.subjects.dlq(env.event_type, tenant);
    } catch {
      // a tenant that is no valid subject token: fall back to the shared dead-letter subject
    }
  }
  return ctx.bus.subjects.dlq(env.event_type);
}

function attemptsOf(error: AcpError): number {
  const attempts = error.details?.["attempts"];
  return typeof attempts === "number" && Number.isInteger(attempts) && attempts >= 1 ? attempts : 1;
}

/** Inbound middleware publishing finally failed envelopes to the dead-letter subject. */
export function deadLetter(opts: DeadLetterOptions = {}): InboundMiddleware {
  const kinds = new Set<InboundKind>(opts.kinds ?? ["event", "invoke"]);
  const when = opts.when ?? ((error: AcpError) => error.code !== "CANCELED");
  const now = opts.now ?? nowRfc3339;

  return (next) =>
    async (env, ctx): Promise<InboundResult> => {
      // a throw is a failure like an error result (the bus would turn it into one)
      const result = await handled(next, env, ctx);
      if (result.kind !== "error" || !kinds.has(ctx.kind) || !when(result.error, env)) return result;
      try {
        const subject = dlqSubject(env, ctx);
        const letter = deadLetterEnvelope(env, ctx.subject, result.error, attemptsOf(result.error), now());
        await ctx.bus.publishEnvelope(letter, subject);
        opts.onDeadLettered?.({ subject, envelope: letter, error: result.error });
      } catch (err: unknown) {
        opts.onPublishError?.(err, env);
      }
      return result;
    };
}
