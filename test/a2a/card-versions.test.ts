/**
 * The Agent Card served at the well-known path: the 1.0 card unless A2A-Version asks for 0.3
 * (a client that sends no header gets 1.0, valid against lf.a2a.v1.AgentCard), with caching
 * headers (Cache-Control max-age, ETag and If-None-Match → 304, Last-Modified); and the
 * extended card, for authenticated callers only, in every binding (the handler enforces it).
 */
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJwtVerifier } from "../../runtime/gateway/auth/jwt.js";
import { ANONYMOUS_CALLER } from "../../runtime/a2a/auth.js";
import type { A2aError } from "../../runtime/a2a/errors.js";
import { loadA2aProto, normalizeProtoJson } from "../../runtime/a2a/proto.js";
import { AcpError } from "../../generated/ts/errors.js";
import { startFixture, type Fixture } from "./a2a-fixture.js";

const SECRET = new TextEncoder().encode("card-versions-test-secret-0123456789");
const CARD_PATH = "/.well-known/agent-card.json";
type Card = Record<string, unknown> & { capabilities: Record<string, unknown> };

let f: Fixture;
let token: string;
beforeAll(async () => {
  f = await startFixture({
    auth: createJwtVerifier({ secret: SECRET }),
    extendedCard: { description: "the extended card" },
    card: {
      name: "Cards",
      description: "card tests",
      version: "2.1.0",
      skills: [{ id: "echo", name: "echo", description: "echoes", tags: ["test"] }],
      provider: { organization: "OpenAgentIO", url: "https://example.com" },
    },
  });
  token = await new SignJWT({ tenant_id: "t1" }).setProtectedHeader({ alg: "HS256" }).setSubject("alice").setIssuedAt().setExpirationTime("1h").sign(SECRET);
});
afterAll(async () => {
  await f?.close();
});

const getCard = (headers: Record<string, string> = {}): Promise<Response> => fetch(new URL(CARD_PATH, f.url), { headers });

/** The card without what a ProtoJSON writer leaves out anyway (empty lists): what a strict reader must give back. */
function withoutEmptyLists(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutEmptyLists);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => !(Array.isArray(x) && x.length === 0))
      .map(([k, x]) => [k, withoutEmptyLists(x)]),
  );
}

function expectValid10Card(card: unknown): void {
  const desc = loadA2aProto().message("lf.a2a.v1.AgentCard");
  if (desc === undefined) throw new Error("no lf.a2a.v1.AgentCard in the proto");
  // strict: a field the 1.0 schema does not define (url, protocolVersion, 0.3 security) throws
  const read = normalizeProtoJson(desc, card, false);
  expect(read).toEqual(withoutEmptyLists(card));
}

describe("the card for the version asked", () => {
  it("CARD-STRUCT-001: without A2A-Version the 1.0 card, which lf.a2a.v1.AgentCard accepts unchanged", async () => {
    const res = await getCard();
    expect(res.status).toBe(200);
    const card = (await res.json()) as Card;
    expect(card).not.toHaveProperty("url");
    expect(card).not.toHaveProperty("protocolVersion");
    expect(card).not.toHaveProperty("security");
    expect(card["securitySchemes"]).toEqual({ bearer: { httpAuthSecurityScheme: expect.objectContaining({ scheme: "Bearer", bearerFormat: "JWT" }) } });
    expectValid10Card(card);
  });

  it("CARD-STRUCT-001: A2A-Version 1.0 gets the same card", async () => {
    expect(await (await getCard({ "A2A-Version": "1.0" })).json()).toEqual(await (await getCard()).json());
  });

  it("A2A-Version 0.3 gets the 0.3 fields (url, protocolVersion, preferredTransport, OpenAPI security)", async () => {
    const card = (await (await getCard({ "A2A-Version": "0.3" })).json()) as Card;
    expect(card["protocolVersion"]).toBe("0.3.0");
    expect(card["preferredTransport"]).toBe("JSONRPC");
    expect(card["url"]).toBe(f.url.endsWith("/") ? f.url : `${f.url}/`);
    expect(card["security"]).toEqual([{ bearer: [] }]);
    expect(card["supportsAuthenticatedExtendedCard"]).toBe(true);
  });
});

