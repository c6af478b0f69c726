/**
 * issue 9 §4 and §6: the subject layout is collision-free (reserved tokens cannot be tenants)
 * and dotted targets (`openclaw.chat`, `{prefix}.{tool}`) are addressed as deployed SDKs
 * address them: `{p}[.{tenant}].invoke.{target}` with the target's dots kept
 * (openagentio 0.3.0 bus/subjects.py `invoke_subject`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../runtime/errors.js";
import { RESERVED_TENANTS, createBus, tenantProblem } from "../../runtime/bus/index.js";
import { decodeOrThrow } from "../../runtime/envelope/index.js";
import type { Envelope } from "../../generated/ts/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { SUBJECTS } from "../../generated/ts/constants.js";
import { streamLayout } from "../../runtime/jetstream/layout.js";
import { requestContext } from "../../runtime/gateway/context.js";
import { createJwtVerifier } from "../../runtime/gateway/index.js";
import { SignJWT } from "jose";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

describe("reserved tenants", () => {
  it('refuses tenant "work" in createBus (it is the JetStream work-queue word: {p}.work.>), naming the reserved list, and the JetStream layout refuses the same list', () => {
    const transport = createMemoryTransport();
    let thrown: unknown;
    try {
      createBus({ agentId: "a", transport, tenant: "work" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidRequestError);
    expect((thrown as InvalidRequestError).message).toBe(
      `invalid tenant "work": is reserved by the subject layout (reserved: events, invoke, dlq, work); choose another tenant name`,
    );
    expect((thrown as InvalidRequestError).details).toMatchObject({ token: "tenant", value: "work", reserved: RESERVED_TENANTS });
    // the catalogue's tenant pattern (generated) and the JetStream layout agree with the list
    for (const t of RESERVED_TENANTS) {
      expect(SUBJECTS.tokens.tenant.pattern.test(t)).toBe(false);
      expect(() => streamLayout({ tenants: [t] })).toThrow(`tenants must be a tenant other than ${RESERVED_TENANTS.join(", ")}`);
    }
    expect(SUBJECTS.tokens.tenant.pattern.test("workers")).toBe(true);
    expect(createBus({ agentId: "a", transport, tenant: "workers" }).tenant).toBe("workers");
  });

  it("refuses events, invoke, dlq and work as a tenant wherever a tenant enters, naming it and the reserved list", async () => {
    expect(RESERVED_TENANTS).toEqual(["events", "invoke", "dlq", "work"]);
    const transport = createMemoryTransport();
    for (const t of RESERVED_TENANTS) {
      expect(tenantProblem(t)).toMatch(/reserved/);
      // bus option
      let thrown: unknown;
      try {
        createBus({ agentId: "a", transport, tenant: t });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(InvalidRequestError);
      expect((thrown as InvalidRequestError).message).toBe(
        `invalid tenant "${t}": is reserved by the subject layout (reserved: events, invoke, dlq, work); choose another tenant name`,
      );
      expect((thrown as InvalidRequestError).details).toMatchObject({ token: "tenant", value: t, reserved: RESERVED_TENANTS });
    }
    await using bus = createBus({ agentId: "a", transport });
    // explicit / propagated context (the gateway hands its tenant over as context)
    await expect(bus.invoke("x", {}, { context: { tenant_id: "events" } })).rejects.toThrow(/invalid tenant "events": is reserved/);
    await expect(bus.publish("x.y", {}, { context: { tenant_id: "invoke" } })).rejects.toThrow(InvalidRequestError);
    expect(() => bus.streamInvoke("x", {}, { context: { tenant_id: "dlq" } })).toThrow(InvalidRequestError);
    // handler / subscription options
    expect(() => bus.handleInvoke("x", () => 1, { tenant: "events" })).toThrow(/reserved/);
    expect(() => bus.subscribe(">", () => undefined, { tenant: "events" })).toThrow(/reserved/);
    // a forwarded envelope's tenant
    const env = {
      spec_version: "acp/1.0",
      event_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
      event_type: "x.y",
      occurred_at: "2026-01-01T00:00:00Z",
      from: "a",
      tenant_id: "events",
    } as Envelope;
    await expect(bus.publishEnvelope(env)).rejects.toThrow(/reserved/);
    expect(tenantProblem("acme")).toBeUndefined();
    // the gateway edge: X-Tenant-Id is refused with 400 before anything reaches the bus
    let edge: unknown;
    try {
      requestContext({ "x-tenant-id": "events" }, undefined);
    } catch (err) {
      edge = err;
    }
    expect(edge).toMatchObject({ status: 400 });
    expect(String((edge as { error?: Error }).error?.message ?? edge)).toMatch(/x-tenant-id.*reserved/);
    expect(requestContext({ "x-tenant-id": "acme" }, undefined).tenant_id).toBe("acme");
    // the gateway's JWT tenant claim: a token bound to a reserved tenant is refused (403)
    const verify = createJwtVerifier({ secret: "a-test-secret-of-enough-length-for-hs256" });
    const token = (tenant: string): Promise<string> =>
      new SignJWT({ sub: "u", tenant_id: tenant })
        .setProtectedHeader({ alg: "HS256" })
        .setExpirationTime("5m")
        .sign(new TextEncoder().encode("a-test-secret-of-enough-length-for-hs256"));
    const authRequest = async (tenant: string) => ({ method: "POST", url: "/v1/agents/x/invoke", headers: { authorization: `Bearer ${await token(tenant)}` } });
    await expect(Promise.resolve(verify(await authRequest("invoke")))).rejects.toMatchObject({ status: 403 });
    expect((await verify(await authRequest("acme"))).tenant).toBe("acme");
    await transport.close();
  });

  it("refuses a prefix that would share the inbox namespace", async () => {
    const transport = createMemoryTransport();
    expect(() => createBus({ agentId: "a", transport, prefix: "_INBOX.acp" })).toThrow(/does not start with the transport's inbox prefix token "_INBOX"/);
    await transport.close();
  });

  it("an untenanted '>' subscriber sees no tenant's invokes or events", async () => {
    const transport = createMemoryTransport();
    await using bus = createBus({ agentId: "watcher", transport });
    await using tenantBus = createBus({ agentId: "t", transport, tenant: "acme" });
    const seen: string[] = [];
    bus.subscribe(">", (_p, ctx) => void seen.push(ctx.subject));
    tenantBus.handleInvoke("work", () => 1);
    await tenantBus.invoke("work", {});
    await tenantBus.publish("acme.thing", {});
    await bus.publish("plain.thing", {});
    await waitFor("the untenanted event", () => seen.length === 1);
    await transport.flush();
    expect(seen).toEqual(["acp.v1.events.plain.thing"]);
    await transport.close();
  });
});

describe.each(["memory", "nats"] as const)("dotted targets over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("invokes, streams and handles openclaw.chat on {p}.invoke.openclaw.chat, as deployed SDKs address it", async () => {
    const server = await net.bus("bridge");
    const caller = await net.bus("caller", { tenant: "acme" });
    server.handleInvoke("openclaw.chat", (p: { q: string }) => `re:${p.q}`);
    server.handleInvoke("openclaw.chat", (p: { q: string }) => `acme:${p.q}`, { tenant: "acme" });
    server.handleStream("mcp.fs.read_file", async (_p, w) => {
      await w.delta("a");
      await w.delta("b");
      return "done";
    });
    const raw = await net.transport();
    const requests: Array<{ subject: string; env: Envelope }> = [];
    const tap = raw.subscribe("acp.v1.*.invoke.>", {}, (m) => void requests.push({ subject: m.subject, env: decodeOrThrow(m.data) }));
    const tap2 = raw.subscribe("acp.v1.invoke.>", {}, (m) => void requests.push({ subject: m.subject, env: decodeOrThrow(m.data) }));
    await net.settle();

    expect(await caller.invoke("openclaw.chat", { q: "hi" }, { context: { tenant_id: undefined } })).toBe("acme:hi");
    const plain = await net.bus("plain");
    await net.settle();
    expect(await plain.invoke("openclaw.chat", { q: "hi" })).toBe("re:hi");
    const frames: unknown[] = [];
    for await (const f of plain.streamInvoke("mcp.fs.read_file", {})) frames.push(f.type === "delta" ? f.delta : f.type === "final" ? f.result : f.type);
    expect(frames).toEqual(["a", "b", "done"]);
    await waitFor("the tapped requests", () => requests.length === 3);
    expect(requests.map((r) => r.subject).sort()).toEqual([
      "acp.v1.acme.invoke.openclaw.chat",
      "acp.v1.invoke.mcp.fs.read_file",
      "acp.v1.invoke.openclaw.chat",
    ]);
    expect(requests.find((r) => r.subject === "acp.v1.invoke.openclaw.chat")!.env.to).toBe("openclaw.chat");
    tap.unsubscribe();
    tap2.unsubscribe();
  });

  it("validates every token of a dotted target with a clear error", async () => {
    const bus = await net.bus("v");
    const cases: Array<[string, RegExp]> = [
      ["openclaw..chat", /invalid target "openclaw\.\.chat": token 2 is empty/],
      [".chat", /invalid target "\.chat": token 1 is empty/],
      ["openclaw.", /invalid target "openclaw\.": token 2 is empty/],
      ["openclaw.*", /invalid target "openclaw\.\*": wildcard "\*" not allowed/],
      ["openclaw.>", /invalid target "openclaw\.>": wildcard ">" not allowed/],
      ["open claw.chat", /invalid target "open claw\.chat": contains a space at index 4/],
      ["", /invalid target "": is empty/],
    ];
    for (const [target, message] of cases) {
      await expect(bus.invoke(target, {})).rejects.toThrow(message);
      expect(() => bus.streamInvoke(target, {})).toThrow(message);
      expect(() => bus.handleInvoke(target, () => 1)).toThrow(message);
    }
  });
});
