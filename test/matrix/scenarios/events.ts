/**
 * Event scenarios: fan-out (plain and wildcard subscribers), tenant routing of events, queue
 * groups shared across languages.
 */
import { expect } from "vitest";
import { ask, PASS, received, tagOf, TENANT, type PairScenario, type Side } from "../cell.js";
import { eventsOf, probeUntil, waitUntil } from "../probe.js";
import type { Json } from "../protocol.js";

export const pubsub: PairScenario = {
  name: "pubsub",
  what: "an event fans out to every subscriber (two on its type, one on a `*` pattern), with its payload, sender, session and metadata",
  async run(client, server) {
    const tag = tagOf(client, server);
    const eventType = `mx.fan.${tag}`;
    const subs = [`${tag}-a`, `${tag}-b`, `${tag}-wild`];
    await ask(server, "subscribe", { name: subs[0], event_type: eventType });
    await ask(server, "subscribe", { name: subs[1], event_type: eventType });
    // The pattern also matches other cells' events: only this cell's (by payload) are looked at.
    await ask(server, "subscribe", { name: subs[2], event_type: "mx.fan.*" });
    let n = 0;
    await probeUntil(
      `fan-out subscriptions ${tag}`,
      async () => void (await ask(client, "publish", { event_type: eventType, payload: { probe: n++ } })),
      () => subs.every((s) => received(server.peer, s, true).length > 0),
    );
    await ask(client, "publish", { event_type: eventType, payload: { hello: tag }, context: { session_id: `s-${tag}` }, metadata: { "app.event": tag } });
    for (const s of subs) {
      const [got] = await eventsOf(
        server.peer,
        `event at ${s}`,
        (e) => e["event"] === "received" && e["sub"] === s && (e["payload"] as Json | null)?.["hello"] === tag,
      );
      expect(got).toMatchObject({
        payload: { hello: tag },
        seen: { from: client.spec.name, session_id: `s-${tag}`, tenant_id: null, metadata: { "app.event": tag } },
      });
    }
    return PASS;
  },
};

export const tenantEvents: PairScenario = {
  name: "tenant-pubsub",
  what: "an event published in tenant acme reaches the acme subscriber only, one published untenanted the untenanted subscriber only",
  async run(client, server) {
    const tag = tagOf(client, server);
    const eventType = `mx.tenant.${tag}`;
    const subs: [string, string | undefined][] = [
      [`${tag}-acme`, TENANT],
      [`${tag}-none`, undefined],
    ];
    for (const [name, tenant] of subs) await ask(server, "subscribe", { name, event_type: eventType, ...(tenant === undefined ? {} : { tenant }) });
    let n = 0;
    const probe = async (name: string, tenant: string | undefined, round: number): Promise<void> => {
      const has = (): boolean => received(server.peer, name, true).some((e) => (e["payload"] as Json)["round"] === round);
      await probeUntil(
        `subscription ${name} (round ${round})`,
        async () => void (await ask(client, "publish", { event_type: eventType, payload: { probe: n++, round }, ...(tenant === undefined ? {} : { tenant }) })),
        has,
        { roundMs: 100 },
      );
    };
    for (const [name, tenant] of subs) await probe(name, tenant, 1);
    await ask(client, "publish", { event_type: eventType, tenant: TENANT, payload: { to: "acme" } });
    await ask(client, "publish", { event_type: eventType, payload: { to: "none" } });
    // Delivery is ordered per publisher: after a later probe, nothing earlier is in flight.
    for (const [name, tenant] of subs) await probe(name, tenant, 2);
    const [acme, none] = subs.map(([name]) => received(server.peer, name, false));
    expect(none).toMatchObject([{ payload: { to: "none" }, seen: { tenant_id: null, from: client.spec.name } }]);
    const { publishTenant } = client.spec.gaps;
    const { subjectTenant } = server.spec.gaps;
    if (publishTenant !== undefined && subjectTenant !== undefined) {
      // Routed right, but neither side writes the tenant into what the handler sees.
      expect(acme).toMatchObject([{ payload: { to: "acme" }, seen: { tenant_id: null, from: client.spec.name } }]);
      return { status: "partial", reason: `tenant_id: ${publishTenant}; ${subjectTenant}` };
    }
    expect(acme).toMatchObject([{ payload: { to: "acme" }, seen: { tenant_id: TENANT, from: client.spec.name } }]);
    return PASS;
  },
};

export const queue: PairScenario = {
  name: "queue",
  what: "a queue group with a member in each peer: 30 events, each handled exactly once, both members take a share",
  async run(client, server) {
    const tag = tagOf(client, server);
    const eventType = `mx.queue.${tag}`;
    const group = `mxq-${tag}`;
    const members: [Side, string][] = [
      [server, `${tag}-s`],
      [client, `${tag}-c`],
    ];
    for (const [side, name] of members) await ask(side, "subscribe", { name, event_type: eventType, queue: group });
    let n = 0;
    const probeRound = async (round: number): Promise<void> => {
      const seen = (side: Side, name: string): boolean => received(side.peer, name, true).some((e) => (e["payload"] as Json)["round"] === round);
      await probeUntil(
        `queue members of ${group} (round ${round})`,
        async () => void (await ask(client, "publish", { event_type: eventType, payload: { probe: n++, round } })),
        () => members.every(([side, name]) => seen(side, name)),
        { roundMs: 50 },
      );
    };
    await probeRound(1);
    const total = 30;
    await Promise.all(Array.from({ length: total }, (_, i) => ask(client, "publish", { event_type: eventType, payload: { i } })));
    const work = (): number[] => members.flatMap(([side, name]) => received(side.peer, name, false).map((e) => (e["payload"] as { i: number }).i));
    await waitUntil(`${total} events in ${group}`, () => work().length >= total);
    // Each member is ordered per publisher: once each has a later probe, nothing earlier is in flight.
    await probeRound(2);
    expect(work().sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const [side, name] of members) expect(received(side.peer, name, false).length, `member ${name} took a share`).toBeGreaterThan(0);
    return PASS;
  },
};
