/**
 * circuit breaker: one circuit per (tenant, target) of outbound calls, so one tenant's calls
 * never open another tenant's circuit. `closed` counts consecutive
 * failures (timeouts, unavailable, transport failures); at the threshold it opens, and
 * calls fail fast with AGENT_UNAVAILABLE (retryable) without being sent. After the reset
 * time it lets a few probes through (`half_open`): success closes it, failure opens it
 * again. A timeout of a call whose own deadline was shorter than `minTimeoutMs` is the
 * caller's choice (e.g. `X-Timeout-Ms: 1`), not the target's failure: it counts for nothing.
 * Every state change is published as an event. spec/middleware.md "circuit breaker".
 *
 * Written here rather than taken from a library: opossum 10 and cockatiel 4 need Node 22,
 * and the Node 20 ones (brakes, mollitia) wrap one function each, with no per-key
 * circuits and no state-change hook we could publish from; the state machine is small.
 */
import { AgentUnavailableError, type AcpError } from "../../generated/ts/errors.js";
import type { Bus, OutboundKind, OutboundMiddleware, OutboundResult } from "../bus/types.js";
import { nowRfc3339 } from "../envelope/time.js";
import { invalidArgument } from "../errors.js";
import { targetOf, toAcpError } from "./internal.js";

/** The three states of a circuit. */
export const CircuitState = { Closed: "closed", Open: "open", HalfOpen: "half_open" } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Default event type of state-change events (not a catalogue type: an operational event of this runtime). */
export const CIRCUIT_EVENT_TYPE = "oaio.circuit.state_changed";

/** Payload of a state-change event. */
export interface CircuitStateChange {
  target: string;
  /** The tenant whose circuit it is (absent for untenanted calls). */
  tenant?: string;
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
  /**
   * An AGENT_TIMEOUT of a call whose deadline (`timeoutMs`) was below this is the caller's
   * choice, not the target's failure: counted neither as failure nor as success (default 1000 ms).
   */
  minTimeoutMs?: number;
  /**
   * Circuits tracked at most (default 10,000). When full, the oldest closed circuit is
   * forgotten; when every tracked circuit is open, a new (tenant, target) goes unguarded.
   */
  maxCircuits?: number;
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
  /** State of the circuit of `target` for `tenant` (untenanted when omitted; closed when never seen). */
  state(target: string, tenant?: string): CircuitState;
  /** Closes one circuit (of `tenant`, untenanted when omitted), or all. */
  reset(target?: string, tenant?: string): void;
}

interface Circuit {
  readonly target: string;
  readonly tenant: string | undefined;
  state: CircuitState;
  failures: number;
  successes: number;
  openedAt: number;
  probes: number;
}

const FAILURE_CODES: ReadonlySet<string> = new Set(["AGENT_TIMEOUT", "AGENT_UNAVAILABLE", "TRANSPORT_FAILURE"]);

/** The map key of a circuit: tenant and target, NUL-separated (neither can contain NUL as a subject token). */
function keyOf(target: string, tenant: string | undefined): string {
  return tenant === undefined ? `\u0000${target}` : `${tenant}\u0000${target}`;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw invalidArgument("circuitBreaker", name, value, "an integer >= 1");
  return value;
}

