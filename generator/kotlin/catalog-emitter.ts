/**
 * Renders the catalogues as Kotlin: `Constants.kt` (Phase, FrameType, EventType, ErrorCode
 * enums with wire names and catalogue facts, metadata keys, NATS subjects) and `Errors.kt`
 * (AcpException and one subclass per catalogue code).
 */
import type { Ir } from "../ir/types.js";
import { camelName, constName, kdoc, kotlinString, pascalName, uniqueNames } from "./names.js";
import { jsPatternToJava } from "./validator-emitter.js";
import { wireEnumFooter } from "./wire-enum.js";

/** Frame types in catalogue order, each with whether a terminal event type uses it. */
function frameTypes(ir: Ir): { wire: string; terminal: boolean }[] {
  const out: { wire: string; terminal: boolean }[] = [];
  for (const e of ir.eventTypes) {
    if (e.frameType === null) continue;
    const seen = out.find((f) => f.wire === e.frameType);
    if (seen) seen.terminal ||= e.terminal;
    else out.push({ wire: e.frameType, terminal: e.terminal });
  }
  return out;
}

/** Renders Constants.kt. */
export function emitConstantsKotlin(ir: Ir, pkg: string, header: string): string {
  const defaultOf = (name: string): unknown => ir.fields.find((f) => f.name === name)?.default?.value;
  const specDefault = defaultOf("spec_version");
  const schemaDefault = defaultOf("schema_version");
  const specVersion = typeof specDefault === "string" ? specDefault : "acp/1.0";
  const schemaVersion = typeof schemaDefault === "number" ? schemaDefault : 1;
  const phaseNames = uniqueNames(
    ir.phases.map((p) => p.name),
    constName,
  );
  const frames = frameTypes(ir);
  const frameNames = uniqueNames(
    frames.map((f) => f.wire),
    constName,
  );
  const eventNames = uniqueNames(
    ir.eventTypes.map((e) => e.constName),
    constName,
  );
  const errorNames = uniqueNames(
    ir.errorCodes.map((e) => e.code),
    constName,
  );
  const metaNames = uniqueNames(
    ir.metadata.keys.map((k) => k.key),
    (k) => constName(k.startsWith(ir.metadata.reservedPrefix) ? k.slice(ir.metadata.reservedPrefix.length) : k),
    ["RESERVED_PREFIX"],
  );
  const phase = (p: string): string => `Phase.${phaseNames.get(p)}`;
  const lines = [
    header,
    `package ${pkg}`,
    "",
    "import kotlinx.serialization.SerialName",
    "",
    `/** spec_version this SDK writes. */`,
    `public const val SPEC_VERSION: String = ${kotlinString(specVersion)}`,
    "",
    "/** Latest schema_version this SDK writes (1 is what deployed SDKs send). */",
    `public const val LATEST_SCHEMA_VERSION: Long = ${schemaVersion}L`,
    "",
    "/** Protocol phases (catalog/phases.json), in lifecycle order. */",
    "public enum class Phase(",
    "    public val wire: String,",
    "    /** The exchange is over in this phase. */",
    "    public val terminal: Boolean,",
    "    /** A2A 1.0 TaskState name. */",
    "    public val a2aTaskState: String,",
    "    /** A2A 0.3 state name. */",
    "    public val a2aV03State: String,",
    ") {",
  ];
  for (const p of ir.phases) {
    lines.push(
      kdoc(p.description, "    ") +
        `    @SerialName(${kotlinString(p.name)}) ${phaseNames.get(p.name)}(${kotlinString(p.name)}, ${p.terminal}, ${kotlinString(p.a2aTaskState)}, ${kotlinString(p.a2aV03State)}),`,
    );
  }
  lines.push(...wireEnumFooter("Phase"));
  lines.push(
    "/** Frame kinds (envelope frame_type) of the standard event types. */",
    "public enum class FrameType(public val wire: String, /** Used by a terminal event type. */ public val terminal: Boolean) {",
  );
  for (const f of frames) lines.push(`    @SerialName(${kotlinString(f.wire)}) ${frameNames.get(f.wire)}(${kotlinString(f.wire)}, ${f.terminal}),`);
  lines.push(...wireEnumFooter("FrameType"));
  lines.push(
    "/** Standard event types (catalog/event-types.json). */",
    "public enum class EventType(",
    "    public val wire: String,",
    "    public val frameType: FrameType?,",
    "    /** Ends its exchange: is_final may be true. */",
    "    public val terminal: Boolean,",
    "    /** Phases a schema_version 2 envelope of this type may carry. */",
    "    public val allowedPhases: List<Phase>,",
    "    /** The phase the runtime dual-writes (first allowed). */",
    "    public val defaultPhase: Phase,",
    "    /** Not known to deployed v0.2/v0.3 SDKs. */",
    "    public val extension: Boolean,",
    ") {",
  );
  for (const e of ir.eventTypes) {
    const frame = e.frameType === null ? "null" : `FrameType.${frameNames.get(e.frameType)}`;
    lines.push(
      kdoc(e.description, "    ") +
        `    @SerialName(${kotlinString(e.name)}) ${eventNames.get(e.constName)}(${kotlinString(e.name)}, ${frame}, ${e.terminal}, listOf(${e.allowedPhases.map(phase).join(", ")}), ${phase(e.defaultPhase)}, ${e.extension}),`,
    );
  }
  lines.push(...wireEnumFooter("EventType"));
  lines.push(
    "/** Error catalogue (catalog/error-codes.json). */",
    "public enum class ErrorCode(",
    "    public val wire: String,",
    "    /** Default of ErrorPayload.retryable for this code. */",
    "    public val retryable: Boolean,",
    "    public val httpStatus: Int,",
    "    /** JSON-RPC error code the A2A bridge answers with. */",
    "    public val a2aJsonRpcCode: Int,",
    "    /** Not known to deployed v0.2/v0.3 SDKs. */",
    "    public val extension: Boolean,",
    ") {",
  );
  for (const e of ir.errorCodes) {
    lines.push(
      kdoc(e.description, "    ") +
        `    @SerialName(${kotlinString(e.code)}) ${errorNames.get(e.code)}(${kotlinString(e.code)}, ${e.retryable}, ${e.httpStatus}, ${e.a2aJsonRpcCode}, ${e.extension}),`,
    );
  }
  lines.push(...wireEnumFooter("ErrorCode"));
  lines.push(
    `/** Metadata keys reserved for the runtime (prefix ${ir.metadata.reservedPrefix}). */`,
    "public object MetadataKey {",
    "    /** Keys with this prefix belong to the runtime and are not inherited by replies. */",
    `    public const val RESERVED_PREFIX: String = ${kotlinString(ir.metadata.reservedPrefix)}`,
  );
  for (const k of ir.metadata.keys)
    lines.push(
      "",
      `${kdoc(`${k.description} (${k.type}, written by ${k.writer})`, "    ")}    public const val ${metaNames.get(k.key)}: String = ${kotlinString(k.key)}`,
    );
  lines.push("}", "", ...subjects(ir));
  return lines.join("\n");
}

