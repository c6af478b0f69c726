/**
 * Python source formatting for generated code: literals, strings and calls that stay within
 * the line length (100, as ruff is configured in the generated pyproject.toml), and
 * docstrings. Everything here is pure string work.
 */
import type { Json } from "../ir/types.js";

/** The line length of generated Python. */
export const WIDTH = 100;

/** A Python literal for a JSON value (one line). */
export function pyLiteral(v: Json): string {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(", ")}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}: ${pyLiteral(x)}`)
    .join(", ")}}`;
}

/**
 * A Python string literal for `text` starting at column `column` of a line indented by
 * `indent`: the literal itself when it fits, else a parenthesized implicit concatenation
 * (split at spaces, or anywhere in a long word; escapes never straddle two pieces).
 */
export function pyString(text: string, indent: number, column: number): string {
  const literal = JSON.stringify(text);
  if (column + literal.length + 1 <= WIDTH) return literal;
  const inner = " ".repeat(indent + 4);
  const room = WIDTH - indent - 4 - 2;
  const parts: string[] = [];
  let part = "";
  for (const word of text.split(/(?<= )/u)) {
    if (part !== "" && JSON.stringify(part + word).length > room) {
      parts.push(part);
      part = "";
    }
    for (const ch of word) {
      if (part !== "" && JSON.stringify(part + ch).length > room) {
        parts.push(part);
        part = "";
      }
      part += ch;
    }
  }
  if (part !== "") parts.push(part);
  return `(\n${parts.map((p) => `${inner}${JSON.stringify(p)}`).join("\n")}\n${" ".repeat(indent)})`;
}

/** A call argument: Python source, or a string to be written as a (wrapped) literal. */
export type Arg = string | { readonly text: string };

/**
 * `head(args)` at column `col` (e.g. head `return _defect(`), as absolute-indented lines:
 * one line when it fits, else one argument per line.
 */
export function pyCall(col: number, head: string, args: readonly Arg[], tail = ")"): string[] {
  const pad = " ".repeat(col);
  const flat = args.map((a) => (typeof a === "string" ? a : JSON.stringify(a.text)));
  const oneLine = `${pad}${head}${flat.join(", ")}${tail}`;
  if (oneLine.length <= WIDTH) return [oneLine];
  const inner = " ".repeat(col + 4);
  const lines = [`${pad}${head}`];
  for (const a of args) {
    const src = typeof a === "string" ? a : pyString(a.text, col + 4, col + 4);
    lines.push(...`${inner}${src},`.split("\n"));
  }
  lines.push(`${pad}${tail}`);
  return lines;
}

/** `{"a", "b"}` (or `(…,)` with `open`/`close`) on one line, or one item per line. */
export function pyCollection(col: number, head: string, items: readonly string[], open = "{", close = "}"): string[] {
  const oneLine = `${" ".repeat(col)}${head}${open}${items.join(", ")}${items.length === 1 && open === "(" ? "," : ""}${close}`;
  if (oneLine.length <= WIDTH) return [oneLine];
  return [`${" ".repeat(col)}${head}${open}`, ...items.map((i) => `${" ".repeat(col + 4)}${i},`), `${" ".repeat(col)}${close}`];
}

/** Escapes text for the inside of a `"""…"""` literal. */
function escapeDoc(text: string): string {
  let out = text.replaceAll("\\", "\\\\").replaceAll('"""', '\\"\\"\\"');
  if (out.endsWith('"')) out = `${out.slice(0, -1)}\\"`;
  return out;
}

/** Greedy word wrap of `text` into lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/u).filter((w) => w.length > 0)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** A docstring at column `indent` (the caller writes the first indent): one line if it fits. */
export function docstring(text: string, indent: number): string {
  const body = escapeDoc(text.trim() === "" ? "(No description in the schema.)" : text.trim());
  const pad = " ".repeat(indent);
  if (indent + body.length + 6 <= WIDTH && !body.includes("\n")) return `"""${body}"""`;
  const lines = wrap(body, WIDTH - indent - 3);
  return `"""${lines.join(`\n${pad}`)}\n${pad}"""`;
}

/** One line of a docstring (no quotes), escaped. */
export function docline(text: string): string {
  return escapeDoc(text.replace(/\s+/gu, " ").trim());
}
