/**
 * Subject layout (shared/PROTOCOL.md "NATS subjects", schema/catalog/subjects.json):
 * `{p}.events.{event_type}`, `{p}.invoke.{target}`, `{p}.dlq.{event_type}` and their
 * `{p}.{tenant}.…` forms. Target and tenant are single tokens, event_type and prefix are
 * dotted; every token is validated and a defect is an INVALID_REQUEST naming it.
 */
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { subjectProblem, tokenProblem } from "../transport/subject.js";
import type { SubjectBuilder } from "./types.js";

/** Throws INVALID_REQUEST: `invalid <what> "<value>": <problem>`. */
function invalid(what: string, value: unknown, problem: string): InvalidRequestError {
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  return new InvalidRequestError(`invalid ${what} ${shown}: ${problem}`, { details: { token: what, value } });
}

/** Asserts one subject token (target, tenant, agent id). */
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
    assertBusToken(tenant, "tenant");
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
    assertBusToken(target, "target");
    const subject = `${this.#scope(tenant)}.invoke.${target}`;
    this.#invoke.set(tenant, target, subject);
    return subject;
  }

  dlq(eventType: string, tenant?: string): string {
    assertDotted(eventType, "event type");
    return `${this.#scope(tenant)}.dlq.${eventType}`;
  }
}
