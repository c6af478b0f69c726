/**
 * The wire of agent handoff (spec/orchestration.md "Agent handoff", "Wire"): reading the
 * `acp.handoff` payload a request arrived with, planning the next hop (chain, cycle and hop
 * guards, the caller's deadline, the state's bound) and the metadata that carries it, and
 * reading the chain an answer reports.
 */
import type { Envelope, HandoffPayload } from "../../generated/ts/types.js";
import { MetadataKey, RESERVED_METADATA_PREFIX } from "../../generated/ts/constants.js";
import { AgentTimeoutError, InvalidRequestError, type AcpError } from "../../generated/ts/errors.js";
import { validatePayload } from "../../generated/ts/validators.js";
import { invalidArgument } from "../errors.js";
import { inheritMetadata } from "../bus/replies.js";
import { setOwn } from "../bus/own.js";
import type { HandlerContext } from "../bus/types.js";
import { DEFAULT_DEADLINE_MS, checkInt, checkMs } from "./args.js";
import type { HandoffOptions, HandoffRefusal } from "./handoff-types.js";

/** Default most hops of a conversation. */
export const DEFAULT_MAX_HOPS = 8;
/** Largest `maxHops` (the payload schema's bound: a chain of at most 65 targets). */
export const MAX_HOPS = 64;
/** Largest state, in bytes of its JSON (the whole request must stay under the bus' 1 MiB envelope bound). */
export const MAX_STATE_BYTES = 262_144;
/** Longest `reason`, in characters. */
export const MAX_REASON_CHARS = 4_096;
/** The key of an error's `cause` that says why a handoff was refused. */
export const HANDOFF_REFUSAL_KEY = "acp.handoff";

