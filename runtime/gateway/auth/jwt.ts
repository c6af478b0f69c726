/**
 * The built-in Bearer JWT verifier (RFC 6750 header, RFC 7519 token) on `jose`: checks the
 * signature against a shared secret, a public key, a local JWKS or a remote JWKS URL, the
 * issuer, audience, expiry and not-before, and reads the tenant claim that binds the
 * request. Failures answer 401 with `WWW-Authenticate: Bearer …` (RFC 6750 §3); a valid
 * token without the tenant claim is refused with 403 when a tenant is required.
 */
import { errors, jwtVerify } from "jose";
import type { JWTPayload } from "jose";
import { AuthFailureError, PermissionDeniedError } from "../../../generated/ts/errors.js";
import { tenantProblem } from "../../bus/subjects.js";
import { HttpError } from "../errors.js";
import { resolveKey, type JwtKeySource } from "./keys.js";
import type { AuthHook, AuthRequest, AuthResult } from "./types.js";

export type { JwtKeySource } from "./keys.js";

/** Options of {@link createJwtVerifier}. */
export type JwtVerifierOptions = JwtKeySource & {
  /** Accepted `iss` values. */
  issuer?: string | string[];
  /** Accepted `aud` values. */
  audience?: string | string[];
  /**
   * Accepted `alg` values, a subset of what the key allows (default: all of those): HS* for
   * a secret, RS* or PS* for an RSA key, the ES* of an EC key's curve, EdDSA for Ed25519,
   * the asymmetric ones for a JWKS. Anything else is refused when the verifier is created.
   */
  algorithms?: string[];
  /** Refuse tokens without `exp` (default true: such a token would be valid forever). */
  requireExp?: boolean;
  /** Claim naming the tenant (default "tenant_id"; a dotted path reads nested claims). */
  tenantClaim?: string;
  /** Claim naming the user, copied to `user_id` (default "sub"; false: none). */
  userClaim?: string | false;
  /** Refuse tokens without the tenant claim with 403 (default true). */
  requireTenant?: boolean;
  /** Allowed clock skew, seconds (default 5). */
  clockToleranceSec?: number;
  /** `realm` of the WWW-Authenticate challenge (default "oaio"). */
  realm?: string;
};

/** Time claims (RFC 7519 §4.1.4-6): when present, finite NumericDates. */
const TIME_CLAIMS = ["exp", "nbf", "iat"] as const;

function claim(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The Bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  return m?.[1];
}

/** Creates an {@link AuthHook} that accepts requests with a valid Bearer JWT. */
export function createJwtVerifier(opts: JwtVerifierOptions): AuthHook {
  const { key, algorithms } = resolveKey(opts);
  const tenantClaim = opts.tenantClaim ?? "tenant_id";
  const userClaim = opts.userClaim ?? "sub";
  const requireTenant = opts.requireTenant ?? true;
  const realm = opts.realm ?? "oaio";
  const verifyOptions = {
    ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
    ...(opts.audience === undefined ? {} : { audience: opts.audience }),
    algorithms: [...algorithms],
    clockTolerance: opts.clockToleranceSec ?? 5,
    ...(opts.requireExp === false ? {} : { requiredClaims: ["exp"] }),
  };

  // Fixed messages only: what jose (or the JWKS fetch) said stays out of the answer, which
  // must not help an attacker tell a bad signature from a bad claim or name the library.
  const unauthorized = (message: string, error?: string): HttpError => {
    const challenge = error === undefined ? `Bearer realm="${realm}"` : `Bearer realm="${realm}", error="${error}", error_description="${message}"`;
    return new HttpError(401, new AuthFailureError(message), { "www-authenticate": challenge });
  };

  return async (req: AuthRequest): Promise<AuthResult> => {
    const header = req.headers["authorization"];
    if (header === undefined || header === "") throw unauthorized("missing Authorization: Bearer token");
    const token = bearerToken(header);
    if (token === undefined) throw unauthorized("Authorization header is not a Bearer token", "invalid_request");
    let payload: JWTPayload;
    try {
      ({ payload } = typeof key === "function" ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions));
    } catch (err: unknown) {
      if (err instanceof errors.JWTExpired) throw unauthorized("token expired", "invalid_token");
      throw unauthorized("invalid token", "invalid_token");
    }
    // jose takes exp: 1e999 (Infinity after JSON.parse) as a time: a token that never expires
    for (const time of TIME_CLAIMS) {
      if (Object.hasOwn(payload, time) && !Number.isFinite(payload[time])) throw unauthorized("invalid token", "invalid_token");
    }
    const tenantValue = claim(payload, tenantClaim);
    let tenant: string | undefined;
    if (tenantValue !== undefined) {
      if (typeof tenantValue !== "string" || tenantProblem(tenantValue) !== undefined) {
        throw new HttpError(403, new PermissionDeniedError(`token claim ${tenantClaim} is not a usable tenant id`));
      }
      tenant = tenantValue;
    } else if (requireTenant) {
      throw new HttpError(403, new PermissionDeniedError(`token has no ${tenantClaim} claim: it is bound to no tenant`));
    }
    const principal = typeof payload.sub === "string" ? payload.sub : "(no sub)";
    const user = userClaim === false ? undefined : claim(payload, userClaim);
    return {
      principal,
      ...(tenant === undefined ? {} : { tenant }),
      ...(typeof user === "string" ? { context: { user_id: user } } : {}),
      claims: payload as Readonly<Record<string, unknown>>,
    };
  };
}