/** Creates a per-target circuit breaker (outbound middleware). */
export function circuitBreaker(opts: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = positiveInt("failureThreshold", opts.failureThreshold ?? 5);
  const halfOpenMaxCalls = positiveInt("halfOpenMaxCalls", opts.halfOpenMaxCalls ?? 1);
  const successThreshold = positiveInt("successThreshold", opts.successThreshold ?? 1);
  const resetTimeoutMs = opts.resetTimeoutMs ?? 10_000;
  const isFailure = opts.isFailure ?? ((e: AcpError) => FAILURE_CODES.has(e.code));
  const minTimeoutMs = opts.minTimeoutMs ?? 1000;
  if (!Number.isFinite(minTimeoutMs) || minTimeoutMs < 0) throw invalidArgument("circuitBreaker", "minTimeoutMs", minTimeoutMs, "a number of ms >= 0");
  const maxCircuits = positiveInt("maxCircuits", opts.maxCircuits ?? 10_000);
  const kinds = new Set<OutboundKind>(opts.kinds ?? ["invoke", "stream"]);
  const eventType = opts.eventType ?? CIRCUIT_EVENT_TYPE;
  const now = opts.now ?? Date.now;
  const circuits = new Map<string, Circuit>();

  function move(c: Circuit, to: CircuitState, bus: Bus, error?: AcpError): void {
    const change: CircuitStateChange = { target: c.target, from: c.state, to, failures: c.failures, at: nowRfc3339() };
    if (c.tenant !== undefined) change.tenant = c.tenant;
    if (error !== undefined) change.last_error_code = error.code;
    c.state = to;
    c.successes = 0;
    c.probes = 0;
    if (to === "open") c.openedAt = now();
    if (to === "closed") c.failures = 0;
    opts.onStateChange?.(change);
    if (eventType !== false) {
      // fire and forget: a failing publish must not fail the call that changed the state
      // into the circuit's tenant namespace: another tenant never learns of it
      bus.publish(eventType, change, c.tenant === undefined ? undefined : { context: { tenant_id: c.tenant } }).catch(() => undefined);
    }
  }

  /** Admits a call (counting a probe) or throws the fail-fast error. */
  function admit(c: Circuit, bus: Bus): void {
    if (c.state === "open") {
      const waited = now() - c.openedAt;
      if (waited < resetTimeoutMs) throw openError(c, resetTimeoutMs - waited);
      move(c, "half_open", bus);
    }
    if (c.state === "half_open") {
      if (c.probes >= halfOpenMaxCalls) throw openError(c, 0);
      c.probes++;
    }
  }

  /** Records an outcome; `neutral`: the caller's own short deadline ran out (counts for nothing). */
  function record(key: string, c: Circuit, error: AcpError | undefined, bus: Bus, neutral: boolean): void {
    const failed = error !== undefined && isFailure(error);
    if (c.state === "half_open") {
      c.probes = Math.max(0, c.probes - 1);
      if (neutral) return;
      if (failed) {
        c.failures++;
        move(c, "open", bus, error);
      } else if (++c.successes >= successThreshold) {
        move(c, "closed", bus);
      }
    } else if (c.state === "closed") {
      if (neutral) return;
      if (!failed) {
        c.failures = 0;
      } else if (++c.failures >= failureThreshold) {
        move(c, "open", bus, error);
      }
    }
    if (c.state === "closed" && c.failures === 0 && circuits.get(key) === c) circuits.delete(key);
  }

  /** The circuit of a key, made (room permitting) when new; `undefined`: untracked. */
  function circuitOf(key: string, target: string, tenant: string | undefined): Circuit | undefined {
    const known = circuits.get(key);
    if (known !== undefined) return known;
    if (circuits.size >= maxCircuits) {
      let evicted = false;
      for (const [k, c] of circuits) {
        if (c.state === "closed") {
          circuits.delete(k);
          evicted = true;
          break;
        }
      }
      if (!evicted) return undefined;
    }
    const c: Circuit = { target, tenant, state: "closed", failures: 0, successes: 0, openedAt: 0, probes: 0 };
    circuits.set(key, c);
    return c;
  }

  const middleware: OutboundMiddleware =
    (next) =>
    async (env, call): Promise<OutboundResult> => {
      const target = kinds.has(call.kind) ? targetOf(env, call.subject) : undefined;
      if (target === undefined) return next(env, call);
      const tenant = typeof env.tenant_id === "string" ? env.tenant_id : undefined;
      const key = keyOf(target, tenant);
      const c = circuitOf(key, target, tenant);
      if (c === undefined) return next(env, call);
      admit(c, call.bus);
      try {
        const result = await next(env, call);
        record(key, c, undefined, call.bus, false);
        return result;
      } catch (thrown: unknown) {
        const error = toAcpError(thrown);
        const callersDeadline = error.code === "AGENT_TIMEOUT" && call.timeoutMs !== undefined && call.timeoutMs < minTimeoutMs;
        record(key, c, error, call.bus, callersDeadline);
        throw thrown;
      }
    };

  return Object.assign(middleware, {
    state: (target: string, tenant?: string): CircuitState => circuits.get(keyOf(target, tenant))?.state ?? "closed",
    reset: (target?: string, tenant?: string): void => {
      if (target === undefined) circuits.clear();
      else circuits.delete(keyOf(target, tenant));
    },
  });
}

function openError(c: Circuit, retryAfterMs: number): AgentUnavailableError {
  const whose = c.tenant === undefined ? "" : ` of tenant ${JSON.stringify(c.tenant)}`;
  return new AgentUnavailableError(`circuit open for target ${JSON.stringify(c.target)}${whose}: failing fast`, {
    retryable: true,
    details: { target: c.target, ...(c.tenant === undefined ? {} : { tenant: c.tenant }), circuit: "open", retryAfterMs: Math.max(0, Math.ceil(retryAfterMs)) },
  });
}
