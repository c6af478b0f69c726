/**
 * Reading an A2A Agent Card as a client: where it is, fetching it (bounded, with the client's
 * headers and timeout), checking it against the A2A 1.0 proto (types and REQUIRED fields, the
 * wrong field named), and the JSON-RPC 1.0 endpoint it offers.
 */
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER, AGENT_CARD_PATH, PROTOCOL_BINDING, type AgentCard } from "../../generated/a2a/index.js";
import { A2A_GRPC_DESCRIPTOR } from "../../generated/a2a/grpc-descriptor.js";
import { a2aErrors } from "./errors.js";
import { loadA2aProto, normalizeProtoJson } from "./proto.js";
import { fetchOrFail, readBody, truncate, type A2aClientOptions } from "./client-http.js";

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** An Agent Card as fetched: the checked card, the body as the agent sent it, where it came from. */
export interface FetchedAgentCard {
  /** The card in canonical ProtoJSON (lowerCamel names, unknown fields dropped), checked. */
  readonly card: AgentCard;
  /** The body as parsed, before any normalisation. */
  readonly raw: unknown;
  /** The URL the card was read from. */
  readonly url: string;
}

/**
 * Where the card of `baseUrl` lives: `baseUrl` itself when its path names a `.json` file (a card
 * URL given as is), else the well-known path on its origin.
 */
export function agentCardUrl(baseUrl: string): URL {
  const given = new URL(baseUrl);
  return given.pathname.endsWith(".json") ? given : new URL(AGENT_CARD_PATH, given);
}

/**
 * Reads and checks the Agent Card of the agent at `baseUrl` ({@link agentCardUrl}). A card that
 * cannot be fetched (no connection) is a TransportFailureError; an HTTP error, a body that is not
 * JSON or not a valid A2A 1.0 card (a field of the wrong type, a required field missing: see
 * {@link agentCardProblem}) is INVALID_AGENT_RESPONSE naming the URL and the field.
 */