function subjects(ir: Ir): string[] {
  const tokenNames = uniqueNames(
    ir.subjects.tokens.map((t) => t.name),
    (n) => `${constName(n)}_TOKEN`,
  );
  const lines = [
    "/** NATS subject layout (catalog/subjects.json); every token is validated before use. */",
    "public object Subjects {",
    `    public const val DEFAULT_PREFIX: String = ${kotlinString(ir.subjects.defaultPrefix)}`,
    `    public const val INBOX_PREFIX: String = ${kotlinString(ir.subjects.inboxPrefix)}`,
  ];
  for (const t of ir.subjects.tokens) {
    lines.push(
      "",
      kdoc(`Pattern of a ${t.name}: ${t.description}.`, "    ") +
        `    public val ${tokenNames.get(t.name)}: Regex = Regex(${kotlinString(jsPatternToJava(t.pattern))})`,
    );
  }
  const placeholder = (p: string): string => (p === "p" ? "prefix" : camelName(p));
  const fnNames = uniqueNames(
    ir.subjects.templates.map((t) => t.name),
    camelName,
    ["require", "DEFAULT_PREFIX", "INBOX_PREFIX"],
  );
  for (const t of ir.subjects.templates) {
    const holes = [...t.template.matchAll(/\{([a-z_]+)\}/gu)].map((m) => m[1] ?? "");
    const params = holes.filter((h) => h !== "p").map((h) => `${placeholder(h)}: String`);
    params.push("prefix: String = DEFAULT_PREFIX");
    const body = t.template
      .split(/(\{[a-z_]+\})/u)
      .filter((part) => part !== "")
      .map((part) => {
        const m = /^\{([a-z_]+)\}$/u.exec(part);
        if (!m) return kotlinString(part);
        const hole = m[1] ?? "";
        const rule = ir.subjects.tokens.find((x) => x.name === (hole === "p" ? "prefix" : hole));
        return rule ? `require(${placeholder(hole)}, ${tokenNames.get(rule.name)}, ${kotlinString(rule.name)})` : placeholder(hole);
      })
      .join(" + ");
    lines.push("", `${kdoc(`${t.description} (${t.template})`, "    ")}    public fun ${fnNames.get(t.name)}(${params.join(", ")}): String = ${body}`);
  }
  lines.push(
    "",
    "    private fun require(value: String, pattern: Regex, what: String): String {",
    '        if (!pattern.containsMatchIn(value)) throw acpException("INVALID_REQUEST", "invalid subject $what: \\"$value\\"")',
    "        return value",
    "    }",
    "}",
    "",
  );
  return lines;
}

