/**
 * Loads the Handlebars templates under generator/python/templates/ and the helpers they use
 * to write Python source: literals, docstrings (wrapped, escaped), the generated-file header.
 * Templates are compiled with `noEscape` (this is Python, not HTML) and `strict` (a missing
 * view-model field fails generation instead of printing nothing).
 */
import type { Json } from "../ir/types.js";
import { generatedHeader } from "../emitter.js";
import { createHandlebars, loadTemplates as loadTemplateDir, templatesDir, type HandlebarsEnv, type Templates } from "../templates.js";
import { WIDTH, docline, docstring, pyLiteral, pyString, wrap } from "./pyfmt.js";

export type { Templates } from "../templates.js";

/** `text` wrapped to the line length, continuation lines indented by `indent`. */
function hanging(text: string, indent: number, column: number): string {
  return wrap(text, WIDTH - Math.max(indent, column)).join(`\n${" ".repeat(indent)}`);
}

function createEnv(): HandlebarsEnv {
  const hb = createHandlebars();
  hb.registerHelper("header", (prefix: string, options: unknown) => {
    const from = (options as { data?: { root?: { from?: string } } }).data?.root?.from ?? "schema/";
    return generatedHeader(prefix, from);
  });
  hb.registerHelper("py", (value: Json) => pyLiteral(value));
  hb.registerHelper("doc", (text: string, indent: number) => docstring(text, indent));
  hb.registerHelper("docline", (text: string) => docline(text));
  hb.registerHelper("padEnd", (text: string, width: number) => text.padEnd(width));
  hb.registerHelper("pystr", (text: string, indent: number, column: number) => pyString(text, indent, column));
  hb.registerHelper("hanging", (text: string, indent: number, column: number) => hanging(text, indent, column));
  /** An attribute docstring on the next line (nothing when the schema has no description). */
  hb.registerHelper("attrdoc", (text: string, wire: string, attr: string) => {
    const base = text.trim();
    const note = wire !== attr ? `Wire name "${wire}".` : "";
    const full = [base, note].filter((s) => s !== "").join(" ");
    return full === "" ? "" : `\n    ${docstring(full, 4)}`;
  });
  return hb;
}

/** Loads and compiles every template with the Python helpers (see generator/templates.ts). */
export function loadTemplates(dir = templatesDir("python")): Templates {
  return loadTemplateDir(dir, createEnv());
}
