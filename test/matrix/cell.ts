/**
 * What every matrix scenario shares: a cell's sides and outcome, the standard targets each peer
 * serves, commands, fresh tags and traces, and the handler probes run before any cell.
 */
import { randomBytes } from "node:crypto";
import type { PeerSpec } from "./peers.js";
import { probeUntil } from "./probe.js";
import { okAnswer, type Json, type MatrixPeer, type Seen } from "./protocol.js";

/** One peer in a cell. */
export interface Side {
  readonly spec: PeerSpec;
  readonly peer: MatrixPeer;
}

/** How a cell went when it did not throw: pass, or a gap (with its reason) that it asserted. */
export interface Outcome {
  readonly status: "pass" | "unsupported" | "partial";
  readonly reason?: string;
}

/** A scenario run with one peer as client and one as server. */
export interface PairScenario {
  readonly name: string;
  /** What the cell proves, for the README and summary. */
  readonly what: string;
  /** Cells of this scenario may run at the same time (each uses its own subjects and tags). */
  readonly concurrent?: boolean;
  run(client: Side, server: Side): Promise<Outcome>;
}

export const PASS: Outcome = { status: "pass" };
/** The tenant of tenant-routed cells and chains. */
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
    { target: targetOf(spec, "stream"), kind: "stream", tenant: TENANT },
  ];
}

/** Sends a command and returns its ok answer. */
export async function ask(side: Side, op: string, args: Json = {}, timeoutMs = 20_000): Promise<Json> {
  return okAnswer(side.peer, op, await side.peer.call(op, args, timeoutMs));
}

/** A tag unique to one cell: client, server and random hex (subject-token safe). */
export function tagOf(client: Side, server: Side): string {
  return `${client.spec.name}-${server.spec.name}-${randomBytes(3).toString("hex")}`;
}

/** A fresh W3C trace: its traceparent and trace id. */
export function freshTrace(): { traceparent: string; traceId: string } {
  const traceId = randomBytes(16).toString("hex");
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` };
}

/** The trace id of a W3C traceparent, `undefined` when it is not one. */
export function traceIdOf(tp: string | null): string | undefined {
  return /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/u.exec(tp ?? "")?.[1];
}

/** The `seen` of a handler's echo or stream final. */
export const seenOf = (v: unknown): Seen => (v as { seen: Seen }).seen;

/** Probes the standard handlers of `server` from `client` until each answers (handlers live). */
export async function probeHandlers(client: Side, server: Side): Promise<void> {
  const deployedClient = client.spec.gaps.noHandler !== undefined;
  const attempt = { timeout_ms: deployedClient ? 2000 : 5000 };
  const live = async (what: string, op: string, args: Json, ok: (a: Json) => boolean): Promise<void> => {
    let last: Json = {};
    let answered = false;
    await probeUntil(
      () => `${what} (${client.spec.name} → ${server.spec.name}); last answer ${JSON.stringify(last)}`,
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
  await live(
    "tenant stream handler",
    "stream",
    { target: targetOf(server, "stream"), tenant: TENANT, payload: { do: "story", words: [] } },
    (a) => a["error"] === undefined,
  );
  await live("untenanted handler", "invoke", { target: targetOf(server, "tenant"), payload: { do: "echo" } }, (a) => a["error"] === undefined);
}

/** Received events of subscription `sub` of `peer`, probes or not. */
export function received(peer: MatrixPeer, sub: string, probes: boolean): Json[] {
  return peer.events.filter((e) => e["event"] === "received" && e["sub"] === sub && ((e["payload"] as Json | null)?.["probe"] !== undefined) === probes);
}
