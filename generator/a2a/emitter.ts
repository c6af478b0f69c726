/**
 * The a2a emitter: generated/a2a/ holds the ACP <-> A2A mapping as typed tables and the
 * functions the runtime's A2A bridge runs (runtime/a2a uses only these). Emits nothing when
 * the IR has no schema/a2a/.
 *
 * Each generated file has its template in templates/ (`<file>.hbs`, which says what the file
 * holds); view.ts computes what they print. Values are printed with JSON.stringify (`lit`),
 * never pasted as source text.
 */
import { generatedHeader, type Emitter, type GeneratedFile } from "../emitter.js";
import type { Ir } from "../ir/types.js";
import { createHandlebars, loadTemplates, templatesDir, type Templates } from "../templates.js";
import { a2aView } from "./view.js";

const FROM = "schema/a2a/ and schema/catalog/";

/** A value as a TypeScript literal (`undefined` for undefined). */
function lit(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}

/** The a2a templates with their helpers: `lit` and `union` (string literals joined by ` | `). */
function a2aTemplates(): Templates {
  const hb = createHandlebars();
  hb.registerHelper("lit", (value: unknown) => lit(value));
  hb.registerHelper("json", (value: unknown) => (value === undefined ? "undefined" : JSON.stringify(value, null, 1)));
  hb.registerHelper("union", (values: readonly string[]) => values.map((v) => lit(v)).join(" | "));
  return loadTemplates(templatesDir("a2a"), hb);
}

export const a2aEmitter: Emitter = {
  name: "a2a",
  root: "a2a",
  async emit(ir: Ir): Promise<readonly GeneratedFile[]> {
    if (ir.a2a === undefined) return [];
    const view = a2aView(ir.a2a);
    const templates = a2aTemplates();
    return templates.paths.map((path) => ({ path: `a2a/${path}`, content: `${generatedHeader("//", FROM)}\n${templates.render(path, view)}` }));
  },
};
