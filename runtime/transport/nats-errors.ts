/**
 * nats.js errors → {@link TransportError} with a catalogue code, in one place.
 */
import { errors } from "@nats-io/transport-node";
import { TransportError, TransportErrorCode } from "./errors.js";

function codeOf(err: unknown): TransportErrorCode {
  if (err instanceof errors.AuthorizationError || err instanceof errors.UserAuthenticationExpiredError) {
    return TransportErrorCode.AuthFailure;
  }
  if (err instanceof errors.PermissionViolationError) return TransportErrorCode.PermissionDenied;
  if (err instanceof errors.InvalidSubjectError || err instanceof errors.InvalidArgumentError) {
    return TransportErrorCode.InvalidRequest;
  }
  return TransportErrorCode.TransportFailure;
}

/**
 * Wraps a nats.js error (or anything thrown) as a {@link TransportError}; `context` says
 * what was being done. A TransportError passes through unchanged.
 */
export function fromNatsError(err: unknown, context: string, subject?: string): TransportError {
  if (err instanceof TransportError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  const permSubject = err instanceof errors.PermissionViolationError ? err.subject : undefined;
  return new TransportError(codeOf(err), `${context}: ${reason}`, { cause: err, subject: subject ?? permSubject });
}
