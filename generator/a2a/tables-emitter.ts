/**
 * Emits generated/a2a/tables.ts: every fact of schema/a2a/ (and the A2A columns of the
 * phase and error catalogues) as typed `as const` tables. Values are written with
 * JSON.stringify, never pasted as source text.
 */
import type { A2aIr } from "../ir/a2a.js";

const lit = (v: unknown): string => JSON.stringify(v);

/** `a2a.task_id` -> `TASK_ID`. */
function keyConst(key: string): string {
  return key.replace(/^a2a\./, "").toUpperCase();
}

/** `TASK_STATE_INPUT_REQUIRED` -> `INPUT_REQUIRED`. */
function stateConst(state: string): string {
  return state.replace(/^TASK_STATE_/, "");
}

function record(entries: readonly (readonly [string, string])[]): string {
  return `{\n${entries.map(([k, v]) => `  ${lit(k)}: ${v},`).join("\n")}\n}`;
}

/** The content of generated/a2a/tables.ts (without the generated header). */
export function tablesSource(a2a: A2aIr): string {
  const p = a2a.protocol;
  const ts = a2a.taskStates;
  const out: string[] = [];
  out.push(`import type { ErrorCodeName, EventTypeName, PhaseName } from "../ts/constants.js";
import type { A2aMethodName, StreamEventName, TaskStateName, V03TaskStateName } from "./types.js";

/** A2A protocol version served by default. */
export const A2A_PROTOCOL_VERSION = ${lit(p.version)};
/** The version a request with an empty ${p.versionHeader} header speaks. */
export const A2A_LEGACY_VERSION = ${lit(p.legacyVersion)};
export const A2A_VERSION_HEADER = ${lit(p.versionHeader)};
export const A2A_EXTENSIONS_HEADER = ${lit(p.extensionsHeader)};
export const AGENT_CARD_PATH = ${lit(p.agentCardPath)};
export const JSONRPC_VERSION = ${lit(p.jsonrpcVersion)};
export const PROTOCOL_BINDING = ${lit(p.protocolBinding)};
export const A2A_ERROR_DOMAIN = ${lit(p.errorDomain)};
export const ERROR_INFO_TYPE = ${lit(p.errorInfoType)};
export const PUSH_TOKEN_HEADER = ${lit(p.pushTokenHeader)};
export const PUSH_CONTENT_TYPE = ${lit(p.pushContentType)};
export const LIST_TASKS_DEFAULT_PAGE_SIZE = ${p.listTasksDefaultPageSize};
export const LIST_TASKS_MAX_PAGE_SIZE = ${p.listTasksMaxPageSize};
`);
  out.push(`/** TaskState names. */
export const TaskState = {
${[ts.unspecified, ...ts.states.map((s) => s.taskState)].map((s) => `  ${stateConst(s)}: ${lit(s)},`).join("\n")}
} as const;
`);
  out.push(`/** One phase with its A2A states. */
export interface TaskStateInfo {
  readonly phase: PhaseName;
  readonly taskState: TaskStateName;
  readonly v03State: V03TaskStateName;
  readonly terminal: boolean;
  /** The task waits for the client (input or auth required). */
  readonly interrupted: boolean;
}

/** Every phase, in lifecycle order (catalog/phases.json). */
export const TASK_STATES: readonly TaskStateInfo[] = Object.freeze([
${ts.states.map((s) => `  { phase: ${lit(s.phase)}, taskState: ${lit(s.taskState)}, v03State: ${lit(s.v03State)}, terminal: ${s.terminal}, interrupted: ${s.interrupted} },`).join("\n")}
]);

export const PHASE_TO_TASK_STATE: Readonly<Record<PhaseName, TaskStateName>> = Object.freeze(${record(ts.states.map((s) => [s.phase, lit(s.taskState)]))});
export const TASK_STATE_TO_PHASE: Readonly<Record<string, PhaseName>> = Object.freeze(${record(ts.states.map((s) => [s.taskState, lit(s.phase)]))});
export const PHASE_TO_V03_STATE: Readonly<Record<PhaseName, V03TaskStateName>> = Object.freeze(${record(ts.states.map((s) => [s.phase, lit(s.v03State)]))});
export const V03_STATE_TO_PHASE: Readonly<Record<string, PhaseName>> = Object.freeze(${record(ts.states.map((s) => [s.v03State, lit(s.phase)]))});
export const UNSPECIFIED_TASK_STATE = ${lit(ts.unspecified)};
export const V03_UNKNOWN_STATE = ${lit(ts.v03Unknown)};
/** Phase of a task that was accepted. */
export const INITIAL_PHASE: PhaseName = ${lit(ts.initialPhase)};
/** Phase of a task whose handler runs. */
export const RUNNING_PHASE: PhaseName = ${lit(ts.runningPhase)};
/** Phase of a canceled task. */
export const CANCEL_PHASE: PhaseName = ${lit(ts.cancelPhase)};
/** Phase of a task whose handler failed. */
export const ERROR_PHASE: PhaseName = ${lit(ts.errorPhase)};
`);
  out.push(`/** JSON-RPC methods. */
export const A2aMethod = {
${a2a.methods.map((m) => `  ${m.name}: ${lit(m.name)},`).join("\n")}
} as const;

export interface A2aMethodInfo {
  readonly name: A2aMethodName;
  /** The ${p.legacyVersion} method name, if the method existed then. */
  readonly v03: string | null;
  /** Answers with an SSE stream. */
  readonly streaming: boolean;
  /** The Agent Card capability the method needs. */
  readonly capability: "streaming" | "pushNotifications" | "extendedAgentCard" | null;
  readonly description: string;
}

export const A2A_METHODS: Readonly<Record<A2aMethodName, A2aMethodInfo>> = Object.freeze(${record(a2a.methods.map((m) => [m.name, `{ name: ${lit(m.name)}, v03: ${lit(m.v03)}, streaming: ${m.streaming}, capability: ${lit(m.capability)}, description: ${lit(m.description)} }`]))});

/** ${p.legacyVersion} method name -> ${p.version} method. */
export const V03_METHOD_TO_METHOD: Readonly<Record<string, A2aMethodName>> = Object.freeze(${record(a2a.methods.filter((m) => m.v03 !== null).map((m) => [m.v03 as string, lit(m.name)]))});
`);
  out.push(`export interface StreamEventInfo {
  readonly name: StreamEventName;
  /** a2a.proto message. */
  readonly proto: string;
  /** The ${p.legacyVersion} \`kind\`. */
  readonly v03Kind: string;
}

export const STREAM_EVENTS: Readonly<Record<StreamEventName, StreamEventInfo>> = Object.freeze(${record(a2a.streamEvents.map((e) => [e.name, `{ name: ${lit(e.name)}, proto: ${lit(e.proto)}, v03Kind: ${lit(e.v03Kind)} }`]))});

/** How one ACP event type maps onto A2A. */
export interface EventMappingInfo {
  readonly eventType: EventTypeName;
  readonly direction: "inbound" | "outbound";
  readonly streamEvents: readonly StreamEventName[];
  /** Which part of the envelope becomes A2A parts. */
  readonly parts: "none" | "payload" | "delta" | "result" | "error" | "tool";
  /** Artifact chunking: append (a middle chunk), last (closes the artifact). */
  readonly chunk: "none" | "append" | "last";
  readonly description: string;
}

export const EVENT_MAPPINGS: Readonly<Record<EventTypeName, EventMappingInfo>> = Object.freeze(${record(a2a.eventTypes.map((e) => [e.eventType, `{ eventType: ${lit(e.eventType)}, direction: ${lit(e.direction)}, streamEvents: ${lit(e.streamEvents)}, parts: ${lit(e.parts)}, chunk: ${lit(e.chunk)}, description: ${lit(e.description)} }`]))});

/** Envelope field <-> A2A field (documentation table; the functions apply it). */
export const FIELD_MAPPINGS: readonly { readonly envelope: string; readonly a2a: string; readonly direction: "inbound" | "outbound" | "both"; readonly description: string }[] = Object.freeze([
${a2a.fields.map((f) => `  { envelope: ${lit(f.envelope)}, a2a: ${lit(f.a2a)}, direction: ${lit(f.direction)}, description: ${lit(f.description)} },`).join("\n")}
]);

/** Envelope metadata keys the bridge reads and writes. */
export const A2aMetadataKey = {
${a2a.metadataKeys.map((k) => `  /** ${k.description} */\n  ${keyConst(k.key)}: ${lit(k.key)},`).join("\n")}
} as const;

export const PARTS = Object.freeze({
  textMediaType: ${lit(a2a.parts.textMediaType)},
  dataMediaType: ${lit(a2a.parts.dataMediaType)},
  /** Part metadata key naming the ACP event type a part came from (tool calls and results). */
  eventTypeMetadataKey: ${lit(a2a.parts.eventTypeMetadataKey)},
  responseArtifactName: ${lit(a2a.parts.responseArtifactName)},
  outputModes: ${lit(a2a.parts.outputModes)} as readonly string[],
  inputModes: ${lit(a2a.parts.inputModes)} as readonly string[],
});
`);
  out.push(`/** JSON-RPC error codes by A2A error name. */
export const A2aErrorCode = {
${a2a.errors.map((e) => `  ${e.name}: ${e.code},`).join("\n")}
} as const;

export interface A2aErrorInfo {
  readonly name: keyof typeof A2aErrorCode;
  readonly code: number;
  /** google.rpc.ErrorInfo reason. */
  readonly reason: string;
  /** A JSON-RPC 2.0 standard error (not A2A specific). */
  readonly standard: boolean;
  /** The ACP code a client raises for this JSON-RPC error. */
  readonly acpCode: ErrorCodeName;
  readonly message: string;
}

export const A2A_ERRORS: Readonly<Record<number, A2aErrorInfo>> = Object.freeze(${record(a2a.errors.map((e) => [String(e.code), `{ name: ${lit(e.name)}, code: ${e.code}, reason: ${lit(e.reason)}, standard: ${e.standard}, acpCode: ${lit(e.acpCode)}, message: ${lit(e.message)} }`]))});

/** ACP error code -> the JSON-RPC code the bridge answers with (catalog/error-codes.json). */
export const ACP_TO_JSONRPC_CODE: Readonly<Record<ErrorCodeName, number>> = Object.freeze(${record(a2a.acpErrors.map((e) => [e.code, String(e.jsonRpcCode)]))});
`);
  out.push(`/** One A2A feature the scorecard measures (schema/a2a/features.json). */
export interface A2aFeatureInfo {
  readonly id: string;
  readonly title: string;
  /** Where the A2A specification describes it. */
  readonly spec: string;
  readonly level: "MUST" | "SHOULD" | "MAY";
  readonly supported: boolean;
  /** Why it is not supported. */
  readonly reason: string | undefined;
  /** Conformance checks proving it (runtime/a2a/conformance). */
  readonly checks: readonly string[];
}

export const A2A_FEATURES_VERSION = ${lit(a2a.featuresVersion)};

export const A2A_FEATURES: readonly A2aFeatureInfo[] = Object.freeze([
${a2a.features.map((f) => `  { id: ${lit(f.id)}, title: ${lit(f.title)}, spec: ${lit(f.spec)}, level: ${lit(f.level)}, supported: ${f.supported}, reason: ${f.reason === undefined ? "undefined" : lit(f.reason)}, checks: ${lit(f.checks)} },`).join("\n")}
]);
`);
  return out.join("\n");
}
