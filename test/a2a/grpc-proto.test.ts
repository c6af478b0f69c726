import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadA2aGrpc } from "../../runtime/a2a/grpc-proto.js";
import { loadA2aProto, normalizeProtoJson } from "../../runtime/a2a/proto.js";

const METHODS = [
  "CancelTask",
  "CreateTaskPushNotificationConfig",
  "DeleteTaskPushNotificationConfig",
  "GetExtendedAgentCard",
  "GetTask",
  "GetTaskPushNotificationConfig",
  "ListTaskPushNotificationConfigs",
  "ListTasks",
  "SendMessage",
  "SendStreamingMessage",
  "SubscribeToTask",
];

describe("A2A 1.0 protocol definition", () => {
  it("the gRPC service has every A2A 1.0 method, and a request round-trips binary <-> ProtoJSON", () => {
    const { service } = loadA2aGrpc();
    expect(Object.keys(service).sort()).toEqual(METHODS);
    const send = service["SendMessage"]!;
    expect(send.path).toBe("/lf.a2a.v1.A2AService/SendMessage");
    expect(service["SendStreamingMessage"]!.responseStream).toBe(true);
    expect(send.responseStream).toBe(false);
    const request = {
      message: { messageId: "m-1", role: "ROLE_USER", parts: [{ text: "hi" }, { data: { a: [1, "x", null] } }], metadata: { k: "v" } },
      configuration: { historyLength: 2 },
    };
    expect(send.requestDeserialize(send.requestSerialize(request))).toEqual(request);
  });

  it("a ProtoJSON reader accepts original field names, drops unknown fields, and refuses a malformed timestamp", () => {
    const proto = loadA2aProto();
    const list = proto.method("ListTasks")!.input;
    expect(normalizeProtoJson(list, { context_id: "c-1", page_size: 5, include_artifacts: true, surplus: 1 })).toEqual({
      contextId: "c-1",
      pageSize: 5,
      includeArtifacts: true,
    });
    expect(normalizeProtoJson(list, { statusTimestampAfter: "2026-01-02T03:04:05Z" })).toEqual({ statusTimestampAfter: "2026-01-02T03:04:05Z" });
    expect(() => normalizeProtoJson(list, { statusTimestampAfter: "-1" })).toThrow(/statusTimestampAfter|status_timestamp_after|timestamp/i);
    expect(() => normalizeProtoJson(list, { surplus: 1 }, false)).toThrow(/surplus/);
  });

  it("schema/a2a/a2a-v1.descriptor.json is the descriptor of the pinned official SDK (a2a-sdk 1.3.0)", () => {
    // exits 1 with a message when the committed file differs from what the pinned wheel holds
    execFileSync("bash", ["scripts/a2a-descriptor.sh", "--check"], { stdio: "pipe" });
  }, 120_000);
});
