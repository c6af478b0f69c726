import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUuid, type Envelope } from "../../runtime/index.js";
import { openRig, post, SseReader, type Rig } from "./fixture.js";
import { waitFor } from "../middleware/net.js";

let rig: Rig;
const seen: Envelope[] = [];
const events: Envelope[] = [];

beforeAll(async () => {
  rig = await openRig({ cors: { origins: ["https://app.example"] } });
  rig.agents.handleInvoke("echo", (req, ctx) => {
    seen.push(ctx.envelope);
    return req;
  });
  rig.agents.handleInvoke("echo", (req) => ({ tenant: true, req }), { tenant: "acme" });
  rig.agents.handleInvoke("silent", () => undefined);
  rig.agents.handleStream("count", async (req: { n: number }, w) => {
    await w.started({ model: "counter" });
    for (let i = 0; i < req.n; i++) await w.delta(`tok${i}`);
    await w.final({ total: req.n });
  });
  // deployed bridges register dotted targets (openclaw.chat, {prefix}.{tool})
  rig.agents.handleInvoke("mcp-fs.read_file", (req) => ({ dotted: true, req }));
  rig.agents.handleInvoke("mcp-fs.read_file", (req) => ({ dotted: "acme", req }), { tenant: "acme" });
  rig.agents.handleStream("openclaw.chat", async (_req, w) => {
    await w.delta("al");
    await w.final({ text: "al" });
  });
  rig.agents.subscribe(
    "orders.*",
    (_p, ctx) => {
      events.push(ctx.envelope);
    },
    { tenant: "acme" },
  );
  await rig.net.settle();
});
afterAll(async () => {
  await rig.close();
});

describe("POST /v1/agents/{target}/invoke", () => {
  it("answers 200 with the reply payload, fills the envelope from the X-* headers, and tags the response", async () => {
    const res = await post(
      `${rig.url}/v1/agents/echo/invoke`,
      { q: "hello" },
      {
        "x-session-id": "sess-1",
        "x-conversation-id": "conv-1",
        "x-user-id": "ada",
        "x-channel": "web",
        "x-trace-id": "trace-1",
        "x-traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "x-request-id": "req-42",
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ q: "hello" });
    expect(res.headers.get("x-request-id")).toBe("req-42");
    const env = seen.at(-1)!;
    expect(env).toMatchObject({
      event_type: "agent.message.received",
      to: "echo",
      from: "gateway",
      session_id: "sess-1",
      conversation_id: "conv-1",
      user_id: "ada",
      channel: "web",
      trace_id: "trace-1",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      payload: { q: "hello" },
    });
    expect(res.headers.get("x-correlation-id")).toBe(env.event_id);
    expect(isUuid(res.headers.get("x-event-id"))).toBe(true);
  });

  it("routes by X-Tenant-Id to the tenant's handler", async () => {
    const res = await post(`${rig.url}/v1/agents/echo/invoke`, 7, { "x-tenant-id": "acme" });
    expect(await res.json()).toEqual({ tenant: true, req: 7 });
  });

  it("answers 204 when the reply has no payload, and accepts no body at all", async () => {
    const res = await post(`${rig.url}/v1/agents/silent/invoke`, undefined);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(isUuid(res.headers.get("x-request-id"))).toBe(true);
  });

  it("serializes a scalar reply as JSON", async () => {
    const res = await post(`${rig.url}/v1/agents/echo/invoke`, JSON.stringify("just text"), { "content-type": "application/json" });
    expect(await res.text()).toBe('"just text"');
  });
});

