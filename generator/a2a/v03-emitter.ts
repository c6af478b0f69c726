/**
 * Emits generated/a2a/v03.ts: conversions between the A2A 1.0 shapes and the 0.3 shapes
 * (kind discriminators, lowercase states, file parts, blocking flag) a request with an empty
 * A2A-Version header is answered in. State names come from the phase catalogue.
 */
import type { A2aIr } from "../ir/a2a.js";

/** The content of generated/a2a/v03.ts (without the generated header). */
export function v03Source(a2a: A2aIr): string {
  return `import { PHASE_TO_TASK_STATE, PHASE_TO_V03_STATE, STREAM_EVENTS, TASK_STATE_TO_PHASE, UNSPECIFIED_TASK_STATE, V03_STATE_TO_PHASE, V03_UNKNOWN_STATE } from "./tables.js";
import { isInterruptedTaskState, isTerminalTaskState } from "./functions.js";
import type {
  Artifact, JsonObject, Message, Part, SendMessageRequest, StreamResponse, Task, TaskPushNotificationConfig, TaskStateName, TaskStatus,
  V03Artifact, V03Message, V03MessageSendParams, V03Part, V03PushNotificationConfig, V03StreamResult, V03Task, V03TaskPushNotificationConfig,
  V03TaskStateName, V03TaskStatus,
} from "./types.js";

/** Metadata flag marking a ${a2a.protocol.legacyVersion} data part that wraps a non-object value as { value }. */
export const V03_DATA_PART_COMPAT_FLAG = "data_part_compat";

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const withMeta = <T extends object>(o: T, metadata: JsonObject | undefined): T => (metadata === undefined ? o : { ...o, metadata });

export function taskStateToV03(state: TaskStateName): V03TaskStateName {
  const phase = TASK_STATE_TO_PHASE[state];
  return phase === undefined ? ${JSON.stringify(a2a.taskStates.v03Unknown)} : PHASE_TO_V03_STATE[phase];
}

export function taskStateFromV03(state: string): TaskStateName {
  const phase = V03_STATE_TO_PHASE[state];
  return phase === undefined ? (UNSPECIFIED_TASK_STATE as TaskStateName) : PHASE_TO_TASK_STATE[phase];
}

/** V03_UNKNOWN_STATE is what an unspecified state is called in ${a2a.protocol.legacyVersion}. */
export const V03_UNKNOWN = V03_UNKNOWN_STATE;

export function partToV03(p: Part): V03Part {
  if (typeof p.text === "string") return withMeta({ kind: "text" as const, text: p.text }, p.metadata);
  if (typeof p.raw === "string" || typeof p.url === "string") {
    const file = {
      ...(typeof p.raw === "string" ? { bytes: p.raw } : { uri: p.url as string }),
      ...(p.mediaType ? { mimeType: p.mediaType } : {}),
      ...(p.filename ? { name: p.filename } : {}),
    };
    return withMeta({ kind: "file" as const, file }, p.metadata);
  }
  if (isObject(p.data)) return withMeta({ kind: "data" as const, data: p.data }, p.metadata);
  return { kind: "data", data: { value: p.data ?? null }, metadata: { ...(p.metadata ?? {}), [V03_DATA_PART_COMPAT_FLAG]: true } };
}

/** A ${a2a.protocol.legacyVersion} part as 1.0; throws TypeError naming the defect. */
export function partFromV03(p: unknown): Part {
  if (!isObject(p)) throw new TypeError("a part must be an object");
  const meta = isObject(p["metadata"]) ? { ...p["metadata"] } : undefined;
  if (p["kind"] === "text" && typeof p["text"] === "string") return withMeta({ text: p["text"] }, meta);
  if (p["kind"] === "file" && isObject(p["file"])) {
    const f = p["file"];
    const base: Part = typeof f["bytes"] === "string" ? { raw: f["bytes"] } : typeof f["uri"] === "string" ? { url: f["uri"] } : {};
    if (!("raw" in base) && !("url" in base)) throw new TypeError("a file part needs bytes or uri");
    if (typeof f["mimeType"] === "string") base.mediaType = f["mimeType"];
    if (typeof f["name"] === "string") base.filename = f["name"];
    return withMeta(base, meta);
  }
  if (p["kind"] === "data" && isObject(p["data"])) {
    if (meta !== undefined && meta[V03_DATA_PART_COMPAT_FLAG] === true) {
      delete meta[V03_DATA_PART_COMPAT_FLAG];
      return withMeta({ data: p["data"]["value"] }, Object.keys(meta).length > 0 ? meta : undefined);
    }
    return withMeta({ data: p["data"] }, meta);
  }
  throw new TypeError("a part needs kind text, file or data with its content");
}

export function messageToV03(m: Message): V03Message {
  return {
    kind: "message",
    messageId: m.messageId,
    role: m.role === "ROLE_USER" ? "user" : "agent",
    parts: m.parts.map(partToV03),
    ...(m.contextId ? { contextId: m.contextId } : {}),
    ...(m.taskId ? { taskId: m.taskId } : {}),
    ...(m.metadata ? { metadata: m.metadata } : {}),
    ...(m.extensions?.length ? { extensions: m.extensions } : {}),
    ...(m.referenceTaskIds?.length ? { referenceTaskIds: m.referenceTaskIds } : {}),
  };
}

/** A ${a2a.protocol.legacyVersion} message as 1.0; throws TypeError naming the defect. */
export function messageFromV03(m: unknown): Message {
  if (!isObject(m)) throw new TypeError("message must be an object");
  if (typeof m["messageId"] !== "string" || m["messageId"] === "") throw new TypeError("message.messageId is required");
  if (m["role"] !== "user" && m["role"] !== "agent") throw new TypeError('message.role must be "user" or "agent"');
  if (!Array.isArray(m["parts"])) throw new TypeError("message.parts must be an array");
  const out: Message = { messageId: m["messageId"], role: m["role"] === "user" ? "ROLE_USER" : "ROLE_AGENT", parts: m["parts"].map(partFromV03) };
  if (typeof m["contextId"] === "string") out.contextId = m["contextId"];
  if (typeof m["taskId"] === "string") out.taskId = m["taskId"];
  if (isObject(m["metadata"])) out.metadata = m["metadata"];
  if (Array.isArray(m["referenceTaskIds"])) out.referenceTaskIds = m["referenceTaskIds"].map(String);
  if (Array.isArray(m["extensions"])) out.extensions = m["extensions"].map(String);
  return out;
}

export function statusToV03(s: TaskStatus): V03TaskStatus {
  return { state: taskStateToV03(s.state), ...(s.message ? { message: messageToV03(s.message) } : {}), ...(s.timestamp ? { timestamp: s.timestamp } : {}) };
}

export function artifactToV03(a: Artifact): V03Artifact {
  return {
    artifactId: a.artifactId,
    parts: a.parts.map(partToV03),
    ...(a.name ? { name: a.name } : {}),
    ...(a.description ? { description: a.description } : {}),
    ...(a.metadata ? { metadata: a.metadata } : {}),
  };
}

export function taskToV03(t: Task): V03Task {
  return {
    kind: "task",
    id: t.id,
    contextId: t.contextId,
    status: statusToV03(t.status),
    ...(t.artifacts?.length ? { artifacts: t.artifacts.map(artifactToV03) } : {}),
    ...(t.history?.length ? { history: t.history.map(messageToV03) } : {}),
    ...(t.metadata ? { metadata: t.metadata } : {}),
  };
}

/** One stream event in ${a2a.protocol.legacyVersion} form; a status update is final when terminal or interrupted. */
export function streamResponseToV03(e: StreamResponse): V03StreamResult {
  if ("task" in e) return taskToV03(e.task);
  if ("message" in e) return messageToV03(e.message);
  if ("statusUpdate" in e) {
    const u = e.statusUpdate;
    const final = isTerminalTaskState(u.status.state) || isInterruptedTaskState(u.status.state);
    return withMeta({ kind: STREAM_EVENTS.statusUpdate.v03Kind as "status-update", taskId: u.taskId, contextId: u.contextId, status: statusToV03(u.status), final }, u.metadata);
  }
  const a = e.artifactUpdate;
  return withMeta(
    { kind: STREAM_EVENTS.artifactUpdate.v03Kind as "artifact-update", taskId: a.taskId, contextId: a.contextId, artifact: artifactToV03(a.artifact), append: a.append ?? false, lastChunk: a.lastChunk ?? false },
    a.metadata,
  );
}

export function pushConfigToV03(c: TaskPushNotificationConfig): V03TaskPushNotificationConfig {
  const cfg: V03PushNotificationConfig = { url: c.url, ...(c.id ? { id: c.id } : {}), ...(c.token ? { token: c.token } : {}) };
  if (c.authentication) cfg.authentication = { schemes: c.authentication.scheme ? [c.authentication.scheme] : [], ...(c.authentication.credentials ? { credentials: c.authentication.credentials } : {}) };
  return { taskId: c.taskId ?? "", pushNotificationConfig: cfg };
}

/** A ${a2a.protocol.legacyVersion} push config (bare or wrapped with taskId) as 1.0. */
export function pushConfigFromV03(c: unknown, taskId?: string): TaskPushNotificationConfig {
  if (!isObject(c)) throw new TypeError("push notification config must be an object");
  const inner = isObject(c["pushNotificationConfig"]) ? c["pushNotificationConfig"] : c;
  if (typeof inner["url"] !== "string") throw new TypeError("pushNotificationConfig.url is required");
  const out: TaskPushNotificationConfig = { url: inner["url"] };
  const tid = typeof c["taskId"] === "string" ? c["taskId"] : taskId;
  if (tid) out.taskId = tid;
  if (typeof inner["id"] === "string") out.id = inner["id"];
  if (typeof inner["token"] === "string") out.token = inner["token"];
  const auth = inner["authentication"];
  if (isObject(auth) && Array.isArray(auth["schemes"])) {
    out.authentication = { scheme: String(auth["schemes"][0] ?? ""), ...(typeof auth["credentials"] === "string" ? { credentials: auth["credentials"] } : {}) };
  }
  return out;
}

/** message/send and message/stream params as a 1.0 SendMessageRequest; throws TypeError naming the defect. */
export function sendParamsFromV03(params: unknown): SendMessageRequest {
  if (!isObject(params)) throw new TypeError("params must be an object");
  const v = params as unknown as V03MessageSendParams;
  const out: SendMessageRequest = { message: messageFromV03(v.message) };
  const c = isObject(params["configuration"]) ? params["configuration"] : undefined;
  if (c !== undefined) {
    out.configuration = {
      ...(Array.isArray(c["acceptedOutputModes"]) ? { acceptedOutputModes: c["acceptedOutputModes"].map(String) } : {}),
      ...(typeof c["historyLength"] === "number" ? { historyLength: c["historyLength"] } : {}),
      ...(c["blocking"] === false ? { returnImmediately: true } : {}),
      ...(c["pushNotificationConfig"] !== undefined ? { taskPushNotificationConfig: pushConfigFromV03(c["pushNotificationConfig"]) } : {}),
    };
  }
  if (isObject(params["metadata"])) out.metadata = params["metadata"];
  return out;
}
`;
}
