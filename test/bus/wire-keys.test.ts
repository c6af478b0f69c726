/**
 * issue 9 (class of bug): no lookup or write on a plain object keyed by a wire string. An error
 * code `constructor` found Object.prototype's constructor in the error class table (the call
 * rejected with a String object, not an AcpError); a metadata key `__proto__` was swallowed by
 * the prototype setter when a reply inherited the request's metadata. Over a real nats-server,
 * the bytes path.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcpError } from "../../runtime/errors.js";
import { decodeOrThrow } from "../../runtime/envelope/index.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

const enc = new TextEncoder();
const ID = "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41";

describe("wire strings as keys over nats", () => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork("nats");
  });
  afterAll(async () => {
    await net.close();
  });

  it("an error reply whose code is 'constructor' (lenient reader) is an AcpError with that code", async () => {
    const caller = await net.bus("lenient-caller", { validation: "lenient" });
    const raw = await net.transport();
    const sub = raw.subscribe("acp.v1.invoke.odd", {}, (m) => {
      const req = decodeOrThrow(m.data);
      raw.publish(
        req.reply_to!,
        enc.encode(
          JSON.stringify({
            spec_version: "acp/1.0",
            schema_version: 1,
            event_id: ID,
            event_type: "agent.response.error",
            occurred_at: "2026-01-01T00:00:00Z",
            correlation_id: req.event_id,
            is_final: true,
            from: "odd",
            payload: { code: "constructor", message: "odd peer", retryable: false },
          }),
        ),
      );
    });
    await net.settle();
    const err = await caller.invoke("odd", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AcpError);
    expect(err).toMatchObject({ code: "constructor", message: "odd peer", retryable: false });
    sub.unsubscribe();
  });

  it("a reply inherits a request metadata key named __proto__ as an own member", async () => {
    const server = await net.bus("meta-server");
    server.handleInvoke("meta", () => "ok");
    const raw = await net.transport();
    const inbox = raw.newInbox();
    let reply: Record<string, unknown> | undefined;
    const sub = raw.subscribe(inbox, {}, (m) => void (reply = JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>));
    await net.settle();
    raw.publish(
      "acp.v1.invoke.meta",
      enc.encode(
        `{"spec_version":"acp/1.0","schema_version":1,"event_id":"${ID}","event_type":"agent.message.received",` +
          `"occurred_at":"2026-01-01T00:00:00Z","from":"raw","to":"meta","reply_to":"${inbox}","metadata":{"__proto__":{"polluted":true},"k":"v"}}`,
      ),
    );
    await waitFor("the reply", () => reply !== undefined);
    const meta = reply!["metadata"] as Record<string, unknown>;
    expect(Object.keys(meta).sort()).toEqual(["__proto__", "k"]);
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect((meta as { polluted?: unknown }).polluted).toBeUndefined();
    sub.unsubscribe();
  });
});
