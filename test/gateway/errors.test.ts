import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AgentUnavailableError,
  AuthFailureError,
  BackpressureDropError,
  CodecFailureError,
  InvalidRequestError,
  TransportFailureError,
} from "../../runtime/errors.js";
import { rateLimit } from "../../runtime/middleware/index.js";
import { MAX_JSON_DEPTH } from "../../runtime/gateway/body.js";
import { runCli } from "../helpers/cli.js";
import { openRig, post, type Rig } from "./fixture.js";
import { deferred, waitFor } from "../middleware/net.js";

let rig: Rig;
const slow = deferred();
let slowAborted = false;

beforeAll(async () => {
  rig = await openRig(
    { bodyLimit: 64 * 1024, timeoutMs: 20_000 },
    { middleware: { outbound: [rateLimit({ targets: { busy: { rate: 0.001, burst: 1 } } }).outbound] } },
  );
  rig.agents.handleInvoke("echo", (req) => req);
  rig.agents.handleInvoke("slow", async (_req, ctx) => {
    ctx.signal.addEventListener("abort", () => (slowAborted = true));
    await slow.promise;
    return "late";
  });
  const failures: Record<string, () => Error> = {
    busy: () => new BackpressureDropError("queue full"),
    auth: () => new AuthFailureError("agent wants a key"),
    unavailable: () => new AgentUnavailableError("shutting down"),
    transport: () => new TransportFailureError("db gone"),
    invalid: () => new InvalidRequestError("missing field"),
    codec: () => new CodecFailureError("cannot decode tool output"),
  };
  for (const [target, make] of Object.entries(failures)) {
    rig.agents.handleInvoke(target, () => {
      throw make();
    });
  }
  await rig.net.settle();
});
afterAll(async () => {
  slow.resolve();
  await rig.close();
});

/**
 * The status of a response whose body the test does not need, read to the end: fetch keeps the
 * connection of an unread body open after the gateway closed (the leak check names the socket).
 */
async function statusOf(res: Response | Promise<Response>): Promise<number> {
  const r = await res;
  await r.arrayBuffer();
  return r.status;
}

async function errorOf(res: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("request errors", () => {
  it('malformed JSON → 400 INVALID_REQUEST with pointer ""', async () => {
    const res = await post(`${rig.url}/v1/agents/echo/invoke`, '{"a": 1,', { "content-type": "application/json" });
    expect(await errorOf(res)).toMatchObject({ status: 400, body: { code: "INVALID_REQUEST", retryable: false, cause: { pointer: "" } } });
  });

  it("invalid UTF-8 → 400", async () => {
    const res = await post(`${rig.url}/v1/agents/echo/invoke`, new Uint8Array([0x22, 0xff, 0xfe, 0x22]), { "content-type": "application/json" });
    expect(await statusOf(res)).toBe(400);
  });

  it("JSON nested deeper than MAX_JSON_DEPTH → 400 on every route (was 500 CODEC_FAILURE from a stack overflow)", async () => {
    const nested = (n: number): string => "[".repeat(n) + "]".repeat(n);
    for (const route of ["agents/echo/invoke", "agents/echo/stream", "events/orders.created"]) {
      for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 30_000]) {
        const res = await post(`${rig.url}/v1/${route}`, nested(depth), { "content-type": "application/json" });
        const { status, body } = await errorOf(res);
        expect({ route, depth, status, code: body["code"] }).toEqual({ route, depth, status: 400, code: "INVALID_REQUEST" });
        expect(body["message"]).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
      }
    }
    // the bound itself is accepted, and brackets inside strings do not count
    const ok = await post(`${rig.url}/v1/agents/echo/invoke`, `${"[".repeat(MAX_JSON_DEPTH - 1)}"[[[{{{\\"[["${"]".repeat(MAX_JSON_DEPTH - 1)}`, {
      "content-type": "application/json",
    });
    expect(await statusOf(ok)).toBe(200);
    const objects = `${'{"a":'.repeat(MAX_JSON_DEPTH)}1${"}".repeat(MAX_JSON_DEPTH)}`;
    expect(await statusOf(post(`${rig.url}/v1/agents/echo/invoke`, objects, { "content-type": "application/json" }))).toBe(200);
  });

  it("a leading byte order mark → 400, as the envelope decoder and oaio validate refuse it (it was stripped)", async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":1}')]);
    for (const route of ["agents/echo/invoke", "agents/echo/stream", "events/orders.created"]) {
      const res = await post(`${rig.url}/v1/${route}`, bom, { "content-type": "application/json" });
      expect({ route, ...(await errorOf(res)) }).toMatchObject({ route, status: 400, body: { code: "INVALID_REQUEST", cause: { pointer: "" } } });
    }
    const r = await runCli(["validate", "-"], { stdin: bom });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<stdin>: CODEC_FAILURE "": expected JSON text without a byte order mark');
    // a BOM inside a string is data, not a byte order mark
    const inside = await post(`${rig.url}/v1/agents/echo/invoke`, '{"a":"\ufeffx"}', { "content-type": "application/json" });
    expect(await inside.json()).toEqual({ a: "﻿x" });
  });

  it("a body over the limit → 413", async () => {
    const res = await post(`${rig.url}/v1/agents/echo/invoke`, { blob: "x".repeat(70 * 1024) });
    expect(await errorOf(res)).toMatchObject({ status: 413, body: { code: "INVALID_REQUEST" } });
  });

  it("the default limit is 4 MiB", async () => {
    const gw = await rig.extraGateway({ bodyLimit: undefined });
    const under = await post(`${gw.url}/v1/agents/echo/invoke`, { blob: "x".repeat(512 * 1024) });
    expect(await statusOf(under)).toBe(200);
    const over = await post(`${gw.url}/v1/agents/echo/invoke`, { blob: "x".repeat(4 * 1024 * 1024) });
    expect(await statusOf(over)).toBe(413);
  });

  it("wrong content types → 415; application/*+json is JSON", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
      const res = await post(`${rig.url}/v1/agents/echo/invoke`, "{}", { "content-type": type });
      expect(await errorOf(res)).toMatchObject({ status: 415, body: { code: "INVALID_REQUEST" } });
    }
    const ok = await post(`${rig.url}/v1/agents/echo/invoke`, '{"x":1}', { "content-type": "application/vnd.acme+json; charset=utf-8" });
    expect(await statusOf(ok)).toBe(200);
  });

  it("bad tokens and headers → 400 with the envelope pointer they would land on", async () => {
    expect(await errorOf(await post(`${rig.url}/v1/agents/a..b/invoke`, {}))).toMatchObject({ status: 400, body: { cause: { pointer: "/to" } } }); // a.b is a dotted target
    expect(await errorOf(await post(`${rig.url}/v1/agents/echo/invoke`, {}, { "x-tenant-id": "two words" }))).toMatchObject({
      status: 400,
      body: { cause: { pointer: "/tenant_id" } },
    });
    expect(await errorOf(await post(`${rig.url}/v1/events/bad..type`, {}))).toMatchObject({ status: 400, body: { cause: { pointer: "/event_type" } } });
    expect(await errorOf(await post(`${rig.url}/v1/events/agent.tool.call`, { name: "search" }))).toMatchObject({
      status: 400,
      body: { cause: { pointer: "/payload/call_id" } },
    });
    expect(await statusOf(post(`${rig.url}/v1/agents/echo/invoke`, {}, { "x-timeout-ms": "soon" }))).toBe(400);
  });
});

