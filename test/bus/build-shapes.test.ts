/**
 * The envelope factory's hot shapes (runtime/bus/build.ts `outbound`, `reply`) build exactly
 * what the general `build` builds from the equivalent init: same fields, same key order (so
 * the same bytes), for both schema versions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Envelope } from "../../generated/ts/types.js";
import { EnvelopeFactory } from "../../runtime/bus/build.js";
import { replyInit } from "../../runtime/bus/replies.js";
import { CONTEXT_FIELDS, hasContext } from "../../generated/ts/envelope-facts.js";
import type { ContextFields } from "../../runtime/context/index.js";

/** Both envelopes with their generated id and time replaced, for comparison. */
function comparable(env: Envelope): [string, unknown][] {
  return Object.entries({ ...env, event_id: "id", occurred_at: "t" });
}

const str = fc.option(fc.string({ maxLength: 5 }), { nil: undefined });
const s = fc.string({ maxLength: 5 });
// as outboundContext makes them: some of the fields, never one set to undefined
const context = fc.option(fc.record(Object.fromEntries(CONTEXT_FIELDS.map((k) => [k, s])), { requiredKeys: [] }), { nil: undefined });
const eventType = fc.constantFrom("agent.message.received", "agent.task.created", "agent.response.final", "agent.response.error", "orders.created");
const metadata = fc.option(fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue()), { nil: undefined });

describe.each([1, 2] as const)("EnvelopeFactory hot shapes (schema_version %i)", (v) => {
  const factory = new EnvelopeFactory(v);

  it("outbound = build({event_type, from, to, ...context, tenant_id, payload, metadata})", () => {
    fc.assert(
      fc.property(eventType, str, context, str, fc.option(fc.jsonValue(), { nil: undefined }), metadata, (type, to, ctx, tenant, payload, meta) => {
        const init: Partial<Envelope> & { event_type: string } = { event_type: type, from: "me", to };
        Object.assign(init, ctx as ContextFields | undefined);
        if (init.tenant_id === undefined && tenant !== undefined) init.tenant_id = tenant;
        init.payload = payload as Envelope["payload"];
        init.metadata = meta;
        const fast = factory.outbound(type, "me", to, ctx as ContextFields | undefined, tenant, payload, meta);
        expect(comparable(fast)).toEqual(comparable(factory.build(init)));
      }),
      { numRuns: 200 },
    );
  });

  it("reply = build(replyInit(…))", () => {
    fc.assert(
      fc.property(
        context,
        str,
        str,
        fc.boolean(),
        fc.option(fc.jsonValue(), { nil: undefined }),
        metadata,
        eventType,
        (ctx, from, to, isFinal, payload, meta, type) => {
          const request = factory.build({ event_type: "agent.message.received", from, to, ...(ctx as ContextFields | undefined) });
          const fast = factory.reply(request, "self", meta, type, payload, isFinal);
          expect(comparable(fast)).toEqual(comparable(factory.build(replyInit(request, "self", meta, type, payload, undefined, isFinal))));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("frame = build({...replyInit(…, seq, …), phase}) as the stream writer built it", () => {
    const frameType = fc.constantFrom("agent.response.started", "agent.response.delta", "agent.response.final", "agent.response.error", "custom.progress");
    const phase = fc.option(fc.constantFrom("completed", "failed", "canceled", "working"), { nil: undefined });
    fc.assert(
      fc.property(
        context,
        str,
        str,
        fc.nat(),
        fc.boolean(),
        fc.option(fc.jsonValue(), { nil: undefined }),
        metadata,
        frameType,
        phase,
        (ctx, from, to, seq, isFinal, payload, meta, type, ph) => {
          const request = factory.build({ event_type: "agent.message.received", from, to, ...(ctx as ContextFields | undefined) });
          const fast = factory.frame(request, "self", meta, type, payload, isFinal, seq, ph);
          const init = replyInit(request, "self", meta, type, payload, seq, isFinal);
          if (ph !== undefined) init.phase = ph as Envelope["phase"];
          expect(comparable(fast)).toEqual(comparable(factory.build(init)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("hasContext (generated/ts/envelope-facts.ts)", () => {
  it("sees every context field, and nothing else", () => {
    const base = {
      spec_version: "acp/1.0",
      schema_version: 2,
      event_id: "x",
      event_type: "t",
      occurred_at: "t",
      from: "a",
      to: "b",
      reply_to: "r",
    } as Envelope;
    expect(hasContext(base)).toBe(false);
    for (const key of CONTEXT_FIELDS) {
      expect(hasContext({ ...base, [key]: "v" }), key).toBe(true);
      expect(hasContext({ ...base, [key]: 1 } as unknown as Envelope), key).toBe(false);
    }
  });
});
