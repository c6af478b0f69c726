/**
 * Context propagation through a chain of three peers.
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { ask, freshTrace, PASS, seenOf, targetOf, TENANT, traceIdOf, type Outcome, type Side } from "../cell.js";
import type { Seen, WireError, WireFrame } from "../protocol.js";

/**
 * A → B → C in tenant acme: A invokes B with session, conversation, channel, user and
 * traceparent; B's handler invokes (`kind` "invoke") or streams from ("stream") C with no
 * explicit context; C's handler sees A's context (its tenant routed the call to C's acme
 * handler; the trace id is A's, with a new span on each hop).
 */
export async function chain(a: Side, b: Side, c: Side, kind: "invoke" | "stream"): Promise<Outcome> {
  const tag = `${a.spec.name}-${b.spec.name}-${c.spec.name}-${randomBytes(3).toString("hex")}`;
  const { traceparent, traceId } = freshTrace();
  const context = { session_id: `s-${tag}`, conversation_id: `c-${tag}`, channel: `ch-${tag}`, user_id: `u-${tag}`, traceparent };
  const ans = await ask(a, "invoke", {
    target: targetOf(b, "tenant"),
    tenant: TENANT,
    context,
    payload:
      kind === "invoke"
        ? { do: "call", target: targetOf(c, "tenant"), payload: { do: "echo", value: tag } }
        : { do: "call", kind, target: targetOf(c, "stream"), payload: { do: "story", words: [tag] } },
  });
  expect(ans["error"]).toBeUndefined();
  const res = ans["result"] as { by: string; seen: Seen; inner: { result?: unknown; frames?: WireFrame[]; error?: WireError } };
  expect(res.by).toBe(b.spec.name);
  expect(res.seen).toMatchObject({ from: a.spec.name, tenant_id: TENANT, ...context, traceparent: res.seen.traceparent });
  expect(traceIdOf(res.seen.traceparent)).toBe(traceId);
  expect(res.inner.error).toBeUndefined();
  let atC: Seen;
  if (kind === "invoke") {
    expect(res.inner.result).toMatchObject({ value: tag, by: c.spec.name, marker: TENANT });
    atC = seenOf(res.inner.result);
  } else {
    const frames = res.inner.frames ?? [];
    expect(frames.slice(0, 2)).toEqual([
      { type: "started", seq: 0, meta: { by: c.spec.name } },
      { type: "delta", seq: 1, delta: tag },
    ]);
    expect(frames.slice(2)).toMatchObject([{ type: "final", seq: 2, result: { count: 1 } }]);
    atC = seenOf((frames[2] as { result: unknown }).result);
  }
  expect(atC).toMatchObject({ from: b.spec.name, tenant_id: TENANT, session_id: context.session_id, conversation_id: context.conversation_id });
  expect(traceIdOf(atC.traceparent), `C's traceparent ${String(atC.traceparent)}`).toBe(traceId);
  const gaps: string[] = [];
  const { propagateUser, propagateChannel, newSpan } = b.spec.gaps;
  const field = (name: "user_id" | "channel", gap: string | undefined): void => {
    if (gap === undefined) expect(atC[name], `${name} at C`).toBe(context[name]);
    else {
      expect(atC[name], `${name} is not carried by B`).toBeNull();
      gaps.push(`${name}: ${gap}`);
    }
  };
  field("user_id", propagateUser);
  field("channel", propagateChannel);
  if (newSpan === undefined) expect(atC.traceparent, "B → C is a new span of the trace").not.toBe(res.seen.traceparent);
  else {
    expect(atC.traceparent, "B passes its request's traceparent on as is").toBe(res.seen.traceparent);
    gaps.push(`span: ${newSpan}`);
  }
  return gaps.length === 0 ? PASS : { status: "partial", reason: gaps.join("; ") };
}
