/**
 * Probe (adversarial review) of push-config secrets: `token` and `authentication.credentials`
 * are never echoed, but credentials in the webhook URL's userinfo (which node:http sends as
 * Basic auth) were stored and echoed by create/get/list to every principal of the tenant.
 * A URL with userinfo is now refused (INVALID_PARAMS naming the field) on every binding and in
 * SendMessage's inline config.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rest, restHelpers, startRestEnv, userMessage, type RestEnv, type RestHelpers } from "./rest-env.js";

let env: RestEnv;
let h: RestHelpers;
beforeAll(async () => {
  env = await startRestEnv();
  h = restHelpers(env);
});
afterAll(async () => {
  await env.close();
});

const secretUrl = "http://hook:s3cret@127.0.0.1:9/hook";

describe("webhook URL credentials (probe: secret echo)", () => {
  it("CreateTaskPushNotificationConfig with user:password@ in the url is INVALID_PARAMS on REST and JSON-RPC; bob never reads it", async () => {
    const task = await h.doneTask("secret url");
    const id = task["id"] as string;
    const r = await h.as("alice", "POST", `/tasks/${id}/pushNotificationConfigs`, { url: secretUrl });
    expect(r.status, r.text).toBe(400);
    const e = h.errorOf(r);
    expect(e.reason).toBe("INVALID_PARAMS");
    expect(e.message).toMatch(/url/);
    expect(e.message).not.toMatch(/s3cret/);
    const j = await rest(
      env.server.url,
      "POST",
      "/",
      { jsonrpc: "2.0", id: 1, method: "CreateTaskPushNotificationConfig", params: { taskId: id, url: secretUrl } },
      env.auth.alice,
    );
    expect(j.body["error"]?.["code"]).toBe(-32602);
    const listed = await h.as("bob", "GET", `/tasks/${id}/pushNotificationConfigs`);
    expect(listed.status).toBe(200);
    expect(listed.text).not.toMatch(/s3cret/);
  });

  it("the inline config of SendMessage is refused the same way", async () => {
    const r = await h.as("alice", "POST", "/message:send", {
      message: userMessage("inline secret"),
      configuration: { taskPushNotificationConfig: { url: secretUrl } },
    });
    expect(r.status, r.text).toBe(400);
    expect(h.errorOf(r).message).toMatch(/configuration\.taskPushNotificationConfig\.url/);
  });
});
