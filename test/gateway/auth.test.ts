import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac, createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from "jose";
import type { Envelope } from "../../runtime/index.js";
import { createJwtVerifier } from "../../runtime/gateway/index.js";
import { openRig, post, SseReader, type Rig } from "./fixture.js";

const SECRET = "a-test-secret-of-enough-length-for-hs256";
const key = new TextEncoder().encode(SECRET);

function hs256(claims: JWTPayload, opts: { exp?: string | number; secret?: Uint8Array; iss?: string; aud?: string } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setIssuer(opts.iss ?? "https://issuer.test")
    .setAudience(opts.aud ?? "oaio")
    .setExpirationTime(opts.exp ?? "5m")
    .sign(opts.secret ?? key);
}

let rig: Rig;
const seen: Envelope[] = [];

beforeAll(async () => {
  rig = await openRig({ auth: createJwtVerifier({ secret: SECRET, issuer: "https://issuer.test", audience: "oaio" }) });
  for (const tenant of ["acme", "globex"]) {
    rig.agents.handleInvoke(
      "whoami",
      (_req, ctx) => {
        seen.push(ctx.envelope);
        return { tenant: ctx.envelope.tenant_id, user: ctx.envelope.user_id };
      },
      { tenant },
    );
    rig.agents.handleStream(
      "ticker",
      async (_req, w) => {
        await w.delta("a");
        await w.delta("b");
        await w.final("end");
      },
      { tenant },
    );
  }
  await rig.net.settle();
});
afterAll(async () => {
  await rig.close();
});

const invoke = (headers: Record<string, string>): Promise<Response> => post(`${rig.url}/v1/agents/whoami/invoke`, {}, headers);

