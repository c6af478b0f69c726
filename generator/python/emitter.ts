/**
 * The Python emitter: writes generated/python/, an installable package (`openagentio`,
 * src layout, hatchling) with typed models, compiled validators, a decoder reporting the same
 * code and JSON pointer as TypeScript, an RFC 8785 encoder, catalogue constants, bus API
 * Protocols, and a pytest suite that runs the golden corpus.
 *
 * Structure comes from Handlebars templates (generator/python/templates/); what varies with
 * the schema comes from {@link buildView}. quicktype-core's Python renderer was tried for the
 * models and not used: it emits `Any`-typed helpers that fail `mypy --strict`, validates with
 * `assert`, and neither keeps unknown properties nor tells an absent field from a JSON null.
 */
import type { Emitter, GeneratedFile } from "../emitter.js";
import type { Ir } from "../ir/types.js";
import { loadTemplates, type Templates } from "./templates.js";
import { buildView } from "./view.js";

/** Where a template's output goes, relative to the output root. */
export function outputPath(template: string): string {
  if (template.startsWith("src/")) return `python/src/openagentio/${template.slice(4)}`;
  return `python/${template}`;
}

/** Emits the package with the given templates (default: generator/python/templates/). */
export function createPythonEmitter(templates?: () => Templates): Emitter {
  return {
    name: "python",
    root: "python",
    async emit(ir: Ir): Promise<readonly GeneratedFile[]> {
      const t = templates ? templates() : loadTemplates();
      const view = buildView(ir);
      const files = t.paths.map((p) => ({ path: outputPath(p), content: t.render(p, view) }));
      return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
  };
}

export const pythonEmitter: Emitter = createPythonEmitter();
