/**
 * Loads the Handlebars templates under generator/python/templates/ and the helpers they use
 * to write Python source: literals, docstrings (wrapped, escaped), the generated-file header.
 * Templates are compiled with `noEscape` (this is Python, not HTML) and `strict` (a missing
 * view-model field fails generation instead of printing nothing).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { createRequire } from "node:module";
import type { Json } from "../ir/types.js";
import { generatedHeader } from "../emitter.js";
import { packageRoot } from "../paths.js";
import { WIDTH, docline, docstring, pyLiteral, pyString, wrap } from "./pyfmt.js";

const Handlebars = createRequire(import.meta.url)("handlebars") as typeof import("handlebars");

/** `text` wrapped to the line length, continuation lines indented by `indent`. */
function hanging(text: string, indent: number, column: number): string {
  return wrap(text, WIDTH - Math.max(indent, column)).join(`\n${" ".repeat(indent)}`);
}

function createEnv(): typeof Handlebars {
  const hb = Handlebars.create();
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

/** Every template by its path under templates/ without `.hbs`, compiled. */
export interface Templates {
  render(path: string, view: object): string;
  readonly paths: readonly string[];
}

function listTemplates(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTemplates(full));
    else if (entry.name.endsWith(".hbs")) out.push(full);
  }
  return out;
}

/** Loads and compiles every template (sorted, so output order never depends on the file system). */
export function loadTemplates(dir = join(packageRoot(), "generator", "python", "templates")): Templates {
  const hb = createEnv();
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  for (const full of listTemplates(dir).sort()) {
    const path = relative(dir, full).split("\\").join("/").replace(/\.hbs$/u, "");
    compiled.set(path, hb.compile(readFileSync(full, "utf8"), { noEscape: true, strict: true }));
  }
  return {
    paths: [...compiled.keys()],
    render(path: string, view: object): string {
      const t = compiled.get(path);
      if (t === undefined) throw new Error(`no Python template ${path}.hbs`);
      return t(view);
    },
  };
}
