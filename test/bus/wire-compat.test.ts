/**
 * Wire compatibility with deployed OpenAgentIO SDKs (spec/bus.md "Wire format", spec/interop.md): a "deployed SDK"
 * peer is simulated at the raw transport level with the bytes of golden/v1, golden/valid and
 * golden/streams samples — never with our encoder — and talks to our bus both ways.
 */
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transport, TransportMessage } from "../../runtime/transport/index.js";
import type { Bus, StreamFrame } from "../../runtime/bus/index.js";
import { AcpError, AgentTimeoutError, AgentUnavailableError } from "../../runtime/errors.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { openNetwork, waitFor, type Network } from "./fixtures.js";

const golden = (path: string): string => readFileSync(`${REPO_ROOT}golden/${path}`, "utf8");
const enc = new TextEncoder();
const dec = new TextDecoder();
type Json = Record<string, unknown>;
const parse = (bytes: Uint8Array | string): Json => JSON.parse(typeof bytes === "string" ? bytes : dec.decode(bytes)) as Json;

/** Golden requests that carry a reply_to (a deployed caller waits for an answer). */
const REQUESTS = [
  "v1/go-request.json",
  "v1/go-v02-request-without-frame-type.json",
  "v1/python-request-ascii-escaped.json",
  "v1/python-request-frame-type-after-occurred-at.json",
  "valid/v1-request-every-optional-field.json",
  "valid/v1-request-go-nanosecond-timestamp.json",
  "valid/v1-request-python-microsecond-timestamp.json",
  "valid/v2-request-metadata-acp-deprecated.json",
  "valid/v2-request-phase-submitted.json",
];
const COPIED = ["session_id", "conversation_id", "tenant_id", "user_id", "channel", "trace_id", "span_id", "traceparent"];

/** Request metadata without acp.* keys (what a reply must carry). */
function inherited(meta: unknown): Json | undefined {
  if (meta === undefined) return undefined;
  const out = Object.fromEntries(Object.entries(meta as Json).filter(([k]) => !k.startsWith("acp.")));
  return Object.keys(out).length === 0 ? undefined : out;
}

