/**
 * A2A authentication and tenant isolation over a real HTTP server with real jose-signed
 * tokens (ES256, verified by the gateway's createJwtVerifier against a JWKS): a principal ×
 * operation × tenant matrix, the gateway-mounted plugin using the gateway's verifier, and the
 * secure default (no auth configured: the server does not start).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import type { Transport } from "../../runtime/transport/types.js";
import { createJwtVerifier } from "../../runtime/gateway/auth/jwt.js";
import { createGateway } from "../../runtime/gateway/index.js";
import type { AuthHook } from "../../runtime/gateway/auth/types.js";
import { a2aPlugin, createMemoryTaskStore, startA2aServer, type A2aServer, type TaskStore } from "../../runtime/a2a/index.js";
import { serveDemoAgent, type DemoAgent } from "../../bin/a2a/conformance/index.js";
import { rpcHttp, sseOpen, userText, type Endpoint, type RpcAnswer } from "../../bin/a2a/conformance/http.js";
import { InvalidRequestError } from "../../generated/ts/errors.js";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
type Obj = Record<string, any>;

let transport: Transport;
let agentBus: Bus;
let bridgeBus: Bus;
let demo: DemoAgent;
let server: A2aServer;
let store: TaskStore;
let verifier: AuthHook;
let sign: (sub: string, tenant: string, opts?: { key?: CryptoKey; expired?: boolean }) => Promise<string>;
let otherKey: CryptoKey;
let signingKey: CryptoKey;
let publicJwk: Record<string, unknown>;

const ep: Record<string, Endpoint> = {};

beforeAll(async () => {
  transport = createMemoryTransport();
  agentBus = createBus({ agentId: "agent", transport });
  bridgeBus = createBus({ agentId: "bridge", transport });
  demo = serveDemoAgent(agentBus, "demo", ["tenant-a", "tenant-b"]);
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  signingKey = privateKey;
  otherKey = (await generateKeyPair("ES256")).privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
  publicJwk = jwk;
  verifier = createJwtVerifier({ jwks: { keys: [jwk] } });
  sign = (sub, tenant, o = {}) => {
    const jwt = new SignJWT({ tenant_id: tenant }).setProtectedHeader({ alg: "ES256", kid: "k1" }).setSubject(sub).setIssuedAt();
    return jwt.setExpirationTime(o.expired ? Math.floor(Date.now() / 1000) - 3600 : "1h").sign(o.key ?? privateKey);
  };
  store = createMemoryTaskStore();
  server = await startA2aServer({
    bus: bridgeBus,
    target: "demo",
    auth: verifier,
    store,
    card: { name: "iso", description: "d", version: "1" },
    extendedCard: { description: "extended" },
    heartbeatMs: 0,
    webhooks: { allowHosts: ["127.0.0.1"] },
  });
  const as = async (token: string | undefined): Promise<Endpoint> => ({
    url: server.url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  ep["alice"] = await as(await sign("alice", "tenant-a"));
  ep["bob"] = await as(await sign("bob", "tenant-a"));
  ep["carol"] = await as(await sign("carol", "tenant-b"));
  ep["anonymous"] = await as(undefined);
  ep["forged"] = await as(await sign("alice", "tenant-a", { key: otherKey }));
  ep["expired"] = await as(await sign("alice", "tenant-a", { expired: true }));
});
afterAll(async () => {
  await server.close();
  await store.close();
  await demo.close();
  await bridgeBus.close();
  await agentBus.close();
  await transport.close();
});

const call = async (who: string, method: string, params: unknown): Promise<{ status: number; answer: RpcAnswer }> =>
  rpcHttp(ep[who] as Endpoint, method, params);
const ok = async (who: string, method: string, params: unknown): Promise<Obj> => {
  const r = await call(who, method, params);
  if (r.answer.error) throw new Error(`${who} ${method}: ${r.answer.error.code} ${r.answer.error.message}`);
  return r.answer.result as Obj;
};

/** A task of alice (tenant-a) in the state an operation needs. */
async function aliceTask(kind: "held" | "asked" | "done"): Promise<Obj> {
  if (kind === "held") {
    const before = demo.holding;
    const t = (await ok("alice", "SendMessage", { message: userText("hold"), configuration: { returnImmediately: true } }))["task"];
    await demo.waitHolding(before + 1);
    return t;
  }
  return (await ok("alice", "SendMessage", { message: userText(kind === "asked" ? "ask" : "done") }))["task"];
}

