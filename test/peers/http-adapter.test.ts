/**
 * The DEPLOYED Python SDK's HTTP adapter (openagentio 0.3.0, `openagentio.HTTPNew` served by
 * uvicorn in the peer process) in front of TS handlers and subscribers over a real nats-server:
 * what an HTTP client of a deployed gateway gets (spec/interop.md "The deployed HTTP adapter").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus, HandlerContext } from "../../runtime/bus/index.js";
import type { Envelope } from "../../runtime/envelope/index.js";
import { AgentTimeoutError, NoHandlerError, PermissionDeniedError } from "../../runtime/errors.js";
import { waitFor } from "../transport/wait.js";
import { DEPLOYED_CODES, openPeerNetwork, type Json, type PeerNetwork } from "./peer.js";

let net: PeerNetwork;
let ts: Bus;
let url: string;
beforeAll(async () => {
  net = await openPeerNetwork();
  ts = await net.bus("ts");
  url = String((await net.peer.ok("http", { agent: "py-gateway" }))["url"]);
}, 60_000);
afterAll(async () => {
  await net?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
const context = {
  "X-Session-Id": "s-http",
  "X-Conversation-Id": "c-http",
  "X-User-Id": "u-http",
  "X-Channel": "web",
  "X-Traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
};

describe("the deployed HTTP adapter in front of TS agents", () => {
  it("has no health route", async () => {
    for (const path of ["/healthz", "/readyz", "/health"]) {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status, path).toBe(404);
      await res.body?.cancel();
    }
  });

  it("publish answers 202 with an empty body; the event carries the headers' context and tenant", async () => {
    const got: Envelope[] = [];
    ts.subscribe("note.created", (_p, ctx) => void got.push(ctx.envelope), { tenant: "acme" });
    await net.settle();
    const res = await post("/v1/events/note.created", { a: 1 }, { ...context, "X-Tenant-Id": "acme" });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    await waitFor("the event", () => got.length === 1);
    expect(got[0]).toMatchObject({
      schema_version: 1,
      event_type: "note.created",
      tenant_id: "acme",
      session_id: "s-http",
      conversation_id: "c-http",
      user_id: "u-http",
      channel: "web",
      traceparent: context["X-Traceparent"],
      payload: { a: 1 },
    });
    // The adapter's publish sets no `from`.
    expect(got[0]).not.toHaveProperty("from");
    await net.tap.where("acme's subject", (m) => m.subject === "acp.v1.acme.events.note.created");
  });

  it("invoke: the headers' tenant picks the subject, the context reaches the handler; no payload answers 204", async () => {
    const seen: { env: Envelope; subject: string }[] = [];
    ts.handleInvoke(
      "h-ctx",
      (_p, ctx: HandlerContext) => {
        seen.push({ env: ctx.envelope, subject: ctx.subject });
        return undefined;
      },
      { tenant: "acme" },
    );
    await net.settle();
    const res = await post("/v1/agents/h-ctx/invoke", { q: 1 }, { ...context, "X-Tenant-Id": "acme" });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(seen).toHaveLength(1);
    expect(seen[0]!.subject).toBe("acp.v1.acme.invoke.h-ctx");
    expect(seen[0]!.env).toMatchObject({
      from: "py-gateway",
      to: "h-ctx",
      tenant_id: "acme",
      session_id: "s-http",
      user_id: "u-http",
      channel: "web",
      payload: { q: 1 },
    });
  });

  it("invoke: a 200's body is the handler's bare value (one wire form for finals)", async () => {
    const values: unknown[] = [{ a: 1 }, "alice", [1, 2], 0];
    ts.handleInvoke("h-value", (p: unknown) => values[(p as { i: number }).i]);
    await net.settle();
    for (const [i, v] of values.entries()) {
      const res = await post("/v1/agents/h-value/invoke", { i });
      expect(res.status).toBe(200);
      expect(await res.json(), JSON.stringify(v)).toEqual(v);
    }
  });

  it("errors: deployed codes keep their HTTP status", async () => {
    ts.handleInvoke("h-err", (p: unknown) => {
      const kind = (p as { kind: string }).kind;
      if (kind === "nohandler") throw new NoHandlerError("no such tool");
      if (kind === "timeout") throw new AgentTimeoutError("slow");
      throw new Error("boom");
    });
    await net.settle();
    const cases = [
      ["nohandler", 404, { code: "NO_HANDLER", message: "no such tool" }],
      ["timeout", 504, { code: "AGENT_TIMEOUT", message: "slow", retryable: true }],
      // Our ErrorPayload's cause (the thrown error's name and message) is passed through.
      ["plain", 502, { code: "AGENT_UNAVAILABLE", message: "boom", cause: { name: "Error", message: "boom" } }],
    ] as const;
    for (const [kind, status, body] of cases) {
      const res = await post("/v1/agents/h-err/invoke", { kind });
      expect(res.status, kind).toBe(status);
      expect(await res.json(), kind).toEqual(body);
    }
  });

  it("errors: PERMISSION_DENIED from a TS handler reaches the deployed gateway as a code it knows, not a 500", async () => {
    ts.handleInvoke("h-denied", () => {
      throw new PermissionDeniedError("not yours");
    });
    await net.settle();
    const res = await post("/v1/agents/h-denied/invoke", {});
    const body = (await res.json()) as Json;
    expect(DEPLOYED_CODES as readonly unknown[], JSON.stringify(body)).toContain(body["code"]);
    expect(res.status).toBe(401);
    expect(body["code"]).toBe("AUTH_FAILURE");
  });

  it("stream: SSE events named by event_type, each data line one envelope", async () => {
    ts.handleStream("h-stream", async (_p, w) => {
      await w.started({ model: "m" });
      await w.delta("al");
      await w.final("done");
    });
    await net.settle();
    const res = await post("/v1/agents/h-stream/stream", {});
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await res.text())
      .split("\n\n")
      .filter((block) => block.trim() !== "")
      .map((block) => Object.fromEntries(block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)])));
    expect(events.map((e) => e["event"])).toEqual(["agent.response.started", "agent.response.delta", "agent.response.final"]);
    const envelopes = events.map((e) => JSON.parse(String(e["data"])) as Json);
    expect(envelopes.map((e) => e["event_id"])).toEqual(events.map((e) => e["id"]));
    expect(envelopes.map((e) => e["seq"])).toEqual([undefined, 1, 2]);
    expect(envelopes[1]).toMatchObject({ payload: { delta: "al" }, from: "h-stream", to: "py-gateway", schema_version: 2 });
  });
});
