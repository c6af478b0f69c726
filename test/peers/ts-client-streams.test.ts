/**
 * The TypeScript bus reading streams of the DEPLOYED Python SDK (openagentio==0.3.0 from
 * PyPI) over a real nats-server — every shape its StreamWriter writes, errors, and the dotted
 * targets its bridges register (openclaw.chat, {prefix}.{tool}) — with a raw tap recording the
 * wire (spec/interop.md "Stream frames", "Subjects"). One Python peer process for the file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "../../runtime/bus/index.js";
import { type AcpError, AgentTimeoutError, AgentUnavailableError, InvalidRequestError } from "../../runtime/errors.js";
import { openPeerNetwork, streamFrames, type PeerNetwork } from "./peer.js";

let net: PeerNetwork;
let ts: Bus;
beforeAll(async () => {
  net = await openPeerNetwork();
  ts = await net.bus("ts");
}, 60_000);
afterAll(async () => {
  await net?.close();
});

describe("streams: TS bus → deployed Python stream handler", () => {
  it("reads started/delta/final in the standard object shapes; frames carry seq 1.. (seq 0 is omitted)", async () => {
    await net.peer.ok("handle", { kind: "stream", target: "st-std" });
    const steps = [
      ["started", { meta: { model: "m1" } }],
      ["delta", { delta: "al" }],
      ["delta", { delta: "ice", data: { tokens: 2 } }],
      ["delta", { data: { tool: "search" } }],
      ["final", { text: "alice" }],
    ];
    const got = await streamFrames(ts, "st-std", { do: "stream", steps });
    expect(got.error).toBeUndefined();
    expect(got.frames).toEqual([
      { type: "started", meta: { model: "m1" } },
      { type: "delta", delta: "al", data: undefined },
      { type: "delta", delta: "ice", data: { tokens: 2 } },
      { type: "delta", delta: undefined, data: { tool: "search" } },
      { type: "final", result: { text: "alice" } },
    ]);
    const [req] = await net.tap.where("the request", (m) => m.subject === "acp.v1.invoke.st-std");
    const wire = await net.tap.where("five frames", (m) => m.subject === req!.json!["reply_to"], 5);
    expect(wire.map((m) => m.json!["seq"])).toEqual([undefined, 1, 2, 3, 4]);
    expect(wire.map((m) => m.json!["event_type"])).toEqual([
      "agent.response.started",
      "agent.response.delta",
      "agent.response.delta",
      "agent.response.delta",
      "agent.response.final",
    ]);
    expect(wire.map((m) => m.json!["is_final"])).toEqual([undefined, undefined, undefined, undefined, true]);
    expect(wire[4]!.json!["payload"]).toEqual({ text: "alice" });
    for (const m of wire) {
      expect(m.json).toMatchObject({ schema_version: 1, correlation_id: req!.json!["event_id"], from: "py-peer", to: "ts" });
      expect(m.json).not.toHaveProperty("metadata");
    }
  });

  it("a handler that returns without a terminal frame ends the stream with an empty final", async () => {
    await net.peer.ok("handle", { kind: "stream", target: "st-auto" });
    const got = await streamFrames(ts, "st-auto", { do: "stream", steps: [["delta", { delta: "x" }], ["return"]] });
    expect(got).toEqual({
      frames: [
        { type: "delta", delta: "x", data: undefined },
        { type: "final", result: undefined },
      ],
    });
  });

  it("an error frame ends the stream with its typed error after the frames before it", async () => {
    await net.peer.ok("handle", { kind: "stream", target: "st-err" });
    const typed = await streamFrames(ts, "st-err", {
      do: "stream",
      steps: [
        ["delta", { delta: "a" }],
        ["error", "AGENT_TIMEOUT", "upstream slow", true],
      ],
    });
    expect(typed.frames).toEqual([{ type: "delta", delta: "a", data: undefined }]);
    expect(typed.error).toBeInstanceOf(AgentTimeoutError);
    expect(typed.error).toMatchObject({ message: "upstream slow", retryable: true });
    const plain = await streamFrames(ts, "st-err", {
      do: "stream",
      steps: [
        ["delta", { delta: "a" }],
        ["raise_plain", "kaput"],
      ],
    });
    expect(plain.frames).toHaveLength(1);
    expect(plain.error).toBeInstanceOf(AgentUnavailableError);
    expect(plain.error).toMatchObject({ message: "kaput", retryable: false });
  });

  it('accepts the deployed writer\'s bare payloads: delta("al"), started("thinking"), bare finals', async () => {
    await net.peer.ok("handle", { kind: "stream", target: "st-bare" });
    const steps = [
      ["started", "thinking"],
      ["delta", "al"],
      ["delta", "ice"],
      ["delta", [1, 2]],
      ["delta", 42],
      ["final", "alice"],
    ];
    const got = await streamFrames(ts, "st-bare", { do: "stream", steps });
    // On the wire the payloads are the bare JSON values (spec/interop.md "Stream frames").
    const [req] = await net.tap.where("the request", (m) => m.subject === "acp.v1.invoke.st-bare");
    const wire = await net.tap.where("six frames", (m) => m.subject === req!.json!["reply_to"], 6);
    expect(wire.map((m) => m.json!["payload"])).toEqual(["thinking", "al", "ice", [1, 2], 42, "alice"]);
    // issue 9 §6: a string delta surfaces as frame.delta, other JSON as frame.data, a
    // non-object started payload as frame.meta; the bare final value as frame.result.
    expect(got.error).toBeUndefined();
    expect(got.frames).toEqual([
      { type: "started", meta: "thinking" },
      { type: "delta", delta: "al", data: undefined },
      { type: "delta", delta: "ice", data: undefined },
      { type: "delta", delta: undefined, data: [1, 2] },
      { type: "delta", delta: undefined, data: 42 },
      { type: "final", result: "alice" },
    ]);
  });

  it("keeps object payloads the deployed writer sends outside the standard shapes: started({...}), delta({...})", async () => {
    // The deployed writer sends what it is given: started({"model": "m1"}) puts the dict itself
    // in the payload (its StartedPayload dataclass would be {"meta": {...}}), and
    // delta({"tokens": 2}) the dict itself (not {"delta", "data"}). Read as standard shapes,
    // meta and data come out undefined and the content is lost to the consumer.
    await net.peer.ok("handle", { kind: "stream", target: "st-obj" });
    const steps = [
      ["started", { model: "m1" }],
      ["delta", { tokens: 2 }],
      ["final", { text: "ok" }],
    ];
    const got = await streamFrames(ts, "st-obj", { do: "stream", steps });
    const [req] = await net.tap.where("the request", (m) => m.subject === "acp.v1.invoke.st-obj");
    const wire = await net.tap.where("three frames", (m) => m.subject === req!.json!["reply_to"], 3);
    expect(wire.map((m) => m.json!["payload"])).toEqual([{ model: "m1" }, { tokens: 2 }, { text: "ok" }]);
    expect(got.error).toBeUndefined();
    expect(got.frames).toEqual([
      { type: "started", meta: { model: "m1" } },
      { type: "delta", delta: undefined, data: { tokens: 2 } },
      { type: "final", result: { text: "ok" } },
    ]);
  });

  it("accepts started() and final() without a payload", async () => {
    await net.peer.ok("handle", { kind: "stream", target: "st-empty" });
    const got = await streamFrames(ts, "st-empty", { do: "stream", steps: [["started"], ["delta", { delta: "x" }], ["final"]] });
    expect(got).toEqual({
      frames: [
        { type: "started", meta: undefined },
        { type: "delta", delta: "x", data: undefined },
        { type: "final", result: undefined },
      ],
    });
  });
});

describe("dotted targets (deployed bridges: openclaw.chat, {prefix}.{tool})", () => {
  it("invokes and streams a deployed handler registered on a dotted target", async () => {
    await net.peer.ok("handle", { kind: "stream", target: "openclaw.chat" });
    await net.peer.ok("handle", { kind: "invoke", target: "mcp-fs.read_file" });
    await net.peer.ok("handle", { kind: "invoke", target: "mcp-fs.read_file", tenant: "acme", agent: "py-acme-mcp" });
    // The openclaw bridge's frames: writer.delta({"delta": content}), writer.final({"text", "raw"}).
    const steps = [
      ["delta", { delta: "al" }],
      ["delta", { delta: "ice" }],
      ["final", { text: "alice", raw: {} }],
    ];
    const got = await streamFrames(ts, "openclaw.chat", { do: "stream", steps });
    expect(got.error).toBeUndefined();
    expect(got.frames).toEqual([
      { type: "delta", delta: "al", data: undefined },
      { type: "delta", delta: "ice", data: undefined },
      { type: "final", result: { text: "alice", raw: {} } },
    ]);
    expect(await ts.invoke("mcp-fs.read_file", { do: "return", value: { content: "hi" } })).toEqual({ content: "hi" });
    const acme = await net.bus("ts-acme-dot", { tenant: "acme" });
    expect((await acme.invokeEnvelope("mcp-fs.read_file", { do: "return", value: 1 })).from).toBe("py-acme-mcp");
    for (const subject of ["acp.v1.invoke.openclaw.chat", "acp.v1.invoke.mcp-fs.read_file", "acp.v1.acme.invoke.mcp-fs.read_file"]) {
      await net.tap.where(subject, (m) => m.subject === subject);
    }
  });

  it("still refuses targets with empty tokens, wildcards or white space", async () => {
    for (const bad of ["openclaw..chat", ".chat", "openclaw.", "openclaw.*", "openclaw.>", "open claw.chat", "openclaw.\tchat"]) {
      const err = await ts.invoke(bad, {}).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(InvalidRequestError);
      expect((err as AcpError).message, bad).toContain("target");
    }
  });
});
