/**
 * Loads schema/a2a/ (the ACP <-> A2A mapping and the A2A feature list) into the IR and
 * cross-checks it against the catalogues: phases (TaskState pairs), error codes (JSON-RPC
 * codes) and event types, so the mapping can never name something the catalogues lack.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { IrProblem } from "./errors.js";
import type { ErrorCodeIr, EventTypeIr, Json, JsonSchema, PhaseIr } from "./types.js";

/** Protocol constants of the A2A binding the bridge serves. */
export interface A2aProtocolIr {
  readonly version: string;
  readonly legacyVersion: string;
  readonly versionHeader: string;
  readonly extensionsHeader: string;
  readonly agentCardPath: string;
  readonly jsonrpcVersion: string;
  readonly protocolBinding: string;
  readonly errorDomain: string;
  readonly errorInfoType: string;
  readonly pushTokenHeader: string;
  readonly pushContentType: string;
  readonly listTasksDefaultPageSize: number;
  readonly listTasksMaxPageSize: number;
}

/** One phase with its A2A states (from catalog/phases.json) and its A2A role. */
export interface A2aStateIr {
  readonly phase: string;
  readonly taskState: string;
  readonly v03State: string;
  readonly terminal: boolean;
  /** Interrupted: the task waits for the client (input / auth required). */
  readonly interrupted: boolean;
}

export interface A2aTaskStatesIr {
  readonly unspecified: string;
  readonly v03Unknown: string;
  readonly initialPhase: string;
  readonly runningPhase: string;
  readonly cancelPhase: string;
  readonly errorPhase: string;
  /** Every phase, in catalogue order. */
  readonly states: readonly A2aStateIr[];
}

export interface A2aMethodIr {
  readonly name: string;
  readonly v03: string | null;
  readonly streaming: boolean;
  readonly capability: "streaming" | "pushNotifications" | "extendedAgentCard" | null;
  readonly description: string;
}

export type A2aStreamEventName = "task" | "message" | "statusUpdate" | "artifactUpdate";

export interface A2aStreamEventIr {
  readonly name: A2aStreamEventName;
  readonly proto: string;
  readonly v03Kind: string;
  readonly description: string;
}

export interface A2aEventMappingIr {
  readonly eventType: string;
  readonly direction: "inbound" | "outbound";
  readonly streamEvents: readonly A2aStreamEventName[];
  readonly parts: "none" | "payload" | "delta" | "result" | "error" | "tool";
  readonly chunk: "none" | "append" | "last";
  readonly description: string;
}

export interface A2aFieldIr {
  readonly envelope: string;
  readonly a2a: string;
  readonly direction: "inbound" | "outbound" | "both";
  readonly description: string;
}

export interface A2aErrorIr {
  readonly name: string;
  readonly code: number;
  readonly reason: string;
  readonly standard: boolean;
  /** ACP catalogue code a client maps this JSON-RPC error to. */
  readonly acpCode: string;
  readonly message: string;
  /** HTTP status of the HTTP+JSON binding. */
  readonly httpStatus: number;
  /** gRPC status code name of the gRPC binding. */
  readonly grpcStatus: string;
}

export interface A2aPartsIr {
  readonly textMediaType: string;
  readonly dataMediaType: string;
  readonly eventTypeMetadataKey: string;
  readonly responseArtifactName: string;
  readonly outputModes: readonly string[];
  readonly inputModes: readonly string[];
  /** The one key of a payload that is A2A content (`{ "a2a.parts": Part[] }`). */
  readonly contentKey: string;
  /** Key beside contentKey saying how the agent answers. */
  readonly answerKey: string;
  /** The answerKey value that makes SendMessage answer a Message instead of a Task. */
  readonly messageAnswer: string;
  /** Message.metadata key naming the card skill a message runs. */
  readonly skillMetadataKey: string;
  /** Schemes a url part may use (never fetched by the bridge). */
  readonly urlSchemes: readonly string[];
  readonly maxUrlLength: number;
  readonly maxFilenameLength: number;
  readonly maxPartsPerMessage: number;
  /** Decoded bytes of one raw part. */
  readonly maxInlineBytesPerPart: number;
  /** Decoded bytes of the raw parts of one message or artifact chunk. */
  readonly maxInlineBytesPerMessage: number;
}

