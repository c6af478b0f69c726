/**
 * issue 9 §4: a request's `reply_to` is where the serving bus publishes its reply (and, for
 * streams, every frame). A peer that names another tenant's subjects there must not make the
 * service publish into them, nor run anyone's handler: replies go only to inbox subjects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvelope, decodeOrThrow, encode } from "../../runtime/envelope/index.js";
import type { Envelope } from "../../generated/ts/types.js";
import type { BusLogger } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { createBus } from "../../runtime/bus/index.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

function recordingLogger(): { logger: BusLogger; warnings: Array<{ fields: Record<string, unknown>; msg: string }> } {
  const warnings: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  return { warnings, logger: { warn: (fields: Record<string, unknown>, msg: string) => void warnings.push({ fields, msg }) } };
}

function request(to: string, replyTo: string, tenant: string): Envelope {
  return createEnvelope({ event_type: "agent.message.received", from: "mallory", to, tenant_id: tenant, reply_to: replyTo, payload: { q: 1 } });
}

describe.each(["memory", "nats"] as const)("reply_to over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("refuses a request whose reply_to names another tenant's subjects: no handler runs, nothing is published there", async () => {
    const { logger, warnings } = recordingLogger();
    const serviceA = await net.bus("svc-a", { tenant: "tenant-a", logger });
    const serviceB = await net.bus("svc-b", { tenant: "tenant-b" });
    let ranA = 0;
    let ranB = 0;
    serviceA.handleInvoke("echo", (p) => {
      ranA++;
      return p;
    });
    serviceA.handleStream("chat", async (_p, w) => {
      ranA++;
      await w.delta("x");
    });
    serviceB.handleInvoke("wipe", () => ++ranB);
    const eventsOfB: string[] = [];
    serviceB.subscribe(">", (_p, ctx) => void eventsOfB.push(ctx.envelope.event_type));
    const raw = await net.transport();
    const tapped: string[] = [];
    const tap = raw.subscribe("acp.v1.tenant-b.>", {}, (m) => void tapped.push(m.subject));
    const inbox = raw.newInbox();
    const good: Envelope[] = [];
    const inboxSub = raw.subscribe(inbox, {}, (m) => void good.push(decodeOrThrow(m.data)));
    await net.settle();

    const hostile = [
      ["acp.v1.tenant-a.invoke.echo", "acp.v1.tenant-b.events.agent.response.final"],
      ["acp.v1.tenant-a.invoke.echo", "acp.v1.tenant-b.invoke.wipe"],
      ["acp.v1.tenant-a.invoke.chat", "acp.v1.tenant-b.invoke.wipe"],
      ["acp.v1.tenant-a.invoke.echo", "_INBOX"], // the prefix itself is no inbox
    ] as const;
    for (const [subject, replyTo] of hostile) {
      raw.publish(subject, encode(request(subject.slice(subject.lastIndexOf(".") + 1), replyTo, "tenant-a")));
    }
    // a well-formed request after them, on the same connection: answered once they were handled
    raw.publish("acp.v1.tenant-a.invoke.echo", encode(request("echo", inbox, "tenant-a")));
    await waitFor("the inbox reply", () => good.length === 1);
    await net.settle();
    expect(good[0]).toMatchObject({ event_type: "agent.response.final", to: "mallory" });

    expect(ranA).toBe(1); // only the good request
    expect(ranB).toBe(0);
    expect(eventsOfB).toEqual([]);
    expect(tapped).toEqual([]);
    expect(serviceA.stats().refusedReplyTo).toBe(hostile.length);
    const refusals = warnings.filter((w) => w.msg.includes("reply_to"));
    expect(refusals).toHaveLength(hostile.length);
    expect(refusals[0]!.fields).toMatchObject({ reply_to: hostile[0][1], inbox_prefix: "_INBOX", tenant_id: "tenant-a" });
    tap.unsubscribe();
    inboxSub.unsubscribe();
  });
});

describe("reply_to with a configured inbox prefix", () => {
  it("answers only under the transport's inboxPrefix", async () => {
    const transport = createMemoryTransport({ inboxPrefix: "_R.app" });
    await using server = createBus({ agentId: "svc", transport });
    await using caller = createBus({ agentId: "caller", transport });
    server.handleInvoke("echo", (p) => p);
    expect(caller.transport.newInbox().startsWith("_R.app.")).toBe(true);
    expect(await caller.invoke("echo", 7)).toBe(7);
    const got: string[] = [];
    const sub = transport.subscribe("_INBOX.>", {}, (m) => void got.push(m.subject));
    transport.publish("acp.v1.invoke.echo", encode(request("echo", "_INBOX.x.1", "t")));
    await waitFor("the refusal", () => server.stats().refusedReplyTo === 1);
    await transport.flush();
    expect(got).toEqual([]);
    sub.unsubscribe();
    await transport.close();
  });
});
