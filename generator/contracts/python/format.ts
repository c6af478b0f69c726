/**
 * Breaks generated Python lines longer than 100 columns the way black would: inside the
 * last bracket pair of the line, arguments on one indented line if they fit, else one per
 * line with a trailing comma; comprehensions split before `for`. Lines inside triple-quoted
 * strings are left alone (docstrings are wrapped when written).
 */

const WIDTH = 100;
const OPEN = "([{";
const CLOSE = ")]}";

/** Index of the matching close bracket of `text[open]`, skipping string literals; -1 if none. */
function matching(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c) && --depth === 0) return i;
  }
  return -1;
}

function skipString(text: string, start: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === q) return i;
  }
  return text.length;
}

/** Top-level pieces of `text` split at `sep` (outside brackets and strings). */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) depth--;
    else if (depth === 0 && text.startsWith(sep, i)) {
      parts.push(text.slice(from, i));
      from = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/** The last top-level bracket pair of `text` whose close is followed by no other bracket. */
function lastPair(text: string): [number, number] | undefined {
  let best: [number, number] | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (OPEN.includes(c)) {
      const close = matching(text, i);
      if (close < 0) return undefined;
      if (close - i > 1) best = [i, close];
      i = close;
    }
  }
  return best;
}

/** Formats one logical line (no leading white space in `text`) at `indent`. */
export function formatLine(indent: string, text: string): string[] {
  if (indent.length + text.length <= WIDTH) return [indent + text];
  const pair = lastPair(text);
  if (pair === undefined) return [indent + text];
  const [open, close] = pair;
  const head = text.slice(0, open + 1);
  const inner = text.slice(open + 1, close).trim();
  const tail = text.slice(close);
  const deeper = `${indent}    `;
  const comprehension = splitTop(inner, " for ");
  if (comprehension.length === 2) {
    return [indent + head, ...formatLine(deeper, comprehension[0]!.trim()), ...formatLine(deeper, `for ${comprehension[1]!.trim()}`), indent + tail];
  }
  const args = splitTop(inner, ",")
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  if (deeper.length + inner.length <= WIDTH) return [indent + head, deeper + inner, indent + tail];
  if (args.length === 1) return [indent + head, ...formatLine(deeper, args[0]!), indent + tail];
  return [indent + head, ...args.flatMap((a) => formatLine(deeper, `${a},`)), indent + tail];
}

/** Formats every over-long line of a Python source outside triple-quoted strings. */
export function formatPython(source: string): string {
  let inString = false;
  const out: string[] = [];
  for (const line of source.split("\n")) {
    const quotes = line.split('"""').length - 1;
    if (!inString && quotes === 0 && line.length > WIDTH) {
      const indent = /^ */.exec(line)![0];
      out.push(...formatLine(indent, line.slice(indent.length)));
    } else out.push(line);
    if (quotes % 2 === 1) inString = !inString;
  }
  return out.join("\n");
}
