/**
 * Probe (adversarial review) of body bounds: spec/a2a.md says a body of another Content-Type is
 * refused "before the body is read", but both bindings read it (up to bodyLimit) before looking at
 * the type. Observable with a small bodyLimit: a larger text/plain body answered 413 (it was
 * read) instead of 415. The type is now checked in preParsing, before the body parser.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { A2aServer } from "../../runtime/a2a/index.js";
import { rest, restHelpers, startRestEnv, type RestEnv, type RestHelpers } from "./rest-env.js";

let env: RestEnv;
let small: A2aServer;
let h: RestHelpers;
beforeAll(async () => {
  env = await startRestEnv();
  small = await env.start({ bodyLimit: 1000 });
  h = restHelpers({ ...env, server: small });
});
afterAll(async () => {
  await env.close();
});

const big = "x".repeat(5000);

describe("Content-Type before the body (probe: body bounds)", () => {
  it("JSON-RPC: a text/plain body over bodyLimit is 415 (not read), a JSON one 413", async () => {
    const plain = await rest(small.url, "POST", "/", big, { ...env.auth.alice, "content-type": "text/plain" });
    expect(plain.status, plain.text).toBe(415);
    expect(plain.body["error"]["code"]).toBe(-32005);
    expect(plain.body["id"]).toBeNull();
    const json = await rest(small.url, "POST", "/", big, { ...env.auth.alice, "content-type": "application/json" });
    expect(json.status).toBe(413);
  });

  it("HTTP+JSON: a text/plain body over bodyLimit is 415 CONTENT_TYPE_NOT_SUPPORTED, a JSON one 413; an empty body of any type is still {}", async () => {
    const plain = await rest(small.url, "POST", "/message:send", big, { ...env.auth.alice, "content-type": "text/plain" });
    expect(plain.status, plain.text).toBe(415);
    expect(h.errorOf(plain).reason).toBe("CONTENT_TYPE_NOT_SUPPORTED");
    const json = await rest(small.url, "POST", "/message:send", big, { ...env.auth.alice, "content-type": "application/json" });
    expect(json.status).toBe(413);
    const held = await h.heldTask();
    const canceled = await rest(small.url, "POST", `/tasks/${held["id"]}:cancel`, "", { ...env.auth.alice, "content-type": "text/plain" });
    expect(canceled.status, canceled.text).toBe(200);
  });

  it("the type is still checked after auth: an anonymous text/plain body is 401", async () => {
    expect((await rest(small.url, "POST", "/", big, { "content-type": "text/plain" })).status).toBe(401);
    expect((await rest(small.url, "POST", "/message:send", big, { "content-type": "text/plain" })).status).toBe(401);
  });
});
