/**
 * Agent handoff, the agent's side (spec/orchestration.md "Agent handoff"): a handler hands the
 * conversation to another target with explicit state, and the caller receives the new agent's
 * answer on the same invoke or stream. The handing-off agent relays: it calls the new target
 * inside the handled request's context (session, conversation, tenant, user, channel carried;
 * the trace continued with a child span), with `metadata["acp.handoff"]` (the state, the chain,
 * the deadline), and answers its caller with what came back, reporting the chain in
 * `metadata["acp.handoff.chain"]`. On a stream the caller first sees an `agent.handoff` frame,
 * then the new agent's frames with the seq counter going on; its cancel reaches the new agent.
 */
import { MetadataKey } from "../../generated/ts/constants.js";
import { AgentUnavailableError } from "../../generated/ts/errors.js";
import type { Envelope } from "../../generated/ts/types.js";
import { checked } from "../bus/checks.js";
import { errorFromReply, isErrorReply, resultOf, toAcpError } from "../bus/replies.js";
import { setOwn } from "../bus/own.js";
import type { BareJson, Bus, FinalPhase, HandlerContext, StreamFrame, StreamWriter } from "../bus/types.js";
import { contextFromEnvelope, runWithContext } from "../context/index.js";
import { effectivePhase } from "../envelope/index.js";
import { invalidArgument } from "../errors.js";
import { passedBack, planHop, reportedChain } from "./handoff-wire.js";
import type { HandoffOptions } from "./handoff-types.js";

/** The frame metadata of a relayed frame: the new agent's keys (no `acp.*`) and, on the terminal frame, the chain. */
function frameMetadata(env: Envelope | undefined, chain?: readonly string[]): Record<string, unknown> | undefined {
  const out = passedBack(env);
  if (chain === undefined) return out;
  const meta = out ?? {};
  setOwn(meta, MetadataKey.HANDOFF_CHAIN, chain);
  return meta;
}

