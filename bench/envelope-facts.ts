/**
 * bench/envelope-facts: the generated per-message facts (generated/ts/envelope-facts.ts) against
 * the hand-written code they replaced (kept below, verbatim from runtime/ before generation, as
 * the baseline) and against a loop over the generated field list (what "not unrolled" costs).
 * Cases: a reply's context copy (build.ts), the "anything to propagate?" test (registration.ts),
 * the vouch check of a factory-built envelope (vouch.ts). Inputs: four envelopes of the shapes
 * the bus builds (requests with and without context, replies, with metadata), in turn.
 * Paired rounds in alternating order; figures are medians, ratios medians of per-pair ratios.
 *
 * Run: npx tsx bench/envelope-facts.ts   → prints a table, writes bench/results/envelope-facts.json
 */
import { TERMINAL_EVENT_TYPES } from "../generated/ts/constants.js";
import { CONTEXT_FIELDS, copyContext, hasContext } from "../generated/ts/envelope-facts.js";
import type { Envelope } from "../generated/ts/types.js";
import { validatePayload } from "../generated/ts/validators.js";
import { EnvelopeFactory } from "../runtime/bus/build.js";
import { callerPartsValid } from "../runtime/bus/vouch.js";
import { pairedRounds } from "./lib/paired.js";
import { runInfo, writeResult } from "./lib/results.js";

const ROUNDS = 15;
const ROUND_MS = 150;
const WARMUP_MS = 400;

// ---- the baseline: hand-written code as it was before generation (commit cf731e0) ----

function handCopyContext(from: Envelope, to: Envelope): void {
  let v: unknown = from.session_id;
  if (typeof v === "string") to.session_id = v;
  v = from.conversation_id;
  if (typeof v === "string") to.conversation_id = v;
  v = from.tenant_id;
  if (typeof v === "string") to.tenant_id = v;
  v = from.user_id;
  if (typeof v === "string") to.user_id = v;
  v = from.channel;
  if (typeof v === "string") to.channel = v;
  v = from.trace_id;
  if (typeof v === "string") to.trace_id = v;
  v = from.span_id;
  if (typeof v === "string") to.span_id = v;
  v = from.traceparent;
  if (typeof v === "string") to.traceparent = v;
}

function handPropagates(env: Envelope): boolean {
  return (
    typeof env.session_id === "string" ||
    typeof env.conversation_id === "string" ||
    typeof env.tenant_id === "string" ||
    typeof env.user_id === "string" ||
    typeof env.channel === "string" ||
    typeof env.trace_id === "string" ||
    typeof env.span_id === "string" ||
    typeof env.traceparent === "string"
  );
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

function handCallerPartsValid(doc: Envelope): boolean {
  if (typeof doc.event_type !== "string" || doc.event_type === "") return false;
  if (
    !optionalString(doc.trace_id) ||
    !optionalString(doc.span_id) ||
    !optionalString(doc.traceparent) ||
    !optionalString(doc.session_id) ||
    !optionalString(doc.conversation_id) ||
    !optionalString(doc.correlation_id) ||
    !optionalString(doc.reply_to) ||
    !optionalString(doc.from) ||
    !optionalString(doc.to) ||
    !optionalString(doc.channel) ||
    !optionalString(doc.tenant_id) ||
    !optionalString(doc.user_id)
  )
    return false;
  const metadata: unknown = doc.metadata;
  if (metadata !== undefined && (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))) return false;
  if (doc.is_final === true && !TERMINAL_EVENT_TYPES.has(doc.event_type)) return false;
  if (!Object.hasOwn(validatePayload, doc.event_type)) return true;
  try {
    return validatePayload[doc.event_type]!(doc.payload) === true;
  } catch {
    return false;
  }
}

// ---- not unrolled: a loop over the generated list ----

function loopCopyContext(from: Envelope, to: Envelope): void {
  for (const key of CONTEXT_FIELDS) {
    const value = from[key];
    if (typeof value === "string") to[key] = value;
  }
}

// ---- inputs ----

const factory = new EnvelopeFactory(2);
const context = {
  session_id: "sess-1",
  conversation_id: "conv-7",
  tenant_id: "acme",
  user_id: "u-42",
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  trace_id: "0af7651916cd43dd8448eb211c80319c",
  span_id: "b7ad6b7169203331",
};
const request = factory.outbound("agent.message.received", "client", "billing", context, undefined, { question: "balance?" }, undefined);
const bare = factory.outbound("agent.message.received", "client", "billing", undefined, "acme", { question: "balance?" }, { k: "v" });
const inputs: Envelope[] = [
  request,
  bare,
  factory.reply(request, "billing", undefined, "agent.response.final", { result: 1042.5 }, true),
  factory.reply(bare, "billing", { k: "v" }, "agent.response.error", { code: "AGENT_TIMEOUT", message: "late", retryable: true }, true),
].map((e) => JSON.parse(JSON.stringify(e)) as Envelope); // as local delivery hands them over: plain JSON copies

interface Pair {
  generated: number;
  baseline: number;
  ratio: number;
}

function pair(subject: (env: Envelope) => number, baseline: (env: Envelope) => number): Pair {
  const r = pairedRounds(
    (i) => subject(inputs[i & 3]!),
    (i) => baseline(inputs[i & 3]!),
    { rounds: ROUNDS, roundMs: ROUND_MS, warmupMs: WARMUP_MS, batch: 1024 },
  );
  return { generated: Math.round(r.subject), baseline: Math.round(r.baseline), ratio: Number(r.ratio.toFixed(3)) };
}

const copyInto =
  (copy: (from: Envelope, to: Envelope) => void) =>
  (env: Envelope): number => {
    const to = { spec_version: "acp/1.0", schema_version: 2, event_id: "x", event_type: "t", occurred_at: "t" } as Envelope;
    copy(env, to);
    return to.tenant_id === undefined ? 0 : 1;
  };

for (const env of inputs) {
  if (callerPartsValid(env) !== handCallerPartsValid(env)) throw new Error("generated and hand vouch checks disagree on a sample");
}

const results = {
  copy_context_vs_hand: pair(copyInto(copyContext), copyInto(handCopyContext)),
  copy_context_vs_loop: pair(copyInto(copyContext), copyInto(loopCopyContext)),
  has_context_vs_hand: pair(
    (e) => (hasContext(e) ? 1 : 0),
    (e) => (handPropagates(e) ? 1 : 0),
  ),
  vouch_vs_hand: pair(
    (e) => (callerPartsValid(e) ? 1 : 0),
    (e) => (handCallerPartsValid(e) ? 1 : 0),
  ),
};

const fmt = (n: number): string => n.toLocaleString("en-US");
console.log("| case (ops/s) | generated | baseline | generated / baseline |");
console.log("|---|---:|---:|---:|");
for (const [name, p] of Object.entries(results)) console.log(`| ${name} | ${fmt(p.generated)} | ${fmt(p.baseline)} | ${p.ratio.toFixed(3)} |`);
const path = writeResult("envelope-facts", { bench: "envelope-facts", ...runInfo(), rounds: ROUNDS, roundMs: ROUND_MS, results });
console.log(`wrote ${path}`);
