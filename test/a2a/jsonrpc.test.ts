/**
 * JSON-RPC edge cases over a real server: wire strings that name Object.prototype members
 * ("constructor", "__proto__", …) find nothing (null-prototype tables), and a body over the
 * limit or nested too deep is answered as a JSON-RPC error object with id null.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus } from "../../runtime/bus/types.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import type { Transport } from "../../runtime/transport/types.js";
import { startA2aServer, type A2aServer } from "../../runtime/a2a/index.js";
import { resolveMethod, TASK_STATE_TO_PHASE, taskStateFromV03 } from "../../generated/a2a/index.js";
import { rpc, rpcHttp } from "../../bin/a2a/conformance/http.js";

let transport: Transport;
let bus: Bus;
let server: A2aServer;

beforeAll(async () => {
  transport = createMemoryTransport();
  bus = createBus({ agentId: "bridge", transport });
  server = await startA2aServer({ bus, target: "demo", auth: "none", card: { name: "j", description: "d", version: "1" }, bodyLimit: 4096, maxDepth: 32 });
});
afterAll(async () => {
  await server.close();
  await bus.close();
  await transport.close();
});

const PROTO_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];

describe("JSON-RPC: wire strings are looked up in null-prototype tables", () => {
  for (const version of ["1.0", ""]) {
    it(`methods named like Object.prototype members are -32601 (A2A-Version ${JSON.stringify(version)})`, async () => {
      for (const method of PROTO_NAMES) {
        const a = await rpc(server.url, method, {}, { version, id: 7 });
        expect(a.error?.code, method).toBe(-32601);
        expect(a.id).toBe(7);
      }
    });
  }

  it("a ListTasks status named like a prototype member is -32602, not a filter", async () => {
    for (const status of PROTO_NAMES) expect((await rpc(server.url, "ListTasks", { status })).error?.code, status).toBe(-32602);
  });

  it("the generated tables find nothing for those names", () => {
    for (const name of PROTO_NAMES) {
      expect(resolveMethod(name, true), name).toBeUndefined();
      expect(resolveMethod(name, false), name).toBeUndefined();
      expect(TASK_STATE_TO_PHASE[name], name).toBeUndefined();
      expect(taskStateFromV03(name), name).toBe("TASK_STATE_UNSPECIFIED");
    }
  });
});

describe("JSON-RPC: oversized and deep bodies", () => {
  it("a body over bodyLimit is a JSON-RPC error with id null (HTTP 413)", async () => {
    const r = await rpcHttp(server.url, "", undefined, {
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: "x".repeat(8192) } }),
    });
    expect(r.status).toBe(413);
    expect(r.answer).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    expect(r.answer.error?.message).toMatch(/larger than 4096 bytes \(bodyLimit\)/);
  });

  it("a body nested deeper than maxDepth is a JSON-RPC error with id null, however deep", async () => {
    for (const depth of [33, 4000]) {
      const params = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      const r = await rpcHttp(server.url, "", undefined, {
        body: `{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"x","deep":${params}}}`.slice(0, 4000),
      });
      expect(r.answer.id, String(depth)).toBeNull();
      expect(r.answer.error?.code, String(depth)).toBe(-32600);
      expect(r.answer.error?.message).toMatch(/deeper than 32 levels/);
    }
    const fine = `${"[".repeat(20)}${"]".repeat(20)}`;
    const ok = await rpcHttp(server.url, "", undefined, { body: `{"jsonrpc":"2.0","id":2,"method":"GetTask","params":{"id":"x","deep":${fine}}}` });
    expect(ok.answer.error?.code, "within the limit the request is read (and the task is unknown)").toBe(-32001);
  });

  it("brackets inside strings do not count as nesting", async () => {
    const r = await rpc(server.url, "GetTask", { id: "[".repeat(100) });
    expect(r.error?.code).toBe(-32001);
  });
});