describe("POST /v1/agents/{target}/stream", () => {
  it("streams one SSE event per frame: event = event_type, id = event_id, data = envelope", async () => {
    const res = await post(`${rig.url}/v1/agents/count/stream`, { n: 3 }, { accept: "text/event-stream" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toContain("no-cache");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const streamId = res.headers.get("x-stream-id");
    const got = await new SseReader(res).all();
    expect(got.map((e) => e.event)).toEqual([
      "agent.response.started",
      "agent.response.delta",
      "agent.response.delta",
      "agent.response.delta",
      "agent.response.final",
    ]);
    for (const e of got) {
      expect(e.id).toBe(e.envelope.event_id);
      expect(e.envelope.event_type).toBe(e.event);
      expect(e.envelope.correlation_id).toBe(streamId);
    }
    expect(got.map((e) => e.envelope.seq ?? 0)).toEqual([0, 1, 2, 3, 4]);
    expect(got.map((e) => (e.envelope.payload as { delta?: string }).delta).slice(1, 4)).toEqual(["tok0", "tok1", "tok2"]);
    expect(got.at(-1)!.envelope).toMatchObject({ is_final: true, payload: { total: 3 } });
  });
});

describe("dotted targets (deployed bridges: openclaw.chat, {prefix}.{tool})", () => {
  it("invokes a dotted target, untenanted and by X-Tenant-Id", async () => {
    const res = await post(`${rig.url}/v1/agents/mcp-fs.read_file/invoke`, { path: "/a" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ dotted: true, req: { path: "/a" } });
    const tenanted = await post(`${rig.url}/v1/agents/mcp-fs.read_file/invoke`, 1, { "x-tenant-id": "acme" });
    expect(await tenanted.json()).toEqual({ dotted: "acme", req: 1 });
  });

  it("streams a dotted target", async () => {
    const res = await post(`${rig.url}/v1/agents/openclaw.chat/stream`, {}, { accept: "text/event-stream" });
    expect(res.status).toBe(200);
    const got = await new SseReader(res).all();
    expect(got.map((e) => e.event)).toEqual(["agent.response.delta", "agent.response.final"]);
    expect(got.at(-1)!.envelope).toMatchObject({ is_final: true, payload: { text: "al" } });
  });

  it.each([
    ["an empty token", "openclaw..chat", "token 2 is empty"],
    ["a leading dot", ".chat", "token 1 is empty"],
    ["a trailing dot", "chat.", "is empty"],
    ["a wildcard", "openclaw.*", "wildcard"],
    ["a full wildcard", "openclaw.>", "wildcard"],
    ["white space", "open claw", "contains a space"],
  ])("refuses a target with %s with 400 INVALID_REQUEST naming it, for invoke and stream", async (_what, target, problem) => {
    for (const route of ["invoke", "stream"]) {
      const res = await post(`${rig.url}/v1/agents/${encodeURIComponent(target)}/${route}`, {}, route === "stream" ? { accept: "text/event-stream" } : {});
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe("INVALID_REQUEST");
      expect(body.message).toContain(`invalid target ${JSON.stringify(target)}`);
      expect(body.message).toContain(problem);
    }
  });
});

describe("POST /v1/events/{event_type}", () => {
  it("publishes and answers 202 with the event id", async () => {
    const res = await post(`${rig.url}/v1/events/orders.created`, { id: 9 }, { "x-tenant-id": "acme", "x-session-id": "s9" });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { event_id: string };
    expect(res.headers.get("x-event-id")).toBe(body.event_id);
    await waitFor("event delivered", () => events.length === 1);
    expect(events[0]).toMatchObject({
      event_id: body.event_id,
      event_type: "orders.created",
      tenant_id: "acme",
      session_id: "s9",
      from: "gateway",
      payload: { id: 9 },
    });
  });
});

describe("health, CORS, request ids, unknown routes", () => {
  it("GET /healthz and /readyz answer 200", async () => {
    expect((await fetch(`${rig.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${rig.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("/readyz answers 503 once the gateway's bus is closed", async () => {
    const { openNet } = await import("../middleware/net.js");
    const { startGateway } = await import("../../runtime/gateway/index.js");
    const net = await openNet();
    const bus = await net.bus("short-lived");
    const gw = await startGateway({ bus });
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    await bus.close();
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    await gw.close();
    await net.close();
  });

  it("answers CORS preflights for allowed origins and tags actual responses", async () => {
    const pre = await fetch(`${rig.url}/v1/agents/echo/invoke`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type, x-tenant-id" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(pre.headers.get("access-control-allow-methods")).toContain("POST");
    expect(pre.headers.get("access-control-allow-headers")).toContain("x-tenant-id");
    const denied = await fetch(`${rig.url}/v1/agents/echo/invoke`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
    const actual = await post(`${rig.url}/v1/agents/echo/invoke`, {}, { origin: "https://app.example" });
    expect(actual.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(actual.headers.get("access-control-expose-headers")).toContain("x-request-id");
    expect(actual.headers.get("vary")).toContain("Origin");
    const sse = await post(`${rig.url}/v1/agents/count/stream`, { n: 1 }, { origin: "https://app.example" });
    expect(sse.headers.get("access-control-allow-origin")).toBe("https://app.example");
    await new SseReader(sse).all();
  });

  it("gives a fresh request id when the caller's is unusable", async () => {
    const res = await post(`${rig.url}/v1/agents/echo/invoke`, {}, { "x-request-id": "bad id with spaces" });
    expect(isUuid(res.headers.get("x-request-id"))).toBe(true);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await fetch(`${rig.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "NO_HANDLER", retryable: false });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});
