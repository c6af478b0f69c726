/**
 * Conformance checks of the HTTP+JSON and gRPC bindings: the card lists each, and a message
 * sent over it runs the same task as over JSON-RPC (the TCK's binding requirements are in
 * tck/; these back the scorecard's binding features).
 */
import { strict as assert } from "node:assert";
import { grpcClient } from "./tck/client-grpc.js";
import { restClient } from "./tck/client-rest.js";
import type { BindingClient, Obj } from "./tck/types.js";
import { artifactText, type Check } from "./checks-core.js";
import { rpcResult, userText } from "./http.js";
import type { ConformanceEnv } from "./env.js";

/** The card's interface of `binding` (1.0), read with A2A-Version 1.0. */
async function interfaceOf(env: ConformanceEnv, binding: string): Promise<string> {
  const card = (await (await fetch(new URL("/.well-known/agent-card.json", env.url), { headers: { "A2A-Version": "1.0" } })).json()) as Obj;
  const found = (card["supportedInterfaces"] as Obj[]).find((i) => i["protocolBinding"] === binding && i["protocolVersion"] === "1.0");
  assert.ok(found, `the card lists a ${binding} 1.0 interface`);
  return found["url"] as string;
}

/** Sends a message over `client`, then reads the task back over JSON-RPC: the same task, completed, echoed. */
async function sameTask(env: ConformanceEnv, client: BindingClient): Promise<void> {
  try {
    const sent = await client.call("SendMessage", { message: userText(`over ${client.binding}`) });
    assert.ok(sent.ok, `SendMessage over ${client.binding}: ${JSON.stringify(sent.error)}`);
    const task = sent.value?.["task"] as Obj;
    assert.equal(task["status"]["state"], "TASK_STATE_COMPLETED");
    assert.equal(artifactText(task), `over ${client.binding}`);
    const got = await client.call("GetTask", { id: task["id"] });
    assert.ok(got.ok, `GetTask over ${client.binding}`);
    const viaRpc = await rpcResult<Obj>(env.ep, "GetTask", { id: task["id"] });
    assert.deepEqual(got.value, viaRpc, "the binding and JSON-RPC answer the same task");
  } finally {
    await client.close();
  }
}

export const bindingChecks: readonly Check[] = [
  {
    id: "binding.http-json",
    async run(env) {
      await sameTask(env, restClient(await interfaceOf(env, "HTTP+JSON"), env.authHeaders));
    },
  },
  {
    id: "binding.grpc",
    async run(env) {
      await sameTask(env, grpcClient(await interfaceOf(env, "GRPC"), env.authHeaders));
    },
  },
];