describe("Bearer JWT", () => {
  it("a valid token's tenant claim binds the request", async () => {
    const token = await hs256({ sub: "ada", tenant_id: "acme" });
    const res = await invoke({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tenant: "acme", user: "ada" });
    // the same tenant in X-Tenant-Id is fine; an explicit X-User-Id loses to the token's sub
    const same = await invoke({ authorization: `Bearer ${token}`, "x-tenant-id": "acme", "x-user-id": "mallory" });
    expect(await same.json()).toEqual({ tenant: "acme", user: "ada" });
  });

  it("a token for tenant A never reaches tenant B: 403", async () => {
    const before = seen.length;
    const token = await hs256({ sub: "ada", tenant_id: "acme" });
    const res = await invoke({ authorization: `Bearer ${token}`, "x-tenant-id": "globex" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "PERMISSION_DENIED", retryable: false });
    const ev = await post(`${rig.url}/v1/events/orders.created`, {}, { authorization: `Bearer ${token}`, "x-tenant-id": "globex" });
    expect(ev.status).toBe(403);
    expect(seen.length).toBe(before);
  });

  it("missing, malformed, forged, expired or misaddressed tokens: 401 with a Bearer challenge", async () => {
    const cases: [string, Record<string, string>][] = [
      ["missing", {}],
      ["not bearer", { authorization: "Basic YTpi" }],
      ["garbage", { authorization: "Bearer not.a.jwt" }],
      [
        "forged",
        { authorization: `Bearer ${await hs256({ sub: "x", tenant_id: "acme" }, { secret: new TextEncoder().encode("another-secret-another-secret-xx") })}` },
      ],
      ["expired", { authorization: `Bearer ${await hs256({ sub: "x", tenant_id: "acme" }, { exp: Math.floor(Date.now() / 1000) - 600 })}` }],
      ["wrong issuer", { authorization: `Bearer ${await hs256({ sub: "x", tenant_id: "acme" }, { iss: "https://other.test" })}` }],
      ["wrong audience", { authorization: `Bearer ${await hs256({ sub: "x", tenant_id: "acme" }, { aud: "someone-else" })}` }],
    ];
    for (const [name, headers] of cases) {
      const res = await invoke(headers);
      const body = (await res.json()) as { code: string };
      expect({ name, status: res.status, code: body.code }).toEqual({ name, status: 401, code: "AUTH_FAILURE" });
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="oaio"/);
      expect(res.headers.get("x-request-id")).toBeTruthy();
    }
    const expired = await invoke(cases[4]![1]);
    expect(expired.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await expired.json()).toMatchObject({ message: "token expired" });
  });

  it("401 bodies carry a fixed message and our code, nothing of jose", async () => {
    const forged = await hs256({ sub: "x", tenant_id: "acme" }, { secret: new TextEncoder().encode("another-secret-another-secret-xx") });
    const wrongIss = await hs256({ sub: "x", tenant_id: "acme" }, { iss: "https://other.test" });
    for (const token of ["not.a.jwt", forged, wrongIss]) {
      const res = await invoke({ authorization: `Bearer ${token}` });
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ code: "AUTH_FAILURE", message: "invalid token", retryable: false });
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="oaio", error="invalid_token", error_description="invalid token"');
      expect(text).not.toMatch(/JWS|JWT|ERR_|jose|claim/i);
    }
  });

  it("a token without exp is refused by default; requireExp: false allows it", async () => {
    const noExp = await new SignJWT({ sub: "ada", tenant_id: "acme" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("https://issuer.test")
      .setAudience("oaio")
      .sign(key);
    const res = await invoke({ authorization: `Bearer ${noExp}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "AUTH_FAILURE", message: "invalid token" });
    const lax = await rig.extraGateway({ auth: createJwtVerifier({ secret: SECRET, issuer: "https://issuer.test", audience: "oaio", requireExp: false }) });
    const ok = await post(`${lax.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${noExp}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ tenant: "acme", user: "ada" });
  });

  it("identity comes from the token only: X-User-Id is dropped when the token sets no user", async () => {
    const noSub = await hs256({ tenant_id: "acme" });
    const res = await invoke({ authorization: `Bearer ${noSub}`, "x-user-id": "admin" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tenant: "acme" });
    // a custom hook that sets no user_id: the header is dropped too
    const gw = await rig.extraGateway({ auth: () => ({ principal: "k", tenant: "acme" }) });
    const hooked = await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { "x-user-id": "admin" });
    expect(await hooked.json()).toEqual({ tenant: "acme" });
  });

  it("a token whose exp, nbf or iat is not a finite number (1e999 parses as Infinity) is refused: 401", async () => {
    /** Signs the payload text as written (SignJWT would turn Infinity into null). */
    const signRaw = (payload: string): string => {
      const b64 = (text: string): string => Buffer.from(text).toString("base64url");
      const input = `${b64('{"alg":"HS256"}')}.${b64(payload)}`;
      return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
    };
    const now = Math.floor(Date.now() / 1000);
    const claims = (time: string): string => `{"sub":"ada","tenant_id":"acme","iss":"https://issuer.test","aud":"oaio",${time}}`;
    // the control: the same hand-signed token with finite times is accepted
    const control = await invoke({ authorization: `Bearer ${signRaw(claims(`"exp":${now + 300},"nbf":${now - 10},"iat":${now}`))}` });
    expect(control.status).toBe(200);
    for (const time of [`"exp":1e999`, `"exp":${now + 300},"nbf":-1e999`, `"exp":${now + 300},"iat":1e999`, `"exp":${now + 300},"iat":-1e999`]) {
      const res = await invoke({ authorization: `Bearer ${signRaw(claims(time))}` });
      expect({ time, status: res.status }).toEqual({ time, status: 401 });
      expect(await res.json()).toEqual({ code: "AUTH_FAILURE", message: "invalid token", retryable: false });
    }
  });

  it("a valid token bound to no tenant is refused: 403", async () => {
    const res = await invoke({ authorization: `Bearer ${await hs256({ sub: "ada" })}` });
    expect(res.status).toBe(403);
  });

  it("a stream of tenant A cannot be resumed with a token of tenant B", async () => {
    const a = await hs256({ sub: "ada", tenant_id: "acme" });
    const b = await hs256({ sub: "bob", tenant_id: "globex" });
    const res = await post(`${rig.url}/v1/agents/ticker/stream`, {}, { authorization: `Bearer ${a}` });
    const frames = await new SseReader(res).all();
    expect(frames).toHaveLength(3);
    const resumeAsB = await post(`${rig.url}/v1/agents/ticker/stream`, {}, { authorization: `Bearer ${b}`, "last-event-id": frames[0]!.id! });
    expect(resumeAsB.status).toBe(403);
    const resumeAsA = await post(`${rig.url}/v1/agents/ticker/stream`, {}, { authorization: `Bearer ${a}`, "last-event-id": frames[0]!.id! });
    expect(resumeAsA.status).toBe(200);
    expect((await new SseReader(resumeAsA).all()).map((f) => f.id)).toEqual([frames[1]!.id, frames[2]!.id]);
  });
});

