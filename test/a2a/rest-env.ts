/**
 * A live setup for the HTTP+JSON binding tests: the demo agent on a memory bus, one server
 * verifying ES256 Bearer JWTs (jose, the gateway's createJwtVerifier over a JWKS) with an
 * extended card, one development-mode server (`auth: "none"`) without push notifications or an
 * extended card, and helpers to call them over real HTTP (fetch) and read SSE.
 */
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { expect } from "vitest";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import type { Transport } from "../../runtime/transport/types.js";
import { createJwtVerifier } from "../../runtime/gateway/auth/jwt.js";
import type { AuthHook } from "../../runtime/gateway/auth/types.js";
import { startA2aServer, type A2aServer, type StartA2aServerOptions } from "../../runtime/a2a/index.js";
import { serveDemoAgent, type DemoAgent } from "../../bin/a2a/conformance/index.js";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
export type Obj = Record<string, any>;

/** One HTTP answer: status, headers, body (parsed JSON when it is JSON, else the text). */
export interface RestAnswer {
  status: number;
  headers: Headers;
  body: Obj;
  text: string;
}

export interface RestEnv extends AsyncDisposable {
  /** The authenticating server. */
  server: A2aServer;
  /** The development-mode server (auth "none", no push, no extended card). */
  open: A2aServer;
  demo: DemoAgent;
  /** The bus the servers call the demo agent on. */
  bus: Bus;
  /** The servers' JWT verifier (the gateway's createJwtVerifier). */
  verifier: AuthHook;
  /** Authorization headers per principal: alice, bob (tenant-a), carol (tenant-b), forged. */
  auth: Record<"alice" | "bob" | "carol" | "forged", Record<string, string>>;
  /** Starts one more server on the same bus (closed with the env). */
  start(opts: Partial<StartA2aServerOptions>): Promise<A2aServer>;
  close(): Promise<void>;
}

