/**
 * The transport's own error class, for what goes wrong with subjects, messages and the
 * connection. The transport layer sits below the envelope, so it carries its catalogue code
 * as a plain string union (codes from schema/catalog/error-codes.json, checked against the
 * generated catalogue) and takes the code's `retryable` default from that catalogue.
 * A programmer mistake (a bad option or argument type) is the runtime's one
 * invalid-argument error instead (`invalidArgument`, runtime/errors.ts).
 */
import { ERROR_CODES, type ErrorCodeName } from "../../generated/ts/constants.js";
import { invalidArgument } from "../errors.js";
import type { MessageBody } from "./types.js";

/** Catalogue codes a transport can raise. */
export const TransportErrorCode = {
  TransportFailure: "TRANSPORT_FAILURE",
  BackpressureDrop: "BACKPRESSURE_DROP",
  InvalidRequest: "INVALID_REQUEST",
  /** The server refused the credentials (NATS authorization violation, expired credentials). */
  AuthFailure: "AUTH_FAILURE",
  /** Authenticated, but not allowed to publish or subscribe on the subject (NATS permissions violation). */
  PermissionDenied: "PERMISSION_DENIED",
} as const satisfies Readonly<Record<string, ErrorCodeName>>;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

export interface TransportErrorOptions {
  /** Overrides the catalogue's default for the code (schema/catalog/error-codes.json `retryable`). */
  retryable?: boolean;
  cause?: unknown;
  /** The subject involved, when there is one. */
  subject?: string;
}

/** An error raised by a transport: a catalogue `code`, `retryable`, optional `cause` and `subject`. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  readonly code: TransportErrorCode;
  readonly retryable: boolean;
  readonly subject: string | undefined;

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.subject = options.subject;
  }
}

/** True when `err` is a {@link TransportError}, optionally with the given code. */
export function isTransportError(err: unknown, code?: TransportErrorCode): err is TransportError {
  return err instanceof TransportError && (code === undefined || err.code === code);
}

/** The error thrown by operations on a closed (or closing) transport. */
export function closedError(transport: string, op: string, cause?: unknown): TransportError {
  return new TransportError(TransportErrorCode.TransportFailure, `${transport} transport: cannot ${op}, the transport is closed`, { cause });
}

/** The error a transport reports (as an `error` status) when a subscription's handler threw on a message. */
export function handlerThrewError(transport: string, subscription: string, subject: string, cause: unknown): TransportError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TransportError(
    TransportErrorCode.TransportFailure,
    `${transport} transport: handler of subscription ${JSON.stringify(subscription)} threw on ${JSON.stringify(subject)}: ${reason}`,
    { cause, subject, retryable: false },
  );
}

/** Throws the invalid-argument error unless `data`, published to `subject`, is a Uint8Array or a {@link MessageBody}. */
export function assertData(transport: string, subject: string, data: unknown): asserts data is Uint8Array | MessageBody {
  if (data instanceof Uint8Array) return;
  const body = data as Partial<MessageBody> | null;
  if (typeof body === "object" && body !== null && typeof body.bytes === "function" && typeof body.seal === "function" && typeof body.routed === "function")
    return;
  throw invalidArgument(`${transport} transport publish to ${JSON.stringify(subject)}`, "data", data, "a Uint8Array or a MessageBody");
}

/** Throws the invalid-argument error unless the handler subscribed to `subject` is a function. */
export function assertHandler(transport: string, subject: string, handler: unknown): void {
  if (typeof handler !== "function") throw invalidArgument(`${transport} transport subscribe to ${JSON.stringify(subject)}`, "handler", handler, "a function");
}
