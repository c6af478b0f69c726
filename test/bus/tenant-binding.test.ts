/**
 * issue 9 §6 / test/peers/tenant-binding: the tenant of an inbound message is the tenant of the
 * subject it arrived on (spec/bus.md "The tenant of what arrives"). An envelope without
 * `tenant_id` on a tenant's subject is bound to that tenant; an envelope whose `tenant_id`
 * disagrees with its subject (another tenant, or any tenant on an untenanted subject) is
 * refused: not handled, counted, logged, and a request is answered INVALID_REQUEST.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvelope, decodeOrThrow, encode } from "../../runtime/envelope/index.js";
import type { Envelope } from "../../generated/ts/types.js";
import type { BusLogger } from "../../runtime/bus/index.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

function recordingLogger(): { logger: BusLogger; warnings: Array<{ fields: Record<string, unknown>; msg: string }> } {
  const warnings: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  return { warnings, logger: { warn: (fields: Record<string, unknown>, msg: string) => void warnings.push({ fields, msg }) } };
}

function request(to: string, replyTo: string, tenant: string | undefined): Envelope {
  const init: Parameters<typeof createEnvelope>[0] = { event_type: "agent.message.received", from: "mallory", to, reply_to: replyTo, payload: { q: 1 } };
  if (tenant !== undefined) init.tenant_id = tenant;
  return createEnvelope(init);
}

describe.each(["memory", "nats"] as const)("tenant binding over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("an event without tenant_id on a tenant's subject is handled in that tenant: envelope, context and follow-up sends", async () => {
    const acme = await net.bus("sub-untenanted"); // no bus tenant: only the subscription's

    const seen: Array<string | undefined> = [];
    acme.subscribe(
      "task.x",
      async (_p, ctx) => {
        seen.push(ctx.envelope.tenant_id);
        await acme.publish("task.followup", {});
      },
      { tenant: "acme" },
    );
    const raw = await net.transport();
    const followups: string[] = [];
    const tap = raw.subscribe("acp.v1.>", {}, (m) => {
      if (m.subject.endsWith(".task.followup")) followups.push(m.subject);
    });
    await net.settle();
    raw.publish("acp.v1.acme.events.task.x", encode(createEnvelope({ event_type: "task.x", from: "py", payload: {} })));
    await waitFor("the follow-up", () => followups.length === 1);
    expect(seen).toEqual(["acme"]);
    expect(followups).toEqual(["acp.v1.acme.events.task.followup"]);
    tap.unsubscribe();
  });

  it("refuses envelopes whose tenant_id disagrees with the arrival subject; requests are answered INVALID_REQUEST in the subject's tenant", async () => {
    const { logger, warnings } = recordingLogger();
    const acme = await net.bus("svc-acme", { tenant: "acme", logger });
    const open = await net.bus("svc-open", { logger });
    let ran = 0;
    acme.handleInvoke("audit", () => ++ran);
    acme.handleStream("chat", async (_p, w) => {
      ran++;
      await w.delta("x");
    });
    acme.subscribe("task.x", () => void ran++);
    open.handleInvoke("audit", () => ++ran);
    const raw = await net.transport();
    const inbox = raw.newInbox();
    const answers: Envelope[] = [];
    const inboxSub = raw.subscribe(inbox, {}, (m) => void answers.push(decodeOrThrow(m.data)));
    const globex: string[] = [];
    const tap = raw.subscribe("acp.v1.globex.>", {}, (m) => void globex.push(m.subject));
    await net.settle();

    raw.publish("acp.v1.acme.invoke.audit", encode(request("audit", inbox, "globex")));
    raw.publish("acp.v1.acme.invoke.chat", encode(request("chat", inbox, "globex")));
    raw.publish("acp.v1.invoke.audit", encode(request("audit", inbox, "globex"))); // untenanted subject, tenant claimed
    raw.publish("acp.v1.acme.events.task.x", encode(createEnvelope({ event_type: "task.x", from: "py", tenant_id: "globex", payload: {} })));
    await waitFor("three answers", () => answers.length === 3);
    await waitFor("four refusals", () => acme.stats().refusedTenant + open.stats().refusedTenant === 4);
    await net.settle();

    expect(ran).toBe(0);
    expect(globex).toEqual([]);
    expect(acme.stats().refusedTenant).toBe(3);
    expect(open.stats().refusedTenant).toBe(1);
    for (const a of answers) {
      expect(a.event_type).toBe("agent.response.error");
      expect(a.payload).toMatchObject({ code: "INVALID_REQUEST", cause: { pointer: "/tenant_id", got: "globex" } });
      expect((a.payload as { message: string }).message).toContain('invalid tenant_id "globex"');
      expect(a.tenant_id).not.toBe("globex");
    }
    expect(answers.filter((a) => a.tenant_id === "acme")).toHaveLength(2);
    const refusals = warnings.filter((w) => w.msg.includes("tenant_id is not the tenant"));
    expect(refusals).toHaveLength(4);
    expect(refusals.filter((w) => w.fields["subject_tenant"] === "acme")).toHaveLength(3);
    expect(refusals.find((w) => w.fields["subject_tenant"] === null)!.fields).toMatchObject({ tenant_id: "globex", subject: "acp.v1.invoke.audit" });

    // a request in agreement is still served
    raw.publish("acp.v1.acme.invoke.audit", encode(request("audit", inbox, "acme")));
    raw.publish("acp.v1.acme.invoke.audit", encode(request("audit", inbox, undefined)));
    await waitFor("two more answers", () => answers.length === 5);
    expect(answers.slice(3).map((a) => [a.event_type, a.tenant_id])).toEqual([
      ["agent.response.final", "acme"],
      ["agent.response.final", "acme"],
    ]);
    tap.unsubscribe();
    inboxSub.unsubscribe();
  });
});
