/**
 * The scenarios of the matrix. A pair scenario runs with one peer as client and one as server;
 * the chain runs A → B → C. Each returns how the cell went: "pass", or "unsupported" /
 * "partial" with the reason after asserting what the lacking peer does instead.
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { PeerSpec } from "./peers.js";
import { eventsOf, probeUntil } from "./probe.js";
import { okAnswer, type Json, type MatrixPeer, type Seen, type WireError, type WireFrame } from "./protocol.js";

/** One peer in a cell. */
export interface Side {
  readonly spec: PeerSpec;
  readonly peer: MatrixPeer;
}

export interface Outcome {
  readonly status: "pass" | "unsupported" | "partial";
  readonly reason?: string;
}

export interface PairScenario {
  readonly name: string;
  /** What the cell proves, for the README and summary. */
  readonly what: string;
  /** Cells of this scenario may run at the same time (each uses its own subjects and tags). */
  readonly concurrent?: boolean;
  run(client: Side, server: Side): Promise<Outcome>;
}

const PASS: Outcome = { status: "pass" };
export const TENANT = "acme";

/** The targets every peer serves for the whole run (registered once, probed from every client). */
export function targetOf(s: Side | PeerSpec, kind: "invoke" | "stream" | "tenant"): string {
  const name = "spec" in s ? s.spec.name : s.name;
  return `mx-${name}-${kind}`;
}

/** The registrations of `serve` commands each peer gets before the cells run. */
export function standardServes(spec: PeerSpec): Json[] {
  return [
    { target: targetOf(spec, "invoke"), kind: "invoke" },
    { target: targetOf(spec, "stream"), kind: "stream" },
    { target: targetOf(spec, "tenant"), kind: "invoke", tenant: TENANT, marker: TENANT },
    { target: targetOf(spec, "tenant"), kind: "invoke", marker: "none" },
  ];
}

/** Sends a command and returns its ok answer. */
export async function ask(side: Side, op: string, args: Json = {}, timeoutMs = 20_000): Promise<Json> {
  return okAnswer(side.peer, op, await side.peer.call(op, args, timeoutMs));
}

function tagOf(client: Side, server: Side, extra = ""): string {
  return `${client.spec.name}-${server.spec.name}${extra}-${randomBytes(3).toString("hex")}`;
}

