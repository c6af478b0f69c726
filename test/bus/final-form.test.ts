/**
 * issue 9 §6: one wire form for finals — the deployed SDKs' (openagentio 0.3.0 `_final_response`
 * / `StreamWriter.final` encode the handler's value as the payload itself) — while both forms
 * are still read. spec/bus.md "Wire format".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvelope, decodeOrThrow, encode } from "../../runtime/envelope/index.js";
import type { Envelope } from "../../generated/ts/types.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

describe.each(["memory", "nats"] as const)("final wire form over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("writes the bare value (invoke and stream), wraps only a value that is itself {result}, and reads its own finals back exactly", async () => {
    const server = await net.bus("fin-server");
    const caller = await net.bus("fin-caller");
    const values: unknown[] = [5, "text", null, [1, 2], { a: 1 }, { result: 1 }, { result: 1, other: 2 }];
    server.handleInvoke("value", (i: number) => values[i]);
    server.handleStream("streamed", async (i: number, w) => {
      await w.delta("x");
      await w.final(values[i]);
    });
    const raw = await net.transport();
    const inbox = raw.newInbox();
    const wire: Envelope[] = [];
    const sub = raw.subscribe(`${inbox}.*`, {}, (m) => void wire.push(decodeOrThrow(m.data)));
    await net.settle();
    for (let i = 0; i < values.length; i++) {
      expect(await caller.invoke("value", i)).toEqual(values[i]);
      let streamed: unknown = "missing";
      for await (const f of caller.streamInvoke("streamed", i)) if (f.type === "final") streamed = f.result;
      expect(streamed).toEqual(values[i]);
      raw.publish(
        "acp.v1.invoke.value",
        encode(
          createEnvelope({
            event_type: "agent.message.received",
            from: "tap",
            to: "value",
            reply_to: `${inbox}.${i}`,
            payload: i as unknown as Envelope["payload"],
          }),
        ),
      );
    }
    await waitFor("the tapped finals", () => wire.length === values.length);
    const payloads = wire.map((env) => env.payload);
    expect(payloads).toEqual(expect.arrayContaining([5, "text", null, [1, 2], { a: 1 }, { result: { result: 1 } }, { result: 1, other: 2 }]));
    expect(payloads).toHaveLength(values.length);
    sub.unsubscribe();
  });

  it("reads both forms from a deployed-style server: {result: v} and the bare value", async () => {
    const caller = await net.bus("fin-reader");
    const raw = await net.transport();
    const forms: unknown[] = [{ result: { answer: 42 } }, { answer: 42 }];
    let n = 0;
    const sub = raw.subscribe("acp.v1.invoke.deployed", {}, (m) => {
      const req = decodeOrThrow(m.data);
      const reply = createEnvelope(
        {
          event_type: "agent.response.final",
          is_final: true,
          correlation_id: req.event_id,
          from: "deployed",
          to: req.from,
          payload: forms[n++ % 2] as Envelope["payload"],
        },
        { schemaVersion: 1 },
      );
      raw.publish(req.reply_to!, encode(reply));
    });
    await net.settle();
    expect(await caller.invoke("deployed", {})).toEqual({ answer: 42 });
    expect(await caller.invoke("deployed", {})).toEqual({ answer: 42 });
    sub.unsubscribe();
  });
});