export async function readAgentCard(baseUrl: string, opts: A2aClientOptions = {}): Promise<FetchedAgentCard> {
  const url = agentCardUrl(baseUrl);
  const res = await fetchOrFail(`agent card at ${url.href}`, url, { headers: { ...opts.headers, [A2A_VERSION_HEADER]: A2A_PROTOCOL_VERSION } }, opts.timeoutMs);
  const text = await readBody(res, `agent card at ${url.href}`, opts, undefined);
  if (!res.ok) throw a2aErrors.invalidAgentResponse(`agent card at ${url.href}: HTTP ${res.status}${text ? ` ${truncate(text)}` : ""}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw a2aErrors.invalidAgentResponse(
      `agent card at ${url.href} is not JSON (content-type ${res.headers.get("content-type") ?? "none"}): ${truncate(text)}`,
    );
  }
  const checked = agentCardProblem(raw);
  if (typeof checked === "string")
    throw a2aErrors.invalidAgentResponse(`agent card at ${url.href} is not a valid A2A ${A2A_PROTOCOL_VERSION} card: ${checked}`);
  return { card: checked, raw, url: url.href };
}

/** Fetches the checked Agent Card of the agent at `baseUrl` (see {@link readAgentCard}). */
export async function fetchAgentCard(baseUrl: string, opts: A2aClientOptions = {}): Promise<AgentCard> {
  return (await readAgentCard(baseUrl, opts)).card;
}

/**
 * `value` as an A2A 1.0 AgentCard in canonical ProtoJSON, or what is wrong with it: the field of
 * the wrong type (the ProtoJSON reader's message), or the first required field
 * (`google.api.field_behavior = REQUIRED` in the A2A proto) that is missing or empty, by its path
 * (`supportedInterfaces[0].url`). Of the required repeated fields only `supportedInterfaces` must
 * be non-empty (a client needs an interface; ProtoJSON writers leave other empty lists out).
 */
export function agentCardProblem(value: unknown): AgentCard | string {
  if (!isObject(value)) return `expected a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`;
  const proto = loadA2aProto();
  const desc = proto.message(CARD_TYPE);
  if (desc === undefined) return `the A2A descriptor has no ${CARD_TYPE}`;
  let card: unknown;
  try {
    card = normalizeProtoJson(desc, value);
  } catch (err: unknown) {
    return err instanceof Error ? err.message : String(err);
  }
  const missing = missingRequired(desc, card, "");
  if (missing !== undefined) return `${missing} is required (missing or empty)`;
  return card as AgentCard;
}

const CARD_TYPE = "lf.a2a.v1.AgentCard";
const REQUIRED_REPEATED = new Set(["lf.a2a.v1.AgentCard.supported_interfaces"]);

/** The path of the first required field of `desc` missing in `json` (canonical ProtoJSON), recursing into messages. */
function missingRequired(desc: DescMessage, json: unknown, path: string): string | undefined {
  if (!isObject(json)) return undefined;
  for (const field of desc.fields) {
    const at = `${path}${path === "" ? "" : "."}${field.jsonName}`;
    const value = json[field.jsonName];
    const required = isRequired(field);
    if (field.fieldKind === "list") {
      const list = Array.isArray(value) ? value : [];
      if (required && REQUIRED_REPEATED.has(`${field.parent.typeName}.${field.name}`) && list.length === 0) return at;
      if (field.listKind === "message") {
        for (const [i, item] of list.entries()) {
          const m = missingRequired(field.message, item, `${at}[${i}]`);
          if (m !== undefined) return m;
        }
      }
      continue;
    }
    if (value === undefined) {
      if (required && field.fieldKind !== "map") return at;
      continue;
    }
    if (field.fieldKind === "message") {
      const m = missingRequired(field.message, value, at);
      if (m !== undefined) return m;
    }
  }
  return undefined;
}

/** Whether the A2A proto marks `field` REQUIRED (google.api.field_behavior, read from the descriptor). */
function isRequired(field: DescField): boolean {
  return REQUIRED_FIELDS.has(`${field.parent.typeName}.${field.name}`);
}

/** `package.Message.field` of every field the descriptor marks `[google.api.field_behavior] = REQUIRED`. */
function requiredFields(): ReadonlySet<string> {
  const out = new Set<string>();
  type Msg = { name?: string; field?: { name?: string; options?: Record<string, unknown> }[]; nestedType?: Msg[] };
  const walk = (prefix: string, msgs: readonly Msg[] | undefined): void => {
    for (const m of msgs ?? []) {
      const name = `${prefix}.${m.name ?? ""}`;
      for (const f of m.field ?? []) {
        const behavior = f.options?.["[google.api.field_behavior]"];
        if (Array.isArray(behavior) && behavior.includes("REQUIRED")) out.add(`${name}.${f.name ?? ""}`);
      }
      walk(name, m.nestedType);
    }
  };
  for (const file of A2A_GRPC_DESCRIPTOR?.file ?? []) walk(String(file["package"] ?? ""), file["messageType"] as Msg[] | undefined);
  return out;
}

/** Read once from the descriptor (a few hundred fields). */
const REQUIRED_FIELDS = requiredFields();

/**
 * The JSON-RPC 1.0 endpoint a card offers, if any: the first interface whose binding is JSONRPC
 * (any case) and whose version is 1.0 (or 1.0.x), its URL resolved against `cardUrl` when relative.
 */
export function jsonRpcEndpoint(card: AgentCard, cardUrl?: string): string | undefined {
  const found = card.supportedInterfaces.find(
    (i) =>
      i.protocolBinding.toUpperCase() === PROTOCOL_BINDING &&
      (i.protocolVersion === A2A_PROTOCOL_VERSION || i.protocolVersion.startsWith(`${A2A_PROTOCOL_VERSION}.`)),
  );
  if (found === undefined) return undefined;
  try {
    return new URL(found.url, cardUrl).href;
  } catch {
    return found.url;
  }
}
