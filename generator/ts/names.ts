/** TypeScript naming for generated identifiers. */

const RESERVED = new Set([
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "as",
  "implements",
  "interface",
  "let",
  "package",
  "private",
  "protected",
  "public",
  "static",
  "yield",
  "any",
  "boolean",
  "number",
  "string",
  "symbol",
  "type",
  "unknown",
  "never",
  "object",
  "await",
]);

/** `AGENT_TIMEOUT` → `AgentTimeout`, `agent.response.final` → `AgentResponseFinal`. */
export function pascalCase(name: string): string {
  const out = name
    .split(/[^A-Za-z0-9]+/u)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1).toLowerCase())
    .join("");
  return safeIdentifier(out);
}

/** `acp.retry.attempt` → `RETRY_ATTEMPT` (drops the reserved prefix). */
export function upperSnake(name: string, dropPrefix = ""): string {
  const body = dropPrefix && name.startsWith(dropPrefix) ? name.slice(dropPrefix.length) : name;
  return safeIdentifier(
    body
      .replace(/[^A-Za-z0-9]+/gu, "_")
      .replace(/^_+|_+$/gu, "")
      .toUpperCase(),
  );
}

/** Makes `name` a valid identifier that is not a reserved word; fails on empty names. */
export function safeIdentifier(name: string): string {
  if (name.length === 0) throw new Error("cannot make an identifier from an empty name");
  const base = /^[0-9]/u.test(name) ? `_${name}` : name;
  return RESERVED.has(base) ? `${base}_` : base;
}
