/**
 * Deployed (schema_version 1) stream writers send bare payloads: the Python SDK's
 * `started("thinking")` and `delta("al")` put the value itself in `payload`. The client takes
 * them (strict validation) instead of failing the stream: a bare string delta is `frame.delta`,
 * any other bare delta payload `frame.data`, a bare started payload `frame.meta`. The frames
 * are the golden/v1 bytes, published by a raw peer as the deployed SDK would.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transport, TransportMessage } from "../../runtime/transport/index.js";
import type { Bus, StreamFrame } from "../../runtime/bus/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { openNetwork, type Network } from "./fixtures.js";

const golden = (path: string): string => readFileSync(`${REPO_ROOT}golden/${path}`, "utf8");
const enc = new TextEncoder();
const dec = new TextDecoder();

/** The golden frames in stream order (the final sample is seq 2 of its own stream: renumbered to 4). */
const FRAMES = [
  golden("v1/python-stream-started-bare-string.json"),
  golden("v1/python-stream-delta-bare-string.json"),
  golden("v1/python-stream-delta-bare-array.json"),
  golden("v1/python-stream-delta-bare-number.json"),
  golden("v1/python-stream-final-result-shaped.json").replace('"seq":2,', '"seq":4,'),
];

describe.each(["memory", "nats"] as const)("bare payloads of deployed stream writers over %s", (kind) => {
  let net: Network;
  let raw: Transport;
  let bus: Bus;
  beforeAll(async () => {
    net = await openNetwork(kind);
    raw = await net.transport();
    bus = await net.bus("ts-client", { schemaVersion: 1 });
  });
  afterAll(async () => {
    await net.close();
  });

  it('surfaces started("thinking") as meta, delta("al") as delta, other bare deltas as data', async () => {
    // a deployed Python server: answers each stream request with the golden frames, correlated to it
    const sub = raw.subscribe("acp.v1.invoke.py-translator", { queue: "py-translator" }, (m: TransportMessage) => {
      const req = JSON.parse(dec.decode(m.data)) as { event_id: string; reply_to: string };
      for (const frame of FRAMES) {
        const text = frame.split("019ca8d7-6009-7a09-8f10-600000000009").join(req.event_id);
        raw.publish(req.reply_to, enc.encode(text));
      }
    });
    await net.settle();
    const frames: StreamFrame[] = [];
    for await (const f of bus.streamInvoke("py-translator", { text: "Grüße aus Köln" })) frames.push(f);
    expect(frames.map((f) => f.type)).toEqual(["started", "delta", "delta", "delta", "final"]);
    const [started, text, array, number, final] = frames;
    expect(started!.type === "started" && started!.meta).toBe("thinking");
    expect(text!.type === "delta" && [text!.delta, text!.data]).toEqual(["al", undefined]);
    expect(array!.type === "delta" && [array!.delta, array!.data]).toEqual([undefined, ["ice", 2]]);
    expect(number!.type === "delta" && [number!.delta, number!.data]).toEqual([undefined, 0.75]);
    expect(final!.type === "final" && final!.result).toEqual({ text: "Greetings from Cologne \u{1F600}" });
    sub.unsubscribe();
  });

  it("keeps v1 object payloads outside the standard shapes: started({model}) as meta, delta({tokens}) as data; standard and empty ones as before", async () => {
    // the deployed writer sends objects as given: started({"model":"m1"}), delta({"tokens":2})
    const started = golden("v1/python-stream-started-bare-string.json");
    const delta = golden("v1/python-stream-delta-bare-array.json");
    const frames = [
      started.replace('"payload":"thinking"', '"payload":{"model":"m1"}'),
      delta.replace('"seq":2,', '"seq":1,').replace('"payload":["ice",2]', '"payload":{"tokens":2}'),
      delta.replace('"payload":["ice",2]', '"payload":{"model":"m1","meta":{}}'),
      delta.replace('"seq":2,', '"seq":3,').replace('"payload":["ice",2]', '"payload":{"delta":"x","tokens":3}'),
      delta.replace('"seq":2,', '"seq":4,').replace('"payload":["ice",2]', '"payload":{"data":{"k":1},"tokens":4}'),
      delta.replace('"seq":2,', '"seq":5,').replace('"payload":["ice",2]', '"payload":{}'),
      golden("v1/python-stream-final-result-shaped.json").replace('"seq":2,', '"seq":6,'),
    ];
    expect(frames[0]).toContain('"payload":{"model":"m1"}');
    expect(frames[1]).toContain('"payload":{"tokens":2}');
    const sub = raw.subscribe("acp.v1.invoke.py-objects", { queue: "py-objects" }, (m: TransportMessage) => {
      const req = JSON.parse(dec.decode(m.data)) as { event_id: string; reply_to: string };
      for (const frame of frames) raw.publish(req.reply_to, enc.encode(frame.split("019ca8d7-6009-7a09-8f10-600000000009").join(req.event_id)));
    });
    await net.settle();
    const got: unknown[] = [];
    for await (const f of bus.streamInvoke("py-objects", {})) {
      got.push(f.type === "started" ? { meta: f.meta } : f.type === "delta" ? { delta: f.delta, data: f.data } : f.type);
    }
    expect(got).toEqual([
      { meta: { model: "m1" } },
      { delta: undefined, data: { tokens: 2 } },
      { delta: undefined, data: { model: "m1", meta: {} } }, // "meta" is no delta field
      { delta: "x", data: undefined }, // standard shape: its fields, as before
      { delta: undefined, data: { k: 1 } },
      { delta: undefined, data: undefined }, // nothing to keep
      "final",
    ]);
    sub.unsubscribe();
  });

  it("reads schema_version 2 frames by their standard shape only (extra keys of started are not meta)", async () => {
    const v2 = (text: string): string => text.replace('"schema_version":1,', '"schema_version":2,');
    const frames = [
      v2(golden("v1/python-stream-started-bare-string.json").replace('"payload":"thinking"', '"payload":{"model":"m1"}')),
      v2(golden("v1/python-stream-final-result-shaped.json").replace('"seq":2,', '"seq":1,')),
    ];
    const sub = raw.subscribe("acp.v1.invoke.v2-objects", { queue: "v2-objects" }, (m: TransportMessage) => {
      const req = JSON.parse(dec.decode(m.data)) as { event_id: string; reply_to: string };
      for (const frame of frames) raw.publish(req.reply_to, enc.encode(frame.split("019ca8d7-6009-7a09-8f10-600000000009").join(req.event_id)));
    });
    await net.settle();
    const got: unknown[] = [];
    for await (const f of bus.streamInvoke("v2-objects", {})) got.push(f.type === "started" ? { meta: f.meta } : f.type);
    expect(got).toEqual([{ meta: undefined }, "final"]);
    sub.unsubscribe();
  });
});
