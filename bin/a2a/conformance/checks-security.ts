/**
 * Conformance checks of authentication and tenant isolation: the card declares Bearer JWT
 * (1.0 securitySchemes + securityRequirements, 0.3 securitySchemes + security), requests
 * without a valid token are refused 401 before any work (the extended card included), and a
 * token of another tenant finds none of this tenant's tasks or push configs.
 */
import { strict as assert } from "node:assert";
import { errorCode, heldTask, send, type Check, type Obj } from "./checks-core.js";
import { rpc, rpcHttp, rpcResult, sseAll, userText, type Endpoint } from "./http.js";

const card = async (url: string, version?: string): Promise<Obj> =>
  (await (await fetch(new URL("/.well-known/agent-card.json", url), { headers: version ? { "A2A-Version": version } : {} })).json()) as Obj;

export const securityChecks: readonly Check[] = [
  {
    id: "security.card-declared",
    async run(env) {
      const v10 = await card(env.url, "1.0");
      assert.deepEqual(v10["securitySchemes"]?.["bearer"]?.["httpAuthSecurityScheme"]?.["scheme"], "Bearer");
      assert.equal(v10["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["bearerFormat"], "JWT");
      assert.deepEqual(v10["securityRequirements"], [{ schemes: { bearer: { list: [] } } }]);
      const v03 = await card(env.url, "0.3");
      assert.deepEqual(v03["securitySchemes"]?.["bearer"], {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description: v10["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["description"],
      });
      assert.deepEqual(v03["security"], [{ bearer: [] }]);
      const open = await card(env.altUrl, "1.0");
      assert.equal(open["securitySchemes"], undefined, "the development-mode server declares no scheme");
    },
  },
  {
    id: "security.enforced",
    async run(env) {
      const forged = { url: env.url, headers: { authorization: `Bearer ${(await env.token("checker", "conformance")).slice(0, -4)}AAAA` } };
      for (const who of [env.url, forged, { url: env.url, headers: { authorization: "Basic Y2hlY2tlcjpwdw==" } }] as Endpoint[]) {
        for (const [method, params] of [
          ["SendMessage", { message: userText("x") }],
          ["GetExtendedAgentCard", {}],
          ["ListTasks", {}],
        ] as const) {
          const r = await rpcHttp(who, method, params);
          assert.equal(r.status, 401, `${method} without a valid token`);
          assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer realm=/);
          assert.equal(r.answer.id, null);
          assert.equal(typeof r.answer.error?.code, "number");
        }
      }
      const streamed = await rpcHttp(env.url, "SendStreamingMessage", { message: userText("x") });
      assert.equal(streamed.status, 401, "a stream is refused before it opens");
      assert.equal((await rpcResult<Obj>(env.ep, "GetExtendedAgentCard", {}))["name"], "OpenAgentIO demo agent");
      const other = await rpc(env.ep, "SendMessage", { tenant: "someone-else", message: userText("x") });
      assert.match(other.error?.message ?? "", /params\.tenant "someone-else" is not the tenant/);
    },
  },
  {
    id: "security.tenant-isolation",
    async run(env) {
      const intruder: Endpoint = { url: env.url, headers: { authorization: `Bearer ${await env.token("mallory", "other-tenant")}` } };
      const peer: Endpoint = { url: env.url, headers: { authorization: `Bearer ${await env.token("peer", "conformance")}` } };
      const held = await heldTask(env);
      const asked = await send(env, "ask");
      const hook = await rpcResult<Obj>(env.ep, "CreateTaskPushNotificationConfig", {
        taskId: held["id"],
        url: `${env.receiver.url}/iso`,
        token: "tok-secret",
        authentication: { scheme: "Bearer", credentials: "cred-secret" },
      });
      assert.equal(hook["token"], undefined, "the token is not echoed");
      assert.deepEqual(hook["authentication"], { scheme: "Bearer" }, "credentials are not echoed");
      const listedConfigs = JSON.stringify(await rpcResult(env.ep, "ListTaskPushNotificationConfigs", { taskId: held["id"] }));
      assert.ok(!listedConfigs.includes("secret"), "no secret in ListTaskPushNotificationConfigs");
      const notFound = -32001;
      for (const [method, params] of [
        ["GetTask", { id: held["id"] }],
        ["CancelTask", { id: held["id"] }],
        ["SendMessage", { message: userText("Eve", { taskId: asked["id"] }) }],
        ["CreateTaskPushNotificationConfig", { taskId: held["id"], url: `${env.receiver.url}/evil` }],
        ["GetTaskPushNotificationConfig", { taskId: held["id"], id: hook["id"] }],
        ["ListTaskPushNotificationConfigs", { taskId: held["id"] }],
        ["DeleteTaskPushNotificationConfig", { taskId: held["id"], id: hook["id"] }],
      ] as const) {
        assert.equal(await errorCode(rpc(intruder, method, params)), notFound, `${method} on another tenant's task`);
      }
      assert.equal((await sseAll(intruder, "SubscribeToTask", { id: held["id"] }))[0]?.error?.code, notFound, "SubscribeToTask");
      const theirs = await rpcResult<Obj>(intruder, "ListTasks", {});
      assert.ok(!(theirs["tasks"] as Obj[]).some((t) => t["id"] === held["id"] || t["id"] === asked["id"]), "ListTasks shows only the caller's tenant");
      assert.equal((await rpcResult<Obj>(peer, "GetTask", { id: held["id"] }))["id"], held["id"], "another principal of the same tenant sees it");
      env.demo.release();
      const done = await rpcResult<Obj>(env.ep, "SendMessage", { message: userText("Ada", { taskId: asked["id"] }) });
      assert.equal(done["task"]["status"]["state"], "TASK_STATE_COMPLETED", "the intruder's message did not consume the interrupted task");
    },
  },
];
