import { describe, expect, it } from "vitest";
import { createEnvelope, decode, encode, type Envelope } from "../../runtime/index.js";
import { validation } from "../../runtime/middleware/index.js";
import { useNet, waitFor } from "./net.js";

const net = useNet();

describe("validation", () => {
  it("makes handlers of a lenient bus strict: a schema defect is answered INVALID_REQUEST with its pointer", async () => {
    let handled = 0;
    const server = await net.bus("v-server", {
      validation: "lenient",
      middleware: {
        inbound: [
          validation({
            check: (env) =>
              typeof (env.payload as { query?: unknown } | undefined)?.query === "string"
                ? undefined
                : { pointer: "/payload/query", message: "expected a string" },
          }).inbound,
        ],
      },
    });
    server.handleInvoke("search", () => {
      handled++;
      return "hits";
    });
    const raw = await net.bus("v-raw");
    const replies: Envelope[] = [];
    const inbox = raw.transport.newInbox();
    raw.transport.subscribe(inbox, {}, (msg) => {
      const r = decode(msg.data);
      if (r.ok) replies.push(r.envelope);
    });
    await net.settle();

    // seq must be a non-negative integer: lenient lets it through, validation does not
    const bad = { ...createEnvelope({ event_type: "agent.message.received", to: "search", from: "raw", reply_to: inbox, payload: { query: "x" } }), seq: -1 };
    raw.transport.publish("acp.v1.invoke.search", encode(bad));
    await waitFor("error reply", () => replies.length === 1);
    expect(replies[0]!.event_type).toBe("agent.response.error");
    expect(replies[0]!.payload).toMatchObject({ code: "INVALID_REQUEST", retryable: false, cause: { pointer: "/seq" } });
    expect(handled).toBe(0);

    // the extra check (an agent contract's input schema)
    const client = await net.bus("v-client");
    await expect(client.invoke("search", { query: 42 })).rejects.toMatchObject({ code: "INVALID_REQUEST", cause: { pointer: "/payload/query" } });
    expect(await client.invoke("search", { query: "cats" })).toBe("hits");
    expect(handled).toBe(1);
  });

  it("outbound: refuses to send an envelope its schema rejects", async () => {
    const client = await net.bus("v-client2", { middleware: { outbound: [validation({ outbound: true }).outbound] } });
    const err = await client.publish("agent.tool.call", { name: "search" } as never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "INVALID_REQUEST", details: { pointer: "/payload/call_id" } });
    await client.publish("agent.tool.call", { call_id: "c1", name: "search", arguments: {} });
  });
});