export interface A2aFeatureIr {
  readonly id: string;
  readonly title: string;
  readonly spec: string;
  readonly level: "MUST" | "SHOULD" | "MAY";
  readonly supported: boolean;
  readonly reason: string | undefined;
  readonly checks: readonly string[];
}

/** Everything the a2a emitter (and the scorecard) needs. */
export interface A2aIr {
  readonly protocol: A2aProtocolIr;
  readonly taskStates: A2aTaskStatesIr;
  readonly methods: readonly A2aMethodIr[];
  readonly streamEvents: readonly A2aStreamEventIr[];
  readonly eventTypes: readonly A2aEventMappingIr[];
  readonly fields: readonly A2aFieldIr[];
  readonly metadataKeys: readonly { readonly key: string; readonly description: string }[];
  readonly parts: A2aPartsIr;
  readonly errors: readonly A2aErrorIr[];
  /** ACP error code -> JSON-RPC code, from catalog/error-codes.json (catalogue order). */
  readonly acpErrors: readonly { readonly code: string; readonly jsonRpcCode: number }[];
  readonly featuresVersion: string;
  readonly features: readonly A2aFeatureIr[];
  /**
   * The A2A 1.0 protocol definition (package lf.a2a.v1) as a FileDescriptorSet in proto3 JSON,
   * from schema/a2a/a2a-v1.descriptor.json (written by scripts/a2a-descriptor.sh from the
   * official SDK), for the gRPC binding; undefined when the file is absent.
   */
  readonly grpcDescriptor: Json | undefined;
}

/** What the a2a loader reads from the already loaded catalogues. */
export interface A2aCatalogs {
  readonly phases: readonly PhaseIr[];
  readonly errorCodes: readonly ErrorCodeIr[];
  readonly eventTypes: readonly EventTypeIr[];
}

interface RawMapping {
  protocol: {
    version: string;
    legacy_version: string;
    version_header: string;
    extensions_header: string;
    agent_card_path: string;
    jsonrpc_version: string;
    protocol_binding: string;
    error_domain: string;
    error_info_type: string;
    push_token_header: string;
    push_content_type: string;
    list_tasks_default_page_size: number;
    list_tasks_max_page_size: number;
  };
  task_states: {
    unspecified: string;
    v03_unknown: string;
    initial_phase: string;
    running_phase: string;
    interrupted_phases: string[];
    cancel_phase: string;
    error_phase: string;
  };
  methods: { name: string; v03: string | null; streaming: boolean; capability: A2aMethodIr["capability"]; description: string }[];
  stream_events: { name: A2aStreamEventName; proto: string; v03_kind: string; description: string }[];
  event_types: {
    event_type: string;
    direction: A2aEventMappingIr["direction"];
    stream_events: A2aStreamEventName[];
    parts: A2aEventMappingIr["parts"];
    chunk: A2aEventMappingIr["chunk"];
    description: string;
  }[];
  fields: A2aFieldIr[];
  metadata_keys: { key: string; description: string }[];
  parts: {
    text_media_type: string;
    data_media_type: string;
    event_type_metadata_key: string;
    response_artifact_name: string;
    output_modes: string[];
    input_modes: string[];
    content_key: string;
    answer_key: string;
    message_answer: string;
    skill_metadata_key: string;
    url_schemes: string[];
    max_url_length: number;
    max_filename_length: number;
    max_parts_per_message: number;
    max_inline_bytes_per_part: number;
    max_inline_bytes_per_message: number;
  };
  errors: { name: string; code: number; reason: string; standard: boolean; acp_code: string; message: string; http_status: number; grpc_status: string }[];
}