describe("a custom hook", () => {
  it("sees only the headers that were sent: names like constructor or __proto__ find nothing else", async () => {
    const seenByHook: Record<string, unknown>[] = [];
    const gw = await rig.extraGateway({
      auth: (req) => {
        const looked = Object.create(null) as Record<string, unknown>;
        for (const name of ["constructor", "tostring", "hasownproperty", "__proto__", "x-api-key"]) looked[name] = req.headers[name];
        seenByHook.push(looked);
        return { principal: "k", tenant: "acme" };
      },
    });
    // node:http drops a header named __proto__ itself; the point is that nothing inherited shows through
    const res = await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { "x-api-key": "k1", __proto__: "p" });
    expect(res.status).toBe(200);
    expect(seenByHook.map((l) => ({ ...l }))).toEqual([
      { constructor: undefined, tostring: undefined, hasownproperty: undefined, ["__proto__"]: undefined, "x-api-key": "k1" },
    ]);
  });
});

describe("asymmetric keys", () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair("ES256");
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    jwksServer.closeAllConnections();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  it("verifies ES256 tokens against a remote JWKS, reading a nested tenant claim", async () => {
    const gw = await rig.extraGateway({ auth: createJwtVerifier({ jwksUrl, tenantClaim: "org.tenant", audience: "oaio" }) });
    const token = await new SignJWT({ sub: "carol", org: { tenant: "globex" } })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setAudience("oaio")
      .setExpirationTime("5m")
      .sign(privateKey);
    const res = await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${token}` });
    expect(await res.json()).toEqual({ tenant: "globex", user: "carol" });
    const hsToken = await hs256({ sub: "x", org: { tenant: "globex" } });
    expect((await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${hsToken}` })).status).toBe(401);
  });
});

