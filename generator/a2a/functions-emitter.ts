/**
 * Emits generated/a2a/functions.ts: the mapping functions the runtime's A2A bridge runs.
 * Every decision is read from the generated tables (EVENT_MAPPINGS, PHASE_TO_TASK_STATE,
 * A2A_ERRORS, ...), so a change to schema/a2a/ changes behaviour through regeneration only.
 */
import type { A2aIr } from "../ir/a2a.js";

/** The content of generated/a2a/functions.ts (without the generated header). */
export function functionsSource(a2a: A2aIr): string {
  return `import type { Envelope, ErrorPayload } from "../ts/types.js";
import { EVENT_TYPES, PHASES, type ErrorCodeName, type PhaseName } from "../ts/constants.js";
import {
  A2A_ERRORS, A2A_ERROR_DOMAIN, A2aMetadataKey, ACP_TO_JSONRPC_CODE, A2A_METHODS, CANCEL_PHASE, ERROR_INFO_TYPE, ERROR_PHASE,
  EVENT_MAPPINGS, PARTS, PHASE_TO_TASK_STATE, RUNNING_PHASE, TASK_STATES, TASK_STATE_TO_PHASE, V03_METHOD_TO_METHOD,
  type A2aErrorInfo,
} from "./tables.js";
import type { A2aMethodName, JsonObject, JsonRpcErrorObject, Message, Part, StreamResponse, Task, TaskStateName } from "./types.js";

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The A2A TaskState of a phase. */
export function phaseToTaskState(phase: PhaseName): TaskStateName {
  return PHASE_TO_TASK_STATE[phase];
}

/** The phase of an A2A TaskState; undefined for TASK_STATE_UNSPECIFIED and unknown names. */
export function taskStateToPhase(state: string): PhaseName | undefined {
  return TASK_STATE_TO_PHASE[state];
}

/** True for COMPLETED, FAILED, CANCELED, REJECTED. */
export function isTerminalTaskState(state: string): boolean {
  return TASK_STATES.some((s) => s.taskState === state && s.terminal);
}

/** True for INPUT_REQUIRED and AUTH_REQUIRED: the task waits for the client. */
export function isInterruptedTaskState(state: string): boolean {
  return TASK_STATES.some((s) => s.taskState === state && s.interrupted);
}

/** The 1.0 method named by a 1.0 or 0.3 method name. */
export function resolveMethod(name: string, legacy: boolean): A2aMethodName | undefined {
  if (legacy) return V03_METHOD_TO_METHOD[name];
  return Object.prototype.hasOwnProperty.call(A2A_METHODS, name) ? (name as A2aMethodName) : undefined;
}

/** The JSON-RPC code the bridge answers an ACP error code with (-32603 for unknown codes). */
export function acpCodeToJsonRpc(code: string): number {
  return (ACP_TO_JSONRPC_CODE as Readonly<Record<string, number>>)[code] ?? -32603;
}

/** The ACP code a client raises for a JSON-RPC error code (AGENT_UNAVAILABLE for unknown codes). */
export function jsonRpcToAcpCode(code: number): ErrorCodeName {
  return A2A_ERRORS[code]?.acpCode ?? "AGENT_UNAVAILABLE";
}

/** Facts about a JSON-RPC error code, if it is one A2A defines. */
export function a2aError(code: number): A2aErrorInfo | undefined {
  return A2A_ERRORS[code];
}

/** A JSON-RPC error object with the google.rpc.ErrorInfo detail A2A ${a2a.protocol.version} clients read. */
export function jsonRpcError(code: number, message?: string): JsonRpcErrorObject {
  const info = A2A_ERRORS[code];
  const base: JsonRpcErrorObject = { code, message: message ?? info?.message ?? "Error" };
  if (info === undefined || info.standard) return base;
  return { ...base, data: [{ "@type": ERROR_INFO_TYPE, reason: info.reason, domain: A2A_ERROR_DOMAIN }] };
}

/** A payload as parts: a string is one text part, undefined none, anything else one data part. */
export function payloadToParts(value: unknown): Part[] {
  if (value === undefined) return [];
  if (typeof value === "string") return [{ text: value }];
  return [{ data: value }];
}

/** Parts as a payload: one text part is a string, one data part its value, several { parts }. */
export function partsToPayload(parts: readonly Part[]): unknown {
  if (parts.length === 1) {
    const p = parts[0] as Part;
    if (typeof p.text === "string") return p.text;
    if ("data" in p) return p.data;
  }
  if (parts.length === 0) return undefined;
  return { parts: parts.map((p) => ({ ...p })) };
}

/** The value of an agent.response.final payload: .result when it is the only key, nothing for {}. */
export function finalResult(payload: unknown): unknown {
  if (isObject(payload)) {
    const keys = Object.keys(payload);
    if (keys.length === 1 && keys[0] === "result") return payload["result"];
    if (keys.length === 0) return undefined;
  }
  return payload;
}

/** Parts of an agent.response.delta payload: delta as a text part, data as a data part. */
export function deltaToParts(payload: unknown): Part[] {
  if (!isObject(payload)) return payloadToParts(payload);
  const parts: Part[] = [];
  if (typeof payload["delta"] === "string") parts.push({ text: payload["delta"] });
  if (isObject(payload["data"])) parts.push({ data: payload["data"] });
  return parts;
}

/** Parts of a status message for an error: its text, then the ErrorPayload as data. */
export function errorToParts(error: ErrorPayload): Part[] {
  return [{ text: error.message }, { data: { ...error } }];
}

/** The ErrorPayload inside parts made by {@link errorToParts}, if any. */
export function partsToError(parts: readonly Part[]): ErrorPayload | undefined {
  for (const p of parts) {
    const d = p.data;
    if (isObject(d) && typeof d["code"] === "string" && typeof d["message"] === "string" && typeof d["retryable"] === "boolean") return d as ErrorPayload;
  }
  return undefined;
}

const PHASE_NAMES = new Set<string>(TASK_STATES.map((s) => s.phase));
const asPhase = (v: unknown): PhaseName | undefined => (typeof v === "string" && PHASE_NAMES.has(v) ? (v as PhaseName) : undefined);
const isInterruptedPhase = (p: PhaseName | undefined): boolean => p !== undefined && TASK_STATES.some((s) => s.phase === p && s.interrupted);

/**
 * The phase an envelope puts its task in: an interrupted phase in \`phase\` or in metadata
 * a2a.phase wins, then \`phase\`, then the error code (CANCELED), then the event type's default.
 */
export function envelopePhase(env: Envelope): PhaseName {
  const own = asPhase(env.phase);
  const meta = isObject(env.metadata) ? asPhase(env.metadata[A2aMetadataKey.PHASE]) : undefined;
  if (isInterruptedPhase(meta)) return meta as PhaseName;
  if (own !== undefined) return own;
  const mapping = (EVENT_MAPPINGS as Readonly<Record<string, { parts: string }>>)[env.event_type];
  if (mapping?.parts === "error") return isObject(env.payload) && env.payload["code"] === "CANCELED" ? CANCEL_PHASE : ERROR_PHASE;
  if (env.event_type === "agent.task.completed" && isObject(env.payload)) return asPhase(env.payload["status"]) ?? ERROR_PHASE;
  return (EVENT_TYPES as Readonly<Record<string, { defaultPhase: PhaseName }>>)[env.event_type]?.defaultPhase ?? RUNNING_PHASE;
}

/** Which task an envelope belongs to. */
export interface TaskRef {
  readonly taskId: string;
  readonly contextId: string;
}

/** The response artifact of a task and how many chunks of it were sent. */
export interface ArtifactCursor {
  readonly artifactId: string;
  chunks: number;
}

/** A Message from the agent built from an envelope (messageId = event_id). */
export function agentMessage(env: Envelope, ref: TaskRef, parts: Part[]): Message {
  return { messageId: env.event_id, contextId: ref.contextId, taskId: ref.taskId, role: "ROLE_AGENT", parts };
}

/**
 * The A2A stream events for one outbound envelope of a task, per EVENT_MAPPINGS. Advances
 * \`cursor\` for each artifact chunk. Inbound and unknown event types give no events.
 */
export function envelopeToStreamEvents(env: Envelope, ref: TaskRef, cursor: ArtifactCursor): StreamResponse[] {
  const mapping = (EVENT_MAPPINGS as Readonly<Record<string, (typeof EVENT_MAPPINGS)[keyof typeof EVENT_MAPPINGS]>>)[env.event_type];
  if (mapping === undefined || mapping.direction === "inbound") return [];
  const phase = envelopePhase(env);
  const state = PHASE_TO_TASK_STATE[phase];
  const status = (parts?: Part[]): StreamResponse => ({
    statusUpdate: {
      taskId: ref.taskId,
      contextId: ref.contextId,
      status: { state, timestamp: env.occurred_at, ...(parts && parts.length > 0 ? { message: agentMessage(env, ref, parts) } : {}) },
    },
  });
  const chunk = (parts: Part[], last: boolean): StreamResponse => {
    const append = cursor.chunks > 0;
    cursor.chunks += 1;
    return {
      artifactUpdate: {
        taskId: ref.taskId,
        contextId: ref.contextId,
        artifact: { artifactId: cursor.artifactId, name: PARTS.responseArtifactName, parts },
        append,
        lastChunk: last,
      },
    };
  };
  switch (mapping.parts) {
    case "none":
      if (mapping.streamEvents.includes("task")) return [{ task: { id: ref.taskId, contextId: ref.contextId, status: { state, timestamp: env.occurred_at } } }];
      return [status()];
    case "delta": {
      const parts = deltaToParts(env.payload);
      return parts.length === 0 ? [] : [chunk(parts, mapping.chunk === "last")];
    }
    case "result": {
      const payload = env.event_type === "agent.task.completed" && isObject(env.payload) ? env.payload["result"] ?? env.payload["error"] : finalResult(env.payload);
      if (PHASES[phase].terminal && phase !== "completed") {
        const err = isObject(env.payload) && isObject(env.payload["error"]) ? (env.payload["error"] as ErrorPayload) : undefined;
        return [status(err ? errorToParts(err) : payloadToParts(payload))];
      }
      if (!PHASES[phase].terminal) return [status(payloadToParts(payload))];
      const parts = payloadToParts(payload);
      return parts.length > 0 ? [chunk(parts, mapping.chunk === "last"), status()] : [status()];
    }
    case "error":
      return [status(isObject(env.payload) ? errorToParts(env.payload as ErrorPayload) : payloadToParts(env.payload))];
    case "tool":
      return [status([{ data: env.payload ?? null, metadata: { [PARTS.eventTypeMetadataKey]: env.event_type } }])];
    case "payload":
      return [];
  }
}

/**
 * Envelope metadata for a request built from a client Message (acp.* keys and a2a.phase
 * dropped). An empty ref.taskId (a new task: its id will be the request's event_id) is left out.
 */
export function requestMetadata(message: Message, ref: TaskRef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isObject(message.metadata)) {
    for (const [k, v] of Object.entries(message.metadata)) if (!k.startsWith("acp.") && k !== A2aMetadataKey.PHASE) out[k] = v;
  }
  if (ref.taskId !== "") out[A2aMetadataKey.TASK_ID] = ref.taskId;
  out[A2aMetadataKey.CONTEXT_ID] = ref.contextId;
  out[A2aMetadataKey.MESSAGE_ID] = message.messageId;
  return out;
}

/** The whole content of a finished task: its artifacts' parts, else its status message's. */
export function taskResultParts(task: Task): Part[] {
  const fromArtifacts = (task.artifacts ?? []).flatMap((a) => a.parts);
  return fromArtifacts.length > 0 ? fromArtifacts : task.status.message?.parts ?? [];
}
`;
}
