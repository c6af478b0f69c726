/**
 * The tenant of an inbound message is the subject it arrived on, not what its envelope says.
 * Found running the deployed Python SDK as a peer (spec/interop.md "Tenants"): a tenant-scoped
 * deployed publish carries no tenant_id, and a TS subscriber's follow-up sends then left the
 * tenant; a request whose tenant_id names another tenant moved the handler's sends into that
 * tenant. Both with a real nats-server; the second case is raw bytes, as any client can send.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "../../runtime/bus/index.js";
import { openPeerNetwork, type PeerNetwork } from "./peer.js";

let net: PeerNetwork;
let ts: Bus;
beforeAll(async () => {
  net = await openPeerNetwork();
  ts = await net.bus("ts");
}, 60_000);
afterAll(async () => {
  await net?.close();
});

describe("tenant binding at the NATS edge", () => {
  it("a deployed tenant-scoped event (no tenant_id in its envelope) keeps the subscriber's sends in that tenant", async () => {
    let handled = 0;
    ts.subscribe(
      "task.x",
      async () => {
        handled++;
        await ts.publish("task.followup", { n: handled });
      },
      { tenant: "acme" },
    );
    await net.settle();
    const sent = await net.peer.ok("publish", { event_type: "task.x", payload: {}, tenant: "acme" });
    // What the deployed SDK sent: acme's subject, an envelope without tenant_id.
    expect(sent["envelope"]).not.toHaveProperty("tenant_id");
    await net.tap.where("the event on acme's subject", (m) => m.subject === "acp.v1.acme.events.task.x");
    const [followup] = await net.tap.where("the follow-up", (m) => m.subject.endsWith(".events.task.followup"));
    expect(followup!.subject).toBe("acp.v1.acme.events.task.followup");
  });

  it("a request whose tenant_id names another tenant than its subject does not move the handler's sends there", async () => {
    const acme = await net.bus("ts-acme", { tenant: "acme" });
    acme.handleInvoke("audit", async () => {
      await acme.publish("audit.done", {});
      return "ok";
    });
    await net.settle();
    const forged = {
      spec_version: "acp/1.0",
      schema_version: 1,
      event_id: "01a23b1f-713e-7225-8102-6c6a2051cab9",
      event_type: "agent.message.received",
      occurred_at: "2026-12-03T08:57:26.078766Z",
      reply_to: "_INBOX.forged-tenant",
      from: "intruder",
      to: "audit",
      tenant_id: "globex",
      payload: {},
    };
    await net.tap.publish("acp.v1.acme.invoke.audit", JSON.stringify(forged));
    // Refused or served in acme: either way an answer comes back to the inbox, after anything
    // the handler sent (one connection, delivered in order)...
    await net.tap.where("the answer", (m) => m.subject === "_INBOX.forged-tenant");
    // ...and nothing was sent on globex's subjects.
    expect(net.tap.messages.filter((m) => m.subject.startsWith("acp.v1.globex.")).map((m) => m.subject)).toEqual([]);
  });
});
