/**
 * Names the generated code uses for one contract, computed once so every language agrees
 * and the loader can reject collisions before any emitter runs. Per-language casing and
 * reserved words are applied by the emitters on top of these words.
 */

/** Splits an identifier-ish string into lowercase words (`make-plan`, `task_worker.progress`, `ToolCall`). */
export function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/** `make-plan` → `MakePlan`. */
export function pascal(s: string): string {
  return words(s).map(cap).join("");
}

/** `make-plan` → `makePlan`. */
export function camel(s: string): string {
  const [first = "", ...rest] = words(s);
  return first + rest.map(cap).join("");
}

/** `make-plan` → `make_plan`. */
export function snake(s: string): string {
  return words(s).join("_");
}

/** `make-plan` → `MAKE_PLAN`. */
export function upperSnake(s: string): string {
  return words(s).join("_").toUpperCase();
}

/** The words naming an event in methods: the standard `agent.` prefix is dropped (`agent.tool.call` → tool call). */
export function eventWords(type: string): string {
  return type.startsWith("agent.") ? type.slice("agent.".length) : type;
}

/** Names of one skill's generated types and methods (language-neutral words, Pascal/camel cased). */
export interface SkillNames {
  readonly input: string;
  readonly output: string;
  readonly delta: string;
  /** Client method that invokes (or runs the stream to its output). */
  readonly method: string;
  /** Client method returning the typed stream (stream skills). */
  readonly streamMethod: string;
}

export function skillNames(id: string): SkillNames {
  const p = pascal(id);
  return { input: `${p}Input`, output: `${p}Output`, delta: `${p}Delta`, method: camel(id), streamMethod: `${camel(id)}Stream` };
}

/** Type name of a custom event's payload: `task-worker.progress` → `TaskWorkerProgressPayload`. */
export function eventPayloadName(type: string): string {
  return `${pascal(type)}Payload`;
}

/** Names of one agent's generated types. */
export interface AgentNames {
  readonly pascal: string;
  readonly client: string;
  readonly handlers: string;
  readonly context: string;
  readonly publisher: string;
  readonly registration: string;
  /** `register<Agent>Handlers`. */
  readonly register: string;
  /** The contract facts constant. */
  readonly contract: string;
  /** snake_case module / file stem. */
  readonly module: string;
}

export function agentNames(name: string): AgentNames {
  const p = pascal(name);
  return {
    pascal: p,
    client: `${p}Client`,
    handlers: `${p}Handlers`,
    context: `${p}Context`,
    publisher: `${p}Publisher`,
    registration: `${p}Registration`,
    register: `register${p}Handlers`,
    contract: `${camel(name)}Contract`,
    module: snake(name),
  };
}

/** `task-worker` → `Task Worker` (the default title). */
export function titleCase(name: string): string {
  return words(name).map(cap).join(" ");
}

/**
 * Type names a contract may not declare: built-ins of TypeScript, Python and Kotlin that
 * generated code refers to unqualified, and the names the generated support code exports.
 * (Standard payload type names are added by the loader from the catalogue.)
 */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  // TypeScript globals and utility types
  "Array",
  "Boolean",
  "Date",
  "Error",
  "Function",
  "JSON",
  "Map",
  "Number",
  "Object",
  "Promise",
  "Record",
  "RegExp",
  "Set",
  "String",
  "Symbol",
  "Partial",
  "Readonly",
  "Required",
  "Pick",
  "Omit",
  "Exclude",
  "Extract",
  "Awaited",
  "AbortSignal",
  "AsyncIterable",
  "AsyncDisposable",
  "Uint8Array",
  // Python
  "None",
  "True",
  "False",
  "Self",
  "ClassVar",
  "Final",
  "Literal",
  "Protocol",
  "TypeAlias",
  "StrEnum",
  "Mapping",
  "Callable",
  "Awaitable",
  "AsyncIterator",
  // Kotlin
  "Any",
  "Byte",
  "Char",
  "Double",
  "Enum",
  "Exception",
  "Float",
  "Int",
  "List",
  "Long",
  "Nothing",
  "Result",
  "Short",
  "Throwable",
  "Unit",
  "SerialName",
  "JsonArray",
  "JsonElement",
  "JsonNull",
  "JsonObject",
  "JsonPrimitive",
  "CompletableFuture",
  "Duration",
  // The SDKs and the generated support code
  "Bus",
  "Envelope",
  "Subscription",
  "HandlerContext",
  "HandleOptions",
  "InvokeOptions",
  "PublishOptions",
  "SubscribeOptions",
  "StreamInvokeOptions",
  "FrameOptions",
  "PayloadOf",
  "StreamWriter",
  "StreamCall",
  "JsonValue",
  "Absent",
  "SkillStream",
  "SkillStreamOptions",
  "SkillFrame",
  "SkillInfo",
  "SkillMode",
  "Started",
  "Delta",
  "Final",
  "Other",
  "DeltaWriter",
  "DeltaEncoding",
  "TextDeltaWriter",
  "DataDeltaWriter",
  "ContractContext",
  "Registrations",
  "RegisterOptions",
  "Reader",
  "AcpException",
  "AcpError",
  "ContractJson",
  "Phase",
  "EventType",
  "ErrorCode",
  // contract validation (every language's support code)
  "SchemaFailure",
  "SchemaDefect",
  "ContractViolation",
  "ContractValidator",
  "ContractCheck",
  "ContractSchemas",
]);
