/**
 * circuit breaker: one circuit per target of outbound calls. `closed` counts consecutive
 * failures (timeouts, unavailable, transport failures); at the threshold it opens, and
 * calls fail fast with AGENT_UNAVAILABLE (retryable) without being sent. After the reset
 * time it lets a few probes through (`half_open`): success closes it, failure opens it
 * again. Every state change is published as an event. spec/middleware.md "circuit breaker".
 *
 * Written here rather than taken from a library: opossum 10 and cockatiel 4 need Node 22,
 * and the Node 20 ones (brakes, mollitia) wrap one function each, with no per-key
 * circuits and no state-change hook we could publish from; the state machine is small.
 */
import { AgentUnavailableError, type AcpError } from "../../generated/ts/errors.js";
import type { Bus, OutboundKind, OutboundMiddleware, OutboundResult } from "../bus/types.js";
import { nowRfc3339 } from "../envelope/time.js";
import { targetOf, toAcpError } from "./internal.js";

/** The three states of a circuit. */
export const CircuitState = { Closed: "closed", Open: "open", HalfOpen: "half_open" } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Default event type of state-change events (not a catalogue type: an operational event of this runtime). */
export const CIRCUIT_EVENT_TYPE = "oaio.circuit.state_changed";

/** Payload of a state-change event. */
export interface CircuitStateChange {
  target: string;
  from: CircuitState;
  to: CircuitState;
  /** Consecutive failures counted when it changed. */
  failures: number;
  /** Code of the failure that opened it, if one did. */
  last_error_code?: string;
  /** RFC 3339. */
  at: string;
}

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a closed circuit (default 5). */
  failureThreshold?: number;
  /** How long a circuit stays open before probing, ms (default 10,000). */
  resetTimeoutMs?: number;
  /** Probes let through at once while half-open (default 1). */
  halfOpenMaxCalls?: number;
  /** Successful probes that close it (default 1). */
  successThreshold?: number;
  /** What counts as a failure of the target (default AGENT_TIMEOUT, AGENT_UNAVAILABLE, TRANSPORT_FAILURE). */
  isFailure?: (error: AcpError) => boolean;
  /** Outbound kinds guarded (default invoke and stream). */
  kinds?: readonly OutboundKind[];
  /** Event type of state-change events; `false` publishes none (default {@link CIRCUIT_EVENT_TYPE}). */
  eventType?: string | false;
  /** Told about every state change (after it happened). */
  onStateChange?: (change: CircuitStateChange) => void;
  /** Clock, ms (default Date.now). */
  now?: () => number;
}

/** The breaker: an outbound middleware with a view of its circuits. */
export interface CircuitBreaker extends OutboundMiddleware {
  /** State of the circuit of `target` (closed when never seen). */
  state(target: string): CircuitState;
  /** Closes one circuit, or all. */
  reset(target?: string): void;
}

interface Circuit {
  state: CircuitState;
  failures: number;
  successes: number;
  openedAt: number;
  probes: number;
}

const FAILURE_CODES: ReadonlySet<string> = new Set(["AGENT_TIMEOUT", "AGENT_UNAVAILABLE", "TRANSPORT_FAILURE"]);

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`circuitBreaker: ${name} must be an integer >= 1, got ${value}`);
  return value;
}

/** Creates a per-target circuit breaker (outbound middleware). */
export function circuitBreaker(opts: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = positiveInt("failureThreshold", opts.failureThreshold ?? 5);
  const halfOpenMaxCalls = positiveInt("halfOpenMaxCalls", opts.halfOpenMaxCalls ?? 1);
  const successThreshold = positiveInt("successThreshold", opts.successThreshold ?? 1);
  const resetTimeoutMs = opts.resetTimeoutMs ?? 10_000;
  const isFailure = opts.isFailure ?? ((e: AcpError) => FAILURE_CODES.has(e.code));
  const kinds = new Set<OutboundKind>(opts.kinds ?? ["invoke", "stream"]);
  const eventType = opts.eventType ?? CIRCUIT_EVENT_TYPE;
  const now = opts.now ?? Date.now;
  const circuits = new Map<string, Circuit>();

  function move(target: string, c: Circuit, to: CircuitState, bus: Bus, error?: AcpError): void {
    const change: CircuitStateChange = { target, from: c.state, to, failures: c.failures, at: nowRfc3339() };
    if (error !== undefined) change.last_error_code = error.code;
    c.state = to;
    c.successes = 0;
    c.probes = 0;
    if (to === "open") c.openedAt = now();
    if (to === "closed") c.failures = 0;
    opts.onStateChange?.(change);
    if (eventType !== false) {
      // fire and forget: a failing publish must not fail the call that changed the state
      bus.publish(eventType, change).catch(() => undefined);
    }
  }

  /** Admits a call (counting a probe) or throws the fail-fast error. */
  function admit(target: string, c: Circuit, bus: Bus): void {
    if (c.state === "open") {
      const waited = now() - c.openedAt;
      if (waited < resetTimeoutMs) throw openError(target, resetTimeoutMs - waited);
      move(target, c, "half_open", bus);
    }
    if (c.state === "half_open") {
      if (c.probes >= halfOpenMaxCalls) throw openError(target, 0);
      c.probes++;
    }
  }

  function record(target: string, c: Circuit, error: AcpError | undefined, bus: Bus): void {
    const failed = error !== undefined && isFailure(error);
    if (c.state === "half_open") {
      c.probes = Math.max(0, c.probes - 1);
      if (failed) {
        c.failures++;
        move(target, c, "open", bus, error);
      } else if (++c.successes >= successThreshold) {
        move(target, c, "closed", bus);
      }
    } else if (c.state === "closed") {
      if (!failed) {
        c.failures = 0;
      } else if (++c.failures >= failureThreshold) {
        move(target, c, "open", bus, error);
      }
    }
    if (c.state === "closed" && c.failures === 0) circuits.delete(target);
  }

  const middleware: OutboundMiddleware = (next) => async (env, call): Promise<OutboundResult> => {
    const target = kinds.has(call.kind) ? targetOf(env, call.subject) : undefined;
    if (target === undefined) return next(env, call);
    let c = circuits.get(target);
    if (c === undefined) {
      c = { state: "closed", failures: 0, successes: 0, openedAt: 0, probes: 0 };
      circuits.set(target, c);
    }
    admit(target, c, call.bus);
    try {
      const result = await next(env, call);
      record(target, c, undefined, call.bus);
      return result;
    } catch (thrown: unknown) {
      record(target, c, toAcpError(thrown), call.bus);
      throw thrown;
    }
  };

  return Object.assign(middleware, {
    state: (target: string): CircuitState => circuits.get(target)?.state ?? "closed",
    reset: (target?: string): void => {
      if (target === undefined) circuits.clear();
      else circuits.delete(target);
    },
  });
}

function openError(target: string, retryAfterMs: number): AgentUnavailableError {
  return new AgentUnavailableError(`circuit open for target ${JSON.stringify(target)}: failing fast`, {
    retryable: true,
    details: { target, circuit: "open", retryAfterMs: Math.max(0, Math.ceil(retryAfterMs)) },
  });
}
