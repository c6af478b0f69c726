/**
 * Who calls the A2A server (spec/a2a.md "Authentication and tenants"). The server takes the
 * gateway's {@link AuthHook} (e.g. createJwtVerifier: Bearer JWT via jose, JWKS): each request
 * is verified before any work, and the tenant and principal come from the verified identity.
 * `auth: "none"` is the explicit development mode: every caller is the anonymous principal of
 * one anonymous tenant (""), the card declares no security and no extended card is served.
 * There is no implicit default: a server without `auth` does not start.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { FastifyInstance } from "fastify";
import { AcpError, PermissionDeniedError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import type { SecurityRequirement, SecurityScheme } from "../../generated/a2a/index.js";
import type { ContextFields } from "../bus/types.js";
import type { AuthHook, AuthResult } from "../gateway/auth/types.js";
import { HttpError, statusOfCode } from "../gateway/errors.js";
import { GATEWAY_AUTH_DECORATOR } from "../gateway/server.js";

/** How the A2A server authenticates: a verifier, or "none" (development only: one anonymous tenant). */
export type A2aAuth = AuthHook | "none";

/** The authenticated caller of one request. */
export interface A2aCaller {
  /** The tenant the identity is bound to; "" when it is bound to none (and in "none" mode). */
  readonly tenant: string;
  /** The authenticated principal (JWT `sub`); "anonymous" in "none" mode. */
  readonly principal: string;
  /** Context fields the identity sets on bus calls (user_id, …). */
  readonly context: Readonly<Omit<ContextFields, "tenant_id">>;
  /**
   * True when an auth hook verified the caller ({@link authenticate}); false or absent for the
   * anonymous caller of "none" mode. What only authenticated callers get (the extended card)
   * checks this, so a binding that forgot to authenticate gives nothing away.
   */
  readonly authenticated?: boolean;
  /**
   * The JSON-RPC endpoint URL as this request reached it (scheme, Host, prefix), set by the HTTP
   * bindings after authentication: the extended card names it. Absent over gRPC (the server's
   * own endpoint is used).
   */
  readonly endpoint?: string;
}

type ContextKey = Exclude<keyof ContextFields, "tenant_id">;
/** The context fields an identity may set on the bus call (tenant_id comes from `tenant`). */
const CONTEXT_KEYS: readonly ContextKey[] = ["user_id", "channel"];

/** The caller of every request in "none" mode. */
export const ANONYMOUS_CALLER: A2aCaller = Object.freeze({ tenant: "", principal: "anonymous", context: Object.freeze({}), authenticated: false });

/** The card's scheme name for Bearer JWT. */
export const BEARER_SCHEME = "bearer";

/** What the card declares for an auth hook (1.0 shape). */
export function cardSecurity(auth: A2aAuth): { securitySchemes: Record<string, SecurityScheme>; securityRequirements: SecurityRequirement[] } | undefined {
  if (auth === "none") return undefined;
  return {
    securitySchemes: {
      [BEARER_SCHEME]: {
        httpAuthSecurityScheme: {
          scheme: "Bearer",
          bearerFormat: "JWT",
          description: "Authorization: Bearer <JWT>; the token's tenant claim selects the tenant",
        },
      },
    },
    securityRequirements: [{ schemes: { [BEARER_SCHEME]: { list: [] } } }],
  };
}

/**
 * The auth of an A2A server: the one given, else the gateway's when mounted on a gateway app.
 * @throws InvalidRequestError (invalidArgument) when there is none, or "none" on an app whose gateway authenticates (no bypass).
 */
export function resolveAuth(given: A2aAuth | undefined, app: FastifyInstance | undefined): A2aAuth {
  const inherited = app?.hasDecorator(GATEWAY_AUTH_DECORATOR) ? ((app as unknown as Record<string, unknown>)[GATEWAY_AUTH_DECORATOR] as AuthHook | null) : null;
  if (given === "none" && inherited !== null) {
    throw invalidArgument(
      "a2aPlugin",
      "auth",
      given,
      "left out on a gateway app that authenticates (the A2A routes would bypass the gateway's auth); leave auth out to use the gateway's verifier",
    );
  }
  const auth = given ?? inherited ?? undefined;
  if (auth === undefined) {
    throw invalidArgument(
      "A2A server",
      "auth",
      given,
      'an AuthHook such as createJwtVerifier({ … }) from openagentio/gateway, or "none" for local development (one anonymous tenant, no extended card)',
    );
  }
  if (auth !== "none" && typeof auth !== "function") throw invalidArgument("A2A server", "auth", typeof auth, 'an AuthHook function or "none"');
  return auth;
}

/** The caller of a request, verified by `auth`. @throws HttpError 401/403 (the hook's answer). */
export async function authenticate(auth: A2aAuth, req: { method: string; url: string; headers: IncomingHttpHeaders }): Promise<A2aCaller> {
  if (auth === "none") return ANONYMOUS_CALLER;
  // Null prototype: header names are wire strings ("__proto__", "constructor" find nothing).
  const headers: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  let result: AuthResult;
  try {
    result = await auth({ method: req.method, url: req.url, headers });
  } catch (err: unknown) {
    if (err instanceof HttpError) throw err;
    if (err instanceof AcpError) throw new HttpError(statusOfCode(err.code), err);
    throw new HttpError(401, new AcpError("AUTH_FAILURE", "credentials could not be verified"));
  }
  // Only known context fields, copied by name (a hook's result is not trusted to be plain data).
  const context: { -readonly [K in ContextKey]?: string } = {};
  for (const k of CONTEXT_KEYS) {
    const v = result.context?.[k];
    if (typeof v === "string") context[k] = v;
  }
  return { tenant: result.tenant ?? "", principal: result.principal, context, authenticated: true };
}

/**
 * Refuses a request `tenant` (params.tenant) other than the caller's.
 * @throws PermissionDeniedError naming the field.
 */
export function checkTenant(caller: A2aCaller, tenant: unknown): void {
  if (tenant === undefined || tenant === null || tenant === "" || tenant === caller.tenant) return;
  throw new PermissionDeniedError(
    `params.tenant ${JSON.stringify(tenant)} is not the tenant your credentials are bound to${caller.tenant ? ` (${JSON.stringify(caller.tenant)})` : " (none)"}; omit params.tenant or send your own`,
  );
}
