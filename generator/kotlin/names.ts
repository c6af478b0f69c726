/**
 * Kotlin naming: identifiers from wire names, reserved words, collision resolution, and safe
 * Kotlin string literals and KDoc. Every identifier the Kotlin emitter writes goes through here.
 */
import { NameScope } from "../ir/namer.js";
import { docBlock } from "../render/code-writer.js";

/**
 * Kotlin's hard keywords: never usable as plain identifiers (kotlinlang.org "Keywords and
 * operators"). Soft and modifier keywords (`value`, `data`, `open`, `by`, ...) and `from` are
 * legal identifiers and need no escaping.
 */
export const KOTLIN_HARD_KEYWORDS: ReadonlySet<string> = new Set([
  "as",
  "break",
  "class",
  "continue",
  "do",
  "else",
  "false",
  "for",
  "fun",
  "if",
  "in",
  "interface",
  "is",
  "null",
  "object",
  "package",
  "return",
  "super",
  "this",
  "throw",
  "true",
  "try",
  "typealias",
  "typeof",
  "val",
  "var",
  "when",
  "while",
]);

/**
 * Type names the generated files refer to unqualified; a generated class must not shadow them.
 */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  "Any",
  "Array",
  "Boolean",
  "Byte",
  "Char",
  "Double",
  "Enum",
  "Error",
  "Exception",
  "Float",
  "Int",
  "JsonArray",
  "JsonElement",
  "JsonNull",
  "JsonObject",
  "JsonPrimitive",
  "List",
  "Long",
  "Map",
  "Nothing",
  "Number",
  "Result",
  "Set",
  "Short",
  "String",
  "Throwable",
  "Unit",
  "SerialName",
  "Envelope",
  "Phase",
  "EventType",
  "ErrorCode",
  "FrameType",
  "StandardPayload",
  "AcpException",
  "SchemaFailure",
  "JsonSupport",
  "Acp",
  "DecodeResult",
  "EnvelopeDecodeException",
]);

/** Splits a wire name into words: `is_final` → [is, final], `callID` → [call, ID], `1st-try` → [1st, try]. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/gu, "$1 $2")
    .split(/[^A-Za-z0-9]+/u)
    .filter((w) => w.length > 0);
}

function cap(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
}

/** Makes a legal identifier: a leading digit gets `_`, an empty name becomes `fallback`, hard keywords get backticks. */
export function escapeIdentifier(name: string, fallback = "value"): string {
  const base = name.length === 0 ? fallback : /^[0-9]/u.test(name) ? `_${name}` : name;
  return KOTLIN_HARD_KEYWORDS.has(base) ? `\`${base}\`` : base;
}

/** `is_final` → `isFinal`, `reply_to` → `replyTo`, `URL` → `url`, `class` → `` `class` ``. Not yet collision-free. */
export function camelName(wire: string): string {
  const raw = words(wire)
    .map((w, i) => (i > 0 ? cap(w) : w === w.toUpperCase() ? w.toLowerCase() : w.charAt(0).toLowerCase() + w.slice(1)))
    .join("");
  return escapeIdentifier(raw);
}

/** `tool-result` → `ToolResult`, `ErrorPayload` stays, `ID` → `Id`. Reserved type names get a `Type` suffix. */
export function pascalName(wire: string): string {
  const raw = words(wire)
    .map((w) => (w.length > 1 && w === w.toUpperCase() ? cap(w) : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
  const id = raw.length === 0 ? "Unnamed" : /^[0-9]/u.test(raw) ? `T${raw}` : raw;
  return RESERVED_TYPE_NAMES.has(id) ? `${id}Type` : id;
}

/** `input_required` → `INPUT_REQUIRED`, `agent.tool.call` → `AGENT_TOOL_CALL`, `1st` → `_1ST`. */
export function constName(wire: string): string {
  const raw = words(wire)
    .map((w) => w.toUpperCase())
    .join("_");
  return escapeIdentifier(raw, "EMPTY");
}

/**
 * Gives each wire name a unique identifier made by `namer`, in order: later collisions (with
 * each other or with `taken`) get `2`, `3`, ... appended. Returns wire name → identifier.
 */
export function uniqueNames(wires: readonly string[], namer: (wire: string) => string, taken: Iterable<string> = []): Map<string, string> {
  const scope = new NameScope({ separator: "", key: unquote, spell: escapeIdentifier }, taken);
  const out = new Map<string, string>();
  for (const wire of wires) {
    if (!out.has(wire)) out.set(wire, scope.claim(namer(wire)));
  }
  return out;
}

function unquote(id: string): string {
  return id.replace(/`/gu, "");
}

/** A Kotlin string literal for `s`: escapes quotes, backslashes, `$` and every non-printable-ASCII character. */
export function kotlinString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s.charAt(i);
    if (ch === '"' || ch === "\\" || ch === "$") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * A KDoc block with `text` (may be empty: then no block), indented by `indent`. Comment
 * delimiters are broken up (Kotlin comments nest, so `/*` matters as much as `*\/`).
 */
export function kdoc(text: string, indent = ""): string {
  const clean = text.trim().replace(/\*\//gu, "*&#47;").replace(/\/\*/gu, "&#47;*");
  if (clean.length === 0) return "";
  return `${docBlock(clean.split(/\r?\n/u), indent)}\n`;
}
