/**
 * Translates a JSON Schema `pattern` (ECMAScript regular expression, matched by ajv with the
 * `u` flag) into a Python `re` pattern with the same meaning, so generated validators accept
 * exactly what ajv accepts. Python differs where it matters: `$` also matches before a final
 * newline, `\d` `\w` `\s` are Unicode-aware, `.` stops only at `\n`, named groups are spelled
 * `(?P<name>…)`. Unsupported constructs fail at generation time, naming the pattern.
 * Compile the result with `re.ASCII` (only `\b`/`\B` remain class-dependent).
 */

const DIGIT = "0-9";
const WORD = "A-Za-z0-9_";
/** ECMAScript WhiteSpace and LineTerminator code points (what `\s` matches). */
const SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
/** What `.` does not match without the `s` flag. */
const LINE_TERMINATORS = "\\n\\r\\u2028\\u2029";

const CLASS_ESCAPES: Readonly<Record<string, string>> = { d: DIGIT, w: WORD, s: SPACE };

/** Error for a pattern the translator cannot carry over faithfully. */
export class UnsupportedPatternError extends Error {
  constructor(pattern: string, why: string) {
    super(`cannot translate pattern ${JSON.stringify(pattern)} to Python: ${why}`);
    this.name = "UnsupportedPatternError";
  }
}

/** Returns the Python `re` source (to compile with `re.ASCII`, used with `search`). */
export function toPythonPattern(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) throw new UnsupportedPatternError(pattern, "trailing backslash");
      i++;
      out += translateEscape(
        pattern,
        next,
        inClass,
        () => {
          const m = /^u\{([0-9A-Fa-f]{1,6})\}/u.exec(pattern.slice(i));
          if (!m) return undefined;
          i += m[0].length - 1;
          return `\\U${m[1]!.padStart(8, "0")}`;
        },
        () => {
          const m = /^k<([A-Za-z_][A-Za-z0-9_]*)>/u.exec(pattern.slice(i));
          if (!m) return undefined;
          i += m[0].length - 1;
          return `(?P=${m[1]!})`;
        },
      );
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      else if (c === "[") {
        out += "\\[";
        continue;
      }
      out += c;
      continue;
    }
    switch (c) {
      case "[":
        inClass = true;
        out += c;
        if (pattern[i + 1] === "^") {
          out += "^";
          i++;
        }
        if (pattern[i + 1] === "]") throw new UnsupportedPatternError(pattern, "empty character class []");
        break;
      case "$":
        out += "\\Z";
        break;
      case ".":
        out += `[^${LINE_TERMINATORS}]`;
        break;
      case "(":
        if (pattern.startsWith("(?<", i) && pattern[i + 3] !== "=" && pattern[i + 3] !== "!") {
          out += "(?P<";
          i += 2;
        } else out += c;
        break;
      default:
        out += c;
    }
  }
  if (inClass) throw new UnsupportedPatternError(pattern, "unterminated character class");
  return out;
}

function translateEscape(
  pattern: string,
  next: string,
  inClass: boolean,
  codePoint: () => string | undefined,
  backReference: () => string | undefined,
): string {
  const lower = next.toLowerCase();
  if (lower in CLASS_ESCAPES) {
    const set = CLASS_ESCAPES[lower]!;
    const negated = next !== lower;
    if (inClass) {
      if (negated) throw new UnsupportedPatternError(pattern, `\\${next} inside a character class`);
      return set;
    }
    return negated ? `[^${set}]` : `[${set}]`;
  }
  if (next === "u") {
    const cp = codePoint();
    if (cp !== undefined) return cp;
    return "\\u";
  }
  if (next === "k") {
    const ref = backReference();
    if (ref !== undefined && !inClass) return ref;
    throw new UnsupportedPatternError(pattern, "\\k outside a named back reference");
  }
  if (next === "p" || next === "P") throw new UnsupportedPatternError(pattern, "Unicode property escapes (\\p{…})");
  if (next === "c") throw new UnsupportedPatternError(pattern, "control escapes (\\cX)");
  if (next === "b" && inClass) return "\\x08";
  // \b \B outside classes, \t \n \v \f \r \0 \xHH, \1-\9 and escaped syntax characters mean the same in Python.
  if (/^[bBtnvfr0-9x^$\\.*+?()[\]{}|/-]$/u.test(next)) return `\\${next}`;
  throw new UnsupportedPatternError(pattern, `escape \\${next}`);
}

/** Whether a match of the ECMAScript `pattern` can only start at the beginning (`^`, no top-level `|`): `match` then answers as `search`. */
export function startAnchored(pattern: string): boolean {
  if (!pattern.startsWith("^")) return false;
  let depth = 0;
  let inClass = false;
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) return false;
  }
  return true;
}
