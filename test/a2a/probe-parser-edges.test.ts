/**
 * Probe (adversarial review) of the ProtoJSON readers at both HTTP bindings: an enum name the
 * proto does not define must be refused with INVALID_PARAMS on HTTP+JSON exactly as on
 * JSON-RPC, never dropped as if the field were absent (a ListTasks `status=bogus` filter used to
 * list every task of the tenant over REST while JSON-RPC refused it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadA2aProto, normalizeProtoJson } from "../../runtime/a2a/proto.js";
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

const rpc = async (method: string, params: unknown) =>
  (await rest(env.server.url, "POST", "/", { jsonrpc: "2.0", id: 1, method, params }, env.auth.alice)).body["error"] as
    | { code: number; message: string }
    | undefined;

describe("unknown enum names (probe: binding parity)", () => {
  it("ListTasks status=bogus is INVALID_PARAMS on HTTP+JSON as on JSON-RPC, not an unfiltered list", async () => {
    await h.doneTask("enum parity");
    const r = await h.as("alice", "GET", "/tasks?status=bogus");
    expect(r.status).toBe(400);
    const e = h.errorOf(r);
    expect(e.reason).toBe("INVALID_PARAMS");
    expect(e.message).toMatch(/status/);
    expect(e.message).toMatch(/bogus/);
    expect((await rpc("ListTasks", { status: "bogus" }))?.code).toBe(-32602);
    // the short form still works
    const short = await h.as("alice", "GET", "/tasks?status=completed");
    expect(short.status, short.text).toBe(200);
  });

  it("query enum short names filter (status=working / completed), they are not dropped as unknown", async () => {
    const held = await h.heldTask();
    const done = await h.doneTask("short enum names");
    const ids = async (q: string): Promise<string[]> => {
      const r = await h.as("alice", "GET", `/tasks?${q}&pageSize=100`);
      expect(r.status, r.text).toBe(200);
      return (r.body["tasks"] as { id: string; status: { state: string } }[]).map((t) => `${t.status.state} ${t.id}`);
    };
    const working = await ids("status=working");
    expect(working).toContain(`TASK_STATE_WORKING ${held["id"]}`);
    expect(working.every((t) => t.startsWith("TASK_STATE_WORKING "))).toBe(true);
    const completed = await ids("status=Completed");
    expect(completed).toContain(`TASK_STATE_COMPLETED ${done["id"]}`);
    expect(completed.every((t) => t.startsWith("TASK_STATE_COMPLETED "))).toBe(true);
    expect(await ids("status=3")).toEqual(completed); // the number form
    expect(await ids("status=input-required")).toEqual([]);
    await h.as("alice", "POST", `/tasks/${held["id"]}:cancel`);
  });

  it("a message role the proto does not define is refused naming the value it got, on both bindings", async () => {
    const message = { ...userMessage("x"), role: "ROLE_BOGUS" };
    const r = await h.as("alice", "POST", "/message:send", { message });
    expect(r.status).toBe(400);
    const e = h.errorOf(r);
    expect(e.reason).toBe("INVALID_PARAMS");
    expect(e.message).toMatch(/ROLE_BOGUS/);
    const j = await rpc("SendMessage", { message: { ...userMessage("x"), role: "ROLE_BOGUS" } });
    expect(j?.code).toBe(-32602);
    expect(j?.message).toMatch(/ROLE_BOGUS/);
  });

  it("normalizeProtoJson drops unknown fields at any depth but refuses unknown enum names", () => {
    const proto = loadA2aProto();
    const list = proto.method("ListTasks")?.input;
    const send = proto.method("SendMessage")?.input;
    if (list === undefined || send === undefined) throw new Error("descriptor lacks ListTasks/SendMessage");
    expect(() => normalizeProtoJson(list, { status: "bogus", surplus: 1 })).toThrow(/status/);
    expect(normalizeProtoJson(list, { status: "TASK_STATE_WORKING", surplus: 1 })).toEqual({ status: "TASK_STATE_WORKING" });
    expect(() => normalizeProtoJson(send, { message: { messageId: "m", role: "ROLE_X", parts: [{ text: "a", extra: 1 }] } })).toThrow(/role/);
    expect(normalizeProtoJson(send, { message: { message_id: "m", role: "ROLE_USER", parts: [{ text: "a", extra: 1 }], x: 2 }, y: 3 })).toEqual({
      message: { messageId: "m", role: "ROLE_USER", parts: [{ text: "a" }] },
    });
  });
});

describe("__proto__ keys in free-form JSON values (probe: prototype keys)", () => {
  const msg = (metadata: string): string =>
    `{"message":{"messageId":"proto-${Math.random()}","role":"ROLE_USER","parts":[{"text":"x"}],"metadata":${metadata}}}`;
  const rawRest = (body: string) => rest(env.server.url, "POST", "/message:send", body, { ...env.auth.alice, "content-type": "application/json" });
  const rawRpc = (params: string) =>
    rest(env.server.url, "POST", "/", `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":${params}}`, {
      ...env.auth.alice,
      "content-type": "application/json",
    });

  it("message metadata with a __proto__ key (that would become a copy's prototype and smuggle acp.* keys) is INVALID_PARAMS on both bindings", async () => {
    const body = msg('{"__proto__":{"acp.tenant_id":"tenant-b"},"ok":1}');
    const r = await rawRest(body);
    expect(r.status, r.text).toBe(400);
    const e = h.errorOf(r);
    expect(e.reason).toBe("INVALID_PARAMS");
    expect(e.message).toMatch(/message\.metadata/);
    expect(e.message).toMatch(/__proto__/);
    const j = (await rawRpc(body)).body["error"];
    expect(j?.["code"]).toBe(-32602);
    expect(j?.["message"]).toMatch(/__proto__/);
  });

  it("nested and in request metadata and part data too; constructor and other keys are fine", async () => {
    const nested = `{"message":{"messageId":"proto-n","role":"ROLE_USER","parts":[{"data":{"a":[{"__proto__":{"x":1}}]}}]}}`;
    expect((await rawRest(nested)).status).toBe(400);
    const top = `{"message":{"messageId":"proto-t","role":"ROLE_USER","parts":[{"text":"x"}]},"metadata":{"k":{"__proto__":{"x":1}}}}`;
    expect((await rawRest(top)).status).toBe(400);
    const fine = await rawRest(msg('{"constructor":{"prototype":{"z":1}},"proto":1}'));
    expect(fine.status, fine.text).toBe(200);
    expect(fine.body["task"]["history"][0]["metadata"]).toEqual({ constructor: { prototype: { z: 1 } }, proto: 1 });
  });
});
