/**
 * The official A2A Python SDK (a2a-sdk 1.3.0, its gRPC transport on grpcio) against our gRPC
 * binding: test/peers/a2a-python/grpc_client.py resolves our card, keeps only its GRPC
 * interface, and runs send, stream, get, list, cancel, subscribe, push config CRUD, the
 * extended card and errors; this test asserts on what it saw. The SDK checks that the
 * google.rpc.Status in grpc-status-details-bin agrees with the call's code and message, and
 * raises its typed errors from the ErrorInfo reason.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGrpcEnv, type GrpcEnv, type Obj } from "./grpc-env.js";

const run = promisify(execFile);
let env: GrpcEnv;
let seen: Obj;

beforeAll(async () => {
  const python = (await run("bash", ["scripts/a2a-peer-env.sh"], { timeout: 600_000 })).stdout.trim();
  env = await startGrpcEnv();
  const token = await env.token("python", "tenant-a");
  const { stdout } = await run(python, ["test/peers/a2a-python/grpc_client.py", env.main.url, token], { timeout: 60_000 });
  seen = JSON.parse(stdout) as Obj;
}, 660_000);
afterAll(async () => {
  await env?.close();
});

describe("a2a-sdk 1.3.0 (Python) gRPC client against our gRPC binding", () => {
  it("picks the card's GRPC interface", () => {
    expect(seen["transport"]).toBe("GrpcTransport");
  });

  it("SendMessage: the completed task with its artifact", () => {
    expect(seen["send"]).toMatchObject({ state: "TASK_STATE_COMPLETED", text: "hello py grpc" });
  });

  it("SendStreamingMessage: Task, status and artifact updates in order", () => {
    expect(seen["stream"]).toEqual(["task", "status_update", "artifact_update", "artifact_update", "artifact_update", "status_update"]);
  });

  it("GetTask, ListTasks with a context filter and paging", () => {
    expect(seen["get_list"]).toEqual({ got: true, page: 1, total: 2, rest: true });
  });

  it("SubscribeToTask answers the Task first; CancelTask cancels; again is TaskNotCancelableError", () => {
    expect(seen["subscribe_cancel"]).toEqual({ subscribed: ["task"], state: "TASK_STATE_CANCELED", again: "TaskNotCancelableError" });
  });

  it("push config create / get / list / delete, the token not echoed", () => {
    expect(seen["push"]).toEqual({ created: true, token_echoed: false, got: "http://127.0.0.1:9/py-grpc-hook", listed: true, after: 0 });
  });

  it("GetExtendedAgentCard: the extended card", () => {
    expect(seen["extended"]).toEqual({ description: "demo agent over gRPC (extended card)", bindings: ["JSONRPC", "HTTP+JSON", "GRPC", "JSONRPC"] });
  });

  it("errors: TaskNotFoundError and UnsupportedOperationError from our ErrorInfo; no token is refused UNAUTHENTICATED", () => {
    expect(seen["not_found"]).toMatchObject({ error: "TaskNotFoundError" });
    // sent as UNIMPLEMENTED (the TCK's binding; the SDK's own server sends FAILED_PRECONDITION): mapped by the ErrorInfo reason
    expect(seen["unsupported"]).toMatchObject({ error: "UnsupportedOperationError" });
    expect(seen["unauthenticated"]).toMatchObject({ error: "A2AClientError" });
    expect(seen["unauthenticated"]["message"]).toMatch(/UNAUTHENTICATED/);
  });
});
