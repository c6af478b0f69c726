/**
 * Probe (adversarial review) of REST path handling: the auth hook is shown the request's path
 * as sent (`AuthRequest.url`), so the binding must serve that path and no other. It used to
 * resolve it first (new URL: "/healthz/../tasks" -> "/tasks", "%2e%2e" too), so a hook that lets
 * some paths through (health checks, public pages) let a dot-segment path reach any operation.
 * A dot segment now matches no operation (404 METHOD_NOT_FOUND).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthHook } from "../../runtime/gateway/auth/types.js";
import { restHelpers, startRestEnv, type RestEnv, type RestHelpers } from "./rest-env.js";

let env: RestEnv;
let h: RestHelpers;
beforeAll(async () => {
  env = await startRestEnv();
  h = restHelpers(env);
});
afterAll(async () => {
  await env.close();
});

/** `method path` with the path sent byte for byte (fetch would resolve dot segments itself). */
function raw(base: string, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { "a2a-version": "1.0", ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("dot segments (probe: path confusion)", () => {
  it("a hook that lets /healthz through does not open /healthz/../tasks", async () => {
    // health checks run as a monitoring identity of tenant-a; everything else needs a token
    const seen: string[] = [];
    const hook: AuthHook = async (req) => {
      seen.push(req.url);
      if (req.url.startsWith("/healthz")) return { principal: "monitor", tenant: "tenant-a" };
      return env.verifier(req);
    };
    const server = await env.start({ auth: hook });
    const task = await restHelpers({ ...env, server }).doneTask("private to tenant-a");
    for (const path of ["/healthz/../tasks", "/healthz/%2e%2e/tasks", `/healthz/../tasks/${task["id"]}`, "/healthz/./../tasks"]) {
      const r = await raw(server.url, "GET", path, {});
      expect(r.status, `${path}: ${r.body}`).toBe(404);
      expect(JSON.parse(r.body)["error"]["details"][0]["reason"]).toBe("METHOD_NOT_FOUND"); // not tenant-a's tasks
    }
    expect(seen).toContain("/healthz/../tasks"); // the hook saw the dot-segment path
  });

  it("with a token: a dot-segment path is 404 METHOD_NOT_FOUND, the plain path still works", async () => {
    const task = await h.doneTask("dots");
    const dotted = await raw(env.server.url, "GET", `/tenant-b/../tasks/${task["id"]}`, env.auth.alice);
    expect(dotted.status).toBe(404);
    expect(JSON.parse(dotted.body)["error"]["details"][0]["reason"]).toBe("METHOD_NOT_FOUND");
    expect((await raw(env.server.url, "GET", `/tasks/${task["id"]}`, env.auth.alice)).status).toBe(200);
    expect((await raw(env.server.url, "GET", `/tenant-a/tasks/${task["id"]}?historyLength=0`, env.auth.alice)).status).toBe(200);
  });
});
