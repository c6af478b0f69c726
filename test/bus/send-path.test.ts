/**
 * One send path (issue 11): the bus sends through the same steps on every transport and with or
 * without middleware — no transport-name checks, no memory-only transport members, no
 * direct-call shortcut when there is no middleware. These run the same sends in all four
 * configurations and expect the same outcomes and the same wire form.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope } from "../../generated/ts/types.js";
import type { Bus, BusMiddleware, InboundMiddleware, OutboundMiddleware } from "../../runtime/bus/index.js";
import { decodeOrThrow } from "../../runtime/envelope/index.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

/** Middleware that passes everything through and counts what it saw. */
function passThrough(seen: { out: number; in: number }): BusMiddleware {
  const outbound: OutboundMiddleware = (next) => (env, call) => {
    seen.out++;
    return next(env, call);
  };
  const inbound: InboundMiddleware = (next) => (env, ctx) => {
    seen.in++;
    return next(env, ctx);
  };
  return { outbound: [outbound], inbound: [inbound] };
}

/** Top-level keys of a published envelope, in wire order, as a deployed reader sees them. */
const PUBLISH_KEYS = ["spec_version", "schema_version", "event_id", "event_type", "occurred_at", "from", "payload", "phase"];

describe.each(["memory", "nats"] as const)("send path over %s", (kind) => {
  describe.each(["without middleware", "with pass-through middleware"] as const)("%s", (config) => {
    let net: Network;
    let client: Bus;
    let server: Bus;
    const seen = { out: 0, in: 0 };
    beforeAll(async () => {
      net = await openNetwork(kind);
      const middleware = config === "without middleware" ? undefined : passThrough(seen);
      client = await net.bus("client", { middleware });
      server = await net.bus("server", { middleware });
      server.handleInvoke("echo", (req: unknown) => ({ echo: req }));
      server.handleInvoke("fail", () => {
        throw new Error("boom");
      });
      server.handleStream<number>("count", async (n, w) => {
        for (let i = 0; i < n; i++) await w.delta(`${i}`);
        await w.final(n);
      });
      await net.settle();
    });
    afterAll(async () => {
      await net.close();
    });

    it("publish: the subscriber gets the event, a raw reader the same wire form, with confirm too", async () => {
      const got: unknown[] = [];
      const raw: Uint8Array[] = [];
      server.subscribe("demo.ping", (p) => void got.push(p));
      const t = await net.transport();
      const rawSub = t.subscribe("acp.v1.events.demo.ping", {}, (m) => raw.push(m.data));
      await net.settle();
      await client.publish("demo.ping", { n: 1 });
      await client.publish("demo.ping", { n: 2 }, { confirm: true });
      await waitFor("both events", () => got.length === 2 && raw.length === 2);
      expect(got).toEqual([{ n: 1 }, { n: 2 }]);
      const env = decodeOrThrow(raw[0]!);
      expect(Object.keys(env)).toEqual(PUBLISH_KEYS.filter((k) => k !== "phase" || env.phase !== undefined));
      expect(env).toMatchObject({ event_type: "demo.ping", from: "client", payload: { n: 1 } });
      rawSub.unsubscribe();
    });

    it("invoke and invokeEnvelope resolve with the reply; an error reply rejects with its code; nobody serving is NO_HANDLER", async () => {
      await expect(client.invoke("echo", { a: 1 })).resolves.toEqual({ echo: { a: 1 } });
      const reply: Envelope = await client.invokeEnvelope("echo", "x");
      expect(reply).toMatchObject({ event_type: "agent.response.final", from: "echo", to: "client", is_final: true });
      await expect(client.invoke("fail", {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE" });
      await expect(client.invoke("nobody", {}, { timeoutMs: 5000 })).rejects.toMatchObject({ code: "NO_HANDLER" });
    });

    it("streamInvoke delivers every frame in order, then the final", async () => {
      const frames: string[] = [];
      for await (const f of client.streamInvoke("count", 100)) frames.push(f.type === "delta" ? (f.delta ?? "") : f.type);
      expect(frames).toEqual([...Array.from({ length: 100 }, (_, i) => `${i}`), "final"]);
    });

    it("counts sends the same way and loses nothing", () => {
      const stats = client.stats();
      expect(stats.sendErrors).toBe(0);
      expect(stats.rejected.total).toBe(0);
      expect(server.stats().rejected.total).toBe(0);
      if (config === "with pass-through middleware") expect(seen.out).toBeGreaterThan(0);
      if (config === "with pass-through middleware") expect(seen.in).toBeGreaterThan(0);
    });
  });
});