/** A fresh W3C trace: its traceparent and trace id. */
function freshTrace(): { traceparent: string; traceId: string } {
  const traceId = randomBytes(16).toString("hex");
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` };
}

function traceIdOf(tp: string | null): string | undefined {
  return /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/u.exec(tp ?? "")?.[1];
}

const seenOf = (v: unknown): Seen => (v as { seen: Seen }).seen;

/** Probes the standard handlers of `server` from `client` until each answers (handlers live). */
export async function probeHandlers(client: Side, server: Side): Promise<void> {
  const deployedClient = client.spec.gaps.noHandler !== undefined;
  const attempt = { timeout_ms: deployedClient ? 2000 : 5000 };
  const live = async (what: string, op: string, args: Json, ok: (a: Json) => boolean): Promise<void> => {
    let last: Json = {};
    let answered = false;
    await probeUntil(
      `${what} (${client.spec.name} → ${server.spec.name}); last answer ${JSON.stringify(last)}`,
      async () => {
        last = await ask(client, op, { ...attempt, ...args });
        answered = ok(last);
      },
      () => answered,
      { roundMs: 0, timeoutMs: 30_000 },
    );
  };
  await live("invoke handler", "invoke", { target: targetOf(server, "invoke"), payload: { do: "echo", value: "probe" } }, (a) => a["error"] === undefined);
  await live("stream handler", "stream", { target: targetOf(server, "stream"), payload: { do: "story", words: [] } }, (a) => a["error"] === undefined);
  await live("tenant handler", "invoke", { target: targetOf(server, "tenant"), tenant: TENANT, payload: { do: "echo" } }, (a) => a["error"] === undefined);
  await live("untenanted handler", "invoke", { target: targetOf(server, "tenant"), payload: { do: "echo" } }, (a) => a["error"] === undefined);
}

// ---------------------------------------------------------------------------------------

const invoke: PairScenario = {
  name: "invoke",
  what: "request/reply: a nested JSON payload round-trips; the handler sees from, session, conversation, user, trace id and the client's schema_version",
  async run(client, server) {
    const tag = tagOf(client, server);
    const { traceparent, traceId } = freshTrace();
    const context = { session_id: `s-${tag}`, conversation_id: `c-${tag}`, user_id: `u-${tag}`, traceparent };
    const value = { text: "héllo ✓ \u{1F600}", n: 42, f: 1.5, list: [1, "two", null, true], nested: { a: { b: [] } } };
    const a = await ask(client, "invoke", { target: targetOf(server, "invoke"), payload: { do: "echo", value }, context });
    expect(a["error"]).toBeUndefined();
    expect(a["result"]).toMatchObject({ value, by: server.spec.name, marker: null });
    const seen = seenOf(a["result"]);
    expect(seen).toMatchObject({
      from: client.spec.name,
      session_id: context.session_id,
      conversation_id: context.conversation_id,
      user_id: context.user_id,
      tenant_id: null,
      schema_version: client.spec.v1 ? 1 : 2,
    });
    expect(traceIdOf(seen.traceparent)).toBe(traceId);
    return PASS;
  },
};

const concurrency: PairScenario = {
  name: "concurrency",
  what: "40 invokes and 6 streams in flight at once: each gets its own reply and frames (correlation across languages)",
  async run(client, server) {
    const tag = tagOf(client, server);
    const invokes = Array.from({ length: 40 }, (_, i) =>
      ask(client, "invoke", { target: targetOf(server, "invoke"), payload: { do: "echo", value: `${tag}-${i}` } }),
    );
    const streams = Array.from({ length: 6 }, (_, i) =>
      ask(client, "stream", { target: targetOf(server, "stream"), payload: { do: "story", words: Array.from({ length: 5 + i }, (_, k) => `${i}.${k}`) } }),
    );
    const [inv, str] = await Promise.all([Promise.all(invokes), Promise.all(streams)]);
    expect(inv.map((a) => (a["result"] as { value?: unknown } | undefined)?.value ?? a["error"])).toEqual(inv.map((_, i) => `${tag}-${i}`));
    str.forEach((a, i) => {
      expect(a["error"]).toBeUndefined();
      const deltas = (a["frames"] as WireFrame[]).filter((f) => f.type === "delta").map((f) => (f as { delta: unknown }).delta);
      expect(deltas).toEqual(Array.from({ length: 5 + i }, (_, k) => `${i}.${k}`));
      expect((a["frames"] as WireFrame[]).map((f) => f.seq)).toEqual(Array.from({ length: 7 + i }, (_, k) => k));
    });
    return PASS;
  },
};

const large: PairScenario = {
  name: "large",
  what: "600 KiB payloads round-trip intact: ASCII, and non-ASCII (300K × 'ü', 600 KiB as UTF-8), both inside every default bound (1 MiB envelopes, NATS max_payload)",
  concurrent: true,
  async run(client, server) {
    const ascii = "x".repeat(600 * 1024);
    const a = await ask(client, "invoke", { target: targetOf(server, "invoke"), payload: { do: "echo", value: ascii } });
    expect(a["error"]).toBeUndefined();
    expect((a["result"] as { value: string }).value === ascii, "the ASCII payload came back intact").toBe(true);
    const utf8 = "ü".repeat(300 * 1024);
    const gapClient = client.spec.gaps.asciiWire;
    const gapServer = server.spec.gaps.asciiWire;
    const u = await ask(client, "invoke", {
      target: targetOf(server, "invoke"),
      payload: { do: "echo", value: utf8 },
      timeout_ms: gapServer === undefined ? 8000 : 3000,
    });
    if (gapClient !== undefined) {
      // escaped, the request is 1.8 MiB: nats-py refuses to publish it
      expect(u["error"], "the deployed client cannot send it").toMatchObject({ code: "EXCEPTION:MaxPayloadError" });
      return { status: "partial", reason: `non-ASCII: ${gapClient}` };
    }
    if (gapServer !== undefined) {
      // the request arrives (UTF-8); the escaped reply is over max_payload and dropped: the caller times out
      expect(u["error"], "the deployed handler's reply never comes").toMatchObject({ code: "AGENT_TIMEOUT" });
      return { status: "partial", reason: `non-ASCII: ${gapServer}` };
    }
    expect(u["error"]).toBeUndefined();
    expect((u["result"] as { value: string }).value === utf8, "the UTF-8 payload came back intact").toBe(true);
    return PASS;
  },
};

/** The code a client reads for an error the server raised with `code` (spec/errors.md "Extension codes and v1 peers"). */
function codeRead(code: string, client: Side, server: Side): string {
  // Our runtimes answer a v1 request with the nearest deployed code (the deployed SDK sends the
  // code it was given); our readers take the precise one back from cause["acp.code"].
  if (!client.spec.v1 || !server.spec.downgradesForV1 || client.spec.recoversPreciseCode) return code;
  return V1_NEAREST[code] ?? code;
}

/** spec/errors.md "Extension codes and v1 peers": the code a v1 reader gets for each extension code. */
const V1_NEAREST: Readonly<Record<string, string>> = { PERMISSION_DENIED: "AUTH_FAILURE", CANCELED: "AGENT_UNAVAILABLE" };

const errors: PairScenario = {
  name: "errors",
  what: "a handler's typed error keeps code, message and retryable (an extension code reaches a v1 client as its nearest deployed code); a plain exception is AGENT_UNAVAILABLE",
  async run(client, server) {
    const cases: [Json, WireError][] = [
      [
        { do: "raise", code: "PERMISSION_DENIED", message: "not yours", retryable: false },
        { code: codeRead("PERMISSION_DENIED", client, server), message: "not yours", retryable: false },
      ],
      [
        { do: "raise", code: "CANCELED", message: "stopped", retryable: false },
        { code: codeRead("CANCELED", client, server), message: "stopped", retryable: false },
      ],
      [
        { do: "raise", code: "BACKPRESSURE_DROP", message: "slow down", retryable: true },
        { code: "BACKPRESSURE_DROP", message: "slow down", retryable: true },
      ],
      [
        { do: "raise", code: "AGENT_TIMEOUT", message: "upstream slow", retryable: true },
        { code: "AGENT_TIMEOUT", message: "upstream slow", retryable: true },
      ],
      [
        { do: "raise_plain", message: "kaput" },
        { code: "AGENT_UNAVAILABLE", message: "kaput", retryable: false },
      ],
    ];
    const got: unknown[] = [];
    for (const [payload] of cases) got.push((await ask(client, "invoke", { target: targetOf(server, "invoke"), payload }))["error"] ?? "no error");
    expect(got).toEqual(cases.map(([, want]) => want));
    return PASS;
  },
};

const stream: PairScenario = {
  name: "stream",
  what: "started, deltas and final in seq order from 0, typed by the client's reader; the handler sees the client's session",
  async run(client, server) {
    const tag = tagOf(client, server);
    const a = await ask(client, "stream", {
      target: targetOf(server, "stream"),
      payload: { do: "story", words: ["alpha", "beta", "gamma"] },
      context: { session_id: `s-${tag}` },
    });
    expect(a["error"]).toBeUndefined();
    const frames = a["frames"] as WireFrame[];
    expect(frames.slice(0, 4)).toEqual([
      { type: "started", seq: 0, meta: { by: server.spec.name } },
      { type: "delta", seq: 1, delta: "alpha" },
      { type: "delta", seq: 2, delta: "beta" },
      { type: "delta", seq: 3, delta: "gamma" },
    ]);
    expect(frames.slice(4)).toMatchObject([{ type: "final", seq: 4, result: { count: 3, seen: { from: client.spec.name, session_id: `s-${tag}` } } }]);
    return PASS;
  },
};

const streamError: PairScenario = {
  name: "stream-error",
  what: "frames written before a handler's error arrive, then the error frame's code, message and retryable (an extension code as a v1 client's nearest code)",
  async run(client, server) {
    const cases: [Json, WireError][] = [
      [
        { do: "fail", code: "AGENT_TIMEOUT", message: "upstream slow", retryable: true },
        { code: "AGENT_TIMEOUT", message: "upstream slow", retryable: true },
      ],
      [
        { do: "fail", code: "PERMISSION_DENIED", message: "not yours", retryable: false },
        { code: codeRead("PERMISSION_DENIED", client, server), message: "not yours", retryable: false },
      ],
    ];
    for (const [payload, want] of cases) {
      const a = await ask(client, "stream", { target: targetOf(server, "stream"), payload });
      expect(a["frames"]).toEqual([
        { type: "started", seq: 0, meta: { by: server.spec.name } },
        { type: "delta", seq: 1, delta: "partial" },
      ]);
      expect(a["error"]).toEqual(want);
    }
    return PASS;
  },
};

const streamCancel: PairScenario = {
  name: "stream-cancel",
  what: "a client leaving a stream after the first delta cancels the server's handler (agent.stream.cancel reaches it)",
  // a cell without cancel waits for the handler to write to its end (seconds): run them together
  concurrent: true,
  async run(client, server) {
    const tag = tagOf(client, server);
    const a = await ask(client, "stream", { target: targetOf(server, "stream"), payload: { do: "endless", tag }, cancel_after: 1 });
    expect(a["error"]).toBeUndefined();
    expect((a["frames"] as WireFrame[]).filter((f) => f.type === "delta")).toHaveLength(1);
    const [end] = await eventsOf(server.peer, `the end of stream ${tag}`, (e) => e["event"] === "stream_end" && e["tag"] === tag, 1, 30_000);
    const gap = client.spec.gaps.sendCancel ?? server.spec.gaps.receiveCancel;
    if (gap !== undefined) {
      // The lacking side is noticed: if 0.3.0 ever cancels, this cell fails and must be updated.
      expect(end, "the handler was not canceled: it wrote to its end").toMatchObject({ how: "finished" });
      return { status: "unsupported", reason: gap };
    }
    expect(end).toMatchObject({ how: "canceled" });
    expect(Number(end!["written"])).toBeLessThan(600);
    return PASS;
  },
};

const streamEarlyCancel: PairScenario = {
  name: "stream-early-cancel",
  what: "a client giving up (its timeout) before any frame cancels the server's silent handler (the early cancel, acp.stream.early_cancel, reaches it)",
  concurrent: true,
  async run(client, server) {
    const tag = tagOf(client, server);
    const a = await ask(client, "stream", { target: targetOf(server, "stream"), payload: { do: "silent", tag }, timeout_ms: 500 });
    expect(a["frames"]).toEqual([]);
    expect(a["error"]).toMatchObject({ code: "AGENT_TIMEOUT", retryable: true });
    const [end] = await eventsOf(server.peer, `the end of stream ${tag}`, (e) => e["event"] === "stream_end" && e["tag"] === tag, 1, 30_000);
    const gap = client.spec.gaps.sendCancel ?? server.spec.gaps.receiveCancel;
    if (gap !== undefined) {
      expect(end, "the handler was not canceled: it waited its whole time").toMatchObject({ how: "finished" });
      return { status: "unsupported", reason: gap };
    }
    expect(end).toMatchObject({ how: "canceled" });
    return PASS;
  },
};

/** Received events of subscription `sub` of `peer`, probes or not. */
function received(peer: MatrixPeer, sub: string, probes: boolean): Json[] {
  return peer.events.filter((e) => e["event"] === "received" && e["sub"] === sub && ((e["payload"] as Json | null)?.["probe"] !== undefined) === probes);
}

const pubsub: PairScenario = {
  name: "pubsub",
  what: "an event fans out to every subscriber, with its payload, sender and session",
  async run(client, server) {
    const tag = tagOf(client, server);
    const eventType = `mx.fan.${tag}`;
    const subs = [`${tag}-a`, `${tag}-b`];
    for (const name of subs) await ask(server, "subscribe", { name, event_type: eventType });
    let n = 0;
    await probeUntil(
      `fan-out subscriptions ${tag}`,
      async () => void (await ask(client, "publish", { event_type: eventType, payload: { probe: n++ } })),
      () => subs.every((s) => received(server.peer, s, true).length > 0),
    );
    await ask(client, "publish", { event_type: eventType, payload: { hello: tag }, context: { session_id: `s-${tag}` } });
    for (const s of subs) {
      const [got] = await eventsOf(
        server.peer,
        `event at ${s}`,
        (e) => e["event"] === "received" && e["sub"] === s && (e["payload"] as Json | null)?.["hello"] === tag,
      );
      expect(got).toMatchObject({ payload: { hello: tag }, seen: { from: client.spec.name, session_id: `s-${tag}`, tenant_id: null } });
    }
    return PASS;
  },
};

const tenantEvents: PairScenario = {
  name: "tenant-pubsub",
  what: "an event published in tenant acme reaches the acme subscriber only, one published untenanted the untenanted subscriber only",
  async run(client, server) {
    const tag = tagOf(client, server);
    const eventType = `mx.tenant.${tag}`;
    const subs: [string, string | undefined][] = [
      [`${tag}-acme`, TENANT],
      [`${tag}-none`, undefined],
    ];
    for (const [name, tenant] of subs) await ask(server, "subscribe", { name, event_type: eventType, ...(tenant === undefined ? {} : { tenant }) });
    let n = 0;
    const probe = async (name: string, tenant: string | undefined, round: number): Promise<void> => {
      const has = (): boolean => received(server.peer, name, true).some((e) => (e["payload"] as Json)["round"] === round);
      await probeUntil(
        `subscription ${name} (round ${round})`,
        async () => void (await ask(client, "publish", { event_type: eventType, payload: { probe: n++, round }, ...(tenant === undefined ? {} : { tenant }) })),
        has,
        { roundMs: 100 },
      );
    };
    for (const [name, tenant] of subs) await probe(name, tenant, 1);
    await ask(client, "publish", { event_type: eventType, tenant: TENANT, payload: { to: "acme" } });
    await ask(client, "publish", { event_type: eventType, payload: { to: "none" } });
    // Delivery is ordered per publisher: after a later probe, nothing earlier is in flight.
    for (const [name, tenant] of subs) await probe(name, tenant, 2);
    const [acme, none] = subs.map(([name]) => received(server.peer, name, false));
    expect(none).toMatchObject([{ payload: { to: "none" }, seen: { tenant_id: null, from: client.spec.name } }]);
    const { publishTenant } = client.spec.gaps;
    const { subjectTenant } = server.spec.gaps;
    if (publishTenant !== undefined && subjectTenant !== undefined) {
      // Routed right, but neither side writes the tenant into what the handler sees.
      expect(acme).toMatchObject([{ payload: { to: "acme" }, seen: { tenant_id: null, from: client.spec.name } }]);
      return { status: "partial", reason: `tenant_id: ${publishTenant}; ${subjectTenant}` };
    }
    expect(acme).toMatchObject([{ payload: { to: "acme" }, seen: { tenant_id: TENANT, from: client.spec.name } }]);
    return PASS;
  },
};

const queue: PairScenario = {
  name: "queue",
  what: "a queue group with a member in each peer: 30 events, each handled exactly once, both members take a share",
  async run(client, server) {
    const tag = tagOf(client, server);
    const eventType = `mx.queue.${tag}`;
    const group = `mxq-${tag}`;
    const members: [Side, string][] = [
      [server, `${tag}-s`],
      [client, `${tag}-c`],
    ];
    for (const [side, name] of members) await ask(side, "subscribe", { name, event_type: eventType, queue: group });
    let n = 0;
    const probeRound = async (round: number): Promise<void> => {
      const seen = (side: Side, name: string): boolean => received(side.peer, name, true).some((e) => (e["payload"] as Json)["round"] === round);
      await probeUntil(
        `queue members of ${group} (round ${round})`,
        async () => void (await ask(client, "publish", { event_type: eventType, payload: { probe: n++, round } })),
        () => members.every(([side, name]) => seen(side, name)),
        { roundMs: 50 },
      );
    };
    await probeRound(1);
    const total = 30;
    await Promise.all(Array.from({ length: total }, (_, i) => ask(client, "publish", { event_type: eventType, payload: { i } })));
    const work = (): number[] => members.flatMap(([side, name]) => received(side.peer, name, false).map((e) => (e["payload"] as { i: number }).i));
    await probeUntil(
      `${total} events in ${group}`,
      async () => {},
      () => work().length >= total,
      { roundMs: 100 },
    );
    // Each member is ordered per publisher: once each has a later probe, nothing earlier is in flight.
    await probeRound(2);
    expect(work().sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const [side, name] of members) expect(received(side.peer, name, false).length, `member ${name} took a share`).toBeGreaterThan(0);
    return PASS;
  },
};

const tenants: PairScenario = {
  name: "tenant",
  what: "one target served in tenant acme and untenanted: a call in acme reaches the acme handler with tenant_id acme; one without a tenant reaches the other",
  async run(client, server) {
    const inAcme = await ask(client, "invoke", { target: targetOf(server, "tenant"), tenant: TENANT, payload: { do: "echo", value: 1 } });
    expect(inAcme["error"]).toBeUndefined();
    expect(inAcme["result"]).toMatchObject({ marker: TENANT, seen: { tenant_id: TENANT, from: client.spec.name } });
    const plain = await ask(client, "invoke", { target: targetOf(server, "tenant"), payload: { do: "echo", value: 2 } });
    expect(plain["error"]).toBeUndefined();
    expect(plain["result"]).toMatchObject({ marker: "none", seen: { tenant_id: null } });
    return PASS;
  },
};

export const PAIR_SCENARIOS: readonly PairScenario[] = [
  invoke,
  concurrency,
  large,
  errors,
  stream,
  streamError,
  streamCancel,
  streamEarlyCancel,
  pubsub,
  queue,
  tenants,
  tenantEvents,
];

/** Client only: an invoke and a stream to a target nobody serves fail at once with NO_HANDLER. */
export async function noHandler(client: Side): Promise<Outcome> {
  const gap = client.spec.gaps.noHandler;
  const target = `mx-nobody-${randomBytes(3).toString("hex")}`;
  const timeout_ms = gap === undefined ? 20_000 : 1500;
  const inv = await ask(client, "invoke", { target, payload: null, timeout_ms });
  const str = await ask(client, "stream", { target, payload: null, timeout_ms });
  if (gap !== undefined) {
    expect(inv["error"], "the deployed client times out instead").toMatchObject({ code: "AGENT_TIMEOUT" });
    expect(str["error"], "the deployed client times out instead").toMatchObject({ code: "AGENT_TIMEOUT" });
    return { status: "unsupported", reason: gap };
  }
  expect(inv["error"]).toMatchObject({ code: "NO_HANDLER", retryable: false });
  expect(str).toMatchObject({ frames: [], error: { code: "NO_HANDLER", retryable: false } });
  return PASS;
}

/**
 * A → B → C in tenant acme: A invokes B with session, conversation, channel, user and
 * traceparent; B's handler calls C with no explicit context; C's handler sees A's context (its
 * tenant routed the call to C's acme handler; the trace id is A's, with a new span on each hop).
 */
export async function chain(a: Side, b: Side, c: Side): Promise<Outcome> {
  const tag = `${a.spec.name}-${b.spec.name}-${c.spec.name}-${randomBytes(3).toString("hex")}`;
  const { traceparent, traceId } = freshTrace();
  const context = { session_id: `s-${tag}`, conversation_id: `c-${tag}`, channel: `ch-${tag}`, user_id: `u-${tag}`, traceparent };
  const ans = await ask(a, "invoke", {
    target: targetOf(b, "tenant"),
    tenant: TENANT,
    context,
    payload: { do: "call", target: targetOf(c, "tenant"), payload: { do: "echo", value: tag } },
  });
  expect(ans["error"]).toBeUndefined();
  const res = ans["result"] as { by: string; seen: Seen; inner: { result?: unknown; error?: WireError } };
  expect(res.by).toBe(b.spec.name);
  expect(res.seen).toMatchObject({ from: a.spec.name, tenant_id: TENANT, ...context, traceparent: res.seen.traceparent });
  expect(traceIdOf(res.seen.traceparent)).toBe(traceId);
  expect(res.inner.error).toBeUndefined();
  expect(res.inner.result).toMatchObject({ value: tag, by: c.spec.name, marker: TENANT });
  const atC = seenOf(res.inner.result);
  expect(atC).toMatchObject({ from: b.spec.name, tenant_id: TENANT, session_id: context.session_id, conversation_id: context.conversation_id });
  expect(traceIdOf(atC.traceparent), `C's traceparent ${String(atC.traceparent)}`).toBe(traceId);
  const gaps: string[] = [];
  const { propagateUser, propagateChannel, newSpan } = b.spec.gaps;
  const field = (name: "user_id" | "channel", gap: string | undefined): void => {
    if (gap === undefined) expect(atC[name], `${name} at C`).toBe(context[name]);
    else {
      expect(atC[name], `${name} is not carried by B`).toBeNull();
      gaps.push(`${name}: ${gap}`);
    }
  };
  field("user_id", propagateUser);
  field("channel", propagateChannel);
  if (newSpan === undefined) expect(atC.traceparent, "B → C is a new span of the trace").not.toBe(res.seen.traceparent);
  else {
    expect(atC.traceparent, "B passes its request's traceparent on as is").toBe(res.seen.traceparent);
    gaps.push(`span: ${newSpan}`);
  }
  return gaps.length === 0 ? PASS : { status: "partial", reason: gaps.join("; ") };
}
