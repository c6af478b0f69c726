/**
 * Python naming for generated identifiers: snake_case attributes, PascalCase classes,
 * UPPER_SNAKE constants, with Python's reserved words and the generated code's own names
 * kept out of the way (`from` → `from_`, `class` → `class_`, `1st` → `n_1st`).
 * Naming is a late phase: callers ask a {@link Scope} so collisions resolve per scope.
 */
import { NameScope } from "../ir/namer.js";

/** Python 3.11 keywords (`keyword.kwlist`) plus the soft keywords. */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
  "match",
  "case",
  "type",
  "_",
]);

/**
 * Names a generated dataclass body or module relies on; a field with one of these names
 * would shadow it inside the class body (`str: str | None` breaks the next annotation).
 */
export const PYTHON_RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set([
  "str",
  "int",
  "float",
  "bool",
  "dict",
  "list",
  "object",
  "bytes",
  "field",
  "dataclass",
  "extra",
  "to_json",
  "from_json",
  "Self",
  "ClassVar",
  "JsonValue",
  "JsonObject",
  "Absent",
  "ABSENT",
  "self",
  "cls",
]);

/**
 * Splits `callId`, `call_id`, `call-id`, `HTTPStatus` into lower-case words. Letters and
 * digits outside ASCII become `u<hex>` words (`ÄÖ` → `uc4 ud6`), so names stay ASCII.
 */
function words(name: string): string[] {
  return name
    .replace(/[^\p{ASCII}]/gu, (c) => (/[\p{L}\p{N}]/u.test(c) ? ` u${c.codePointAt(0)!.toString(16)} ` : " "))
    .replace(/([a-z0-9])([A-Z])/gu, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/gu, "$1 $2")
    .split(/[^A-Za-z0-9]+/u)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

function fixStart(name: string, prefix: string): string {
  if (name.length === 0) return `${prefix}empty`;
  return /^[0-9]/u.test(name) ? `${prefix}${name}` : name;
}

/** `callId` → `call_id`, `from` → `from_`, `1st` → `n_1st`, `a-b` → `a_b`, `` → `n_empty`. */
export function snakeCase(name: string): string {
  const base = fixStart(words(name).join("_"), "n_");
  return PYTHON_KEYWORDS.has(base) || PYTHON_RESERVED_ATTRIBUTES.has(base) ? `${base}_` : base;
}

/**
 * `agent.response.final` → `AgentResponseFinal`, `2fa` → `N2fa`, and `None` → `NoneModel`
 * (a trailing underscore would break CapWords, which ruff's pep8-naming checks).
 */
export function pascalCase(name: string): string {
  const base = fixStart(
    words(name)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(""),
    "N",
  );
  return PYTHON_KEYWORDS.has(base) || PYTHON_RESERVED_ATTRIBUTES.has(base) ? `${base}Model` : base;
}

/** `acp.retry.attempt` (prefix `acp.`) → `RETRY_ATTEMPT`, `1x` → `V_1X`. */
export function upperSnake(name: string, dropPrefix = ""): string {
  const body = dropPrefix !== "" && name.startsWith(dropPrefix) ? name.slice(dropPrefix.length) : name;
  const base = fixStart(words(body).join("_").toUpperCase(), "V_");
  // Enum member names must not be _sunder_ or dunder; words() never yields leading "_".
  return PYTHON_KEYWORDS.has(base) ? `${base}_` : base;
}

/** Hands out unique names within one Python scope (a class body, a module, an enum). */
export class Scope extends NameScope {
  constructor(reserved: Iterable<string> = []) {
    super({ separator: "_" }, reserved);
  }
}

/** True when `name` is a valid Python identifier that is not a keyword (ASCII subset). */
export function isPythonIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/u.test(name) && !PYTHON_KEYWORDS.has(name);
}
