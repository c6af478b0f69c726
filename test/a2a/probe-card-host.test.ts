/**
 * Probe (adversarial review) of the Agent Card routes: the card names the endpoint from the
 * request's Host, so whatever one request's Host says must not reach another caller's card.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rest, startRestEnv, type Obj, type RestEnv } from "./rest-env.js";

let env: RestEnv;
beforeAll(async () => {
  env = await startRestEnv();
});
afterAll(async () => {
  await env.close();
});

/** GET `path` with an explicit Host header (fetch cannot set one). */
function getWithHost(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: "GET", path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const urlsOf = (card: Obj): string[] => (card["supportedInterfaces"] as Obj[]).map((i) => String(i["url"]));

describe("Agent Card and Host (probe)", () => {
  it("each Host gets its own card and ETag; a 304 needs that card's ETag", async () => {
    const a = await getWithHost(env.server.url, "/.well-known/agent-card.json", { host: "a.example:1" });
    const b = await getWithHost(env.server.url, "/.well-known/agent-card.json", { host: "b.example:2" });
    expect(urlsOf(JSON.parse(a.body) as Obj).every((u) => u.startsWith("http://a.example:1"))).toBe(true);
    expect(a.headers["etag"]).not.toBe(b.headers["etag"]);
    const cross = await getWithHost(env.server.url, "/.well-known/agent-card.json", { host: "b.example:2", "if-none-match": String(a.headers["etag"]) });
    expect(cross.status).toBe(200);
    const v03 = await getWithHost(env.server.url, "/.well-known/agent-card.json", {
      host: "a.example:1",
      "a2a-version": "0.3",
      "if-none-match": String(a.headers["etag"]),
    });
    expect(v03.status).toBe(200); // the 1.0 card's ETag does not validate the 0.3 card
  });

  // FINDING (probe; fixed in bridge.ts at merge, this test failed before): the extended
  // card named the endpoint of the LAST public card request (bridge.card() stores it in a
  // variable shared by all callers; "" before any card request). An unauthenticated
  // GET /.well-known/agent-card.json with `Host: evil.example` makes every authenticated caller's
  // GetExtendedAgentCard (JSON-RPC and HTTP+JSON) list http://evil.example interfaces, where a
  // client following the card would send its bearer token. Fix: the extended card's URL from the
  // GetExtendedAgentCard request itself (the binding passes it), no shared endpoint.
  it("an anonymous card request's Host does not reach the extended card of an authenticated caller", async () => {
    const poisoned = await getWithHost(env.server.url, "/.well-known/agent-card.json", { host: "evil.example:666" });
    expect(poisoned.status).toBe(200);
    const viaRest = await rest(env.server.url, "GET", "/extendedAgentCard", undefined, env.auth.alice);
    expect(viaRest.status).toBe(200);
    const viaRpc = await rest(env.server.url, "POST", "/", { jsonrpc: "2.0", id: 1, method: "GetExtendedAgentCard", params: {} }, env.auth.alice);
    const origin = new URL(env.server.url).origin;
    for (const card of [viaRest.body, viaRpc.body["result"] as Obj]) {
      const urls = urlsOf(card);
      expect(urls.some((u) => u.includes("evil.example"))).toBe(false);
      expect(urls.every((u) => u.startsWith(origin))).toBe(true);
    }
  });
});
