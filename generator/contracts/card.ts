/**
 * `cards/<agent>.agent-card.json`: the A2A 1.0 Agent Card of each contract (AgentCard:
 * name, description, version, supportedInterfaces, capabilities, default modes, skills).
 * The ACP side (skill targets, events) rides in a capabilities extension so a bridge can
 * route A2A skills to bus targets.
 */
import type { GeneratedFile } from "../emitter.js";
import type { AgentContractIr, ContractIr } from "./types.js";

/** URI of the extension that carries the ACP facts of a contract. */
export const CONTRACT_EXTENSION_URI = "https://openagentio.dev/extensions/agent-contract/v1";

/** A2A protocol version the cards declare. */
export const CARD_PROTOCOL_VERSION = "1.0";

/** The card of one contract, as plain JSON data (A2A 1.0 AgentCard field order). */
export function agentCard(c: AgentContractIr): Record<string, unknown> {
  const card: Record<string, unknown> = {
    name: c.title,
    description: c.description,
    supportedInterfaces: [{ url: c.card.url, protocolBinding: "JSONRPC", protocolVersion: CARD_PROTOCOL_VERSION }],
  };
  if (c.card.provider !== undefined) card["provider"] = { url: c.card.provider.url, organization: c.card.provider.organization };
  card["version"] = c.version;
  if (c.card.documentationUrl !== undefined) card["documentationUrl"] = c.card.documentationUrl;
  card["capabilities"] = {
    streaming: c.skills.some((s) => s.mode === "stream"),
    pushNotifications: false,
    extensions: [
      {
        uri: CONTRACT_EXTENSION_URI,
        description: "OpenAgentIO agent contract: the ACP invoke target of each skill and the events the agent publishes and subscribes.",
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
  card["defaultInputModes"] = [...c.card.defaultInputModes];
  card["defaultOutputModes"] = [...c.card.defaultOutputModes];
  card["skills"] = c.skills.map((s) => {
    const skill: Record<string, unknown> = { id: s.id, name: s.name, description: s.description, tags: [...s.tags] };
    if (s.examples.length > 0) skill["examples"] = [...s.examples];
    if (s.inputModes !== undefined) skill["inputModes"] = [...s.inputModes];
    if (s.outputModes !== undefined) skill["outputModes"] = [...s.outputModes];
    return skill;
  });
  if (c.card.iconUrl !== undefined) card["iconUrl"] = c.card.iconUrl;
  return card;
}

/** Emits `cards/<agent>.agent-card.json` for every contract. */
export function emitCards(ir: ContractIr): GeneratedFile[] {
  return ir.contracts.map((c) => ({ path: `cards/${c.name}.agent-card.json`, content: `${JSON.stringify(agentCard(c), null, 2)}\n` }));
}
