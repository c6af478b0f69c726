/**
 * The one renderer base of the string-built emitters (Python, Kotlin, contracts): lines with
 * block indentation, indenting a run of lines, and `/** ... *\/` doc blocks. Each language
 * keeps only what is its own (escaping, naming, wrapping); the layout lives here.
 */

/** Lines of code written at a current indentation depth. */
export interface CodeWriter {
  /** The lines written so far, indentation included. */
  readonly lines: string[];
  /** The current indentation in columns. */
  readonly col: number;
  /** Writes `text` at the current indentation. */
  line(text: string): void;
  /** Writes `lines` as they are (already indented by the caller). */
  raw(lines: readonly string[]): void;
  /** Writes `head`, then what `inner` writes one level deeper. */
  block(head: string, inner: () => void): void;
}

/** A writer indenting by `unit` columns per level, starting at level `depth`. */
export function codeWriter(unit = 4, depth = 0): CodeWriter {
  const lines: string[] = [];
  let level = depth;
  return {
    lines,
    get col() {
      return level * unit;
    },
    line(text) {
      lines.push(`${" ".repeat(level * unit)}${text}`);
    },
    raw(more) {
      lines.push(...more);
    },
    block(head, inner) {
      this.line(head);
      level++;
      try {
        inner();
      } finally {
        level--;
      }
    },
  };
}

/** `lines`, each prefixed with `pad`. */
export function indentLines(lines: readonly string[], pad: string): string[] {
  return lines.map((l) => `${pad}${l}`);
}

/**
 * A `/** ... *\/` doc block of already escaped `lines` at `indent`: one line when there is one
 * line (unless `multiLine`), else one ` * ` line each (trailing spaces trimmed). No trailing newline.
 */
export function docBlock(lines: readonly string[], indent = "", multiLine = false): string {
  if (lines.length === 1 && !multiLine) return `${indent}/** ${lines[0]} */`;
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`].join("\n");
}