interface RawFeatures {
  protocol_version: string;
  features: { id: string; title: string; spec: string; level: A2aFeatureIr["level"]; supported: boolean; reason?: string; checks?: string[] }[];
}

const DIR = "a2a";

function read(schemaDir: string, file: string, problems: IrProblem[]): Json | undefined {
  try {
    return JSON.parse(readFileSync(join(schemaDir, file), "utf8")) as Json;
  } catch (err: unknown) {
    problems.push({ file, pointer: "", message: `cannot read as JSON: ${(err as Error).message}` });
    return undefined;
  }
}

/** Validates `file` against the JSON Schema `schemaFile` that sits beside it in schema/a2a/. */
function readChecked<T>(ajv: Ajv2020, schemaDir: string, file: string, schemaFile: string, problems: IrProblem[]): T | undefined {
  const value = read(schemaDir, file, problems);
  const shape = read(schemaDir, schemaFile, problems);
  if (value === undefined || shape === undefined) return undefined;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(shape as JsonSchema);
  } catch (err: unknown) {
    problems.push({ file: schemaFile, pointer: "", message: `not a usable JSON Schema: ${(err as Error).message}` });
    return undefined;
  }
  if (validate(value)) return value as T;
  for (const e of validate.errors ?? []) {
    const params = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : "";
    problems.push({ file, pointer: e.instancePath, message: `${e.message ?? e.keyword}${params}` });
  }
  return undefined;
}

function crossCheck(m: RawMapping, f: RawFeatures, cat: A2aCatalogs, problems: IrProblem[]): void {
  const file = `${DIR}/mapping.json`;
  const phaseNames = new Set(cat.phases.map((p) => p.name));
  const ts = m.task_states;
  for (const [key, phase] of [
    ["initial_phase", ts.initial_phase],
    ["running_phase", ts.running_phase],
    ["cancel_phase", ts.cancel_phase],
    ["error_phase", ts.error_phase],
  ] as const) {
    if (!phaseNames.has(phase)) problems.push({ file, pointer: `/task_states/${key}`, message: `unknown phase "${phase}" (catalog/phases.json)` });
  }
  for (const [i, phase] of ts.interrupted_phases.entries()) {
    const p = cat.phases.find((x) => x.name === phase);
    if (!p) problems.push({ file, pointer: `/task_states/interrupted_phases/${i}`, message: `unknown phase "${phase}" (catalog/phases.json)` });
    else if (p.terminal)
      problems.push({ file, pointer: `/task_states/interrupted_phases/${i}`, message: `phase "${phase}" is terminal; an interrupted task is not` });
  }
  const states = cat.phases.map((p) => p.a2aTaskState);
  if (states.includes(ts.unspecified) || new Set(states).size !== states.length) {
    problems.push({ file: "catalog/phases.json", pointer: "/phases", message: `a2a_task_state values must be distinct and differ from ${ts.unspecified}` });
  }
  const methodNames = m.methods.map((x) => x.name);
  if (new Set(methodNames).size !== methodNames.length) problems.push({ file, pointer: "/methods", message: "method names must be unique" });
  const eventNames = new Set(m.stream_events.map((e) => e.name));
  for (const [i, e] of m.event_types.entries()) {
    if (!cat.eventTypes.some((x) => x.name === e.event_type)) {
      problems.push({ file, pointer: `/event_types/${i}/event_type`, message: `"${e.event_type}" is not in catalog/event-types.json` });
    }
    for (const s of e.stream_events)
      if (!eventNames.has(s)) problems.push({ file, pointer: `/event_types/${i}/stream_events`, message: `"${s}" is not in /stream_events` });
  }
  for (const e of cat.eventTypes) {
    if (!m.event_types.some((x) => x.event_type === e.name))
      problems.push({ file, pointer: "/event_types", message: `no mapping for standard event type "${e.name}"` });
  }
  const codes = m.errors.map((e) => e.code);
  if (new Set(codes).size !== codes.length) problems.push({ file, pointer: "/errors", message: "JSON-RPC codes must be unique" });
  for (let c = -32001; c >= -32009; c--) if (!codes.includes(c)) problems.push({ file, pointer: "/errors", message: `A2A error code ${c} is missing` });
  for (const [i, e] of m.errors.entries()) {
    if (!cat.errorCodes.some((x) => x.code === e.acp_code))
      problems.push({ file, pointer: `/errors/${i}/acp_code`, message: `"${e.acp_code}" is not in catalog/error-codes.json` });
  }
  for (const [i, e] of cat.errorCodes.entries()) {
    if (!codes.includes(e.a2aJsonRpcCode)) {
      problems.push({
        file: "catalog/error-codes.json",
        pointer: `/error_codes/${i}/a2a_jsonrpc_code`,
        message: `${e.a2aJsonRpcCode} is not an error of a2a/mapping.json#/errors`,
      });
    }
  }
  if (m.parts.max_inline_bytes_per_part > m.parts.max_inline_bytes_per_message) {
    problems.push({ file, pointer: "/parts/max_inline_bytes_per_part", message: "must not exceed max_inline_bytes_per_message" });
  }
  if (m.parts.content_key === m.parts.answer_key) problems.push({ file, pointer: "/parts/answer_key", message: "must differ from content_key" });
  const ff = `${DIR}/features.json`;
  if (f.protocol_version !== m.protocol.version)
    problems.push({ file: ff, pointer: "/protocol_version", message: `must equal mapping.json protocol.version ${m.protocol.version}` });
  const ids = f.features.map((x) => x.id);
  if (new Set(ids).size !== ids.length) problems.push({ file: ff, pointer: "/features", message: "feature ids must be unique" });
  const checks = f.features.flatMap((x) => x.checks ?? []);
  if (new Set(checks).size !== checks.length)
    problems.push({ file: ff, pointer: "/features", message: "a check proves one feature: check ids must be unique across features" });
}

