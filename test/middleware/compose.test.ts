import { describe, expect, it } from "vitest";
import type { InboundMiddleware, InboundResult, OutboundMiddleware, OutboundResult } from "../../runtime/bus/index.js";
import { chain, composeInbound, composeOutbound, type MiddlewarePair } from "../../runtime/middleware/index.js";
import { createEnvelope } from "../../runtime/index.js";

function marks(trail: string[], name: string): MiddlewarePair {
  const inbound: InboundMiddleware =
    (next) =>
    async (env, ctx): Promise<InboundResult> => {
      trail.push(`in:${name}`);
      return next(env, ctx);
    };
  const outbound: OutboundMiddleware =
    (next) =>
    async (env, call): Promise<OutboundResult> => {
      trail.push(`out:${name}`);
      return next(env, call);
    };
  return { inbound, outbound };
}

describe("chain", () => {
  it("orders the standard middleware as declared: recover outermost, dead letter outside retry, timeout per attempt", async () => {
    const trail: string[] = [];
    const m = (n: string) => marks(trail, n);
    const lists = chain({
      timeout: m("timeout"),
      retry: m("retry"),
      deadLetter: m("deadLetter").inbound,
      circuitBreaker: m("breaker").outbound,
      validation: m("validation"),
      rateLimit: m("rateLimit"),
      logging: m("logging"),
      trace: m("trace"),
      recover: m("recover").inbound,
      inbound: [m("extra").inbound],
      outbound: [m("extra").outbound],
    });
    const env = createEnvelope({ event_type: "x" });
    const handler = composeInbound(lists.inbound)(async () => ({ kind: "none" }));
    await handler(env, {} as never);
    expect(trail.splice(0)).toEqual([
      "in:recover",
      "in:trace",
      "in:logging",
      "in:rateLimit",
      "in:validation",
      "in:deadLetter",
      "in:retry",
      "in:timeout",
      "in:extra",
    ]);
    const send = composeOutbound(lists.outbound)(async () => ({ kind: "sent" }));
    await send(env, {} as never);
    expect(trail).toEqual(["out:trace", "out:logging", "out:rateLimit", "out:validation", "out:retry", "out:breaker", "out:timeout", "out:extra"]);
  });

  it("fills only the directions asked for, and skips what is not given", () => {
    const trail: string[] = [];
    expect(chain({ retry: marks(trail, "r") }, { outbound: false })).toMatchObject({ outbound: [] });
    expect(chain({ retry: marks(trail, "r") }, { inbound: false }).inbound).toEqual([]);
    expect(chain({}).inbound).toEqual([]);
  });
});
