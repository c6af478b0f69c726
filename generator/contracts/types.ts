/**
 * The contract IR: every `*.agent.json` of a folder, validated and with defaults filled in.
 * Emitters read only this (plus the naming helpers); they never see the raw files.
 */
import type { JsonSchema } from "../ir/types.js";

export type { Json, JsonSchema } from "../ir/types.js";

/** How a skill is called: request-reply, or a stream of deltas ending in the output. */
export type SkillMode = "invoke" | "stream";

/** How stream deltas travel: text in `payload.delta`, or an object in `payload.data`. */
export type DeltaEncoding = "text" | "data";

/** One skill of an agent: one invoke target. */
export interface SkillIr {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly examples: readonly string[];
  /** Invoke target (one subject token), `{agent}:{id}` unless the contract sets one. */
  readonly target: string;
  readonly mode: SkillMode;
  readonly input: JsonSchema | boolean;
  readonly output: JsonSchema | boolean;
  /** Present for `stream` skills. */
  readonly delta: { readonly schema: JsonSchema; readonly encoding: DeltaEncoding } | undefined;
  readonly inputModes: readonly string[] | undefined;
  readonly outputModes: readonly string[] | undefined;
}

/** One event an agent publishes or subscribes. */
export interface EventIr {
  readonly type: string;
  readonly description: string;
  /** For standard types: the payload type name of the SDKs (e.g. ToolCallPayload). */
  readonly standardPayload: string | undefined;
  /** For custom types: the payload schema. */
  readonly payload: JsonSchema | boolean | undefined;
  /** Subscribed events: deliver to one instance (queue group = agent name) or to all. */
  readonly queue: boolean;
}

/** A2A Agent Card facts that do not derive from the skills. */
export interface CardIr {
  readonly url: string;
  readonly provider: { readonly organization: string; readonly url: string } | undefined;
  readonly documentationUrl: string | undefined;
  readonly iconUrl: string | undefined;
  readonly defaultInputModes: readonly string[];
  readonly defaultOutputModes: readonly string[];
}

/** One agent contract. */
export interface AgentContractIr {
  /** The file name (`translator.agent.json`), for headers of generated files. */
  readonly file: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly version: string;
  readonly skills: readonly SkillIr[];
  readonly publishes: readonly EventIr[];
  readonly subscribes: readonly EventIr[];
  /** Shared named schemas, in declaration order. */
  readonly defs: ReadonlyMap<string, JsonSchema | boolean>;
  readonly card: CardIr;
}

/** All contracts of a folder, sorted by name. */
export interface ContractIr {
  readonly contracts: readonly AgentContractIr[];
}

/** A standard event type as the loader needs it (from the schema/ catalogue). */
export interface StandardEvent {
  readonly name: string;
  /** Frame types of invoke/stream (request, response.*, stream.*) are not pub/sub events. */
  readonly frameType: string | null;
  /** Payload type name in the SDKs. */
  readonly payloadType: string;
}