/**
 * Reads schema/a2a/ into an {@link A2aIr}; `undefined` when the folder is absent.
 * Problems are appended to `problems` (the caller throws SchemaLoadError).
 */
export function loadA2aIr(schemaDir: string, cat: A2aCatalogs, problems: IrProblem[]): A2aIr | undefined {
  if (!existsSync(join(schemaDir, DIR))) return undefined;
  // One compiler for both files: each new Ajv compiles the 2020 meta-schema again.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  const m = readChecked<RawMapping>(ajv, schemaDir, `${DIR}/mapping.json`, `${DIR}/mapping.schema.json`, problems);
  const f = readChecked<RawFeatures>(ajv, schemaDir, `${DIR}/features.json`, `${DIR}/features.schema.json`, problems);
  if (!m || !f) return undefined;
  const before = problems.length;
  const grpcDescriptor = readGrpcDescriptor(schemaDir, problems);
  crossCheck(m, f, cat, problems);
  if (problems.length > before) return undefined;
  const p = m.protocol;
  const interrupted = new Set(m.task_states.interrupted_phases);
  return {
    protocol: {
      version: p.version,
      legacyVersion: p.legacy_version,
      versionHeader: p.version_header,
      extensionsHeader: p.extensions_header,
      agentCardPath: p.agent_card_path,
      jsonrpcVersion: p.jsonrpc_version,
      protocolBinding: p.protocol_binding,
      errorDomain: p.error_domain,
      errorInfoType: p.error_info_type,
      pushTokenHeader: p.push_token_header,
      pushContentType: p.push_content_type,
      listTasksDefaultPageSize: p.list_tasks_default_page_size,
      listTasksMaxPageSize: p.list_tasks_max_page_size,
    },
    taskStates: {
      unspecified: m.task_states.unspecified,
      v03Unknown: m.task_states.v03_unknown,
      initialPhase: m.task_states.initial_phase,
      runningPhase: m.task_states.running_phase,
      cancelPhase: m.task_states.cancel_phase,
      errorPhase: m.task_states.error_phase,
      states: cat.phases.map((ph) => ({
        phase: ph.name,
        taskState: ph.a2aTaskState,
        v03State: ph.a2aV03State,
        terminal: ph.terminal,
        interrupted: interrupted.has(ph.name),
      })),
    },
    methods: m.methods,
    streamEvents: m.stream_events.map((e) => ({ name: e.name, proto: e.proto, v03Kind: e.v03_kind, description: e.description })),
    eventTypes: m.event_types.map((e) => ({
      eventType: e.event_type,
      direction: e.direction,
      streamEvents: e.stream_events,
      parts: e.parts,
      chunk: e.chunk,
      description: e.description,
    })),
    fields: m.fields,
    metadataKeys: m.metadata_keys,
    parts: {
      textMediaType: m.parts.text_media_type,
      dataMediaType: m.parts.data_media_type,
      eventTypeMetadataKey: m.parts.event_type_metadata_key,
      responseArtifactName: m.parts.response_artifact_name,
      outputModes: m.parts.output_modes,
      inputModes: m.parts.input_modes,
      contentKey: m.parts.content_key,
      answerKey: m.parts.answer_key,
      messageAnswer: m.parts.message_answer,
      skillMetadataKey: m.parts.skill_metadata_key,
      urlSchemes: m.parts.url_schemes,
      maxUrlLength: m.parts.max_url_length,
      maxFilenameLength: m.parts.max_filename_length,
      maxPartsPerMessage: m.parts.max_parts_per_message,
      maxInlineBytesPerPart: m.parts.max_inline_bytes_per_part,
      maxInlineBytesPerMessage: m.parts.max_inline_bytes_per_message,
    },
    errors: m.errors.map((e) => ({
      name: e.name,
      code: e.code,
      reason: e.reason,
      standard: e.standard,
      acpCode: e.acp_code,
      message: e.message,
      httpStatus: e.http_status,
      grpcStatus: e.grpc_status,
    })),
    acpErrors: cat.errorCodes.map((e) => ({ code: e.code, jsonRpcCode: e.a2aJsonRpcCode })),
    featuresVersion: f.protocol_version,
    features: f.features.map((x) => ({
      id: x.id,
      title: x.title,
      spec: x.spec,
      level: x.level,
      supported: x.supported,
      reason: x.reason,
      checks: x.checks ?? [],
    })),
    grpcDescriptor,
  };
}

