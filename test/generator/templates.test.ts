import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHandlebars, loadTemplates, templatesDir } from "../../generator/templates.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "oaio-templates-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("generator/templates", () => {
  it("lists every .hbs under the folder by path without .hbs, sorted, and ignores other files", () => {
    const t = loadTemplates(folder({ "z.ts.hbs": "", "src/a.py.hbs": "", "b.kt.hbs": "", "notes.md": "" }));
    expect(t.paths).toEqual(["b.kt", "src/a.py", "z.ts"]);
  });

  it("renders source text as is (no HTML escaping) and drops standalone comment lines", () => {
    const t = loadTemplates(folder({ "x.ts.hbs": "{{!-- what x is --}}\nconst s = {{value}};\n" }));
    expect(t.render("x.ts", { value: '"<a & b>"' })).toBe('const s = "<a & b>";\n');
  });

  it("fails on a view field that is missing and on an unknown template", () => {
    const t = loadTemplates(folder({ "x.ts.hbs": "{{missing}}" }));
    expect(() => t.render("x.ts", {})).toThrow(/missing/);
    expect(() => t.render("y.ts", {})).toThrow(/no template y\.ts\.hbs/);
  });

  it("uses the helpers of the environment it is given, which stay out of other environments", () => {
    const dir = folder({ "x.hbs": "{{shout name}}" });
    const hb = createHandlebars();
    hb.registerHelper("shout", (s: string) => s.toUpperCase());
    expect(loadTemplates(dir, hb).render("x", { name: "hi" })).toBe("HI");
    expect(() => loadTemplates(dir).render("x", { name: "hi" })).toThrow();
  });

  it("finds the package's template folders", () => {
    for (const target of [["a2a"], ["kotlin"], ["python"], ["contracts", "ts"], ["contracts", "python"], ["contracts", "kotlin"]]) {
      expect(loadTemplates(templatesDir(...target)).paths.length).toBeGreaterThan(0);
    }
  });
});
