/**
 * Envelope context of an HTTP request (spec/gateway.md "Headers"): the X-*
 * headers fill session, conversation, tenant, user, channel and trace fields; the auth
 * result overrides them, and a tenant-bound identity fixes the tenant (another tenant in
 * X-Tenant-Id is refused with 403, never routed). When auth is on, the identity fields
 * ({@link IDENTITY_FIELDS}) come from the auth result only: their headers are dropped.
 */
import type { IncomingHttpHeaders } from "node:http";
import { InvalidRequestError, PermissionDeniedError } from "../../generated/ts/errors.js";
import type { ContextFields } from "../bus/types.js";
import { CONTEXT_FIELDS } from "../context/index.js";
import { tenantProblem } from "../bus/subjects.js";
import type { AuthResult } from "./auth/types.js";
import { HttpError } from "./errors.js";

/** Header → envelope field. */
export const CONTEXT_HEADERS: Readonly<Record<string, keyof ContextFields>> = Object.freeze({
  "x-trace-id": "trace_id",
  "x-traceparent": "traceparent",
  "x-tenant-id": "tenant_id",
  "x-session-id": "session_id",
  "x-conversation-id": "conversation_id",
  "x-user-id": "user_id",
  "x-channel": "channel",
});

/**
 * Context fields that say who the caller is. With an auth hook they are set by its result
 * only: `X-User-Id: admin` next to a token without `sub` must not make the caller admin.
 * (The tenant has its own rule: bound by the identity, or taken from X-Tenant-Id when the
 * identity is bound to no tenant.)
 */
export const IDENTITY_FIELDS: readonly (keyof ContextFields)[] = Object.freeze(["user_id"]);

/** Longest accepted context header value. */
const MAX_VALUE = 1024;

/** One header's value (the first when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : value;
}

function badHeader(header: string, pointer: string, problem: string): HttpError {
  return new HttpError(400, new InvalidRequestError(`header ${header} ${problem}`, { details: { pointer, header } }));
}

/**
 * The context fields of a request. Throws {@link HttpError} 400 for a malformed value
 * (with the envelope pointer it would land on) and 403 for a tenant the identity is not bound to.
 */
export function requestContext(headers: IncomingHttpHeaders, auth: AuthResult | undefined): ContextFields {
  const ctx: ContextFields = {};
  for (const [header, field] of Object.entries(CONTEXT_HEADERS)) {
    const value = headerValue(headers, header);
    if (value === undefined || value === "") continue;
    if (value.length > MAX_VALUE) throw badHeader(header, `/${field}`, `is longer than ${MAX_VALUE} characters`);
    ctx[field] = value;
  }
  if (ctx.traceparent === undefined) {
    // the W3C header itself, as browsers' and OTel's fetch instrumentation send it
    const w3c = headerValue(headers, "traceparent");
    if (w3c !== undefined && w3c !== "" && w3c.length <= MAX_VALUE) ctx.traceparent = w3c;
  }
  if (ctx.tenant_id !== undefined) {
    const problem = tenantProblem(ctx.tenant_id);
    if (problem !== undefined) throw badHeader("x-tenant-id", "/tenant_id", `is no usable tenant id: ${problem}`);
  }
  if (auth !== undefined) {
    for (const field of IDENTITY_FIELDS) delete ctx[field];
    if (auth.tenant !== undefined) {
      if (ctx.tenant_id !== undefined && ctx.tenant_id !== auth.tenant) {
        throw new HttpError(
          403,
          new PermissionDeniedError(`credentials are bound to another tenant than X-Tenant-Id ${JSON.stringify(ctx.tenant_id)}`, {
            details: { pointer: "/tenant_id" },
          }),
        );
      }
      ctx.tenant_id = auth.tenant;
    }
    if (auth.context !== undefined) {
      // only the known fields, read as own properties: the hook's object is never indexed blindly
      for (const field of CONTEXT_FIELDS) {
        const value = Object.hasOwn(auth.context, field) ? (auth.context as Readonly<Record<string, unknown>>)[field] : undefined;
        if (field !== "tenant_id" && typeof value === "string") ctx[field] = value;
      }
    }
  }
  return ctx;
}
