/**
 * Runs the TCK checks against a live A2A agent: reads its card, makes a client for every
 * binding the card declares (JSON-RPC, HTTP+JSON, gRPC; a binding it does not declare is
 * reported "not-served"), and runs each requirement's check on each binding it applies to,
 * one after the other. Nothing here knows which server it talks to.
 */
import { randomBytes } from "node:crypto";
import { startWebhookReceiver, type WebhookReceiver } from "../receiver.js";
import { cardChecks } from "./checks-card.js";
import { accessChecks } from "./checks-access.js";
import { bindingChecks } from "./checks-binding.js";
import { coreChecks } from "./checks-core.js";
import { dataChecks } from "./checks-data.js";
import { pushChecks } from "./checks-push.js";
import { streamChecks } from "./checks-stream.js";
import { jsonRpcClient } from "./client-jsonrpc.js";
import { grpcClient } from "./client-grpc.js";
import { restClient } from "./client-rest.js";
import { TckOutcome, type FetchedCard, type TckCheck, type TckContext } from "./framework.js";
import { protoChecker } from "./proto-check.js";
import { loadTckRequirements, type Level, type TckRequirements } from "./requirements.js";
import type { Binding, BindingClient, Obj, Scope } from "./types.js";

/** Every check, by requirement id. */
export const TCK_CHECKS: ReadonlyMap<string, TckCheck> = new Map(
  [...cardChecks, ...coreChecks, ...streamChecks, ...pushChecks, ...dataChecks, ...bindingChecks, ...accessChecks].map((c) => [c.id, c]),
);

export type TckStatus = "pass" | "fail" | "blocked" | "not-applicable" | "not-served" | "manual";

export interface TckResult {
  readonly id: string;
  readonly level: Level;
  readonly scope: Scope;
  readonly status: TckStatus;
  /** Why it failed, was blocked, does not apply, or is manual. */
  readonly detail?: string;
}

export interface TckRun {
  readonly url: string;
  readonly card: Obj;
  /** The bindings the card declares (for A2A 1.0) and the interface URL of each. */
  readonly served: Readonly<Partial<Record<Binding, string>>>;
  readonly results: readonly TckResult[];
}

export interface TckRunOptions {
  /** The agent's base URL (its card at /.well-known/agent-card.json). */
  readonly url: string;
  /** Headers (credentials) sent on every call; gRPC sends them as metadata. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A second principal's headers, for AUTH-SCOPE-* (without: not applicable). */
  readonly otherHeaders?: Readonly<Record<string, string>>;
  /** The webhook URL of push configs that are only stored (default the TCK's https://example.com/tck-push-webhook). */
  readonly pushUrl?: string;
  /** A receiver the agent can deliver to (default: one started on 127.0.0.1 for the run; null: none). */
  readonly receiver?: WebhookReceiver | null;
  /** Only these requirement ids / bindings. */
  readonly ids?: readonly string[];
  readonly bindings?: readonly Binding[];
  /** Called after each result (progress). */
  readonly onResult?: (r: TckResult) => void;
}

/** True when the agent at `url` is on this machine's loopback, so it can reach a receiver started on 127.0.0.1. */
export function onLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The binding a card's protocolBinding names. */
function bindingOf(name: unknown): Binding | undefined {
  const n = String(name ?? "").toUpperCase();
  if (n === "JSONRPC") return "JSONRPC";
  if (n === "HTTP+JSON" || n === "REST" || n === "HTTP_JSON") return "HTTP+JSON";
  if (n === "GRPC") return "GRPC";
  return undefined;
}