describe("caching headers", () => {
  it("CARD-CACHE-001: Cache-Control with max-age", async () => {
    expect((await getCard()).headers.get("cache-control")).toMatch(/max-age=\d+/);
  });

  it("CARD-CACHE-002: an ETag; If-None-Match with it answers 304 without a body; the 0.3 card has another", async () => {
    const res = await getCard();
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await getCard({ "if-none-match": etag ?? "" });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect((await getCard({ "if-none-match": '"stale"' })).status).toBe(200);
    expect((await getCard({ "A2A-Version": "0.3" })).headers.get("etag")).not.toBe(etag);
    expect((await getCard()).headers.get("vary")).toContain("A2A-Version");
  });

  it("CARD-CACHE-003: Last-Modified; If-Modified-Since with it answers 304", async () => {
    const res = await getCard();
    const modified = res.headers.get("last-modified");
    expect(Number.isNaN(Date.parse(modified ?? ""))).toBe(false);
    expect((await getCard({ "if-modified-since": modified ?? "" })).status).toBe(304);
    expect((await getCard({ "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" })).status).toBe(200);
  });
});

describe("the extended card needs an authenticated caller", () => {
  it("the public card declares it and the security it needs", async () => {
    const card = (await (await getCard()).json()) as Card;
    expect(card.capabilities["extendedAgentCard"]).toBe(true);
    expect(card["securityRequirements"]).toEqual([{ schemes: { bearer: { list: [] } } }]);
  });

  it("over JSON-RPC: 401 without a token, the extended 1.0 card (valid against the proto) with one", async () => {
    const anonymous = await fetch(f.url, {
      method: "POST",
      headers: { "content-type": "application/json", "A2A-Version": "1.0" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "GetExtendedAgentCard", params: {} }),
    });
    expect(anonymous.status).toBe(401);
    const card = await f.result<Card>("GetExtendedAgentCard", {}, { authorization: `Bearer ${token}` });
    expect(card["description"]).toBe("the extended card");
    expectValid10Card(card);
  });

  it("a 0.3 caller (agent/getAuthenticatedExtendedCard, no A2A-Version) gets the extended card in the 0.3 form", async () => {
    const card = await f.result<Card>("agent/getAuthenticatedExtendedCard", {}, { authorization: `Bearer ${token}`, "A2A-Version": "" });
    expect(card["description"]).toBe("the extended card");
    expect(card["protocolVersion"]).toBe("0.3.0");
    expect(card["security"]).toEqual([{ bearer: [] }]);
  });

  it("in the protocol-neutral handler: a caller no auth hook verified gets AUTH_FAILURE, whatever binding forgot to authenticate", async () => {
    const err = await f.server.bridge.handler.handle(ANONYMOUS_CALLER, "GetExtendedAgentCard", {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AcpError);
    expect((err as AcpError).code).toBe("AUTH_FAILURE");
    const forged = { tenant: "t1", principal: "alice", context: {} };
    const err2 = await f.server.bridge.handler.handle(forged, "GetExtendedAgentCard", {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err2 as AcpError).code).toBe("AUTH_FAILURE");
  });

  it("CORE-CAP-003: with no extended card the card says extendedAgentCard false and the method is UnsupportedOperation (-32004)", async () => {
    const plain = await startFixture();
    try {
      const card = (await (await fetch(new URL(CARD_PATH, plain.url))).json()) as Card;
      expect(card.capabilities["extendedAgentCard"]).toBe(false);
      const a = await plain.rpc("GetExtendedAgentCard", {});
      expect(a.error?.code).toBe(-32004);
      const err = await plain.server.bridge.handler.handle(ANONYMOUS_CALLER, "GetExtendedAgentCard", {}).catch((e: unknown) => e);
      expect((err as A2aError).reason).toBe("UNSUPPORTED_OPERATION");
    } finally {
      await plain.close();
    }
  });
});
