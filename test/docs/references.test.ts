/**
 * Docs and comments cite only what the repository contains (issue 11 §3): no reference to notes
 * outside it (the session's `shared/PROTOCOL.md`, `shared/DESIGN.md`), every `spec/<page>.md`
 * named in a comment or doc exists, a quoted section after it ("Wire format") is a heading or a
 * bold paragraph label of that page (or their first words), and every relative Markdown link resolves.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SELF = relative(ROOT, fileURLToPath(import.meta.url));

/** Tracked text files a reader sees: sources, docs, templates, generated code (not golden fixtures). */
function trackedTextFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return out
    .split("\0")
    .filter((f) => f !== "" && f !== SELF && !f.startsWith("golden/") && f !== "package-lock.json")
    .filter((f) => /\.(ts|md|hbs|py|kt|kts|json|sh|toml|yaml|yml|txt)$/.test(f) || f === ".ci/run")
    .filter((f) => existsSync(join(ROOT, f)));
}

const FILES = trackedTextFiles();
const read = (f: string): string => readFileSync(join(ROOT, f), "utf8");

/** Joins wrapped comment lines (` * `, `// `, `# ` continuations) so a quoted section split over lines reads as one. */
const unwrap = (text: string): string => text.replace(/[ \t]*\r?\n[ \t]*(?:\*(?!\/)|\/\/|#+)?[ \t]*/g, " ");

/** Headings and bold paragraph labels (`**Dotted targets.**`) of every spec page, by page name. */
function specSections(): Map<string, Set<string>> {
  const pages = new Map<string, Set<string>>();
  for (const page of readdirSync(join(ROOT, "spec")).filter((p) => p.endsWith(".md"))) {
    const text = readFileSync(join(ROOT, "spec", page), "utf8");
    const sections = new Set<string>();
    for (const m of text.matchAll(/^#+\s+(.+?)\s*$/gm)) sections.add(m[1]!);
    for (const m of text.matchAll(/^(?:- )?\*\*([^*\n]+?)\.?\*\*/gm)) sections.add(m[1]!);
    pages.set(page, sections);
  }
  return pages;
}

/** A quoted section names a heading or label exactly, or its first words ("Local delivery" for "Local delivery (in-process transports)"). */
const names = (known: ReadonlySet<string>, section: string): boolean => [...known].some((h) => h === section || h.startsWith(`${section} `));

describe("references in docs and comments", () => {
  it("the file list is real (tracked sources and spec pages are found)", () => {
    expect(FILES).toContain("runtime/bus/bus.ts");
    expect(FILES).toContain("spec/bus.md");
    expect(FILES.length).toBeGreaterThan(300);
  });

  it("no file cites notes outside the repository (shared/…, PROTOCOL.md, DESIGN.md, STYLE.md)", () => {
    const outside = /(?<![\w.-])(?:\.\.\/)*shared\/[\w.-]+|(?<![\w/.-])(?:PROTOCOL|DESIGN|STYLE)\.md\b/g;
    const found: string[] = [];
    for (const f of FILES) {
      read(f)
        .split("\n")
        .forEach((line, i) => {
          for (const m of line.matchAll(outside)) found.push(`${f}:${i + 1}: ${m[0]} (cite the spec/ page and section that states the fact)`);
        });
    }
    expect(found).toEqual([]);
  });

  it('every spec/<page>.md reference names a page that exists, and a quoted "section" after it names a heading or bold label of that page', () => {
    const sections = specSections();
    const bad: string[] = [];
    let checked = 0;
    for (const f of FILES) {
      for (const m of unwrap(read(f)).matchAll(/spec\/([\w-]+\.md)(?:[ \t]+(?:§[ \t]*)?"([^"]+)")?/g)) {
        const [ref, page, section] = m as unknown as [string, string, string | undefined];
        checked++;
        const known = sections.get(page);
        if (known === undefined) bad.push(`${f}: ${ref}: no such page in spec/`);
        else if (section !== undefined && !names(known, section)) bad.push(`${f}: ${ref}: spec/${page} has no heading or bold label "${section}"`);
      }
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it("every relative Markdown link in a .md file resolves to a file of the repository", () => {
    const bad: string[] = [];
    for (const f of FILES.filter((x) => x.endsWith(".md"))) {
      for (const m of read(f).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
        const path = normalize(join(dirname(f), target.split("#")[0]!));
        if (!existsSync(join(ROOT, path))) bad.push(`${f}: (${target}) -> ${path} does not exist`);
      }
    }
    expect(bad).toEqual([]);
  });
});
