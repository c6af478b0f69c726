import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentTimeoutError, CanceledError, InvalidRequestError, NoHandlerError, PermissionDeniedError } from "../../runtime/errors.js";
import type { Envelope } from "../../generated/ts/types.js";
import { decodeOrThrow } from "../../runtime/envelope/index.js";
import { deferred, openNetwork, waitFor, type Network } from "./fixtures.js";

describe.each(["memory", "nats"] as const)("invoke over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  /** Captures every envelope on `pattern` at the raw transport level. */
  async function tap(pattern: string): Promise<{ seen: Envelope[]; stop(): void }> {
    const t = await net.transport();
    const seen: Envelope[] = [];
    const sub = t.subscribe(pattern, {}, (m) => {
      if (!m.noResponders) seen.push(decodeOrThrow(m.data));
    });
    await net.settle();
    return { seen, stop: () => sub.unsubscribe() };
  }

  it("answers with the handler's value and a reply shaped per spec/envelope.md (Replies)", async () => {
    const caller = await net.bus("caller");
    const server = await net.bus("server");
    server.handleInvoke<{ n: number }, { doubled: number }>("doubler", (req, ctx) => {
      ctx.replyMetadata["handled_by"] = "server";
      return { doubled: req.n * 2 };
    });
    await net.settle();
    const reply = await caller.invokeEnvelope(
      "doubler",
      { n: 21 },
      {
        context: { session_id: "s-1", conversation_id: "c-1", user_id: "u-1", channel: "web" },
        metadata: { locale: "fr", "acp.retry.attempt": 1 },
      },
    );
    expect(reply.event_type).toBe("agent.response.final");
    expect(reply.frame_type).toBe("response.final");
    expect(reply.phase).toBe("completed");
    expect(reply.schema_version).toBe(2);
    expect(reply.is_final).toBe(true);
    expect(reply.payload).toEqual({ doubled: 42 }); // the deployed SDKs' final form: the bare value
    expect(reply.from).toBe("doubler");
    expect(reply.to).toBe("caller");
    expect(reply.session_id).toBe("s-1");
    expect(reply.conversation_id).toBe("c-1");
    expect(reply.user_id).toBe("u-1");
    expect(reply.channel).toBe("web");
    // request metadata without acp.* keys, overridden by the handler's
    expect(reply.metadata).toEqual({ locale: "fr", handled_by: "server" });
    expect(await caller.invoke("doubler", { n: 2 })).toEqual({ doubled: 4 });
  });

  it("sends the request to {p}.invoke.{target} with reply_to, correlation and dual-written phase", async () => {
    const caller = await net.bus("tapper");
    const server = await net.bus("tapped");
    server.handleInvoke("tapped-target", () => "ok");
    const requests = await tap("acp.v1.invoke.tapped-target");
    const replies = await tap("_INBOX.>");
    await caller.invoke("tapped-target", { q: 1 });
    await waitFor("the tapped request and reply", () => requests.seen.length === 1 && replies.seen.some((r) => r.event_type === "agent.response.final"));
    const req = requests.seen[0]!;
    expect(req.event_type).toBe("agent.message.received");
    expect(req.frame_type).toBe("request");
    expect(req.phase).toBe("submitted");
    expect(req.from).toBe("tapper");
    expect(req.to).toBe("tapped-target");
    expect(req.reply_to).toMatch(/^_INBOX\./);
    const reply = replies.seen.find((r) => r.event_type === "agent.response.final")!;
    expect(reply.correlation_id).toBe(req.event_id);
    expect(reply.event_id).not.toBe(req.event_id);
    requests.stop();
    replies.stop();
  });

  it("writes v1 envelopes only when the bus says schemaVersion 1", async () => {
    const caller = await net.bus("v1-caller", { schemaVersion: 1 });
    const server = await net.bus("v1-server", { schemaVersion: 1 });
    server.handleInvoke("v1-target", () => 7);
    const requests = await tap("acp.v1.invoke.v1-target");
    const reply = await caller.invokeEnvelope("v1-target", null);
    await waitFor("the tapped request", () => requests.seen.length === 1);
    for (const env of [requests.seen[0]!, reply]) {
      expect(env.schema_version).toBe(1);
      expect(env).not.toHaveProperty("phase");
    }
    expect(reply.payload).toBe(7);
    requests.stop();
  });

  it("turns handler errors into typed errors: AcpError keeps its code, others are AGENT_UNAVAILABLE", async () => {
    const caller = await net.bus("err-caller");
    const server = await net.bus("err-server");
    server.handleInvoke("denier", () => {
      throw new PermissionDeniedError("not for you");
    });
    server.handleInvoke("crasher", () => {
      throw new Error("boom");
    });
    await net.settle();
    const denied = await caller.invoke("denier", {}).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect((denied as PermissionDeniedError).message).toBe("not for you");
    const crashed = await caller.invoke("crasher", {}).catch((e: unknown) => e);
    expect(crashed).toMatchObject({ code: "AGENT_UNAVAILABLE", message: "boom", retryable: false });
    const env = await caller.invokeEnvelope("crasher", {});
    expect(env.event_type).toBe("agent.response.error");
    expect(env.phase).toBe("failed");
    expect(env.payload).toMatchObject({ code: "AGENT_UNAVAILABLE", message: "boom", retryable: false });
    expect(server.stats().handlerErrors).toBe(3);
  });

  it("answers NO_HANDLER at once when nobody serves the target", async () => {
    const caller = await net.bus("lonely");
    const err = await caller.invoke("nobody-home", {}, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoHandlerError);
    expect((err as Error).message).toContain("nobody-home");
    expect(caller.stats().pendingCalls).toBe(0);
  }, 10_000);

  it("times out with AGENT_TIMEOUT and honours an AbortSignal with CANCELED", async () => {
    const caller = await net.bus("impatient");
    const server = await net.bus("slow");
    const release = deferred();
    server.handleInvoke("sloth", async () => {
      await release.promise;
      return "late";
    });
    await net.settle();
    const timedOut = await caller.invoke("sloth", {}, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(AgentTimeoutError);
    expect((timedOut as AgentTimeoutError).retryable).toBe(true);
    const ac = new AbortController();
    const pending = caller.invoke("sloth", {}, { signal: ac.signal, timeoutMs: 60_000 }).catch((e: unknown) => e);
    await waitFor("the request to reach the handler", () => server.stats().inFlight === 2);
    ac.abort();
    expect(await pending).toBeInstanceOf(CanceledError);
    release.resolve();
    await waitFor("handlers to finish", () => server.stats().inFlight === 0);
    // the late replies match no call any more
    await waitFor("late replies counted", () => caller.stats().unmatchedReplies === 2);
    expect(caller.stats().pendingCalls).toBe(0);
  });

  it("rejects bad subject tokens with INVALID_REQUEST naming the token", async () => {
    const caller = await net.bus("validator");
    await expect(caller.invoke("a..b", {})).rejects.toThrow(InvalidRequestError);
    await expect(caller.invoke("a..b", {})).rejects.toThrow(/invalid target "a\.\.b": token 2 is empty/);
    await expect(caller.invoke("x", {}, { context: { tenant_id: "acme corp" } })).rejects.toThrow(/invalid tenant "acme corp": contains a space/);
    await expect(caller.publish("bad type", {})).rejects.toThrow(/invalid event type "bad type"/);
    expect(() => caller.handleInvoke("*", () => 1)).toThrow(/invalid target "\*": wildcard "\*" not allowed/);
    expect(() => caller.streamInvoke("a>b", {})).toThrow(/invalid target "a>b"/);
  });

  it("spreads a target's requests over its handlers (queue group = target)", async () => {
    const caller = await net.bus("spreader");
    const one = await net.bus("worker-1");
    const two = await net.bus("worker-2");
    const counts = { one: 0, two: 0 };
    one.handleInvoke("pool", () => ++counts.one && "one");
    two.handleInvoke("pool", () => ++counts.two && "two");
    await net.settle();
    const answers = await Promise.all(Array.from({ length: 40 }, () => caller.invoke<string>("pool", {})));
    expect(counts.one + counts.two).toBe(40);
    expect(counts.one).toBeGreaterThan(0);
    expect(counts.two).toBeGreaterThan(0);
    expect(answers.filter((a) => a === "one").length).toBe(counts.one);
  });

  it("routes by tenant: {p}.{tenant}.invoke.{target}, isolated from other tenants", async () => {
    const acmeCaller = await net.bus("acme-caller", { tenant: "acme" });
    const plainCaller = await net.bus("plain-caller");
    const acmeServer = await net.bus("acme-server", { tenant: "acme" });
    acmeServer.handleInvoke("billing", (_req, ctx) => ({ tenant: ctx.envelope.tenant_id, subject: ctx.subject }));
    await net.settle();
    expect(await acmeCaller.invoke("billing", {})).toEqual({ tenant: "acme", subject: "acp.v1.acme.invoke.billing" });
    // explicit tenant on an untenanted bus routes there too
    expect(await plainCaller.invoke("billing", {}, { context: { tenant_id: "acme" } })).toMatchObject({ tenant: "acme" });
    await expect(plainCaller.invoke("billing", {})).rejects.toThrow(NoHandlerError);
    await expect(acmeCaller.invoke("billing", {}, { context: { tenant_id: "globex" } })).rejects.toThrow(NoHandlerError);
  });

  it("uses a custom prefix for every subject", async () => {
    const caller = await net.bus("prefixed-caller", { prefix: "acme.agents" });
    const server = await net.bus("prefixed-server", { prefix: "acme.agents" });
    server.handleInvoke("p", (_req, ctx) => ctx.subject);
    await net.settle();
    expect(await caller.invoke("p", {})).toBe("acme.agents.invoke.p");
  });
});