describe("key material must say what it is; algorithms are pinned per key type", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicPem = rsa.publicKey.export({ type: "spki", format: "pem" }) as string;
  const rs256 = (claims: JWTPayload, alg = "RS256", signKey: KeyObject = rsa.privateKey): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg }).setAudience("oaio").setExpirationTime("5m").sign(signKey);
  /** The attack: an HS256 token whose HMAC key is the (public, so known) PEM of the verifier's key. */
  const forgedWithPublicPem = (tenant: string): Promise<string> =>
    new SignJWT({ sub: "mallory", tenant_id: tenant })
      .setProtectedHeader({ alg: "HS256" })
      .setAudience("oaio")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(publicPem));

  it("a public PEM given as bytes or text is refused when the verifier is created", () => {
    for (const publicKey of [Buffer.from(publicPem), new TextEncoder().encode(publicPem), publicPem]) {
      expect(() => createJwtVerifier({ publicKey: publicKey as unknown as KeyObject, audience: "oaio" })).toThrow(/not text or bytes.*createPublicKey/);
    }
    expect(() => createJwtVerifier({ publicKey: rsa.privateKey, audience: "oaio" })).toThrow(/private KeyObject/);
    expect(() => createJwtVerifier({ publicKey: createSecretKey(Buffer.from(publicPem)), audience: "oaio" })).toThrow(/secret KeyObject/);
    expect(() => createJwtVerifier({ secret: publicPem })).toThrow(/PEM/);
    expect(() => createJwtVerifier({ jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } })).toThrow(/symmetric/);
    expect(() => createJwtVerifier({ publicKey: rsa.publicKey, algorithms: ["HS256"] })).toThrow(/HS256 cannot be verified/);
    expect(() => createJwtVerifier({ jwksUrl: "http://127.0.0.1:1/jwks", algorithms: ["HS256"] })).toThrow(/HS256 cannot be verified/);
    expect(() => createJwtVerifier({ secret: SECRET, algorithms: ["RS256"] })).toThrow(/RS256 cannot be verified/);
    expect(() => createJwtVerifier({ secret: SECRET, publicKey: rsa.publicKey } as never)).toThrow(/exactly one/);
  });

  it("a secret that is key material in any form is refused: PEM anywhere, DER, JWK JSON, base64 or hex of DER", async () => {
    const der = rsa.publicKey.export({ type: "spki", format: "der" });
    const jwkText = JSON.stringify(await exportJWK(rsa.publicKey));
    const pemBody = publicPem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const cases: [string, string | Uint8Array][] = [
      ["PEM after 80 spaces", " ".repeat(80) + publicPem],
      ["PEM after 80 spaces, bytes", Buffer.from(" ".repeat(80) + publicPem)],
      ["DER SPKI bytes", der],
      ["public JWK JSON text", jwkText],
      ["base64 PEM body", pemBody],
      ["base64 PEM body with line breaks", pemBody.replace(/(.{64})/g, "$1\n")],
      ["base64url DER", der.toString("base64url")],
      ["hex DER", der.toString("hex")],
      ["EC DER SPKI", ec.publicKey.export({ type: "spki", format: "der" })],
      ["PKCS#8 private DER", rsa.privateKey.export({ type: "pkcs8", format: "der" })],
    ];
    for (const [name, secret] of cases) {
      expect(() => createJwtVerifier({ secret, audience: "oaio" }), name).toThrow(
        /secret must be a shared secret, not key material.*got "(a PEM|a DER|a JWK|hex of a DER|base64 of a DER)/,
      );
    }
  });

  it("an HS* secret is at least the hash size (RFC 7518 §3.2): shorter is refused, HS384/512 need 48/64 bytes", async () => {
    expect(() => createJwtVerifier({ secret: "x".repeat(31) })).toThrow(/secret must be at least 32 bytes for HS256.*got "31 bytes"/);
    expect(() => createJwtVerifier({ secret: new Uint8Array(16) })).toThrow(/secret must be at least 32 bytes for HS256.*got "16 bytes"/);
    expect(() => createJwtVerifier({ secret: "x".repeat(40), algorithms: ["HS384"] })).toThrow(
      /secret must be long enough for HS384.*HS384 48.*got "40 bytes"/,
    );
    expect(() => createJwtVerifier({ secret: "x".repeat(48), algorithms: ["HS512"] })).toThrow(/long enough for HS512/);
    // the default set is what the secret is long enough for: a 40-byte secret verifies HS256, not HS384
    const hs = (alg: string): Promise<string> =>
      new SignJWT({ sub: "ada", tenant_id: "acme" }).setProtectedHeader({ alg }).setAudience("oaio").setExpirationTime("5m").sign(key);
    const gw = await rig.extraGateway({ auth: createJwtVerifier({ secret: SECRET, audience: "oaio" }) });
    const status = async (alg: string): Promise<number> =>
      (await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${await hs(alg)}` })).status;
    expect([await status("HS256"), await status("HS384")]).toEqual([200, 401]);
    const long = new Uint8Array(64).fill(7);
    const gw64 = await rig.extraGateway({ auth: createJwtVerifier({ secret: long, audience: "oaio" }) });
    const hs512 = await new SignJWT({ sub: "ada", tenant_id: "acme" })
      .setProtectedHeader({ alg: "HS512" })
      .setAudience("oaio")
      .setExpirationTime("5m")
      .sign(long);
    expect((await post(`${gw64.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${hs512}` })).status).toBe(200);
  });

  it("only own, defined key sources count: secret: undefined is none, an inherited secret is never used", async () => {
    // the common `secret: process.env.X` left unset next to a public key
    const unsetSecret = createJwtVerifier({ secret: undefined, publicKey: rsa.publicKey, audience: "oaio" } as never);
    const gw = await rig.extraGateway({ auth: unsetSecret });
    const good = await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${await rs256({ sub: "carol", tenant_id: "globex" })}` });
    expect(await good.json()).toEqual({ tenant: "globex", user: "carol" });
    // a secret on the prototype: the options are the public key only, and HS256 signed with that secret fails
    const inherited = "an-inherited-secret-an-inherited-secret-xx";
    const opts = Object.assign(Object.create({ secret: inherited }) as object, { publicKey: rsa.publicKey, audience: "oaio" });
    const gw2 = await rig.extraGateway({ auth: createJwtVerifier(opts as never) });
    const forged = await new SignJWT({ sub: "mallory", tenant_id: "acme" })
      .setProtectedHeader({ alg: "HS256" })
      .setAudience("oaio")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(inherited));
    expect((await post(`${gw2.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${forged}` })).status).toBe(401);
    expect(
      (await post(`${gw2.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${await rs256({ sub: "carol", tenant_id: "globex" })}` })).status,
    ).toBe(200);
    expect(() => createJwtVerifier(Object.create({ secret: inherited }) as never)).toThrow(/exactly one .*got "none"/);
  });

  it("an RSA public KeyObject verifies RS256 over HTTP and refuses HS256 signed with its PEM", async () => {
    for (const publicKey of [rsa.publicKey, createPublicKey(publicPem), await exportJWK(rsa.publicKey)]) {
      const gw = await rig.extraGateway({ auth: createJwtVerifier({ publicKey, audience: "oaio" }) });
      const good = await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${await rs256({ sub: "carol", tenant_id: "globex" })}` });
      expect(await good.json()).toEqual({ tenant: "globex", user: "carol" });
      const ps = await post(
        `${gw.url}/v1/agents/whoami/invoke`,
        {},
        { authorization: `Bearer ${await rs256({ sub: "carol", tenant_id: "globex" }, "PS256")}` },
      );
      expect(ps.status).toBe(200);
      const before = seen.length;
      const forged = await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${await forgedWithPublicPem("acme")}` });
      expect(forged.status).toBe(401);
      expect(await forged.json()).toEqual({ code: "AUTH_FAILURE", message: "invalid token", retryable: false });
      expect(seen.length).toBe(before);
    }
  });

  it("EC keys verify only their curve's ES*, Ed25519 only EdDSA", async () => {
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const ed = generateKeyPairSync("ed25519");
    const gw256 = await rig.extraGateway({ auth: createJwtVerifier({ publicKey: p256.publicKey, audience: "oaio" }) });
    const gwEd = await rig.extraGateway({ auth: createJwtVerifier({ publicKey: ed.publicKey, audience: "oaio" }) });
    const claims = { sub: "dan", tenant_id: "acme" };
    const status = async (gw: { url: string }, token: string): Promise<number> =>
      (await post(`${gw.url}/v1/agents/whoami/invoke`, {}, { authorization: `Bearer ${token}` })).status;
    expect(await status(gw256, await rs256(claims, "ES256", p256.privateKey))).toBe(200);
    expect(await status(gw256, await rs256(claims, "ES384", p384.privateKey))).toBe(401);
    expect(await status(gwEd, await rs256(claims, "EdDSA", ed.privateKey))).toBe(200);
    expect(await status(gwEd, await rs256(claims, "ES256", p256.privateKey))).toBe(401);
    expect(() => createJwtVerifier({ publicKey: p256.publicKey, algorithms: ["ES384"] })).toThrow(/ES384 cannot be verified/);
  });
});