function asObject(value: Record<string, unknown> | BareJson | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

function finalPhaseOf(env: Envelope): FinalPhase | undefined {
  const phase = effectivePhase(env);
  return phase === "input_required" || phase === "auth_required" ? phase : undefined;
}

/**
 * From an invoke handler: hands the conversation to `target` and resolves with its answer,
 * which the handler returns as its own (`return handoff(bus, ctx, "billing", { state })`).
 * The answer's metadata (without `acp.*` keys) and the chain go into `ctx.replyMetadata`, so
 * the caller sees who answered. The new agent's error is thrown with its code (NO_HANDLER when
 * nobody serves `target`). Throws INVALID_REQUEST (bad options; `cause["acp.handoff"]`
 * `cycle` or `max_hops` for a refused hop) and AGENT_TIMEOUT (the caller's deadline passed).
 *
 * @example
 * bus.handleInvoke("triage", (req, ctx) => handoff(bus, ctx, "billing", { state: { invoice: req.invoice }, reason: "invoice question" }));
 */
export async function handoff<Res = unknown>(bus: Bus, ctx: HandlerContext, target: string, opts: HandoffOptions<Res> = {}): Promise<Res> {
  const hop = planHop("handoff", ctx, target, opts as HandoffOptions<unknown>);
  const reply = await runWithContext(contextFromEnvelope(ctx.envelope), () =>
    bus.invokeEnvelope(target, hop.request, { timeoutMs: hop.timeoutMs, signal: ctx.signal, metadata: hop.metadata }),
  );
  const back = passedBack(reply);
  if (back !== undefined) for (const key of Object.keys(back)) setOwn(ctx.replyMetadata, key, back[key]);
  setOwn(ctx.replyMetadata, MetadataKey.HANDOFF_CHAIN, reportedChain(hop.payload.chain, reply));
  if (isErrorReply(reply)) throw errorFromReply(reply);
  const value = resultOf(reply);
  if (opts.validate === undefined) return value as Res;
  return checked(
    opts.validate,
    value,
    `the answer of ${JSON.stringify(target)} to the handoff`,
    "the new agent answered a value of another shape than expected",
  );
}

/** Relays one frame of the new agent's stream to the caller's writer; true once the stream ended. */
async function relay(w: StreamWriter, frame: StreamFrame, sent: readonly string[]): Promise<boolean> {
  switch (frame.type) {
    case "started":
      await w.started(asObject(frame.meta), { metadata: frameMetadata(frame.envelope) });
      return false;
    case "delta":
      await w.delta(
        { ...(frame.delta === undefined ? {} : { delta: frame.delta }), ...(frame.data === undefined ? {} : { data: asObject(frame.data) }) },
        { metadata: frameMetadata(frame.envelope) },
      );
      return false;
    case "event":
      await w.event(frame.envelope.event_type, frame.envelope.payload as never, { metadata: frameMetadata(frame.envelope) });
      return false;
    case "final": {
      const phase = finalPhaseOf(frame.envelope);
      await w.final(frame.result, { metadata: frameMetadata(frame.envelope, reportedChain(sent, frame.envelope)), ...(phase === undefined ? {} : { phase }) });
      return true;
    }
    case "error":
      await w.error(frame.error, { metadata: frameMetadata(frame.envelope, reportedChain(sent, frame.envelope)) });
      return true;
  }
}

/**
 * From a stream handler: writes an `agent.handoff` frame (from, to, reason, chain; never the
 * state), then streams `target`'s answer to the caller frame by frame on the same writer
 * (same seq counter), ending with its final or error frame, which carries
 * `metadata["acp.handoff.chain"]`. The caller's cancel (`writer.signal`) cancels the new
 * agent's stream, so it reaches the agent answering. Resolves once the stream has ended.
 * A refused hop (INVALID_REQUEST `cycle` / `max_hops`) or a passed deadline rejects before
 * anything is written (the handler's throw becomes the error frame); nobody serving `target`
 * ends the stream with a NO_HANDLER error frame after the handoff frame.
 *
 * @example
 * bus.handleStream("triage", async (req, w, ctx) => {
 *   await w.delta("let me get billing for you");
 *   await handoffStream(bus, w, ctx, "billing", { state: { invoice: req.invoice } });
 * });
 */
export async function handoffStream(bus: Bus, writer: StreamWriter, ctx: HandlerContext, target: string, opts: HandoffOptions = {}): Promise<void> {
  if (writer === null || typeof writer !== "object" || typeof writer.event !== "function")
    throw invalidArgument("handoffStream", "writer", writer, "the handler's StreamWriter (its second argument)");
  if (opts.validate !== undefined) throw invalidArgument("handoffStream", "opts.validate", "(a function)", "absent: frames are relayed as they come");
  if (writer.ended)
    throw invalidArgument("handoffStream", "writer", "(ended)", "a writer that has not written its terminal frame yet: hand off before final() or error()");
  const hop = planHop("handoffStream", ctx, target, opts);
  if (writer.signal.aborted) return; // the caller is gone: nobody to hand off for
  await writer.event("agent.handoff", hop.visible);
  const stream = runWithContext(contextFromEnvelope(ctx.envelope), () =>
    bus.streamInvoke(target, hop.request, { timeoutMs: hop.timeoutMs, signal: writer.signal, metadata: hop.metadata, yieldErrors: true }),
  );
  let ended = false;
  try {
    for await (const frame of stream) {
      if (await relay(writer, frame, hop.payload.chain)) {
        ended = true;
        break;
      }
    }
  } catch (err: unknown) {
    await writer.error(toAcpError(err), { metadata: frameMetadata(undefined, hop.payload.chain) });
    ended = true;
  } finally {
    await stream.close();
  }
  if (!ended) {
    await writer.error(
      new AgentUnavailableError(`the stream of ${JSON.stringify(target)} ended without a terminal frame after the handoff`, { details: { target } }),
      {
        metadata: frameMetadata(undefined, hop.payload.chain),
      },
    );
  }
}