describe("bus errors", () => {
  it("unknown target → 404 NO_HANDLER at once, not after the timeout", async () => {
    const res = await post(`${rig.url}/v1/agents/nobody-home/invoke`, {});
    expect(await errorOf(res)).toMatchObject({ status: 404, body: { code: "NO_HANDLER", retryable: false } });
    const stream = await post(`${rig.url}/v1/agents/nobody-home/stream`, {});
    expect(await errorOf(stream)).toMatchObject({ status: 404, body: { code: "NO_HANDLER" } });
  });

  it("no reply within X-Timeout-Ms → 504 AGENT_TIMEOUT, and the pending call is released", async () => {
    const res = await post(`${rig.url}/v1/agents/slow/invoke`, {}, { "x-timeout-ms": "100" });
    expect(await errorOf(res)).toMatchObject({ status: 504, body: { code: "AGENT_TIMEOUT", retryable: true } });
    expect(slowAborted).toBe(false); // deployed-compatible: an invoke timeout does not cancel the handler
    expect(rig.gwBus.stats().pendingCalls).toBe(0);
  });

  it("handler errors keep their code and get its status", async () => {
    const expected: Record<string, [number, string]> = {
      busy: [429, "BACKPRESSURE_DROP"],
      auth: [401, "AUTH_FAILURE"],
      unavailable: [502, "AGENT_UNAVAILABLE"],
      transport: [502, "TRANSPORT_FAILURE"],
      invalid: [400, "INVALID_REQUEST"],
      codec: [500, "CODEC_FAILURE"],
    };
    for (const [target, [status, code]] of Object.entries(expected)) {
      const res = await post(`${rig.url}/v1/agents/${target}/invoke`, {});
      expect({ target, ...(await errorOf(res)) }).toMatchObject({ target, status, body: { code } });
    }
  });

  it("a rate-limited call → 429 with Retry-After", async () => {
    expect(await statusOf(post(`${rig.url}/v1/agents/busy/invoke`, {}))).toBe(429); // spends busy's only token
    const res = await post(`${rig.url}/v1/agents/busy/invoke`, {});
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ code: "BACKPRESSURE_DROP", cause: { scope: "target" } });
  });

  it("a client that leaves cancels its pending invoke", async () => {
    const controller = new AbortController();
    const pending = post(`${rig.url}/v1/agents/slow/invoke`, {}, {}, { signal: controller.signal }).catch((e: unknown) => e);
    await waitFor("call pending", () => rig.gwBus.stats().pendingCalls === 1);
    controller.abort();
    await pending;
    await waitFor("call released", () => rig.gwBus.stats().pendingCalls === 0);
  });
});
