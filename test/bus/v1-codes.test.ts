/**
 * issue 9 §6: extension error codes (PERMISSION_DENIED, CANCELED) are unknown to deployed peers,
 * whose envelope schema has a closed list of codes. A schema_version 1 request is answered with
 * the nearest deployed code; the precise one rides in payload.cause["acp.code"], where deployed
 * readers pass it along uninterpreted, and this runtime's readers recover it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanceledError, PermissionDeniedError } from "../../runtime/errors.js";
import { createEnvelope, decodeOrThrow, encode } from "../../runtime/envelope/index.js";
import type { Envelope } from "../../generated/ts/types.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

describe.each(["memory", "nats"] as const)("extension error codes for v1 peers over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
    const server = await net.bus("guard");
    server.handleInvoke("guarded", () => {
      throw new PermissionDeniedError("tenant acme may not read this");
    });
    server.handleInvoke("stopped", () => {
      throw new CanceledError("the work was canceled");
    });
    server.handleStream("sguarded", async (_p, w) => {
      await w.delta("a");
      await w.error(new PermissionDeniedError("no more for you"));
    });
    await net.settle();
  });
  afterAll(async () => {
    await net.close();
  });

  it("answers a raw v1 request with the nearest deployed code and keeps the precise code in cause", async () => {
    const raw = await net.transport();
    const inbox = raw.newInbox();
    const replies: Envelope[] = [];
    const sub = raw.subscribe(`${inbox}.*`, {}, (m) => void replies.push(decodeOrThrow(m.data)));
    await net.settle();
    const targets = ["guarded", "stopped"];
    targets.forEach((to, i) => {
      raw.publish(
        `acp.v1.invoke.${to}`,
        encode(createEnvelope({ event_type: "agent.message.received", from: "py-peer", to, reply_to: `${inbox}.${i}`, payload: {} }, { schemaVersion: 1 })),
      );
    });
    await waitFor("both replies", () => replies.length === 2);
    const byFrom = Object.fromEntries(replies.map((r) => [r.from, r.payload]));
    expect(byFrom["guarded"]).toEqual({
      code: "AUTH_FAILURE",
      message: "tenant acme may not read this",
      retryable: false,
      cause: { "acp.code": "PERMISSION_DENIED" },
    });
    expect(byFrom["stopped"]).toEqual({ code: "AGENT_UNAVAILABLE", message: "the work was canceled", retryable: false, cause: { "acp.code": "CANCELED" } });
    sub.unsubscribe();
  });

  it("a v1 caller of this runtime recovers the precise code; a v2 caller gets it on the wire as is", async () => {
    const v1 = await net.bus("v1-caller", { schemaVersion: 1 });
    const v2 = await net.bus("v2-caller");
    const err1 = await v1.invoke("guarded", {}).catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(PermissionDeniedError);
    expect((err1 as PermissionDeniedError).details?.["payload"]).toMatchObject({ code: "AUTH_FAILURE" });
    const reply2 = await v2.invokeEnvelope("guarded", {});
    expect(reply2.payload).toEqual({ code: "PERMISSION_DENIED", message: "tenant acme may not read this", retryable: false });
    await expect(v2.invoke("stopped", {})).rejects.toBeInstanceOf(CanceledError);
    await expect(v1.invoke("stopped", {})).rejects.toBeInstanceOf(CanceledError);
    // stream error frames follow the same rule
    const frames: unknown[] = [];
    for await (const f of v1.streamInvoke("sguarded", {}, { yieldErrors: true })) frames.push(f.type === "error" ? f.error : f.type);
    expect(frames[1]).toBeInstanceOf(PermissionDeniedError);
    const wire = frames[1] as PermissionDeniedError;
    expect((wire.details?.["payload"] as { code: string } | undefined)?.code).toBe("AUTH_FAILURE");
  });
});
