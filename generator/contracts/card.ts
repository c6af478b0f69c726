/**
 * `cards/<agent>.agent-card.json`: the A2A 1.0 Agent Card of each contract, built by the same
 * function that builds the card a server for the contract serves (runtime/a2a/contract-card.ts:
 * name, description, version, interfaces, capabilities, default modes, skills). The ACP side
 * (skill targets, events) rides in a capabilities extension, which a server routes skills by.
 */
import { contractAgentCard } from "../../runtime/a2a/contract-card.js";
import type { GeneratedFile } from "../emitter.js";
import type { AgentContractIr, ContractIr } from "./types.js";

export { CONTRACT_EXTENSION_URI } from "../../runtime/a2a/contract-card.js";

/** The card of one contract, as plain JSON data (A2A 1.0 AgentCard field order). */
export function agentCard(c: AgentContractIr): Record<string, unknown> {
  return { ...contractAgentCard(c) };
}

/** Emits `cards/<agent>.agent-card.json` for every contract. */
export function emitCards(ir: ContractIr): GeneratedFile[] {
  return ir.contracts.map((c) => ({ path: `cards/${c.name}.agent-card.json`, content: `${JSON.stringify(agentCard(c), null, 2)}\n` }));
}
