/**
 * The Agent Card of an agent contract (`*.agent.json`, spec/agent-contract.md), built in one
 * place for both the card `oaio generate --contracts` writes and the card a server for the
 * contract serves: name, description, version, skills (ids, tags, examples, input and output
 * modes), capabilities and the contract extension, whose params name each skill's bus target.
 * The routes a server follows (skill id -> target) come from the same facts.
 */
import { A2A_PROTOCOL_VERSION, type AgentCard, type AgentSkill } from "../../generated/a2a/index.js";
import { invalidArgument } from "../errors.js";
import { buildAgentCard, type AgentCardInfo, type CardCapabilities, type CardInterfaces } from "./agent-card.js";
import type { SkillRoute } from "./skill-routes.js";

/** URI of the card extension that carries the ACP facts of a contract. */
export const CONTRACT_EXTENSION_URI = "https://openagentio.dev/extensions/agent-contract/v1";

/** What a server serves unless told otherwise (A2aServerOptions defaults): the capabilities a contract's card declares. */
export const CONTRACT_CARD_CAPABILITIES: Readonly<CardCapabilities> = Object.freeze({ streaming: true, pushNotifications: true, extendedAgentCard: false });

/** One skill of a contract, defaults filled in (the generator's SkillIr has this shape). */
export interface ContractSkillSource {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly examples: readonly string[];
  /** The bus target serving the skill. */
  readonly target: string;
  readonly mode: "invoke" | "stream";
  readonly inputModes: readonly string[] | undefined;
  readonly outputModes: readonly string[] | undefined;
}

/**
 * An agent contract as the card needs it, defaults filled in: the generator's AgentContractIr
 * (generator/contracts/types.ts) has this shape, and {@link contractFromAgentCard} reads it back
 * from a generated card.
 */
export interface AgentContractSource {
  /** The contract's name (kebab-case). */
  readonly name: string;
  /** The card's name. */
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** The first is the default skill of a message that names none. */
  readonly skills: readonly ContractSkillSource[];
  readonly publishes: readonly { readonly type: string }[];
  readonly subscribes: readonly { readonly type: string }[];
  readonly card: {
    readonly url: string;
    readonly provider: { readonly organization: string; readonly url: string } | undefined;
    readonly documentationUrl: string | undefined;
    readonly iconUrl: string | undefined;
    readonly defaultInputModes: readonly string[];
    readonly defaultOutputModes: readonly string[];
  };
}

const EXTENSION_DESCRIPTION = "OpenAgentIO agent contract: the ACP invoke target of each skill and the events the agent publishes and subscribes.";

/** The card info of a contract (name, skills, modes, the contract extension). */
export function contractCardInfo(c: AgentContractSource): AgentCardInfo {
  return {
    name: c.title,
    description: c.description,
    version: c.version,
    ...(c.card.provider === undefined ? {} : { provider: { url: c.card.provider.url, organization: c.card.provider.organization } }),
    ...(c.card.documentationUrl === undefined ? {} : { documentationUrl: c.card.documentationUrl }),
    ...(c.card.iconUrl === undefined ? {} : { iconUrl: c.card.iconUrl }),
    defaultInputModes: [...c.card.defaultInputModes],
    defaultOutputModes: [...c.card.defaultOutputModes],
    skills: c.skills.map((s): AgentSkill => {
      const skill: AgentSkill = { id: s.id, name: s.name, description: s.description, tags: [...s.tags] };
      if (s.examples.length > 0) skill.examples = [...s.examples];
      if (s.inputModes !== undefined) skill.inputModes = [...s.inputModes];
      if (s.outputModes !== undefined) skill.outputModes = [...s.outputModes];
      return skill;
    }),
    extensions: [
      {
        uri: CONTRACT_EXTENSION_URI,
        description: EXTENSION_DESCRIPTION,
        required: false,
        params: {
          contract: c.name,
          targets: Object.fromEntries(c.skills.map((s) => [s.id, { target: s.target, mode: s.mode }])),
          publishes: c.publishes.map((e) => e.type),
          subscribes: c.subscribes.map((e) => e.type),
        },
      },
    ],
  };
}

/** Skill id -> bus target of a contract, in skill order (the first is the default). */
export function contractSkillRoutes(c: AgentContractSource): SkillRoute[] {
  return c.skills.map((s) => ({ id: s.id, target: s.target }));
}

/**
 * The card `oaio generate --contracts` writes: what a server for the contract serves with its
 * default options (the default bindings: JSON-RPC 1.0 and 0.3 at the contract's `a2a.url`, and
 * HTTP+JSON under the same base, no authentication declared).
 */
export function contractAgentCard(c: AgentContractSource): AgentCard {
  const rest = c.card.url.replace(/\/+$/, "") || c.card.url;
  const interfaces: CardInterfaces = { jsonRpc: true, extra: [{ url: rest, protocolBinding: "HTTP+JSON", protocolVersion: A2A_PROTOCOL_VERSION }] };
  return buildAgentCard(contractCardInfo(c), c.card.url, { ...CONTRACT_CARD_CAPABILITIES }, true, undefined, interfaces);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/**
 * Reads a card written by `oaio generate --contracts` (`cards/<agent>.agent-card.json`) back into
 * the contract facts, so a server can serve a contract from its generated card alone.
 * @throws the invalid-argument error naming the field when the card lacks the contract extension or a skill's target.
 */
export function contractFromAgentCard(card: AgentCard): AgentContractSource {
  const api = "contractFromAgentCard";
  const ext = card.capabilities.extensions?.find((e) => e.uri === CONTRACT_EXTENSION_URI);
  const params = ext?.params;
  if (!isObj(params) || typeof params["contract"] !== "string" || !isObj(params["targets"])) {
    throw invalidArgument(
      api,
      "card.capabilities.extensions",
      ext === undefined ? "no contract extension" : "malformed params",
      `the extension ${CONTRACT_EXTENSION_URI} with params contract and targets, as oaio generate --contracts writes it`,
    );
  }
  const targets = params["targets"];
  const events = (key: string): { type: string }[] => (strings(params[key]) ? params[key].map((type) => ({ type })) : []);
  const iface = card.supportedInterfaces[0];
  if (iface === undefined) throw invalidArgument(api, "card.supportedInterfaces", "empty", "at least one interface");
  return {
    name: params["contract"],
    title: card.name,
    description: card.description,
    version: card.version,
    skills: card.skills.map((s, i) => {
      const t = targets[s.id];
      if (!isObj(t) || typeof t["target"] !== "string" || (t["mode"] !== "invoke" && t["mode"] !== "stream")) {
        throw invalidArgument(
          api,
          `card.capabilities.extensions[].params.targets["${s.id}"]`,
          t,
          `{ target, mode: "invoke" | "stream" } for skill ${i} "${s.id}"`,
        );
      }
      return {
        id: s.id,
        name: s.name,
        description: s.description,
        tags: [...s.tags],
        examples: [...(s.examples ?? [])],
        target: t["target"],
        mode: t["mode"],
        inputModes: s.inputModes === undefined ? undefined : [...s.inputModes],
        outputModes: s.outputModes === undefined ? undefined : [...s.outputModes],
      };
    }),
    publishes: events("publishes"),
    subscribes: events("subscribes"),
    card: {
      url: iface.url,
      provider: card.provider === undefined ? undefined : { organization: card.provider.organization, url: card.provider.url },
      documentationUrl: card.documentationUrl,
      iconUrl: card.iconUrl,
      defaultInputModes: [...card.defaultInputModes],
      defaultOutputModes: [...card.defaultOutputModes],
    },
  };
}