async function fetchCard(url: string, headers: Readonly<Record<string, string>>): Promise<FetchedCard> {
  const where = new URL("/.well-known/agent-card.json", url);
  const res = await fetch(where, { headers }).catch((err: unknown) => {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot fetch the agent card at ${where.href}: ${(err as Error).message}${cause ? ` (${cause})` : ""}; is the agent running there?`);
  });
  const text = await res.text();
  let body: Obj | undefined;
  try {
    body = JSON.parse(text) as Obj;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** The bindings a card serves for A2A 1.0, with the URL of each. */
export function servedBindings(card: Obj): Partial<Record<Binding, string>> {
  const out: Partial<Record<Binding, string>> = {};
  const ifs = Array.isArray(card["supportedInterfaces"]) ? (card["supportedInterfaces"] as Obj[]) : [];
  for (const i of ifs) {
    const b = bindingOf(i["protocolBinding"]);
    if (b !== undefined && String(i["protocolVersion"] ?? "1.0").startsWith("1.") && out[b] === undefined && typeof i["url"] === "string") out[b] = i["url"];
  }
  return out;
}

function makeClient(b: Binding, url: string, headers: Readonly<Record<string, string>>): BindingClient {
  return b === "JSONRPC" ? jsonRpcClient(url, headers) : b === "HTTP+JSON" ? restClient(url, headers) : grpcClient(url, headers);
}

const CHECK_TIMEOUT_MS = 90_000;

async function runOne(check: TckCheck, ctx: TckContext): Promise<{ status: TckStatus; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no outcome within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: "pass" };
  } catch (err: unknown) {
    if (err instanceof TckOutcome) return { status: err.outcome, detail: err.message };
    const message = err instanceof Error ? err.message : String(err);
    return { status: "fail", detail: message.split("\n")[0] ?? "" };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the TCK checks against the agent at `o.url`. */
export async function runTck(o: TckRunOptions, requirements: TckRequirements = loadTckRequirements()): Promise<TckRun> {
  const headers = o.headers ?? {};
  const cardFetch = await fetchCard(o.url, { ...headers, "A2A-Version": "1.0" });
  const cardPlain = await fetchCard(o.url, headers);
  const card = cardFetch.body ?? {};
  const served = servedBindings(card);
  const bindings = (Object.keys(served) as Binding[]).filter((b) => o.bindings === undefined || o.bindings.includes(b));
  const clients = new Map(bindings.map((b) => [b, makeClient(b, served[b]!, headers)]));
  const others = new Map(o.otherHeaders ? bindings.map((b) => [b, makeClient(b, served[b]!, o.otherHeaders!)]) : []);
  const receiver = o.receiver === undefined ? await startWebhookReceiver() : (o.receiver ?? undefined);
  const run = randomBytes(4).toString("hex");
  let n = 0;
  const proto = protoChecker();
  const results: TckResult[] = [];
  const record = (r: TckResult): void => {
    results.push(r);
    o.onResult?.(r);
  };
  try {
    for (const req of requirements.requirements) {
      if (o.ids !== undefined && !o.ids.includes(req.id)) continue;
      for (const scope of req.bindings) {
        if (scope !== "CARD" && o.bindings !== undefined && !o.bindings.includes(scope)) continue;
        const base = { id: req.id, level: req.level, scope };
        if (scope !== "CARD" && !clients.has(scope)) {
          record({ ...base, status: "not-served", detail: `the card declares no ${scope} interface` });
          continue;
        }
        if (req.manual !== undefined) {
          record({ ...base, status: "manual", detail: req.manual });
          continue;
        }
        const check = TCK_CHECKS.get(req.id);
        if (check === undefined) throw new Error(`no check for TCK requirement ${req.id}`);
        const client = scope === "CARD" ? (clients.values().next().value as BindingClient) : clients.get(scope)!;
        const ctx: TckContext = {
          baseUrl: o.url,
          card,
          cardFetch,
          cardPlain,
          scope,
          client,
          other: scope === "CARD" ? undefined : others.get(scope),
          proto: scope === "GRPC" ? { message: proto.message, check: (t, j) => proto.check(t, j, true) } : proto,
          pushUrl: o.pushUrl ?? "https://example.com/tck-push-webhook",
          receiver,
          messageId: (prefix) => {
            n += 1;
            return `tck-${prefix}-${run}-${n}`;
          },
        };
        const out = await runOne(check, ctx);
        record({ ...base, ...out, ...(out.detail !== undefined ? { detail: out.detail.replaceAll(run, "RUN") } : {}) });
      }
    }
  } finally {
    for (const c of [...clients.values(), ...others.values()]) await c.close();
    if (o.receiver === undefined) await receiver?.close();
  }
  return { url: o.url, card, served, results };
}
