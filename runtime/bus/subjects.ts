/**
 * Subject layout (spec/bus.md "Subjects and tenant routing", schema/catalog/subjects.json):
 * `{p}.events.{event_type}`, `{p}.invoke.{target}`, `{p}.dlq.{event_type}` and their
 * `{p}.{tenant}.…` forms. A tenant is one token and never one of {@link RESERVED_TENANTS}
 * (so the token after the prefix tells the namespaces apart: spec/transports.md "Why no two
 * namespaces overlap"); targets, event types and the prefix are dotted (deployed bridges
 * register `openclaw.chat`). Every token is validated; a defect is an INVALID_REQUEST naming it.
 */
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { subjectProblem, tokenProblem } from "../transport/subject.js";
import type { SubjectBuilder } from "./types.js";

/**
 * Tokens that cannot be tenants: the kind tokens of the untenanted namespace, of the bus
 * (`events`, `invoke`, `dlq`) and of the JetStream layout (`work`: runtime/jetstream/layout.ts
 * imports this list). A tenant named `events` would make `{p}.events.invoke.x` both its invoke
 * subject and an untenanted event; one named `work` would make `{p}.work.events.x` both its
 * event and the untenanted work queue `events.x`. The one list every layer checks.
 */
export const RESERVED_TENANTS: readonly string[] = Object.freeze(["events", "invoke", "dlq", "work"]);
const RESERVED_SET: ReadonlySet<string> = new Set(RESERVED_TENANTS);

/** Throws INVALID_REQUEST: `invalid <what> "<value>": <problem>`. */
function invalid(what: string, value: unknown, problem: string, extra?: Record<string, unknown>): InvalidRequestError {
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  return new InvalidRequestError(`invalid ${what} ${shown}: ${problem}`, { details: { token: what, value, ...extra } });
}

/** What is wrong with a tenant (one token, not reserved), or `undefined`. Used by every edge that takes a tenant. */
export function tenantProblem(value: unknown): string | undefined {
  const problem = tokenProblem(value);
  if (problem !== undefined) return problem;
  if (RESERVED_SET.has(value as string)) {
    return `is reserved by the subject layout (reserved: ${RESERVED_TENANTS.join(", ")}); choose another tenant name`;
  }
  return undefined;
}

/**
 * The tenant of a subject of this layout: the token after `prefix`, unless it is a reserved
 * (kind) token, which makes the subject untenanted. The tenant a message arrived in is this,
 * never its envelope's `tenant_id` (spec/bus.md "The tenant of what arrives").
 */
export function tenantOfSubject(prefix: string, subject: string): string | undefined {
  if (subject.length <= prefix.length + 1 || !subject.startsWith(prefix) || subject.charCodeAt(prefix.length) !== 46 /* . */) return undefined;
  const start = prefix.length + 1;
  const end = subject.indexOf(".", start);
  const token = end < 0 ? subject.slice(start) : subject.slice(start, end);
  return RESERVED_SET.has(token) ? undefined : token;
}

/** Asserts a tenant: one token, not one of {@link RESERVED_TENANTS}. */
export function assertTenant(value: unknown, what = "tenant"): asserts value is string {
  const problem = tenantProblem(value);
  if (problem !== undefined) {
    throw invalid(what, value, problem, typeof value === "string" && RESERVED_SET.has(value) ? { reserved: RESERVED_TENANTS } : undefined);
  }
}

/** What is wrong with a target (dotted: tokens without wildcards, white space or empty ones), or `undefined`. */
export function targetProblem(value: unknown): string | undefined {
  return subjectProblem(value, "publish");
}

/** Asserts an invoke / stream target (`billing`, `openclaw.chat`). */
export function assertTarget(value: unknown): asserts value is string {
  const problem = targetProblem(value);
  if (problem !== undefined) throw invalid("target", value, problem);
}

/** Asserts one subject token (agent id). */
export function assertBusToken(value: unknown, what: string): asserts value is string {
  const problem = tokenProblem(value);
  if (problem !== undefined) throw invalid(what, value, problem);
}

/** Asserts a dotted name (event type, prefix); wildcards allowed only when `pattern`. */
export function assertDotted(value: unknown, what: string, pattern = false): asserts value is string {
  const problem = subjectProblem(value, pattern ? "subscribe" : "publish");
  if (problem !== undefined) throw invalid(what, value, problem);
}

/** Validated subjects by tenant (none, or one), then by event type or target. */
class SubjectCache {
  readonly #untenanted = new Map<string, string>();
  readonly #byTenant = new Map<string, Map<string, string>>();
  #size = 0;

  get(tenant: string | undefined, key: string): string | undefined {
    return tenant === undefined ? this.#untenanted.get(key) : this.#byTenant.get(tenant)?.get(key);
  }

  set(tenant: string | undefined, key: string, subject: string): void {
    if (this.#size >= MAX_CACHED) return;
    let m = this.#untenanted;
    if (tenant !== undefined) {
      const known = this.#byTenant.get(tenant);
      if (known === undefined) this.#byTenant.set(tenant, (m = new Map()));
      else m = known;
    }
    m.set(key, subject);
    this.#size++;
  }
}

/** Subjects cached per kind (hot paths build the same few again and again; no key strings per call). */
const MAX_CACHED = 4096;

/** Builds the subjects of one prefix. */
export class Subjects implements SubjectBuilder {
  readonly prefix: string;
  readonly #invoke = new SubjectCache();
  readonly #events = new SubjectCache();
  readonly #patterns = new SubjectCache();

  constructor(prefix: string) {
    assertDotted(prefix, "prefix");
    this.prefix = prefix;
  }

  #scope(tenant: string | undefined): string {
    if (tenant === undefined) return this.prefix;
    assertTenant(tenant);
    return `${this.prefix}.${tenant}`;
  }

  events(eventType: string, tenant?: string, forSubscribe = false): string {
    const cache = forSubscribe ? this.#patterns : this.#events;
    const hit = cache.get(tenant, eventType);
    if (hit !== undefined) return hit;
    assertDotted(eventType, forSubscribe ? "event type pattern" : "event type", forSubscribe);
    const subject = `${this.#scope(tenant)}.events.${eventType}`;
    cache.set(tenant, eventType, subject);
    return subject;
  }

  invoke(target: string, tenant?: string): string {
    const hit = this.#invoke.get(tenant, target);
    if (hit !== undefined) return hit;
    assertTarget(target);
    const subject = `${this.#scope(tenant)}.invoke.${target}`;
    this.#invoke.set(tenant, target, subject);
    return subject;
  }

  dlq(eventType: string, tenant?: string): string {
    assertDotted(eventType, "event type");
    return `${this.#scope(tenant)}.dlq.${eventType}`;
  }
}
