/**
 * The Agent Card (spec: Agent Discovery): built from given options or from an agent
 * contract (`*.agent.json`: name, description, version, skills). The 1.0 card lists the
 * JSON-RPC interface for 1.0 and, when 0.3 is served, for 0.3; a request without an
 * A2A-Version header also gets the 0.3 top-level fields (url, protocolVersion, preferredTransport).
 */
import {
  A2A_LEGACY_VERSION,
  A2A_PROTOCOL_VERSION,
  PARTS,
  PROTOCOL_BINDING,
  type AgentCard,
  type AgentInterface,
  type AgentProvider,
  type AgentSkill,
  type SecurityRequirement,
  type SecurityScheme,
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

/** What the card declares about authentication (A2A 1.0 securitySchemes + securityRequirements). */
export interface CardSecurity {
  securitySchemes: Record<string, SecurityScheme>;
  securityRequirements: SecurityRequirement[];
}

/**
 * The 1.0 Agent Card for an endpoint `url` (`security`: how callers authenticate; none in
 * development mode; `interfaces`: the other bindings served, e.g. GRPC, listed after JSON-RPC).
 */
export function buildAgentCard(
  info: AgentCardInfo,
  url: string,
  caps: CardCapabilities,
  legacy: boolean,
  security?: CardSecurity,
  interfaces: readonly AgentInterface[] = [],
): AgentCard {
  return {
    name: info.name,
    description: info.description,
    supportedInterfaces: [
      { url, protocolBinding: PROTOCOL_BINDING, protocolVersion: A2A_PROTOCOL_VERSION },
      ...(legacy ? [{ url, protocolBinding: PROTOCOL_BINDING, protocolVersion: A2A_LEGACY_VERSION }] : []),
      ...interfaces,
    ],
    ...(info.provider ? { provider: info.provider } : {}),
    version: info.version,
    ...(info.documentationUrl ? { documentationUrl: info.documentationUrl } : {}),
    capabilities: { ...caps },
    defaultInputModes: info.defaultInputModes ?? [...PARTS.inputModes],
    defaultOutputModes: info.defaultOutputModes ?? [...PARTS.outputModes],
    skills: info.skills ?? [],
    ...(security ? { securitySchemes: security.securitySchemes, securityRequirements: security.securityRequirements } : {}),
    ...(info.iconUrl ? { iconUrl: info.iconUrl } : {}),
  };
}

/** A 1.0 security scheme in the 0.3 (OpenAPI) form. */
function schemeToV03(s: SecurityScheme): Record<string, unknown> {
  if (s.httpAuthSecurityScheme) {
    const h = s.httpAuthSecurityScheme;
    return {
      type: "http",
      scheme: h.scheme.toLowerCase(),
      ...(h.bearerFormat ? { bearerFormat: h.bearerFormat } : {}),
      ...(h.description ? { description: h.description } : {}),
    };
  }
  if (s.apiKeySecurityScheme) return { type: "apiKey", in: s.apiKeySecurityScheme.location, name: s.apiKeySecurityScheme.name };
  if (s.openIdConnectSecurityScheme) return { type: "openIdConnect", openIdConnectUrl: s.openIdConnectSecurityScheme.openIdConnectUrl };
  if (s.oauth2SecurityScheme) return { type: "oauth2", ...s.oauth2SecurityScheme };
  return { type: "mutualTLS" };
}

/** The card with the 0.3 top-level fields added (for clients that send no A2A-Version). */
export function withLegacyFields(card: AgentCard): AgentCard & Record<string, unknown> {
  const legacy = card.supportedInterfaces.find((i) => i.protocolVersion === A2A_LEGACY_VERSION) ?? card.supportedInterfaces[0];
  const schemes = card.securitySchemes;
  return {
    ...card,
    ...(schemes
      ? {
          securitySchemes: Object.fromEntries(Object.entries(schemes).map(([name, s]) => [name, schemeToV03(s)])),
          security: (card.securityRequirements ?? []).map((r) => Object.fromEntries(Object.entries(r.schemes).map(([name, scopes]) => [name, scopes.list]))),
        }
      : {}),
    ...(legacy ? { url: legacy.url, preferredTransport: legacy.protocolBinding } : {}),
    protocolVersion: `${A2A_LEGACY_VERSION}.0`,
    supportsAuthenticatedExtendedCard: card.capabilities.extendedAgentCard ?? false,
  };
}
