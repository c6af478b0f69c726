/**
 * CORS (WHATWG Fetch "CORS protocol") for browser clients: which origins may call the
 * gateway, the preflight answer, and the headers a page may read. Computed as a plain
 * header object so normal replies and hijacked SSE responses send the same thing.
 */

/** Options of the gateway's CORS handling. */
export interface CorsOptions {
  /** Allowed origins: `"*"` (any), a list of exact origins, or a predicate. */
  origins: "*" | readonly string[] | ((origin: string) => boolean);
  /** Allow cookies / Authorization with credentials mode "include" (default false). */
  credentials?: boolean;
  /** Request headers a page may send (default: the gateway's X-* headers, Authorization, Content-Type, Last-Event-ID). */
  allowHeaders?: readonly string[];
  /** Response headers a page may read (default: X-Request-Id, X-Event-Id, X-Correlation-Id, X-Stream-Id, Retry-After). */
  exposeHeaders?: readonly string[];
  /** How long a browser may cache a preflight answer, s (default 600). */
  maxAgeSec?: number;
}

export const DEFAULT_ALLOW_HEADERS: readonly string[] = [
  "authorization",
  "content-type",
  "last-event-id",
  "x-request-id",
  "x-trace-id",
  "x-traceparent",
  "traceparent",
  "x-tenant-id",
  "x-session-id",
  "x-conversation-id",
  "x-user-id",
  "x-channel",
  "x-timeout-ms",
];
export const DEFAULT_EXPOSE_HEADERS: readonly string[] = ["x-request-id", "x-event-id", "x-correlation-id", "x-stream-id", "retry-after"];

/** A compiled CORS policy. */
export class CorsPolicy {
  readonly #allowed: (origin: string) => boolean;
  readonly #any: boolean;
  readonly #credentials: boolean;
  readonly #allowHeaders: string;
  readonly #exposeHeaders: string;
  readonly #maxAge: string;

  constructor(opts: CorsOptions) {
    const origins = opts.origins;
    this.#any = origins === "*";
    if (origins === "*") this.#allowed = () => true;
    else if (typeof origins === "function") this.#allowed = origins;
    else {
      const set = new Set(origins);
      this.#allowed = (o) => set.has(o);
    }
    this.#credentials = opts.credentials ?? false;
    this.#allowHeaders = (opts.allowHeaders ?? DEFAULT_ALLOW_HEADERS).join(", ");
    this.#exposeHeaders = (opts.exposeHeaders ?? DEFAULT_EXPOSE_HEADERS).join(", ");
    this.#maxAge = String(opts.maxAgeSec ?? 600);
  }

  /** Headers for an actual (non-preflight) response to a request from `origin`. */
  headers(origin: string | undefined): Record<string, string> {
    if (origin === undefined) return {};
    if (!this.#allowed(origin)) return { vary: "Origin" };
    const h: Record<string, string> = {
      "access-control-allow-origin": this.#any && !this.#credentials ? "*" : origin,
      "access-control-expose-headers": this.#exposeHeaders,
    };
    if (!(this.#any && !this.#credentials)) h["vary"] = "Origin";
    if (this.#credentials) h["access-control-allow-credentials"] = "true";
    return h;
  }

  /** Headers of the answer (204) to a preflight request from `origin`. */
  preflight(origin: string | undefined): Record<string, string> {
    const h = this.headers(origin);
    if (origin === undefined || !this.#allowed(origin)) return h;
    h["access-control-allow-methods"] = "GET, POST, OPTIONS";
    h["access-control-allow-headers"] = this.#allowHeaders;
    h["access-control-max-age"] = this.#maxAge;
    return h;
  }
}
