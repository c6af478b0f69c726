/**
 * rate limit: token buckets per tenant and per target. A call or an inbound envelope
 * takes one token from its tenant's bucket and one from its target's; when either is
 * empty it is dropped with BACKPRESSURE_DROP (retryable, `details.retryAfterMs`), which
 * the gateway answers as 429 with Retry-After. spec/middleware.md "rate limit".
 *
 * Buckets are `limiter`'s TokenBucket (lazy refill on use, no timers).
 */
import { TokenBucket } from "limiter";
import type { Envelope } from "../../generated/ts/types.js";
import { BackpressureDropError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import type { InboundKind, InboundMiddleware, InboundResult, OutboundKind, OutboundMiddleware, OutboundResult } from "../bus/types.js";
import type { MiddlewarePair } from "./compose.js";
import { targetOf } from "./internal.js";

/** One bucket's size: `rate` tokens per second, holding at most `burst` (default max(1, rate)). */
export interface BucketLimit {
  rate: number;
  burst?: number;
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Limit of each tenant (envelopes without tenant share the bucket of tenant ""). */
  perTenant?: BucketLimit;
  /** Limit of each target (envelopes without a target are not limited per target). */
  perTarget?: BucketLimit;
  /** Per-tenant overrides of {@link perTenant}. */
  tenants?: Readonly<Record<string, BucketLimit>>;
  /** Per-target overrides of {@link perTarget}. */
  targets?: Readonly<Record<string, BucketLimit>>;
  /** Buckets kept per scope; past it the oldest is forgotten (it restarts full). Default 10,000. */
  maxKeys?: number;
  /** Inbound kinds limited (default all). */
  inboundKinds?: readonly InboundKind[];
  /** Outbound kinds limited (default publish, invoke, stream). */
  outboundKinds?: readonly OutboundKind[];
}

/** The limiter: a middleware pair over shared buckets. */
export interface RateLimiter extends MiddlewarePair {
  /** Takes a token for `tenant` and `target`; returns the drop error instead of throwing when refused. */
  take(tenant: string | undefined, target: string | undefined): BackpressureDropError | undefined;
}

class Scope {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly name: "tenant" | "target",
    private readonly base: BucketLimit | undefined,
    private readonly overrides: Readonly<Record<string, BucketLimit>>,
    private readonly maxKeys: number,
  ) {}

  bucket(key: string): TokenBucket | undefined {
    let bucket = this.buckets.get(key);
    if (bucket !== undefined) return bucket;
    const limit = Object.hasOwn(this.overrides, key) ? this.overrides[key] : this.base;
    if (limit === undefined) return undefined;
    const burst = limit.burst ?? Math.max(1, limit.rate);
    bucket = new TokenBucket({ bucketSize: burst, tokensPerInterval: limit.rate, interval: 1000 });
    bucket.content = burst; // start full: a new key may burst at once
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (oldest.done !== true) this.buckets.delete(oldest.value);
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}

function dropError(scope: string, key: string, bucket: TokenBucket): BackpressureDropError {
  const retryAfterMs = Math.max(1, Math.ceil(bucket.getWaitTime(1)));
  return new BackpressureDropError(`rate limit: ${scope} ${JSON.stringify(key)} is over ${bucket.tokensPerInterval}/s`, {
    details: { scope, key, retryAfterMs },
  });
}

/** Refuses a limit no bucket can be made of (checked when the limiter is created, not at the first call). */
function checkLimit(field: string, limit: BucketLimit | undefined): void {
  if (limit === undefined) return;
  if (!(limit.rate > 0) || !Number.isFinite(limit.rate)) throw invalidArgument("rateLimit", `${field}.rate`, limit.rate, "a number of tokens per second > 0");
  if (limit.burst !== undefined && !(limit.burst >= 1))
    throw invalidArgument("rateLimit", `${field}.burst`, limit.burst, "a number >= 1 (or left out for max(1, rate))");
}

/** Creates a rate limiter (inbound and outbound middleware sharing its buckets). */
export function rateLimit(opts: RateLimitOptions): RateLimiter {
  const maxKeys = opts.maxKeys ?? 10_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw invalidArgument("rateLimit", "maxKeys", maxKeys, "a positive integer");
  checkLimit("perTenant", opts.perTenant);
  checkLimit("perTarget", opts.perTarget);
  for (const [key, limit] of Object.entries(opts.tenants ?? {})) checkLimit(`tenants[${JSON.stringify(key)}]`, limit);
  for (const [key, limit] of Object.entries(opts.targets ?? {})) checkLimit(`targets[${JSON.stringify(key)}]`, limit);
  const tenants = new Scope("tenant", opts.perTenant, opts.tenants ?? {}, maxKeys);
  const targets = new Scope("target", opts.perTarget, opts.targets ?? {}, maxKeys);
  const inKinds = new Set<InboundKind>(opts.inboundKinds ?? ["event", "invoke", "stream"]);
  const outKinds = new Set<OutboundKind>(opts.outboundKinds ?? ["publish", "invoke", "stream"]);

  function take(tenant: string | undefined, target: string | undefined): BackpressureDropError | undefined {
    const tenantKey = tenant ?? "";
    const tb = tenants.bucket(tenantKey);
    if (tb !== undefined && !tb.tryRemoveTokens(1)) return dropError("tenant", tenantKey, tb);
    if (target === undefined) return undefined;
    const gb = targets.bucket(target);
    if (gb !== undefined && !gb.tryRemoveTokens(1)) {
      // refused by the target: give the tenant its token back
      if (tb !== undefined) tb.content = Math.min(tb.bucketSize, tb.content + 1);
      return dropError("target", target, gb);
    }
    return undefined;
  }

  const tenantOf = (env: Envelope, fallback: string | undefined): string | undefined => env.tenant_id ?? fallback;

  const inbound: InboundMiddleware =
    (next) =>
    (env, ctx): Promise<InboundResult> => {
      if (!inKinds.has(ctx.kind)) return next(env, ctx);
      const target = ctx.kind === "event" ? undefined : targetOf(env, ctx.subject);
      const refused = take(tenantOf(env, ctx.bus.tenant), target);
      return refused === undefined ? next(env, ctx) : Promise.resolve({ kind: "error", error: refused });
    };

  const outbound: OutboundMiddleware =
    (next) =>
    (env, call): Promise<OutboundResult> => {
      if (!outKinds.has(call.kind)) return next(env, call);
      const target = call.kind === "publish" ? undefined : targetOf(env, call.subject);
      const refused = take(tenantOf(env, call.bus.tenant), target);
      return refused === undefined ? next(env, call) : Promise.reject(refused);
    };

  return { inbound, outbound, take };
}