/** What one operation answers a principal, on a fresh task of alice's: "ok", "not-found", "401", or another error code. */
type Outcome = "ok" | "not-found" | "401" | string;
const OPERATIONS: Record<string, () => Promise<(who: string) => Promise<Outcome>>> = {
  GetTask: async () => {
    const t = await aliceTask("done");
    return async (who) => outcome(await call(who, "GetTask", { id: t["id"] }), (r) => r["id"] === t["id"]);
  },
  ListTasks: async () => {
    const t = await aliceTask("done");
    return async (who) => {
      const r = await call(who, "ListTasks", { pageSize: 100 });
      if (r.status === 401) return "401";
      return (r.answer.result as Obj)["tasks"].some((x: Obj) => x["id"] === t["id"]) ? "ok" : "not-found";
    };
  },
  CancelTask: async () => {
    const t = await aliceTask("held");
    return async (who) => outcome(await call(who, "CancelTask", { id: t["id"] }), (r) => r["status"]["state"] === "TASK_STATE_CANCELED");
  },
  SubscribeToTask: async () => {
    const t = await aliceTask("asked");
    return async (who) => {
      const sse = await sseOpen(ep[who] as Endpoint, "SubscribeToTask", { id: t["id"] });
      try {
        if (sse.status === 401) return "401";
        const first = (await sse[Symbol.asyncIterator]().next()).value as RpcAnswer;
        if (first.error) return first.error.code === -32001 ? "not-found" : String(first.error.code);
        return (first.result as Obj)["task"]["id"] === t["id"] && sse.contentType.startsWith("text/event-stream") ? "ok" : "wrong";
      } finally {
        await sse.close();
      }
    };
  },
  "SendMessage (continue)": async () => {
    const t = await aliceTask("asked");
    return async (who) =>
      outcome(
        await call(who, "SendMessage", { message: userText("Zed", { taskId: t["id"] }) }),
        (r) => r["task"]["status"]["state"] === "TASK_STATE_COMPLETED",
      );
  },
  CreateTaskPushNotificationConfig: async () => {
    const t = await aliceTask("done");
    return async (who) =>
      outcome(await call(who, "CreateTaskPushNotificationConfig", { taskId: t["id"], url: "http://127.0.0.1:9/hook" }), (r) => r["taskId"] === t["id"]);
  },
  GetTaskPushNotificationConfig: async () => {
    const t = await aliceTask("done");
    const c = await ok("alice", "CreateTaskPushNotificationConfig", { taskId: t["id"], url: "http://127.0.0.1:9/hook", token: "secret-token" });
    return async (who) =>
      outcome(await call(who, "GetTaskPushNotificationConfig", { taskId: t["id"], id: c["id"] }), (r) => r["id"] === c["id"] && r["token"] === undefined);
  },
  ListTaskPushNotificationConfigs: async () => {
    const t = await aliceTask("done");
    await ok("alice", "CreateTaskPushNotificationConfig", {
      taskId: t["id"],
      url: "http://127.0.0.1:9/hook",
      authentication: { scheme: "Bearer", credentials: "secret-cred" },
    });
    return async (who) =>
      outcome(
        await call(who, "ListTaskPushNotificationConfigs", { taskId: t["id"] }),
        (r) => r["configs"].length === 1 && !JSON.stringify(r).includes("secret"),
      );
  },
  DeleteTaskPushNotificationConfig: async () => {
    const t = await aliceTask("done");
    const c = await ok("alice", "CreateTaskPushNotificationConfig", { taskId: t["id"], url: "http://127.0.0.1:9/hook" });
    return async (who) => outcome(await call(who, "DeleteTaskPushNotificationConfig", { taskId: t["id"], id: c["id"] }), (r) => r === null);
  },
  GetExtendedAgentCard: async () => async (who) => outcome(await call(who, "GetExtendedAgentCard", {}), (r) => r["description"] === "extended"),
};

function outcome(r: { status: number; answer: RpcAnswer }, good: (result: Obj) => boolean): Outcome {
  if (r.status === 401) return "401";
  if (r.answer.error) return r.answer.error.code === -32001 ? "not-found" : String(r.answer.error.code);
  return good(r.answer.result as Obj) ? "ok" : "wrong result";
}

