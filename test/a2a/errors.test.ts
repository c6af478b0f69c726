/**
 * The A2A handler is protocol-neutral (spec/a2a.md "Errors"): it raises A2aErrors that carry a
 * reason and no binding code; the JSON-RPC binding alone assigns JSON-RPC codes, and turns a
 * received code back into a reason.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, createMemoryTransport, type Bus, type Transport } from "../../runtime/index.js";
import { A2A_ERROR_REASONS, A2aBridge, A2aClient, A2aError, type A2aErrorReason } from "../../runtime/a2a/index.js";
import { ANONYMOUS_CALLER } from "../../runtime/a2a/auth.js";
import { errorFromJsonRpc, toJsonRpcError } from "../../runtime/a2a/jsonrpc.js";
import { InvalidRequestError } from "../../runtime/errors.js";

/** The JSON-RPC codes of the A2A 1.0 specification, section "JSON-RPC binding" (and JSON-RPC 2.0's own). */
const SPEC_CODES: Record<A2aErrorReason, number> = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  TASK_NOT_FOUND: -32001,
  TASK_NOT_CANCELABLE: -32002,
  PUSH_NOTIFICATION_NOT_SUPPORTED: -32003,
  UNSUPPORTED_OPERATION: -32004,
  CONTENT_TYPE_NOT_SUPPORTED: -32005,
  INVALID_AGENT_RESPONSE: -32006,
  EXTENDED_AGENT_CARD_NOT_CONFIGURED: -32007,
  EXTENSION_SUPPORT_REQUIRED: -32008,
  VERSION_NOT_SUPPORTED: -32009,
};

let transport: Transport;
let bus: Bus;
let bridge: A2aBridge;

beforeAll(() => {
  transport = createMemoryTransport();
  bus = createBus({ agentId: "bridge", transport });
  bridge = new A2aBridge({ bus, target: "demo", auth: "none", card: { name: "e", description: "d", version: "1" }, pushNotifications: false });
});
afterAll(async () => {
  await bridge.close();
  await bus.close();
  await transport.close();
});

/** What `p` rejected with. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (err: unknown) => err,
  );
}

describe("the handler raises reasons, not binding codes", () => {
  it.each([
    ["GetTask", { id: "no-such-task" }, "TASK_NOT_FOUND"],
    ["CancelTask", { id: "no-such-task" }, "TASK_NOT_FOUND"],
    ["CreateTaskPushNotificationConfig", { taskId: "t", url: "https://example.com/hook" }, "PUSH_NOTIFICATION_NOT_SUPPORTED"],
    // A2A 1.0 section 3.3.4 (TCK CORE-CAP-003): the card declares no extended card
    ["GetExtendedAgentCard", {}, "UNSUPPORTED_OPERATION"],
  ] as const)("%s", async (method, params, reason) => {
    const err = await rejection(bridge.handler.handle(ANONYMOUS_CALLER, method, params));
    expect(err).toBeInstanceOf(A2aError);
    expect((err as A2aError).reason).toBe(reason);
    expect((err as A2aError).wire).toBeUndefined();
    // nothing JSON-RPC about it: no code of that binding on the error
    const fields = JSON.stringify({ ...(err as object) });
    expect(fields).not.toMatch(/-32\d\d\d/);
    expect("rpcCode" in (err as object)).toBe(false);
  });
});

describe("the JSON-RPC binding", () => {
  it("assigns each reason the code the A2A specification gives it", () => {
    expect([...A2A_ERROR_REASONS.keys()].sort()).toEqual(Object.keys(SPEC_CODES).sort());
    for (const [reason, code] of Object.entries(SPEC_CODES) as [A2aErrorReason, number][]) {
      expect(toJsonRpcError(new A2aError(reason, "m")).code, reason).toBe(code);
    }
  });

  it("maps other errors by their catalogue code, and anything else to -32603", () => {
    expect(toJsonRpcError(new InvalidRequestError("bad")).code).toBe(-32602);
    expect(toJsonRpcError(new Error("boom"))).toEqual({ code: -32603, message: "boom" });
  });

  it("reads a received error back into its reason, keeping the code and data it came with", () => {
    const err = errorFromJsonRpc({ code: -32001, message: "Task not found: t", data: [{ reason: "TASK_NOT_FOUND" }] });
    expect(err.reason).toBe("TASK_NOT_FOUND");
    expect(err.code).toBe("INVALID_REQUEST");
    expect(err.wire).toEqual({ binding: "jsonrpc", code: -32001, data: [{ reason: "TASK_NOT_FOUND" }] });
    const unknown = errorFromJsonRpc({ code: -31999, message: "custom" });
    expect(unknown.reason).toBe("INTERNAL_ERROR");
    expect(unknown.wire?.code).toBe(-31999);
  });
});

describe("A2aClient checks the results it types", () => {
  // A real HTTP server answering every JSON-RPC call with the result set for its method.
  const results: Record<string, unknown> = {};
  let server: Server;
  let client: A2aClient;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req
        .setEncoding("utf8")
        .on("data", (d: string) => (body += d))
        .on("end", () => {
          const rpc = JSON.parse(body) as { id: number; method: string };
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ jsonrpc: "2.0", id: rpc.id, result: results[rpc.method] }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new A2aClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const task = { id: "t1", contextId: "c1", status: { state: "TASK_STATE_COMPLETED" } };

  it("a well-formed Task, list and push config come back as sent", async () => {
    results["GetTask"] = task;
    results["CancelTask"] = task;
    results["ListTasks"] = { tasks: [task], nextPageToken: "" };
    results["CreateTaskPushNotificationConfig"] = { taskId: "t1", url: "https://example.com/h" };
    expect(await client.getTask("t1")).toEqual(task);
    expect(await client.cancelTask("t1")).toEqual(task);
    expect((await client.listTasks()).tasks).toEqual([task]);
    expect((await client.createPushConfig({ taskId: "t1", url: "https://example.com/h" } as never)).url).toBe("https://example.com/h");
  });

  it.each([
    ["GetTask", { id: "t1" }, (c: A2aClient) => c.getTask("t1")],
    ["GetTask", "not a task", (c: A2aClient) => c.getTask("t1")],
    ["CancelTask", { id: "t1", contextId: "c1", status: {} }, (c: A2aClient) => c.cancelTask("t1")],
    ["ListTasks", { tasks: [{ id: 1 }] }, (c: A2aClient) => c.listTasks()],
    ["ListTasks", {}, (c: A2aClient) => c.listTasks()],
    ["CreateTaskPushNotificationConfig", {}, (c: A2aClient) => c.createPushConfig({ taskId: "t1", url: "https://example.com/h" } as never)],
  ] as const)("%s answering %j is INVALID_AGENT_RESPONSE", async (method, result, call) => {
    results[method] = result;
    const err = await rejection(call(client));
    expect(err).toBeInstanceOf(A2aError);
    expect((err as A2aError).reason).toBe("INVALID_AGENT_RESPONSE");
  });
});
