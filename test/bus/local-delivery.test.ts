/**
 * Local delivery (runtime/bus/local.ts, spec/bus.md "Local delivery"): over the memory
 * transport envelopes travel as private JSON copies instead of bytes. These tests hold it to
 * "exactly as the bytes would": the same bytes for raw readers, the same documents, the same
 * isolation between sender and receivers, the same rejections — checked side by side with NATS.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope } from "../../generated/ts/types.js";
import { EnvelopeBody, type Provenance } from "../../runtime/bus/local.js";
import { wireBytes } from "../../runtime/bus/wire.js";
import { createEnvelope } from "../../runtime/envelope/index.js";
import type { TransportMessage } from "../../runtime/transport/index.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

/** The sealed body of `env` (what the memory transport takes), or undefined when it must travel as bytes. */
function sealed(env: Envelope, provenance?: Provenance): EnvelopeBody | undefined {
  const body = new EnvelopeBody(env, provenance);
  return body.seal() >= 0 ? body : undefined;
}

describe("EnvelopeBody (sealed)", () => {
  it("is JSON.parse(JSON.stringify(env)): same bytes, equal documents, a fresh copy per receiver", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (payload, metadata) => {
        const env = createEnvelope({ event_type: "custom.thing", from: "a", payload: payload as Envelope["payload"], metadata });
        const local = sealed(env);
        if (local === undefined) {
          // the one JSON document left to the bytes path: a "__proto__" member (JSON.parse makes it an own property)
          expect(text(wireBytes(env))).toContain('"__proto__"');
          return;
        }
        const bytes = local!.bytes();
        expect(text(bytes)).toBe(text(wireBytes(env)));
        expect(bytes.byteLength).toBeLessThanOrEqual(local!.maxByteLength);
        const a = local!.open();
        const b = local!.open();
        expect(a).toStrictEqual(JSON.parse(text(bytes)));
        expect(Object.keys(a!)).toEqual(Object.keys(JSON.parse(text(bytes)) as object));
        expect(a).not.toBe(b);
        if (typeof a!.payload === "object" && a!.payload !== null) expect(a!.payload).not.toBe(b!.payload);
      }),
      { numRuns: 300 },
    );
  });

  it("follows JSON's rules for undefined, functions and -0, and bounds the size of escapes", () => {
    const env = createEnvelope({
      event_type: "custom.thing",
      from: "a",
      payload: { keep: 1, gone: undefined, fn: () => 1, list: [undefined, () => 1, -0, "\u0000\ud800"], zero: -0 } as unknown as Envelope["payload"],
    });
    const local = sealed(env)!;
    expect(text(local.bytes())).toBe(text(wireBytes(env)));
    expect(Object.is((local.open()!.payload as { zero: number }).zero, 0)).toBe(true);
    expect(local.open()!.payload).toStrictEqual(JSON.parse(text(wireBytes(env))).payload);
    expect(local.bytes().byteLength).toBeLessThanOrEqual(local.maxByteLength);
  });

  it("takes over a handed-over envelope: copies its payload and metadata, leaves the caller's objects alone", () => {
    const payload = { list: [1, { deep: true }], zero: -0 };
    const metadata = { k: "v" };
    const env = createEnvelope({ event_type: "custom.thing", from: "a", payload: payload as unknown as Envelope["payload"], metadata });
    const expected = text(wireBytes(env));
    const local = sealed(env, "handed-over")!;
    expect(text(local.bytes())).toBe(expected);
    local.routed(1);
    const doc = local.open()!;
    expect(doc).toBe(env); // the envelope itself …
    expect(doc.payload).not.toBe(payload); // … with copies of what the caller owns
    expect(doc.metadata).not.toBe(metadata);
    (doc.payload as { list: unknown[] }).list.push(2);
    expect(payload).toEqual({ list: [1, { deep: true }], zero: -0 });
    expect(Object.is((doc.payload as { zero: number }).zero, 0)).toBe(true);
    const withUndefined = createEnvelope({ event_type: "custom.thing", from: "a" });
    (withUndefined as Record<string, unknown>)["extra"] = undefined;
    expect(sealed(withUndefined, "handed-over")).toBeUndefined(); // JSON would leave it out: bytes path
  });

  it("leaves anything that is not plain JSON data to the bytes path", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    const protoKey = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    class Point {
      x = 1;
    }
    for (const payload of [
      new Date(0),
      new Point(),
      { n: Number.NaN },
      { n: Number.POSITIVE_INFINITY },
      { b: 1n },
      cyclic,
      deep,
      protoKey,
      { toJSON: () => "x" },
      new Map(),
    ]) {
      const env = createEnvelope({ event_type: "custom.thing", from: "a" });
      env.payload = payload as Envelope["payload"];
      expect(sealed(env)).toBeUndefined();
    }
  });
});

