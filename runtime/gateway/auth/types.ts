/**
 * The gateway's auth hook: called once per request before any bus work, it answers who
 * the caller is and which envelope context that identity binds (above all the tenant).
 * It throws {@link AuthFailureError} (401) when the caller is not authenticated and
 * {@link PermissionDeniedError} (403) when it is but may not do this. spec/gateway.md "Auth".
 */
import type { ContextFields } from "../../bus/types.js";

/** What the hook sees of the request. */
export interface AuthRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  /** Lower-case header names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The route's target (invoke, stream) or event type (events). */
  readonly target?: string;
  readonly eventType?: string;
}

/** Who the caller is. */
export interface AuthResult {
  /** The authenticated principal (a JWT `sub`, an API key's name). */
  readonly principal: string;
  /**
   * The tenant this identity is bound to. When set, the request's tenant is this one: an
   * `X-Tenant-Id` naming another tenant is refused with 403, and resumes of other
   * tenants' streams too. Undefined: the identity is not tenant-bound.
   */
  readonly tenant?: string;
  /**
   * Context fields the identity sets; they override the X-* headers (user_id, channel, …).
   * `user_id` comes from here only: with a hook, X-User-Id is dropped (spec/gateway.md "Auth").
   */
  readonly context?: Readonly<Omit<ContextFields, "tenant_id">>;
  /** Verified claims, for hooks layered on top. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** Authenticates one request. */
export type AuthHook = (req: AuthRequest) => Promise<AuthResult> | AuthResult;