const GRPC_PACKAGE = "lf.a2a.v1";
const GRPC_SERVICE = "A2AService";

/** schema/a2a/a2a-v1.descriptor.json, checked to define lf.a2a.v1.A2AService; undefined when absent. */
function readGrpcDescriptor(schemaDir: string, problems: IrProblem[]): Json | undefined {
  const file = `${DIR}/a2a-v1.descriptor.json`;
  if (!existsSync(join(schemaDir, file))) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(join(schemaDir, file), "utf8"));
  } catch (err: unknown) {
    problems.push({ file, pointer: "", message: `not JSON: ${err instanceof Error ? err.message : String(err)}` });
    return undefined;
  }
  const files = (value as { file?: unknown } | null)?.file;
  const defines =
    Array.isArray(files) &&
    files.some(
      (f: { package?: unknown; service?: { name?: unknown }[] }) => f.package === GRPC_PACKAGE && (f.service ?? []).some((s) => s.name === GRPC_SERVICE),
    );
  if (!defines) {
    problems.push({
      file,
      pointer: "/file",
      message: `must be a FileDescriptorSet defining ${GRPC_PACKAGE}.${GRPC_SERVICE}; regenerate it with: bash scripts/a2a-descriptor.sh`,
    });
    return undefined;
  }
  return value as Json;
}
