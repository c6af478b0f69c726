/**
 * `openagentio/middleware`: middleware for the bus, plain functions `(next) => handler`, one
 * file each, composed in the declared order of spec/middleware.md by {@link chain}. Loads
 * pino (logging), limiter (rate limits) and @opentelemetry/api (tracing).
 */
export { chain, composeInbound, composeOutbound } from "./compose.js";
export { recover } from "./recover.js";
export { logging } from "./logging.js";
export { tracing } from "./trace.js";
export { timeout } from "./timeout.js";
export { exponentialBackoff, fixedBackoff, retry } from "./retry.js";
export { deadLetter } from "./dead-letter.js";
export { CIRCUIT_EVENT_TYPE, CircuitState, circuitBreaker } from "./circuit-breaker.js";
export { rateLimit } from "./rate-limit.js";
export { validation } from "./validation.js";

export type { ChainDirections, ChainSpec, MiddlewarePair } from "./compose.js";
export type { RecoverOptions } from "./recover.js";
export type { LoggingOptions } from "./logging.js";
export type { TraceOptions } from "./trace.js";
export type { TimeoutOptions } from "./timeout.js";
export type { BackoffPolicy, ExponentialBackoffOptions, RetryOptions } from "./retry.js";
export type { DeadLetterOptions } from "./dead-letter.js";
export type { CircuitBreaker, CircuitBreakerOptions, CircuitStateChange } from "./circuit-breaker.js";
export type { BucketLimit, RateLimiter, RateLimitOptions } from "./rate-limit.js";
export type { ValidationOptions, ValidationProblem } from "./validation.js";