export async function startRestEnv(): Promise<RestEnv> {
  const transport: Transport = createMemoryTransport();
  const agentBus: Bus = createBus({ agentId: "agent", transport });
  const bridgeBus: Bus = createBus({ agentId: "bridge", transport });
  const demo = serveDemoAgent(agentBus, "demo", ["tenant-a", "tenant-b"]);
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const other = (await generateKeyPair("ES256")).privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
  const verifier = createJwtVerifier({ jwks: { keys: [jwk] } });
  const sign = (sub: string, tenant: string, key = privateKey): Promise<string> =>
    new SignJWT({ tenant_id: tenant }).setProtectedHeader({ alg: "ES256", kid: "k1" }).setSubject(sub).setIssuedAt().setExpirationTime("1h").sign(key);
  const bearer = async (sub: string, tenant: string, key = privateKey) => ({ authorization: `Bearer ${await sign(sub, tenant, key)}` });
  const servers: A2aServer[] = [];
  const start = async (opts: Partial<StartA2aServerOptions>): Promise<A2aServer> => {
    const s = await startA2aServer({
      bus: bridgeBus,
      target: "demo",
      auth: verifier,
      card: { name: "rest", description: "REST binding under test", version: "1" },
      heartbeatMs: 0,
      webhooks: { allowHosts: ["127.0.0.1"] },
      ...opts,
    } as StartA2aServerOptions);
    servers.push(s);
    return s;
  };
  const server = await start({ extendedCard: { description: "extended" } });
  const open = await start({ auth: "none", pushNotifications: false, webhooks: {} });
  const close = async (): Promise<void> => {
    for (const s of servers) await s.close();
    await demo.close();
    await bridgeBus.close();
    await agentBus.close();
    await transport.close();
  };
  return {
    server,
    open,
    demo,
    bus: bridgeBus,
    verifier,
    auth: {
      alice: await bearer("alice", "tenant-a"),
      bob: await bearer("bob", "tenant-a"),
      carol: await bearer("carol", "tenant-b"),
      forged: await bearer("alice", "tenant-a", other),
    },
    start,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Header names in lower case (so a caller's `A2A-Version` replaces the default instead of joining it). */
function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Calls `method path` on `base`; a body object is sent as application/json (A2A-Version 1.0 unless headers say otherwise). */
export async function rest(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestAnswer> {
  const h: Record<string, string> = { "a2a-version": "1.0", ...lower(headers) };
  let payload: string | undefined;
  if (typeof body === "string") payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  const res = await fetch(`${base.replace(/\/+$/, "")}${path}`, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed: Obj = {};
  try {
    parsed = text === "" ? {} : (JSON.parse(text) as Obj);
  } catch {
    parsed = {};
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** One SSE event: its name ("message" when none) and parsed data. */
export interface SseFrame {
  event: string;
  data: Obj;
}

/** An open SSE response and a reader of its events, one at a time. */
export interface SseStream {
  status: number;
  headers: Headers;
  /** The next event, or undefined once the stream ended. */
  next(): Promise<SseFrame | undefined>;
  /** Every remaining event until the stream ends. */
  rest(): Promise<SseFrame[]>;
  close(): Promise<void>;
}

/** Opens `method path` expecting SSE (an error answer is readable as `status` + `rest()` empty). */
export async function sse(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<SseStream> {
  const h: Record<string, string> = { "a2a-version": "1.0", accept: "text/event-stream", ...lower(headers) };
  if (body !== undefined) h["content-type"] = "application/json";
  const res = await fetch(`${base.replace(/\/+$/, "")}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let done = false;
  const next = async (): Promise<SseFrame | undefined> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length === 0) continue; // a comment (keep-alive)
        return { event, data: JSON.parse(data.join("\n")) as Obj };
      }
      if (done || reader === undefined) return undefined;
      const chunk = await reader.read();
      if (chunk.done) done = true;
      else buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    status: res.status,
    headers: res.headers,
    next,
    rest: async () => {
      const out: SseFrame[] = [];
      for (let f = await next(); f !== undefined; f = await next()) out.push(f);
      return out;
    },
    close: async () => {
      await reader?.cancel().catch(() => undefined);
    },
  };
}

let seq = 0;
/** A user message with one text part (`snake`: original proto field names). */
export function userMessage(text: string, extra: Obj = {}, snake = false): Obj {
  const id = `rest-${++seq}-${Date.now()}`;
  return { ...(snake ? { message_id: id } : { messageId: id }), role: "ROLE_USER", parts: [{ text }], ...extra };
}

/** Calls and checks shared by the REST test files, bound to one env (its main server, as a principal). */
export interface RestHelpers {
  /** `method path` on the main server as `who`. */
  as(who: keyof RestEnv["auth"], method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<RestAnswer>;
  /** The AIP-193 error of an answer, checked: code = HTTP status, one ErrorInfo of domain a2a-protocol.org. */
  errorOf(r: RestAnswer): { status: string; reason: string; message: string };
  /** A task of alice held running by the demo agent ("hold"), returned immediately. */
  heldTask(): Promise<Obj>;
  /** A completed task of alice. */
  doneTask(text?: string): Promise<Obj>;
}

export function restHelpers(env: RestEnv): RestHelpers {
  const as: RestHelpers["as"] = (who, method, path, body, headers = {}) => rest(env.server.url, method, path, body, { ...env.auth[who], ...headers });
  return {
    as,
    errorOf: (r) => {
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      const e = r.body["error"];
      expect(e["code"]).toBe(r.status);
      expect(typeof e["message"]).toBe("string");
      const info = (e["details"] as Obj[]).find((d) => d["@type"] === "type.googleapis.com/google.rpc.ErrorInfo");
      expect(info?.["domain"]).toBe("a2a-protocol.org");
      expect(info?.["reason"]).toMatch(/^[A-Z_]+$/);
      return { status: e["status"], reason: info?.["reason"], message: e["message"] };
    },
    heldTask: async () => {
      const before = env.demo.holding;
      const r = await as("alice", "POST", "/message:send", { message: userMessage("hold"), configuration: { returnImmediately: true } });
      expect(r.status).toBe(200);
      await env.demo.waitHolding(before + 1);
      return r.body["task"];
    },
    doneTask: async (text = "hello rest") => {
      const r = await as("alice", "POST", "/message:send", { message: userMessage(text) });
      expect(r.status).toBe(200);
      return r.body["task"];
    },
  };
}