const isHandoffPayload = validatePayload["agent.handoff"] as (value: unknown) => value is HandoffPayload;
/** RFC 3339 with a time zone, as the payload schema's pattern (Date.parse alone accepts more). */
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** ms since the epoch of an RFC 3339 timestamp, or undefined. */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== "string" || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The handoff that brought `request` here (its `metadata["acp.handoff"]`), checked, or
 * undefined when it came straight from a caller. Throws INVALID_REQUEST naming
 * `metadata["acp.handoff"]` when the key is there but is not a valid agent.handoff payload
 * addressed to this target (`to` = the request's `to`, the chain ending `from`, `to`).
 */
export function handoffOf(request: Envelope | Pick<HandlerContext, "envelope">): HandoffPayload | undefined {
  const env: Envelope =
    typeof (request as Partial<Envelope>).event_type === "string" ? (request as Envelope) : (request as Pick<HandlerContext, "envelope">).envelope;
  const meta = env.metadata;
  if (meta === undefined || !Object.hasOwn(meta, MetadataKey.HANDOFF)) return undefined;
  const value: unknown = meta[MetadataKey.HANDOFF];
  const field = `metadata["${MetadataKey.HANDOFF}"]`;
  if (!isHandoffPayload(value)) {
    const first = validatePayload["agent.handoff"]?.errors?.[0];
    throw new InvalidRequestError(
      `${field} of the request is not an agent.handoff payload${first === undefined ? "" : `: ${first.instancePath || "/"} ${first.message ?? "is invalid"}`}; ` +
        "send it as schema/payloads/handoff.schema.json describes, or leave it out",
      { details: { field } },
    );
  }
  const { chain } = value;
  if (chain[chain.length - 1] !== value.to || chain[chain.length - 2] !== value.from || (typeof env.to === "string" && env.to !== value.to)) {
    throw new InvalidRequestError(
      `${field} does not describe this request: its chain must end with from ${JSON.stringify(value.from)}, to ${JSON.stringify(value.to)} ` +
        `and to must be the request's target ${JSON.stringify(env.to)}, got chain ${JSON.stringify(chain)}`,
      { details: { field, chain, to: value.to, target: env.to } },
    );
  }
  return value;
}

/** The refusal reason of an error a refused handoff produced (here or at any hop), else undefined. */
export function handoffRefusal(err: unknown): HandoffRefusal | undefined {
  if (!(err instanceof Error) || (err as AcpError).code !== "INVALID_REQUEST") return undefined;
  const cause: unknown = err.cause;
  if (!isObject(cause)) return undefined;
  const why = cause[HANDOFF_REFUSAL_KEY];
  return why === "cycle" || why === "max_hops" ? why : undefined;
}

/**
 * `metadata` for a request whose caller wants the answer within `timeoutMs`:
 * `{"acp.deadline": <now + timeoutMs, RFC 3339>}`. Every handoff of the conversation keeps it.
 */
export function deadlineMetadata(timeoutMs: number, now: number = Date.now()): Record<string, string> {
  checkMs("deadlineMetadata", "timeoutMs", timeoutMs, 1);
  return { [MetadataKey.DEADLINE]: new Date(now + timeoutMs).toISOString() };
}

/** The chain an answer reports (`metadata["acp.handoff.chain"]`): 2+ non-empty strings, else undefined. */
export function chainOf(answer: Envelope | undefined): readonly string[] | undefined {
  const chain: unknown = answer?.metadata?.[MetadataKey.HANDOFF_CHAIN];
  if (!Array.isArray(chain) || chain.length < 2 || chain.length > MAX_HOPS + 1) return undefined;
  return chain.every((t) => typeof t === "string" && t !== "") ? (chain as string[]) : undefined;
}

/**
 * The chain to report for a hop whose own chain is `sent`: the answer's chain when it extends
 * `sent` (the new agent handed off further), else `sent` (nobody rewrites the hops before it).
 */
export function reportedChain(sent: readonly string[], answer: Envelope | undefined): readonly string[] {
  const got = chainOf(answer);
  return got !== undefined && got.length >= sent.length && sent.every((t, i) => got[i] === t) ? got : sent;
}

/** One planned hop: the payload for the new agent and the call's limits. */
export interface HopPlan {
  /** With the state: goes in the request's `metadata["acp.handoff"]`. */
  readonly payload: HandoffPayload;
  /** Without the state: what the caller's stream frame shows. */
  readonly visible: HandoffPayload;
  /** The request's metadata: the handled request's (no `acp.*`), the caller's extra keys, the handoff and the deadline. */
  readonly metadata: Record<string, unknown>;
  /** The request payload for the new agent. */
  readonly request: unknown;
  /** ms to wait for the new agent. */
  readonly timeoutMs: number;
}

function refuse(why: HandoffRefusal, message: string, data: Record<string, unknown>): InvalidRequestError {
  // the cause travels in the error reply's payload.cause, so every hop back and the caller can tell
  return new InvalidRequestError(message, { cause: { [HANDOFF_REFUSAL_KEY]: why, ...data }, details: { reason: `handoff_${why}`, ...data } });
}

function checkState(api: string, state: unknown): void {
  if (state === undefined) return;
  if (!isObject(state)) throw invalidArgument(api, "opts.state", state, "a JSON object (or absent)");
  let text: string | undefined;
  try {
    text = JSON.stringify(state);
  } catch (err: unknown) {
    throw invalidArgument(api, "opts.state", `(${err instanceof Error ? err.message : String(err)})`, "a JSON object (no cycles, no bigint)");
  }
  const bytes = Buffer.byteLength(text ?? "", "utf8");
  if (bytes > MAX_STATE_BYTES)
    throw invalidArgument(
      api,
      "opts.state",
      `${bytes} bytes of JSON`,
      `at most ${MAX_STATE_BYTES} bytes of JSON: pass a reference (an id, a URL) to larger state`,
    );
}

/**
 * Plans the hop from the request being handled (`ctx.envelope`, served as its `to`) to
 * `target`. Throws: INVALID_REQUEST naming the field for bad options; INVALID_REQUEST with
 * `cause["acp.handoff"]` `cycle` (target already in the chain) or `max_hops`; AGENT_TIMEOUT
 * when the caller's deadline has passed.
 */
export function planHop(api: string, ctx: HandlerContext, target: string, opts: HandoffOptions<unknown>, now: number = Date.now()): HopPlan {
  if (ctx === null || typeof ctx !== "object" || ctx.envelope === undefined)
    throw invalidArgument(api, "ctx", ctx, "the handler's context (its second or third argument)");
  if (typeof target !== "string" || target === "") throw invalidArgument(api, "target", target, "a non-empty target string");
  checkState(api, opts.state);
  if (opts.reason !== undefined && (typeof opts.reason !== "string" || opts.reason.length > MAX_REASON_CHARS))
    throw invalidArgument(api, "opts.reason", opts.reason, `a string of at most ${MAX_REASON_CHARS} characters`);
  const ownMax = checkInt(api, "opts.maxHops", opts.maxHops, 1, MAX_HOPS, DEFAULT_MAX_HOPS);
  if (opts.metadata !== undefined) {
    if (!isObject(opts.metadata)) throw invalidArgument(api, "opts.metadata", opts.metadata, "an object");
    const reserved = Object.keys(opts.metadata).find((k) => k.startsWith(RESERVED_METADATA_PREFIX));
    if (reserved !== undefined)
      throw invalidArgument(api, `opts.metadata["${reserved}"]`, reserved, `a key not starting "${RESERVED_METADATA_PREFIX}" (the runtime writes those)`);
  }
  const env = ctx.envelope;
  const prev = handoffOf(env);
  const from = typeof env.to === "string" && env.to !== "" ? env.to : prev?.to;
  if (from === undefined)
    throw invalidArgument(api, "ctx.envelope.to", env.to, "the target the handled request named (a request without `to` cannot be handed off)");

  const chain = prev === undefined ? [from] : [...prev.chain];
  const maxHops = opts.maxHops === undefined ? (prev?.max_hops ?? ownMax) : Math.min(ownMax, prev?.max_hops ?? MAX_HOPS);
  if (chain.includes(target)) {
    throw refuse(
      "cycle",
      `${api}: ${JSON.stringify(target)} already had this conversation (chain ${[...chain, target].join(" -> ")}): a handoff cycle; hand off to another target or answer here`,
      { chain: [...chain, target], target },
    );
  }
  if (chain.length > maxHops) {
    throw refuse(
      "max_hops",
      `${api}: handing off to ${JSON.stringify(target)} would be hop ${chain.length} of a conversation limited to ${maxHops} (chain ${[...chain, target].join(" -> ")}); answer here`,
      { chain: [...chain, target], target, max_hops: maxHops },
    );
  }

  // the caller's deadline: an earlier hop's, else the request's acp.deadline, else one made here
  const deadline = timeOf(prev?.deadline) ?? timeOf(env.metadata?.[MetadataKey.DEADLINE]);
  let timeoutMs: number;
  let deadlineAt: number;
  if (deadline === undefined) {
    timeoutMs = checkMs(api, "opts.timeoutMs", opts.timeoutMs, DEFAULT_DEADLINE_MS);
    deadlineAt = now + timeoutMs;
  } else {
    const left = deadline - now;
    if (left <= 0) {
      throw new AgentTimeoutError(`${api}: the caller's deadline ${new Date(deadline).toISOString()} passed before the handoff to ${JSON.stringify(target)}`, {
        details: { target, deadline: new Date(deadline).toISOString() },
      });
    }
    timeoutMs = Math.min(checkMs(api, "opts.timeoutMs", opts.timeoutMs, left), left);
    deadlineAt = deadline;
  }
  const [first, ...rest] = [...chain, target];
  const next: HandoffPayload["chain"] = [first!, rest[0]!, ...rest.slice(1)];
  const visible: HandoffPayload = {
    from,
    to: target,
    ...(opts.reason === undefined ? {} : { reason: opts.reason }),
    chain: next,
    max_hops: maxHops,
    deadline: new Date(deadlineAt).toISOString(),
  };
  const payload: HandoffPayload = opts.state === undefined ? visible : { ...visible, state: opts.state };
  const metadata = inheritMetadata(env.metadata, opts.metadata) ?? {};
  setOwn(metadata, MetadataKey.HANDOFF, payload);
  setOwn(metadata, MetadataKey.DEADLINE, visible.deadline);
  return { payload, visible, metadata, request: opts.request === undefined ? env.payload : opts.request, timeoutMs };
}

/** The answer's metadata without `acp.*` keys (what a hop passes back), or undefined. */
export function passedBack(answer: Envelope | undefined): Record<string, unknown> | undefined {
  return answer === undefined ? undefined : inheritMetadata(answer.metadata);
}
