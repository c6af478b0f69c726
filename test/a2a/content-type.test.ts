/**
 * The JSON-RPC endpoint checks the request's Content-Type before it reads the body as JSON:
 * anything but application/json (or a +json type) is ContentTypeNotSupportedError (-32005,
 * HTTP 415), not a parse error, even when the body happens to be JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixture, type Fixture, type RpcAnswer } from "./a2a-fixture.js";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

const request = { jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: { role: "ROLE_USER", parts: [{ text: "ct" }], messageId: "ct-1" } } };

async function post(contentType: string | undefined, body: string): Promise<{ status: number; answer: RpcAnswer }> {
  const headers: Record<string, string> = { "A2A-Version": "1.0" };
  if (contentType !== undefined) headers["content-type"] = contentType;
  const res = await fetch(f.url, { method: "POST", headers, body });
  return { status: res.status, answer: (await res.json()) as RpcAnswer };
}

describe("Content-Type of JSON-RPC requests", () => {
  it("JSONRPC-SSE-002: a body that is not JSON sent as text/plain is ContentTypeNotSupportedError -32005, not a parse error", async () => {
    // what the TCK sends: Python's repr of the request, as text/plain
    const { status, answer } = await post("text/plain", String(request).replace(/"/g, "'"));
    expect(status).toBe(415);
    expect(answer.id).toBeNull();
    expect(answer.error?.code).toBe(-32005);
    expect(answer.error?.message).toContain("application/json");
    expect(answer.error?.data).toEqual([expect.objectContaining({ reason: "CONTENT_TYPE_NOT_SUPPORTED", domain: "a2a-protocol.org" })]);
  });

  it("JSONRPC-SSE-002: valid JSON under a wrong content type is refused the same way; so is a request with none", async () => {
    expect((await post("text/plain", JSON.stringify(request))).answer.error?.code).toBe(-32005);
    expect((await post(undefined, JSON.stringify(request))).answer.error?.code).toBe(-32005);
  });

  it("application/json that is not JSON is still a parse error (-32700)", async () => {
    const { answer } = await post("application/json", "{not json");
    expect(answer.error?.code).toBe(-32700);
  });

  it("application/json with a charset and +json types are JSON", async () => {
    for (const ct of ["application/json; charset=utf-8", "application/a2a+json"]) {
      const { status, answer } = await post(ct, JSON.stringify({ ...request, params: { message: { ...request.params.message, messageId: `ct-${ct}` } } }));
      expect(status, ct).toBe(200);
      expect((answer.result as { task: { status: { state: string } } }).task.status.state).toBe("TASK_STATE_COMPLETED");
    }
  });
});
