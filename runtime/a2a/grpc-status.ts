/**
 * The gRPC binding's errors (A2A 1.0 "gRPC binding: error handling"): the one place that turns
 * a thrown value into a gRPC status. An {@link A2aError}'s status code comes from its reason's
 * `grpcStatus` in A2A_ERRORS (generated/a2a/tables.ts, the table every binding reads); the
 * trailer `grpc-status-details-bin` carries a google.rpc.Status with the same code and message
 * and a google.rpc.ErrorInfo detail (reason, domain "a2a-protocol.org"), as the official SDKs
 * read it. Other errors map through their HTTP status (authentication: UNAUTHENTICATED /
 * PERMISSION_DENIED; catalogue errors: the HTTP status of their ACP code) with the standard
 * HTTP to gRPC correspondence of google/rpc/code.proto.
 */
import type * as Grpc from "@grpc/grpc-js";
import { A2A_ERROR_DOMAIN, ERROR_INFO_TYPE } from "../../generated/a2a/index.js";
import { AcpError } from "../../generated/ts/errors.js";
import { HttpError, statusOfCode } from "../gateway/errors.js";
import { A2A_ERROR_REASONS, A2aError, type A2aErrorReason } from "./errors.js";
import { binaryToRpcStatus, rpcStatusToBinary, type A2aProto, type RpcStatusJson } from "./proto.js";

/** The trailer that carries the google.rpc.Status of an error. */
export const GRPC_STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** gRPC status codes by name (google/rpc/code.proto). */
export const GRPC_CODES: Readonly<Record<string, number>> = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
});

/** The gRPC code for an HTTP status (google/rpc/code.proto's HTTP mapping). */
export function grpcCodeOfHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return GRPC_CODES["INVALID_ARGUMENT"] as number;
    case 401:
      return GRPC_CODES["UNAUTHENTICATED"] as number;
    case 403:
      return GRPC_CODES["PERMISSION_DENIED"] as number;
    case 404:
      return GRPC_CODES["NOT_FOUND"] as number;
    case 409:
      return GRPC_CODES["ABORTED"] as number;
    case 429:
      return GRPC_CODES["RESOURCE_EXHAUSTED"] as number;
    case 499:
      return GRPC_CODES["CANCELLED"] as number;
    case 501:
      return GRPC_CODES["UNIMPLEMENTED"] as number;
    case 502:
    case 503:
      return GRPC_CODES["UNAVAILABLE"] as number;
    case 504:
      return GRPC_CODES["DEADLINE_EXCEEDED"] as number;
    default:
      return status >= 400 && status < 500 ? (GRPC_CODES["FAILED_PRECONDITION"] as number) : (GRPC_CODES["INTERNAL"] as number);
  }
}

/** The gRPC status code of an A2A error reason (A2A_ERRORS' grpcStatus; INTERNAL for an unknown reason). */
export function grpcCodeOfReason(reason: A2aErrorReason): number {
  const name = A2A_ERROR_REASONS.get(reason)?.grpcStatus;
  return (name === undefined ? undefined : GRPC_CODES[name]) ?? (GRPC_CODES["INTERNAL"] as number);
}

/** What a failed call answers: code, message and the google.rpc.Status it puts in the trailer. */
export interface GrpcErrorStatus {
  readonly code: number;
  readonly details: string;
  readonly status: RpcStatusJson;
}

/** The gRPC status of anything thrown while serving a call. */
export function toGrpcStatus(err: unknown): GrpcErrorStatus {
  let code: number;
  let message: string;
  let reason: string | undefined;
  if (err instanceof A2aError) {
    code = grpcCodeOfReason(err.reason);
    message = err.message;
    reason = err.reason;
  } else if (err instanceof HttpError) {
    code = grpcCodeOfHttpStatus(err.status);
    message = err.error.message;
  } else if (err instanceof AcpError) {
    code = grpcCodeOfHttpStatus(statusOfCode(err.code));
    message = err.message;
  } else {
    code = GRPC_CODES["INTERNAL"] as number;
    message = err instanceof Error ? err.message : "Internal error";
  }
  const status: RpcStatusJson = {
    code,
    message,
    ...(reason === undefined ? {} : { details: [{ "@type": ERROR_INFO_TYPE, reason, domain: A2A_ERROR_DOMAIN }] }),
  };
  return { code, details: message, status };
}

/**
 * The error object grpc-js sends for `err`: code, message, and the google.rpc.Status (binary)
 * in the trailing metadata; `trailers` are added to it.
 */
export function toServiceError(grpc: typeof Grpc, proto: A2aProto, err: unknown, trailers?: Grpc.Metadata): Grpc.ServerErrorResponse {
  const s = toGrpcStatus(err);
  const metadata = trailers ?? new grpc.Metadata();
  metadata.set(GRPC_STATUS_DETAILS_KEY, Buffer.from(rpcStatusToBinary(proto, s.status)));
  return Object.assign(new Error(s.details), { code: s.code, details: s.details, metadata });
}

/** The google.rpc.Status a gRPC error carries in its trailer, if any (for clients and tests). */
export function rpcStatusOf(proto: A2aProto, metadata: Grpc.Metadata | undefined): RpcStatusJson | undefined {
  const raw = metadata?.get(GRPC_STATUS_DETAILS_KEY)[0];
  if (raw === undefined) return undefined;
  return binaryToRpcStatus(proto, typeof raw === "string" ? Buffer.from(raw, "binary") : raw);
}