describe("A2A auth: principal × operation × tenant", () => {
  // alice and bob share tenant-a, carol is tenant-b; the rest have no valid token.
  const expected: Record<string, Outcome> = { alice: "ok", bob: "ok", carol: "not-found", anonymous: "401", forged: "401", expired: "401" };
  for (const [op, prepare] of Object.entries(OPERATIONS)) {
    it(op, async () => {
      const got: Record<string, Outcome> = {};
      for (const who of Object.keys(expected)) {
        const run = await prepare();
        got[who] = await run(who);
      }
      const want = op === "GetExtendedAgentCard" ? { ...expected, carol: "ok" } : expected;
      expect(got).toEqual(want);
    });
  }

  it("every task records the tenant and the principal that created it", async () => {
    const t = (await ok("bob", "SendMessage", { message: userText("owned") }))["task"];
    const rec = await store.get("tenant-a", t["id"]);
    expect({ tenant: rec?.tenant, owner: rec?.owner }).toEqual({ tenant: "tenant-a", owner: "bob" });
    expect(await store.get("tenant-b", t["id"])).toBeUndefined();
  });

  it("a params.tenant other than the token's is refused; the token's own or none is fine", async () => {
    const r = await call("alice", "SendMessage", { tenant: "tenant-b", message: userText("x") });
    expect(r.answer.error?.message).toMatch(/params\.tenant "tenant-b" is not the tenant your credentials are bound to \("tenant-a"\)/);
    expect((await ok("alice", "SendMessage", { tenant: "tenant-a", message: userText("mine") }))["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    const g = await call("carol", "ListTasks", { tenant: "tenant-a" });
    expect(g.answer.error?.code).toBe(-32600);
  });

  it("authentication comes before the body is read: an unauthenticated 5 MiB body is 401, not 413", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: userText("x".repeat(5 * 2 ** 20)) } });
    const r = await rpcHttp(server.url, "", undefined, { body: big });
    expect(r.status).toBe(401);
    expect(r.answer.id).toBeNull();
    const authed = await rpcHttp(ep["alice"] as Endpoint, "", undefined, { body: big });
    expect(authed.status, "with a token the body limit applies").toBe(413);
  });

  it("a valid token bound to no tenant is 403 (the verifier requires one)", async () => {
    const noTenant = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setSubject("dave")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(signingKey);
    const r = await rpcHttp({ url: server.url, headers: { authorization: `Bearer ${noTenant}` } }, "ListTasks", {});
    expect(r.status).toBe(403);
    expect(r.answer).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it("the agent runs in the token's tenant, as its principal's user", async () => {
    const seen: { tenant?: string; user?: string }[] = [];
    const sub = agentBus.handleInvoke(
      "whoami",
      (_req: unknown, ctx) => {
        seen.push({ ...(ctx.envelope.tenant_id ? { tenant: ctx.envelope.tenant_id } : {}), ...(ctx.envelope.user_id ? { user: ctx.envelope.user_id } : {}) });
        return "ok";
      },
      { tenant: "tenant-b" },
    );
    const who = await startA2aServer({ bus: bridgeBus, target: "whoami", auth: verifier, card: { name: "w", description: "d", version: "1" } });
    try {
      const r = await rpcHttp({ url: who.url, headers: (ep["carol"] as { headers: Record<string, string> }).headers }, "SendMessage", {
        message: userText("hi"),
      });
      expect((r.answer.result as Obj)["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect(seen).toEqual([{ tenant: "tenant-b", user: "carol" }]);
    } finally {
      await who.close();
      await sub.unsubscribe();
    }
  });
});

describe("A2A auth: configuration", () => {
  it("mounted on a gateway app that authenticates, the plugin uses the gateway's verifier (no bypass)", async () => {
    const gateway = createGateway({ bus: bridgeBus, auth: verifier });
    await gateway.app.register(a2aPlugin, { prefix: "/a2a", bus: bridgeBus, target: "demo", card: { name: "g", description: "d", version: "1" } });
    await gateway.listen();
    try {
      const url = `${gateway.url}/a2a`;
      const anon = await rpcHttp(url, "ListTasks", {});
      expect(anon.status).toBe(401);
      expect(anon.headers.get("www-authenticate")).toMatch(/^Bearer realm="oaio"/);
      const alice = await rpcHttp({ url, headers: (ep["alice"] as { headers: Record<string, string> }).headers }, "SendMessage", {
        message: userText("via gateway"),
      });
      expect((alice.answer.result as Obj)["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      const card = (await (await fetch(`${url}/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })).json()) as Obj;
      expect(Object.keys(card["securitySchemes"])).toEqual(["bearer"]);
    } finally {
      await gateway.close();
    }
  });

  it('auth "none" on an authenticating gateway app is refused, and so is a server without auth', async () => {
    const gateway = createGateway({ bus: bridgeBus, auth: verifier });
    await expect(
      gateway.app
        .register(a2aPlugin, { prefix: "/a2a", bus: bridgeBus, target: "demo", auth: "none", card: { name: "g", description: "d", version: "1" } })
        .ready(),
    ).rejects.toThrow(/would bypass the gateway's auth/);
    await gateway.close();
    await expect(startA2aServer({ bus: bridgeBus, target: "demo", card: { name: "n", description: "d", version: "1" } })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(
      startA2aServer({ bus: bridgeBus, target: "demo", auth: "none", extendedCard: {}, card: { name: "n", description: "d", version: "1" } }),
    ).rejects.toThrow(/extendedCard needs authentication/);
  });

  it('a verifier that does not require a tenant: a tenantless token is tenant "" and cannot pick one', async () => {
    const jwks = { keys: [publicJwk] };
    const lenient = await startA2aServer({
      bus: bridgeBus,
      target: "demo",
      auth: createJwtVerifier({ jwks, requireTenant: false }),
      card: { name: "l", description: "d", version: "1" },
    });
    try {
      const tok = await new SignJWT({})
        .setProtectedHeader({ alg: "ES256", kid: "k1" })
        .setSubject("svc")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(signingKey);
      const who = { url: lenient.url, headers: { authorization: `Bearer ${tok}` } };
      const t = await rpcHttp(who, "SendMessage", { message: userText("untenanted") });
      expect((t.answer.result as Obj)["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect((await rpcHttp(who, "ListTasks", { tenant: "tenant-a" })).answer.error?.message).toMatch(
        /is not the tenant your credentials are bound to \(none\)/,
      );
      const alice = { url: lenient.url, headers: (ep["alice"] as { headers: Record<string, string> }).headers };
      expect((await rpcHttp(alice, "GetTask", { id: (t.answer.result as Obj)["task"]["id"] })).answer.error?.code, 'tenant-a does not see tenant ""').toBe(
        -32001,
      );
    } finally {
      await lenient.close();
    }
  });

  it("a custom hook sees headers in a null-prototype map, and only user_id and channel of its context reach the bus", async () => {
    let seen: unknown = "not called";
    const hook: AuthHook = (req) => {
      seen = req.headers["constructor"];
      return { principal: "p", context: { tenant_id: "evil", user_id: "u", session_id: "forged" } as never };
    };
    const got: Record<string, unknown>[] = [];
    const sub = agentBus.handleInvoke("ctx", (_req: unknown, ctx) => {
      got.push({ tenant: ctx.envelope.tenant_id, user: ctx.envelope.user_id, forgedSession: ctx.envelope.session_id === "forged" });
      return "ok";
    });
    const s2 = await startA2aServer({ bus: bridgeBus, target: "ctx", auth: hook, card: { name: "c", description: "d", version: "1" } });
    try {
      await rpcHttp(s2.url, "SendMessage", { message: userText("hi") });
      expect(seen).toBeUndefined();
      expect(got).toEqual([{ tenant: undefined, user: "u", forgedSession: false }]);
    } finally {
      await s2.close();
      await sub.unsubscribe();
    }
  });

  it('auth "none" is the development mode: one anonymous tenant, no security declared', async () => {
    const dev = await startA2aServer({ bus: bridgeBus, target: "demo", auth: "none", card: { name: "dev", description: "d", version: "1" } });
    try {
      const t = await rpcHttp(dev.url, "SendMessage", { message: userText("open") });
      expect((t.answer.result as Obj)["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect((await rpcHttp(dev.url, "ListTasks", { tenant: "tenant-a" })).answer.error?.code).toBe(-32600);
      const card = (await (await fetch(`${dev.url}/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })).json()) as Obj;
      expect(card["securitySchemes"]).toBeUndefined();
    } finally {
      await dev.close();
    }
  });
});
