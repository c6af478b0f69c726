/**
 * The Agent Card (spec: Agent Discovery): built from given options or from an agent
 * contract (`*.agent.json`: name, description, version, skills). The 1.0 card lists the
 * JSON-RPC interface for 1.0 and, when 0.3 is served, for 0.3; a request without an
 * A2A-Version header also gets the 0.3 top-level fields (url, protocolVersion, preferredTransport).
 */
import {
  A2A_LEGACY_VERSION, A2A_PROTOCOL_VERSION, PARTS, PROTOCOL_BINDING, type AgentCard, type AgentProvider, type AgentSkill,
} from "../../generated/a2a/index.js";

/** What the card says about the agent; the server fills interfaces and capabilities. */
export interface AgentCardInfo {
  name: string;
  description: string;
  version: string;
  skills?: AgentSkill[];
  provider?: AgentProvider;
  documentationUrl?: string;
  iconUrl?: string;
  defaultInputModes?: string[];
  defaultOutputModes?: string[];
}

/** The subset of an agent contract (`*.agent.json`) the card is built from. */
export interface AgentContractLike {
  name: string;
  description?: string;
  version?: string;
  skills?: readonly { id?: string; name: string; description?: string; tags?: readonly string[]; examples?: readonly string[] }[];
}

/** Card info from an agent contract: one A2A skill per contract skill. */
export function cardInfoFromContract(c: AgentContractLike): AgentCardInfo {
  return {
    name: c.name,
    description: c.description ?? c.name,
    version: c.version ?? "0.0.0",
    skills: (c.skills ?? []).map((s) => ({
      id: s.id ?? s.name,
      name: s.name,
      description: s.description ?? s.name,
      tags: [...(s.tags ?? [])],
      ...(s.examples?.length ? { examples: [...s.examples] } : {}),
    })),
  };
}

export interface CardCapabilities {
  streaming: boolean;
  pushNotifications: boolean;
  extendedAgentCard: boolean;
}

/** The 1.0 Agent Card for an endpoint `url`. */
export function buildAgentCard(info: AgentCardInfo, url: string, caps: CardCapabilities, legacy: boolean): AgentCard {
  return {
    name: info.name,
    description: info.description,
    supportedInterfaces: [
      { url, protocolBinding: PROTOCOL_BINDING, protocolVersion: A2A_PROTOCOL_VERSION },
      ...(legacy ? [{ url, protocolBinding: PROTOCOL_BINDING, protocolVersion: A2A_LEGACY_VERSION }] : []),
    ],
    ...(info.provider ? { provider: info.provider } : {}),
    version: info.version,
    ...(info.documentationUrl ? { documentationUrl: info.documentationUrl } : {}),
    capabilities: { ...caps },
    defaultInputModes: info.defaultInputModes ?? [...PARTS.inputModes],
    defaultOutputModes: info.defaultOutputModes ?? [...PARTS.outputModes],
    skills: info.skills ?? [],
    ...(info.iconUrl ? { iconUrl: info.iconUrl } : {}),
  };
}

/** The card with the 0.3 top-level fields added (for clients that send no A2A-Version). */
export function withLegacyFields(card: AgentCard): AgentCard & Record<string, unknown> {
  const legacy = card.supportedInterfaces.find((i) => i.protocolVersion === A2A_LEGACY_VERSION) ?? card.supportedInterfaces[0];
  return {
    ...card,
    ...(legacy ? { url: legacy.url, preferredTransport: legacy.protocolBinding } : {}),
    protocolVersion: `${A2A_LEGACY_VERSION}.0`,
    supportsAuthenticatedExtendedCard: card.capabilities.extendedAgentCard ?? false,
  };
}
