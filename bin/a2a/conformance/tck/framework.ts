/**
 * What a TCK check is and what it may use: the agent's card, the client of the binding under
 * test, a second principal's client, the proto checker, a webhook receiver. A check throws to
 * fail, calls {@link notApplicable} when the agent does not offer what it needs (a capability
 * not declared, an unsigned card) and {@link blocked} when a precondition the TCK would skip on
 * does not hold (e.g. no completed task could be created): those are reported, never counted
 * as passes.
 */
import { A2A_ERRORS } from "../../../../generated/a2a/index.js";
import type { WebhookReceiver } from "../receiver.js";
import type { ProtoChecker } from "./proto-check.js";
import type { BindingClient, CallError, CallResult, Obj, Scope } from "./types.js";

/** The agent card as fetched, with its HTTP response. */
export interface FetchedCard {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Obj | undefined;
  readonly text: string;
}

export interface TckContext {
  /** The agent's base URL (the card is at /.well-known/agent-card.json below it). */
  readonly baseUrl: string;
  /** The card fetched with A2A-Version 1.0 (and credentials). */
  readonly card: Obj;
  readonly cardFetch: FetchedCard;
  /** The card fetched without an A2A-Version header, as the TCK fetches it. */
  readonly cardPlain: FetchedCard;
  readonly scope: Scope;
  /** The client of the binding under test (absent for CARD checks). */
  readonly client: BindingClient;
  /** The same binding as a second principal, when the run has one (AUTH-SCOPE-*). */
  readonly other: BindingClient | undefined;
  readonly proto: ProtoChecker;
  /** A webhook URL the agent accepts in push configs it only stores (default the TCK's example.com URL). */
  readonly pushUrl: string;
  /** A receiver on this machine the agent can deliver webhooks to (PUSH-DELIVER-*), if any. */
  readonly receiver: WebhookReceiver | undefined;
  /** A fresh message id `tck-<prefix>-<run>-<n>` (the TCK's system-under-test routes on the prefix). */
  messageId(prefix: string): string;
}

export interface TckCheck {
  readonly id: string;
  run(ctx: TckContext): Promise<void>;
}

/** Outcome markers a check throws. */
export type Outcome = "not-applicable" | "blocked";
export class TckOutcome extends Error {
  constructor(
    readonly outcome: Outcome,
    message: string,
  ) {
    super(message);
  }
}

/** The agent does not offer what the requirement is about. */
export function notApplicable(reason: string): never {
  throw new TckOutcome("not-applicable", reason);
}

/** A precondition failed; the requirement could not be measured. */
export function blocked(reason: string): never {
  throw new TckOutcome("blocked", reason);
}

/** Fails the check with `message` unless `cond`. */
export function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** A short description of an answer, for failure messages. */
export function describe(r: CallResult): string {
  if (r.ok) return `success ${JSON.stringify(r.value).slice(0, 160)}`;
  return `error ${r.error?.code}${r.error?.reason ? `/${r.error.reason}` : ""}: ${r.error?.message.slice(0, 160)}`;
}

/** The code the binding answers the A2A error `name` with (A2A 1.0 section 5.4, as the TCK binds it). */
export function expectedCode(scope: Scope, name: string): number | string {
  const e = Object.values(A2A_ERRORS).find((x) => x.name === name);
  if (e === undefined) throw new Error(`no A2A error ${name}`);
  return scope === "JSONRPC" ? e.code : scope === "HTTP+JSON" ? e.httpStatus : e.grpcStatus;
}

/** Asserts `r` is the A2A error `name` in the binding's terms. */
export function expectA2aError(ctx: TckContext, r: CallResult | { ok: false; error: CallError | undefined }, name: string): void {
  expect(!r.ok, `expected ${name}, got ${"value" in r ? describe(r as CallResult) : "success"}`);
  const want = expectedCode(ctx.scope, name);
  expect(r.error?.code === want, `expected ${name} (${want}), got ${r.error?.code}: ${r.error?.message.slice(0, 160)}`);
}

/** The capabilities the card declares. */
export function capability(ctx: TckContext, name: "streaming" | "pushNotifications" | "extendedAgentCard"): boolean {
  return ctx.card["capabilities"]?.[name] === true;
}
