/**
 * Handlebars templates of the emitters. An emitter keeps the fixed text of what it writes in
 * `.hbs` files under a `templates/` folder beside it (package.json "files" ships every such
 * folder) and computes only what varies with the IR. Templates are compiled
 * with `noEscape` (they write source code, not HTML) and `strict` (a view field that is
 * missing fails generation instead of printing nothing).
 */
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { packageRoot } from "./paths.js";

/** handlebars is CommonJS with `export =`: load it through require to keep its types. */
const Handlebars = createRequire(import.meta.url)("handlebars") as typeof import("handlebars");

/** An isolated Handlebars environment (its helpers are its own). */
export type HandlebarsEnv = typeof Handlebars;

/** A new Handlebars environment, for an emitter that registers helpers. */
export function createHandlebars(): HandlebarsEnv {
  return Handlebars.create();
}

/** `generator/<segments...>/templates` in the package (works from source and from dist/). */
export function templatesDir(...segments: string[]): string {
  return join(packageRoot(), "generator", ...segments, "templates");
}

/** The compiled templates of one folder, by path under it without `.hbs` (`src/bus.py`). */
export interface Templates {
  /** Every template path, sorted. */
  readonly paths: readonly string[];
  /** Renders the template at `path` with `view`; throws if there is no such template. */
  render(path: string, view: object): string;
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

/**
 * Loads and compiles every `.hbs` under `dir` with `hb` (a fresh environment when omitted).
 * Paths are sorted, so nothing depends on the order the file system lists them in.
 */
export function loadTemplates(dir: string, hb: HandlebarsEnv = createHandlebars()): Templates {
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  for (const full of listTemplates(dir).sort()) {
    const path = relative(dir, full)
      .split("\\")
      .join("/")
      .replace(/\.hbs$/u, "");
    compiled.set(path, hb.compile(readFileSync(full, "utf8"), { noEscape: true, strict: true }));
  }
  return {
    paths: [...compiled.keys()],
    render(path: string, view: object): string {
      const t = compiled.get(path);
      if (t === undefined) throw new Error(`no template ${path}.hbs in ${dir}`);
      return t(view);
    },
  };
}
