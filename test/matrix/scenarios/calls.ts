/**
 * Request/reply scenarios: invoke, bare values, concurrency, large payloads, errors, tenants,
 * NO_HANDLER.
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { ask, freshTrace, PASS, seenOf, tagOf, targetOf, TENANT, traceIdOf, type Outcome, type PairScenario, type Side } from "../cell.js";
import type { Json, WireError, WireFrame } from "../protocol.js";

export const invoke: PairScenario = {
  name: "invoke",
  what: "request/reply: a nested JSON payload round-trips; the handler sees from, session, conversation, user, trace id, metadata and the client's schema_version",
  async run(client, server) {
    const tag = tagOf(client, server);
    const { traceparent, traceId } = freshTrace();
    const context = { session_id: `s-${tag}`, conversation_id: `c-${tag}`, user_id: `u-${tag}`, traceparent };
    const value = { text: "héllo ✓ \u{1F600}", n: 42, f: 1.5, list: [1, "two", null, true], nested: { a: { b: [] } } };
    const metadata = { "app.request": tag, "app.n": 7 };
    const a = await ask(client, "invoke", { target: targetOf(server, "invoke"), payload: { do: "echo", value }, context, metadata });
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
      metadata,
    });
    expect(traceIdOf(seen.traceparent)).toBe(traceId);
    return PASS;
  },
};

export const schemaVersion: PairScenario = {
  name: "schema-v2",
  what: "the handler sees the request's schema_version and, from a schema_version 2 writer, its phase (submitted); a v1 writer's request has none",
  async run(client, server) {
    const a = await ask(client, "invoke", { target: targetOf(server, "invoke"), payload: { do: "echo", value: null } });
    expect(a["error"]).toBeUndefined();
    const seen = seenOf(a["result"]);
    const clientGap = client.spec.gaps.schemaVersion2;
    const serverGap = server.spec.gaps.readsPhase;
    const v2 = !client.spec.v1;
    expect(seen.schema_version).toBe(v2 ? 2 : 1);
    if (clientGap !== undefined) {
      expect(seen.phase, "a v1 request has no phase").toBeNull();
      return { status: "unsupported", reason: clientGap };
    }
    if (v2 && serverGap !== undefined) {
      expect(seen.phase, "the handler cannot see the phase it was sent").toBeNull();
      return { status: "partial", reason: serverGap };
    }
    expect(seen.phase).toBe(v2 ? "submitted" : null);
    return PASS;
  },
};

/** Bare handler results that must come back exactly in every pair (spec/bus.md "Wire format": a final's payload is the value). */
const BARE_VALUES: readonly unknown[] = ["alice", "", 0, -1.25, false, true, null, [1, "two", null], { a: 1 }, {}, { result: 1, more: 2 }];

export const values: PairScenario = {
  name: "values",
  what: 'a handler\'s bare result comes back as is: strings, numbers, booleans, null (no payload), arrays, objects; and {"result": v}, which readers unwrap, round-trips between our runtimes',
  async run(client, server) {
    const target = targetOf(server, "invoke");
    const got: unknown[] = [];
    for (const value of BARE_VALUES) {
      const a = await ask(client, "invoke", { target, payload: { do: "return", value } });
      got.push(a["error"] ?? a["result"]);
    }
    expect(got).toEqual(BARE_VALUES);
    const wrapped = { result: 1 };
    const a = await ask(client, "invoke", { target, payload: { do: "return", value: wrapped } });
    const clientGap = client.spec.gaps.resultShape;
    const serverGap = server.spec.gaps.resultShape;
    if ((clientGap === undefined) === (serverGap === undefined)) {
      // both sides wrap and unwrap, or neither does: the value comes back as is
      expect(a["result"]).toEqual(wrapped);
      return PASS;
    }
    // Our writers send {"result": {"result": 1}}, which 0.3.0 reads as is; 0.3.0 sends {"result": 1}, which our readers unwrap.
    expect(a["result"]).toEqual(clientGap !== undefined ? { result: wrapped } : 1);
    return { status: "partial", reason: `{"result": v}: ${clientGap ?? serverGap}` };
  },
};

export const concurrency: PairScenario = {
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

export const large: PairScenario = {
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
export function codeRead(code: string, client: Side, server: Side): string {
  // Our runtimes answer a v1 request with the nearest deployed code (the deployed SDK sends the
  // code it was given); our readers take the precise one back from cause["acp.code"].
  if (!client.spec.v1 || !server.spec.downgradesForV1 || client.spec.recoversPreciseCode) return code;
  return V1_NEAREST[code] ?? code;
}

/** spec/errors.md "Extension codes and v1 peers": the code a v1 reader gets for each extension code. */
const V1_NEAREST: Readonly<Record<string, string>> = { PERMISSION_DENIED: "AUTH_FAILURE", CANCELED: "AGENT_UNAVAILABLE" };

export const errors: PairScenario = {
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

export const tenants: PairScenario = {
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
