/** Transport failures while sending, as catalogue errors. */
import { AcpError, NoHandlerError, errorFromCode } from "../../generated/ts/errors.js";
import { TransportError } from "../transport/errors.js";

/** A transport's throw from publish/subscribe as an AcpError with the same code. */
export function toSendError(err: unknown, subject: string): AcpError {
  if (err instanceof AcpError) return err;
  if (err instanceof TransportError) {
    return errorFromCode(err.code, err.message, { retryable: err.retryable, cause: err, details: { subject } });
  }
  const message = err instanceof Error ? err.message : String(err);
  return errorFromCode("TRANSPORT_FAILURE", `cannot send to ${subject}: ${message}`, { cause: err, details: { subject } });
}

/** A request answered "no responders": nobody serves `subject` (`target`: the agent asked for, if known). */
export function noHandlerError(target: unknown, subject: string): NoHandlerError {
  return new NoHandlerError(`no handler for target ${JSON.stringify(target ?? subject)}: nobody serves ${subject}`, {
    details: { subject, target },
  });
}
