/**
 * Reply shape (spec/envelope.md "Replies", spec/bus.md "Wire format"): a reply has a new event_id, `correlation_id` =
 * the request's event_id, `from`/`to` swapped, the request's session, conversation, tenant,
 * user, channel and trace fields copied, and the request metadata without `acp.*` keys,
 * overridden by the handler's. Also: reading results (`{result}` or bare) and error replies.
 */
import type { Envelope, ErrorPayload } from "../../generated/ts/types.js";
import { RESERVED_METADATA_PREFIX } from "../../generated/ts/constants.js";
import { AcpError, errorFromCode } from "../../generated/ts/errors.js";
import { isCatalogueCode, toErrorPayload } from "../errors.js";
import { effectivePhase } from "../envelope/index.js";
import { copyContext } from "../../generated/ts/envelope-facts.js";
import { forV1, isV1Request, preciseCode } from "./v1-codes.js";
import { setOwn } from "./own.js";

function plainError(code: string, message: string, options: ConstructorParameters<typeof AcpError>[2]): AcpError {
  return new AcpError(code, message, options);
}

import { resultOf } from "../stream/outcome.js";

export { resultOf };

/** Request metadata without `acp.*` keys, then each override in turn; `undefined` when empty. */
export function inheritMetadata(
  request: Readonly<Record<string, unknown>> | undefined,
  ...overrides: (Readonly<Record<string, unknown>> | undefined)[]
): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  if (request !== undefined) {
    for (const key of Object.keys(request)) {
      if (key.startsWith(RESERVED_METADATA_PREFIX)) continue;
      setOwn((out ??= {}), key, request[key]);
    }
  }
  for (const o of overrides) {
    if (o === undefined) continue;
    for (const key of Object.keys(o)) setOwn((out ??= {}), key, o[key]);
  }
  return out;
}

/**
 * A reply or frame to `request`: correlation, swapped from/to, copied context fields and
 * `metadata`, plus the given event type, payload, seq and is_final (one object, no copies).
 * `self` is this side's id when the request names no `to`.
 */
export function replyInit(
  request: Envelope,
  self: string,
  metadata: Record<string, unknown> | undefined,
  eventType: string,
  payload: unknown,
  seq: number | undefined,
  isFinal: boolean,
): Partial<Envelope> & { event_type: string } {
  const out: Partial<Envelope> & { event_type: string } = {
    event_type: eventType,
    correlation_id: request.event_id,
    from: typeof request.to === "string" ? request.to : self,
  };
  if (typeof request.from === "string") out.to = request.from;
  copyContext(request, out);
  if (seq !== undefined) out.seq = seq;
  if (isFinal) out.is_final = true;
  if (payload !== undefined) out.payload = payload as Envelope["payload"];
  if (metadata !== undefined) out.metadata = metadata;
  return out;
}

/**
 * The payload of a successful final for a handler's value, in the deployed SDKs' wire form:
 * the bare value (none for `undefined`). The one exception: a value that is itself an object
 * whose only own key is `result` is sent as `{result: value}`, because readers (ours and the
 * deployed ones' `{result}` convention, {@link resultOf}) unwrap that shape: so every reader of
 * this runtime gets the value back exactly. spec/bus.md "Wire format".
 */
export function resultPayload(value: unknown): Envelope["payload"] {
  if (value === undefined) return undefined;
  if (value !== null && typeof value === "object" && !Array.isArray(value) && resultOf({ payload: value } as Envelope) !== value) {
    return { result: value } as Envelope["payload"];
  }
  return value as Envelope["payload"];
}

/** True when a terminal reply reports a failure (agent.response.error, or a failed/canceled/rejected phase). */
export function isErrorReply(env: Envelope): boolean {
  if (env.event_type === "agent.response.error" || env.frame_type === "response.error") return true;
  const phase = effectivePhase(env);
  return phase === "failed" || phase === "canceled" || phase === "rejected";
}

/**
 * The typed error of an error reply, with the payload and the whole reply in `details`. A code
 * downgraded for a v1 request (v1-codes.ts) is recovered from `cause["acp.code"]`.
 */
export function errorFromReply(env: Envelope): AcpError {
  const p = (env.payload ?? {}) as Partial<Record<keyof ErrorPayload, unknown>>;
  const code = typeof p.code === "string" && p.code !== "" ? preciseCode({ code: p.code, cause: p.cause }) : "AGENT_UNAVAILABLE";
  const message = typeof p.message === "string" ? p.message : `${code} (the error reply carries no message)`;
  // a code off the wire: only a catalogue code picks a class (errorFromCode's table is a plain object)
  return (isCatalogueCode(code) ? errorFromCode : plainError)(code, message, {
    ...(typeof p.retryable === "boolean" ? { retryable: p.retryable } : {}),
    ...(p.cause === undefined ? {} : { cause: p.cause }),
    details: { payload: env.payload, reply: env },
  });
}

/** Anything a handler threw, as an AcpError (AcpError kept; others: AGENT_UNAVAILABLE, not retryable, unless they carry a catalogue code). */
export function toAcpError(err: unknown): AcpError {
  if (err instanceof AcpError) return err;
  const payload = toErrorPayload(err);
  const retryable =
    err instanceof Error && typeof (err as { code?: unknown }).code === "string" && payload.code !== "AGENT_UNAVAILABLE" ? payload.retryable : false;
  return errorFromCode(payload.code, payload.message, { retryable, cause: err });
}

/**
 * The ErrorPayload a reply to `request` carries for `err`: for a schema_version 1 request, an
 * extension code is replaced by the nearest deployed code (v1-codes.ts).
 */
export function errorPayload(err: AcpError, request?: Envelope): ErrorPayload {
  const payload = toErrorPayload(err);
  return isV1Request(request) ? forV1(payload) : payload;
}
