/**
 * Emits generated/a2a/types.ts: the A2A 1.0 wire shapes (ProtoJSON, camelCase) and the 0.3
 * shapes the bridge still answers. Enum unions (TaskState, method names, stream event names)
 * come from the IR; the message shapes follow a2a.proto.
 */
import type { A2aIr } from "../ir/a2a.js";

const union = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(" | ");

/** The content of generated/a2a/types.ts (without the generated header). */
export function typesSource(a2a: A2aIr): string {
  const states = [a2a.taskStates.unspecified, ...a2a.taskStates.states.map((s) => s.taskState)];
  const v03States = [a2a.taskStates.v03Unknown, ...a2a.taskStates.states.map((s) => s.v03State)];
  return `/** A2A ${a2a.protocol.version} TaskState (ProtoJSON enum names). */
export type TaskStateName = ${union(states)};
/** A2A ${a2a.protocol.legacyVersion} task state. */
export type V03TaskStateName = ${union(v03States)};
/** JSON-RPC method names of A2A ${a2a.protocol.version}. */
export type A2aMethodName = ${union(a2a.methods.map((m) => m.name))};
/** The members of a StreamResponse. */
export type StreamEventName = ${union(a2a.streamEvents.map((e) => e.name))};
export type Role = "ROLE_UNSPECIFIED" | "ROLE_USER" | "ROLE_AGENT";
export type JsonObject = { [key: string]: unknown };

/** One piece of content: exactly one of text, raw (base64), url, data. */
export interface Part {
  text?: string;
  raw?: string;
  url?: string;
  data?: unknown;
  metadata?: JsonObject;
  filename?: string;
  mediaType?: string;
}

export interface Message {
  messageId: string;
  contextId?: string;
  taskId?: string;
  role: Role;
  parts: Part[];
  metadata?: JsonObject;
  extensions?: string[];
  referenceTaskIds?: string[];
}

export interface TaskStatus {
  state: TaskStateName;
  message?: Message;
  timestamp?: string;
}

export interface Artifact {
  artifactId: string;
  name?: string;
  description?: string;
  parts: Part[];
  metadata?: JsonObject;
  extensions?: string[];
}

export interface Task {
  id: string;
  contextId: string;
  status: TaskStatus;
  artifacts?: Artifact[];
  history?: Message[];
  metadata?: JsonObject;
}

export interface TaskStatusUpdateEvent {
  taskId: string;
  contextId: string;
  status: TaskStatus;
  metadata?: JsonObject;
}

export interface TaskArtifactUpdateEvent {
  taskId: string;
  contextId: string;
  artifact: Artifact;
  append?: boolean;
  lastChunk?: boolean;
  metadata?: JsonObject;
}

/** One event of a stream (SendStreamingMessage, SubscribeToTask, push notifications). */
export type StreamResponse =
  | { task: Task }
  | { message: Message }
  | { statusUpdate: TaskStatusUpdateEvent }
  | { artifactUpdate: TaskArtifactUpdateEvent };

export type SendMessageResponse = { task: Task } | { message: Message };

export interface AuthenticationInfo {
  scheme: string;
  credentials?: string;
}

export interface TaskPushNotificationConfig {
  tenant?: string;
  id?: string;
  taskId?: string;
  url: string;
  token?: string;
  authentication?: AuthenticationInfo;
}

export interface SendMessageConfiguration {
  acceptedOutputModes?: string[];
  taskPushNotificationConfig?: TaskPushNotificationConfig;
  historyLength?: number;
  returnImmediately?: boolean;
}

export interface SendMessageRequest {
  tenant?: string;
  message: Message;
  configuration?: SendMessageConfiguration;
  metadata?: JsonObject;
}

export interface GetTaskRequest { tenant?: string; id: string; historyLength?: number }
export interface CancelTaskRequest { tenant?: string; id: string; metadata?: JsonObject }
export interface SubscribeToTaskRequest { tenant?: string; id: string }
export interface GetTaskPushNotificationConfigRequest { tenant?: string; taskId: string; id: string }
export interface DeleteTaskPushNotificationConfigRequest { tenant?: string; taskId: string; id: string }
export interface ListTaskPushNotificationConfigsRequest { tenant?: string; taskId: string; pageSize?: number; pageToken?: string }
export interface ListTaskPushNotificationConfigsResponse { configs: TaskPushNotificationConfig[]; nextPageToken?: string }

export interface ListTasksRequest {
  tenant?: string;
  contextId?: string;
  status?: TaskStateName;
  pageSize?: number;
  pageToken?: string;
  historyLength?: number;
  statusTimestampAfter?: string;
  includeArtifacts?: boolean;
}

export interface ListTasksResponse {
  tasks: Task[];
  nextPageToken: string;
  pageSize: number;
  totalSize: number;
}

export interface AgentInterface {
  url: string;
  protocolBinding: string;
  tenant?: string;
  protocolVersion: string;
}

export interface AgentCapabilities {
  streaming?: boolean;
  pushNotifications?: boolean;
  extendedAgentCard?: boolean;
  extensions?: { uri: string; description?: string; required?: boolean; params?: JsonObject }[];
}

export interface AgentSkill {
  id: string;
  name: string;
  description: string;
  tags: string[];
  examples?: string[];
  inputModes?: string[];
  outputModes?: string[];
}

export interface AgentProvider { url: string; organization: string }

export interface AgentCard {
  name: string;
  description: string;
  supportedInterfaces: AgentInterface[];
  provider?: AgentProvider;
  version: string;
  documentationUrl?: string;
  capabilities: AgentCapabilities;
  defaultInputModes: string[];
  defaultOutputModes: string[];
  skills: AgentSkill[];
  iconUrl?: string;
}

export type JsonRpcId = string | number | null;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id?: JsonRpcId;
  method: string;
  params?: unknown;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type JsonRpcResponse =
  | { jsonrpc: "2.0"; id: JsonRpcId; result: unknown }
  | { jsonrpc: "2.0"; id: JsonRpcId; error: JsonRpcErrorObject };

// ----- A2A ${a2a.protocol.legacyVersion} shapes (kind discriminators, lowercase states) -----

export type V03Part =
  | { kind: "text"; text: string; metadata?: JsonObject }
  | { kind: "file"; file: { bytes?: string; uri?: string; mimeType?: string; name?: string }; metadata?: JsonObject }
  | { kind: "data"; data: JsonObject; metadata?: JsonObject };

export interface V03Message {
  kind: "message";
  messageId: string;
  role: "user" | "agent";
  parts: V03Part[];
  contextId?: string;
  taskId?: string;
  metadata?: JsonObject;
  extensions?: string[];
  referenceTaskIds?: string[];
}

export interface V03TaskStatus { state: V03TaskStateName; message?: V03Message; timestamp?: string }

export interface V03Artifact {
  artifactId: string;
  name?: string;
  description?: string;
  parts: V03Part[];
  metadata?: JsonObject;
  extensions?: string[];
}

export interface V03Task {
  kind: "task";
  id: string;
  contextId: string;
  status: V03TaskStatus;
  artifacts?: V03Artifact[];
  history?: V03Message[];
  metadata?: JsonObject;
}

export interface V03StatusUpdate { kind: "status-update"; taskId: string; contextId: string; status: V03TaskStatus; final: boolean; metadata?: JsonObject }
export interface V03ArtifactUpdate { kind: "artifact-update"; taskId: string; contextId: string; artifact: V03Artifact; append?: boolean; lastChunk?: boolean; metadata?: JsonObject }
export type V03StreamResult = V03Task | V03Message | V03StatusUpdate | V03ArtifactUpdate;

export interface V03PushNotificationConfig {
  id?: string;
  url: string;
  token?: string;
  authentication?: { schemes: string[]; credentials?: string };
}

export interface V03TaskPushNotificationConfig { taskId: string; pushNotificationConfig: V03PushNotificationConfig }

export interface V03MessageSendParams {
  message: V03Message;
  configuration?: { acceptedOutputModes?: string[]; blocking?: boolean; historyLength?: number; pushNotificationConfig?: V03PushNotificationConfig };
  metadata?: JsonObject;
}
`;
}
