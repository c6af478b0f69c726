/**
 * The request-level metadata of SendMessageRequest reaches the bus handler (with the message's
 * metadata, which wins a key both carry; acp.* keys stay reserved), and CancelTaskRequest's
 * metadata is read as a Struct like every other field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixture, type Fixture } from "./a2a-fixture.js";

type DataTask = { task: { artifacts?: { parts: { data?: { metadata?: Record<string, unknown> } }[] }[] } };

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

describe("request metadata", () => {
  it("SendMessageRequest.metadata reaches the handler; the message's metadata wins a shared key; acp.* stays reserved", async () => {
    const r = await f.result<DataTask>("SendMessage", {
      message: f.text("metadata", { metadata: { shared: "from message", only_message: 1 } }),
      metadata: { shared: "from request", request_only: true, "acp.trace": "forged" },
    });
    const seen = r.task.artifacts?.[0]?.parts[0]?.data?.metadata ?? {};
    expect(seen).toMatchObject({ shared: "from message", only_message: 1, request_only: true });
    expect(seen).not.toHaveProperty("acp.trace");
  });

  it("CancelTaskRequest.metadata must be a Struct (an object)", async () => {
    const a = await f.rpc("CancelTask", { id: "any", metadata: "not an object" });
    expect(a.error?.code).toBe(-32602);
    expect(a.error?.message).toContain("params.metadata");
  });
});