/** Renders Errors.kt. */
export function emitErrorsKotlin(ir: Ir, pkg: string, header: string): string {
  const classNames = uniqueNames(
    ir.errorCodes.map((e) => e.code),
    (c) => `${pascalName(c.toLowerCase()).replace(/Type$/u, "")}Exception`,
    ["AcpException"],
  );
  const lines = [
    header,
    `package ${pkg}`,
    "",
    "/**",
    " * An error with a catalogue code. [code] may be a code this SDK does not know when it came from",
    " * a peer; [retryable] defaults to the catalogue's value for the code (false for unknown codes).",
    " */",
    "public open class AcpException(",
    "    public val code: String,",
    "    message: String,",
    "    retryable: Boolean? = null,",
    "    cause: Throwable? = null,",
    "    /** Facts needed to act (pointer, subject, target, ...). */",
    "    public val details: Map<String, String> = emptyMap(),",
    ") : RuntimeException(message, cause) {",
    "    /** Whether the same request may succeed if sent again. */",
    "    public val retryable: Boolean = retryable ?: (ErrorCode.fromWire(code)?.retryable ?: false)",
    "",
    "    /** HTTP status from the catalogue (500 for unknown codes). */",
    "    public val httpStatus: Int get() = ErrorCode.fromWire(code)?.httpStatus ?: 500",
    "}",
    "",
  ];
  for (const e of ir.errorCodes) {
    const n = classNames.get(e.code) ?? e.code;
    lines.push(
      `${kdoc(`${e.description} (retryable by default: ${e.retryable}; HTTP ${e.httpStatus})`)}public open class ${n}(message: String, retryable: Boolean? = null, cause: Throwable? = null, details: Map<String, String> = emptyMap()) :`,
      `    AcpException(${kotlinString(e.code)}, message, retryable, cause, details)`,
      "",
    );
  }
  lines.push(
    "/** The exception class of [code] (an [AcpException] for codes outside the catalogue). */",
    "public fun acpException(code: String, message: String, retryable: Boolean? = null, cause: Throwable? = null, details: Map<String, String> = emptyMap()): AcpException =",
    "    when (code) {",
    ...ir.errorCodes.map((e) => `        ${kotlinString(e.code)} -> ${classNames.get(e.code)}(message, retryable, cause, details)`),
    "        else -> AcpException(code, message, retryable, cause, details)",
    "    }",
    "",
  );
  return lines.join("\n");
}
