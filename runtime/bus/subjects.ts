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

/** Builds the subjects of one prefix. */
export class Subjects implements SubjectBuilder {
  readonly prefix: string;
  // Cache of validated invoke subjects: invoke is hot and targets are few.
  readonly #invoke = new Map<string, string>();
  readonly #events = new Map<string, string>();

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
    const key = `${forSubscribe ? "s" : "p"}\u0000${tenant ?? ""}\u0000${eventType}`;
    const hit = this.#events.get(key);
    if (hit !== undefined) return hit;
    assertDotted(eventType, forSubscribe ? "event type pattern" : "event type", forSubscribe);
    const subject = `${this.#scope(tenant)}.events.${eventType}`;
    if (this.#events.size < 4096) this.#events.set(key, subject);
    return subject;
  }

  invoke(target: string, tenant?: string): string {
    const key = `${tenant ?? ""}\u0000${target}`;
    const hit = this.#invoke.get(key);
    if (hit !== undefined) return hit;
    assertBusToken(target, "target");
    const subject = `${this.#scope(tenant)}.invoke.${target}`;
    if (this.#invoke.size < 4096) this.#invoke.set(key, subject);
    return subject;
  }

  dlq(eventType: string, tenant?: string): string {
    assertDotted(eventType, "event type");
    return `${this.#scope(tenant)}.dlq.${eventType}`;
  }
}
