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
import { expectNoLeaks, liveHandles, openNetwork, type Network } from "./fixtures.js";

const before = liveHandles();
afterAll(async () => {
  await expectNoLeaks(before);
});

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

  it("surfaces started(\"thinking\") as meta, delta(\"al\") as delta, other bare deltas as data", async () => {
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
});
