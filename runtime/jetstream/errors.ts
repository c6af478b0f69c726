/**
 * JetStream failures as catalogue errors whose message names the fix (spec/jetstream.md
 * "Failure modes"). nats.js reports a publish to a subject no stream captures exactly as
 * it reports a server without JetStream ("jetstream is not enabled"), so {@link explainPublishError}
 * asks the server which of the two it is.
 */
import { JetStreamApiError, jetstreamManager } from "@nats-io/jetstream";
import { jserrors } from "@nats-io/jetstream/internal";
import type { NatsConnection } from "@nats-io/transport-node";
import { AcpError, TransportFailureError } from "../../generated/ts/errors.js";

/** The fix for a server without JetStream. */
export const FIX_ENABLE_JETSTREAM = "start nats-server with -js (or a `jetstream {}` block in its config)";
/** The fix for a missing stream. */
export const FIX_ENSURE_STREAMS = "run `oaio streams ensure --nats URL` (or ensureStreams()) for this prefix and tenants";

/** TRANSPORT_FAILURE: the server has JetStream off. */
export function jetStreamOffError(server: string, cause?: unknown): TransportFailureError {
  return new TransportFailureError(`JetStream is not enabled on ${server}: ${FIX_ENABLE_JETSTREAM}`, {
    retryable: false,
    cause,
    details: { fix: FIX_ENABLE_JETSTREAM },
  });
}

/** TRANSPORT_FAILURE: no stream captures `subject` (or the named stream is missing). */
export function missingStreamError(what: string, cause?: unknown): TransportFailureError {
  return new TransportFailureError(`${what}: ${FIX_ENSURE_STREAMS}`, { retryable: false, cause, details: { fix: FIX_ENSURE_STREAMS } });
}

/** True for nats.js' "jetstream is not enabled" (which a publish also throws when no stream matches). */
export function isNotEnabled(err: unknown): boolean {
  return err instanceof jserrors.JetStreamNotEnabled;
}

/** True for a JetStream API 404 (stream or consumer not found). */
export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 10059 || err.code === 10014 || err.status === 404);
}

function serverOf(nc: NatsConnection): string {
  return nc.getServer();
}

/** Whether the server answers the JetStream API at all. */
export async function jetStreamEnabled(nc: NatsConnection): Promise<boolean> {
  try {
    await (await jetstreamManager(nc)).getAccountInfo();
    return true;
  } catch (err: unknown) {
    if (isNotEnabled(err)) return false;
    throw err;
  }
}

/**
 * A failed durable publish as an AcpError: a missing stream or JetStream off name the fix;
 * a timeout (no PubAck) is a retryable TRANSPORT_FAILURE; an AcpError passes unchanged.
 */
export async function explainPublishError(nc: NatsConnection, subject: string, err: unknown): Promise<AcpError> {
  if (err instanceof AcpError) return err;
  if (isNotEnabled(err)) {
    let enabled = true;
    try {
      enabled = await jetStreamEnabled(nc);
    } catch {
      // cannot tell: report the subject, which is the likelier case on a JetStream server
    }
    return enabled ? missingStreamError(`no JetStream stream captures subject ${JSON.stringify(subject)}`, err) : jetStreamOffError(serverOf(nc), err);
  }
  return toTransportFailure(`durable publish to ${JSON.stringify(subject)} got no PubAck`, err);
}

/** Any other failure as a TRANSPORT_FAILURE (retryable unless the server refused for a reason that will not change). */
export function toTransportFailure(what: string, err: unknown): AcpError {
  if (err instanceof AcpError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const refused = err instanceof JetStreamApiError;
  return new TransportFailureError(`${what}: ${message}`, { retryable: !refused, cause: err });
}

export { invalidArgument } from "../errors.js";

/** Maps a stream-management failure: JetStream off or a missing stream name their fixes. */
export async function explainManagerError(nc: NatsConnection, what: string, err: unknown): Promise<AcpError> {
  if (err instanceof AcpError) return err;
  if (isNotEnabled(err)) return jetStreamOffError(serverOf(nc), err);
  if (isNotFound(err)) return missingStreamError(`${what}: not found`, err);
  return toTransportFailure(what, err);
}