describe.each(["memory", "nats"] as const)("wire compatibility over %s", (kind) => {
  let net: Network;
  let raw: Transport;
  let bus: Bus;
  beforeAll(async () => {
    net = await openNetwork(kind);
    raw = await net.transport();
    bus = await net.bus("ts-agent");
  });
  afterAll(async () => {
    await net.close();
  });

  /**
   * Publishes golden request bytes as a deployed SDK would (to its tenant's subject, reply
   * address only in the envelope) and collects what comes back to its reply_to until `done`.
   */
  async function deployedCall(
    file: string,
    serve: (target: string, tenant: string | undefined) => { unsubscribe(): Promise<void> },
    done: (replies: Json[]) => boolean,
  ): Promise<{ req: Json; replies: Json[] }> {
    const bytes = golden(file);
    const req = parse(bytes);
    const tenant = req["tenant_id"] as string | undefined;
    const target = req["to"] as string;
    const replies: Json[] = [];
    const sub = raw.subscribe(req["reply_to"] as string, {}, (m) => void replies.push(parse(m.data)));
    const handler = serve(target, tenant);
    try {
      await net.settle();
      raw.publish(`acp.v1.${tenant === undefined ? "" : `${tenant}.`}invoke.${target}`, enc.encode(bytes));
      await waitFor(`the replies to ${file}`, () => done(replies));
      return { req, replies };
    } finally {
      sub.unsubscribe();
      await handler.unsubscribe();
    }
  }

  it.each(REQUESTS)("answers the deployed request %s like a deployed SDK would", async (file) => {
    const { req, replies } = await deployedCall(
      file,
      (target, tenant) =>
        bus.handleInvoke(
          target,
          (payload, ctx) => {
            ctx.replyMetadata["answered_by"] = "ts";
            return { echo: payload };
          },
          { tenant: tenant ?? null },
        ),
      (r) => r.length >= 1,
    );
    expect(replies).toHaveLength(1);
    const reply = replies[0]!;
    expect(reply).toMatchObject({
      spec_version: "acp/1.0",
      event_type: "agent.response.final",
      frame_type: "response.final",
      is_final: true,
      correlation_id: req["event_id"],
      from: req["to"],
      payload: { echo: req["payload"] },
    });
    expect(reply["to"]).toBe(req["from"]);
    expect(reply["event_id"]).not.toBe(req["event_id"]);
    for (const key of COPIED) expect(reply[key], key).toBe(req[key]);
    expect(reply["metadata"]).toEqual({ ...inherited(req["metadata"]), answered_by: "ts" });
    expect(reply["reply_to"]).toBeUndefined();
  });

  it.each(REQUESTS)("streams to the deployed request %s with seq from 0 and the deployed reply shape", async (file) => {
    const { req, replies } = await deployedCall(
      file,
      (target, tenant) =>
        bus.handleStream(
          target,
          async (_payload, w) => {
            await w.started();
            await w.delta("hello ");
            await w.delta("world");
            await w.final("hello world");
          },
          { tenant: tenant ?? null },
        ),
      (r) => r.length >= 4,
    );
    expect(replies).toHaveLength(4);
    replies.sort((a, b) => (a["seq"] as number) - (b["seq"] as number));
    expect(replies.map((r) => r["seq"])).toEqual([0, 1, 2, 3]);
    expect(replies.map((r) => r["event_type"])).toEqual(["agent.response.started", "agent.response.delta", "agent.response.delta", "agent.response.final"]);
    for (const frame of replies) {
      expect(frame["correlation_id"]).toBe(req["event_id"]);
      expect(frame["from"]).toBe(req["to"]);
      expect(frame["to"]).toBe(req["from"]);
      for (const key of COPIED) expect(frame[key], key).toBe(req[key]);
    }
    const meta = inherited(req["metadata"]);
    expect(replies[0]!["metadata"]).toEqual({ ...meta, "acp.stream.cancel_to": expect.stringMatching(/^_INBOX\./) });
    expect(replies[1]!["metadata"]).toEqual(meta);
    expect(replies[3]).toMatchObject({ is_final: true, payload: "hello world" });
  });

  /** A deployed SDK server for `target`: answers each request with golden reply bytes, correlation patched in the text. */
  function deployedServer(target: string, replyFiles: () => string[]): { sub: { unsubscribe(): void }; requests: Json[] } {
    const requests: Json[] = [];
    const sub = raw.subscribe(`acp.v1.invoke.${target}`, { queue: target }, (m: TransportMessage) => {
      const req = parse(m.data);
      requests.push(req);
      for (const text of replyFiles()) {
        const correlation = /"correlation_id":\s*"([^"]+)"/.exec(text)?.[1];
        const patched = correlation === undefined ? text : text.split(correlation).join(req["event_id"] as string);
        raw.publish(req["reply_to"] as string, enc.encode(patched));
      }
    });
    return { sub, requests };
  }

  it("reads every deployed reply shape: {result}, bare values, no payload, typed errors with unknown codes", async () => {
    let next = "";
    const peer = deployedServer("deployed-billing", () => [golden(next)]);
    await net.settle();
    const ask = async (file: string): Promise<unknown> => {
      next = file;
      return bus.invoke("deployed-billing", { q: file }).catch((e: unknown) => e);
    };
    expect(await ask("v1/go-invoke-final-bare-value.json")).toEqual({ refund: "approved", ticket: "R-19" });
    expect(await ask("v1/python-invoke-final-bare-value.json")).toEqual({ refund: "approved", amount: 19.99 });
    expect(await ask("valid/v1-response-final-result-shaped.json")).toEqual({ refund: "approved", amount: 19.99 });
    expect(await ask("valid/v1-response-final-bare-number-value.json")).toBe(42);
    expect(await ask("valid/v1-response-final-bare-array-value.json")).toEqual(["pong", 1, true, null]);
    expect(await ask("valid/v1-response-final-bare-object-value.json")).toEqual({ balance: 1042.5, currency: "EUR" });
    expect(await ask("valid/v1-response-final-result-plus-other-keys-is-bare.json")).toEqual({ result: "ok", elapsed_ms: 12 });
    expect(await ask("valid/v1-response-final-without-payload.json")).toBeUndefined();
    const goErr = await ask("v1/go-invoke-error.json");
    expect(goErr).toBeInstanceOf(AgentUnavailableError);
    expect(goErr).toMatchObject({ message: "ledger: connection refused", retryable: false });
    const pyErr = await ask("v1/python-invoke-error-cause-empty.json");
    expect(pyErr).toBeInstanceOf(AgentTimeoutError);
    expect(pyErr).toMatchObject({ message: "ledger lookup timed out", retryable: true });
    const unknown = await ask("valid/v1-response-error-unknown-code-not-in-catalogue.json");
    expect(unknown).toBeInstanceOf(AcpError);
    expect(unknown).toMatchObject({ code: "QUOTA_EXCEEDED_2", retryable: false, message: "monthly quota used up" });
    // what the deployed peer received from us is a request it understands
    for (const req of peer.requests) {
      expect(req).toMatchObject({ event_type: "agent.message.received", frame_type: "request", from: "ts-agent", to: "deployed-billing" });
      expect(req["reply_to"]).toMatch(/^_INBOX\./);
    }
    peer.sub.unsubscribe();
  });

  const STREAMS = readdirSync(`${REPO_ROOT}golden/streams`)
    .filter((f) => f.endsWith(".json"))
    .sort();

  it.each(STREAMS)("consumes the golden stream %s as the corpus expects", async (file) => {
    const spec = JSON.parse(golden(`streams/${file}`)) as {
      client: { max_gap: number; max_pending: number };
      frames: Json[];
      expect: { outcome: string; delivered_seqs: number[]; text: string; result?: unknown; error?: { code: string } };
    };
    const target = `golden-${file.replace(/\.json$/, "")}`;
    const peer = deployedServer(target, () => spec.frames.map((f) => JSON.stringify(f)));
    await net.settle();
    const sentBefore = bus.stats().sent;
    const frames: StreamFrame[] = [];
    for await (const f of bus.streamInvoke(
      target,
      {},
      { yieldErrors: true, idleTimeoutMs: 150, maxGap: spec.client.max_gap, maxPending: spec.client.max_pending },
    )) {
      frames.push(f);
    }
    const delivered = frames.filter((f) => f.envelope !== undefined).map((f) => f.envelope!.seq ?? 0);
    expect(delivered).toEqual(spec.expect.delivered_seqs);
    expect(frames.map((f) => (f.type === "delta" ? (f.delta ?? "") : "")).join("")).toBe(spec.expect.text);
    const last = frames[frames.length - 1]!;
    if (spec.expect.outcome === "completed") {
      expect(last.type).toBe("final");
      expect(last.type === "final" ? (last.result ?? null) : "not final").toEqual(spec.expect.result);
    } else {
      expect(last.type).toBe("error");
      expect(last.type === "error" && last.error.code).toBe(spec.expect.error!.code);
      // local failures (timeout, overflow) have no envelope; a peer's error frame has one
      expect(last.envelope === undefined).toBe(spec.expect.outcome !== "error");
    }
    // deployed servers never announce a cancel address: nothing but the request was sent
    expect(bus.stats().sent - sentBefore).toBe(1);
    peer.sub.unsubscribe();
  });
});