describe.each(["memory", "nats"] as const)("the same behaviour over %s", (kind) => {
  let net: Network;
  beforeAll(async () => {
    net = await openNetwork(kind);
  });
  afterAll(async () => {
    await net.close();
  });

  it("raw subscribers read the bytes the envelope encodes to", async () => {
    const pub = await net.bus("raw-pub");
    const t = await net.transport();
    const got: TransportMessage[] = [];
    const sub = t.subscribe("acp.v1.events.raw.read", {}, (m) => void got.push(m));
    await net.settle();
    await pub.publish("raw.read", { text: "héllo \u2028", n: 1.5 });
    await waitFor("the raw message", () => got.length === 1);
    expect(got[0]!.body !== undefined).toBe(kind === "memory"); // memory: a local body whose bytes are made on read
    const env = JSON.parse(text(got[0]!.data)) as Envelope;
    expect(env.payload).toEqual({ text: "héllo \u2028", n: 1.5 });
    expect(text(got[0]!.data)).toBe(text(wireBytes(env)));
    sub.unsubscribe();
  });

  it("isolates sender and receivers: nobody sees another's later changes", async () => {
    const pub = await net.bus("iso-pub");
    const a = await net.bus("iso-a");
    const b = await net.bus("iso-b");
    const seen: unknown[] = [];
    a.subscribe("iso.event", (p: { list: number[] }) => {
      p.list.push(99); // a receiver changing its copy
      seen.push(structuredClone(p));
    });
    b.subscribe("iso.event", (p: { list: number[] }) => void seen.push(structuredClone(p)));
    await net.settle();
    const payload = { list: [1] };
    await pub.publish("iso.event", payload);
    payload.list.push(2); // the sender changing its object after the send
    await waitFor("both deliveries", () => seen.length === 2);
    expect(seen).toContainEqual({ list: [1, 99] });
    expect(seen).toContainEqual({ list: [1] });
    expect(payload).toEqual({ list: [1, 2] });

    const server = await net.bus("iso-server");
    const client = await net.bus("iso-client");
    const constant = { items: ["x"] };
    server.handleInvoke("iso-target", (req: { items: string[] }) => {
      req.items.push("handler");
      return constant;
    });
    await net.settle();
    const request = { items: ["caller"] };
    const result = await client.invoke<{ items: string[] }>("iso-target", request);
    result.items.push("caller-change");
    expect(request).toEqual({ items: ["caller"] });
    expect(constant).toEqual({ items: ["x"] });
    expect((await client.invoke<{ items: string[] }>("iso-target", { items: [] })).items).toEqual(["x"]);
  });

  it("carries non-JSON values the way JSON does", async () => {
    const server = await net.bus("json-server");
    const client = await net.bus("json-client");
    server.handleInvoke("json-target", (req) => ({ echo: req, at: new Date(0), nan: Number.NaN, gone: undefined }));
    await net.settle();
    const result = await client.invoke("json-target", { when: new Date(0), list: [undefined, -0] });
    expect(result).toStrictEqual({
      echo: { when: "1970-01-01T00:00:00.000Z", list: [null, 0] },
      at: "1970-01-01T00:00:00.000Z",
      nan: null,
    });
    await expect(client.invoke("json-target", { big: 1n })).rejects.toMatchObject({ code: "CODEC_FAILURE" });
  });

  it("rejects an envelope that breaks the schema, with the decoder's pointer", async () => {
    const logged: { msg: string; fields: Record<string, unknown> }[] = [];
    const logger = { warn: (fields: Record<string, unknown>, msg: string) => void logged.push({ msg, fields }) };
    const sub = await net.bus("schema-sub", { logger });
    const pub = await net.bus("schema-pub");
    const got: unknown[] = [];
    sub.subscribe("agent.response.error", (p) => void got.push(p));
    sub.subscribe("ok.after", (p) => void got.push(p));
    await net.settle();
    await pub.publish("agent.response.error", { message: "no code" } as never);
    await pub.publish("ok.after", { fine: true });
    await waitFor("the valid event", () => got.length === 1);
    expect(got).toEqual([{ fine: true }]);
    expect(sub.stats().rejected).toEqual({ codec: 0, invalid: 1, total: 1 });
    const rejected = logged.find((l) => l.msg === "rejected inbound envelope");
    expect(rejected?.fields).toMatchObject({ code: "INVALID_REQUEST", pointer: "/payload/code" });
  });

  it("applies the receiver's maxBytes to the encoded size", async () => {
    const small = await net.bus("size-sub", { maxBytes: 600 });
    const pub = await net.bus("size-pub");
    const got: string[] = [];
    small.subscribe("size.event", (p: { s: string }) => void got.push(p.s));
    await net.settle();
    // 100 control characters: 600 bytes as JSON escapes, within the bound's worst case.
    await pub.publish("size.event", { s: "\u0001".repeat(100) });
    await pub.publish("size.event", { s: "small" });
    await waitFor("the small event", () => got.length === 1);
    expect(got).toEqual(["small"]);
    expect(small.stats().rejected).toEqual({ codec: 1, invalid: 0, total: 1 });
  });
});
