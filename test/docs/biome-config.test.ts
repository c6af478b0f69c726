/**
 * The repository's biome.json does what ARCHITECTURE.md "Format and lint: biome" says: the strict
 * rules report, a type and a value of one name are not a redeclaration, and generated/, golden/
 * and bench/results/ are never checked (generated files stay byte-identical to `oaio generate`).
 * Runs the real biome binary on files in a temporary copy of the layout.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runProcess } from "../helpers/cli.js";

interface Diagnostic {
  readonly category: string;
  readonly location: { readonly path: string };
}

let dir: string;
let diagnostics: Diagnostic[];
let code: number | null;

const FILES: Record<string, string> = {
  "runtime/bad.ts": [
    'import { readFile } from "node:fs/promises";',
    "async function load(): Promise<number> {",
    "  return 1;",
    "}",
    "export function run(x: any): void {",
    "  load();",
    "  console.log(x);",
    "}",
    "",
  ].join("\n"),
  "runtime/good.ts": [
    'export const Phase = { Working: "working" } as const;',
    "export type Phase = (typeof Phase)[keyof typeof Phase];",
    "export function first(xs: readonly number[]): number {",
    "  return xs[0]!;",
    "}",
    "",
  ].join("\n"),
  "generated/ts/ugly.ts": "export const   x:any={a:1}\n",
  "golden/valid/ugly.json": '{"b":1,   "a":[1,\n2]}',
  "bench/results/ugly.json": '{"b":1,   "a":[1,\n2]}',
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "oaio-biome-"));
  const config = JSON.parse(readFileSync(join(REPO_ROOT, "biome.json"), "utf8")) as Record<string, unknown>;
  delete config["$schema"];
  delete config["vcs"]; // the temporary directory is not a git checkout
  writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const r = await runProcess(join(REPO_ROOT, "node_modules/.bin/biome"), ["check", "--error-on-warnings", "--reporter=json", "--max-diagnostics=none", "."], {
    cwd: dir,
  });
  code = r.code;
  diagnostics = (JSON.parse(r.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const rulesIn = (path: string): string[] => [...new Set(diagnostics.filter((d) => d.location.path.endsWith(path)).map((d) => d.category))].sort();

describe("biome.json", () => {
  it("reports any, a floating promise and an unused import, and fails", () => {
    expect(rulesIn("runtime/bad.ts")).toEqual(
      expect.arrayContaining(["lint/correctness/noUnusedImports", "lint/nursery/noFloatingPromises", "lint/suspicious/noExplicitAny"]),
    );
    expect(code).toBe(1);
  });

  it("accepts a type and a value of one name, a non-null assertion after a bounds check, and this layout", () => {
    expect(rulesIn("runtime/good.ts")).toEqual([]);
  });

  it("never checks generated/, golden/ or bench/results/", () => {
    expect(diagnostics.map((d) => d.location.path).filter((p) => /generated|golden|bench/.test(p))).toEqual([]);
  });
});
