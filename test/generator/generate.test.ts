import { describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIr } from "../../generator/ir/load.js";
import { SchemaLoadError } from "../../generator/ir/errors.js";
import { checkFiles, emitAll } from "../../generator/generate.js";
import { EMITTERS, emittersFor } from "../../generator/targets.js";
import { REPO_ROOT, runCli } from "../helpers/cli.js";

const schemaDir = join(REPO_ROOT, "schema");

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "oaio-gen-"));
}

describe("generator", () => {
  it("emits identical bytes when run twice over separately loaded IRs", async () => {
    const ts = emittersFor(["ts"]);
    const first = await emitAll(loadIr(schemaDir), ts);
    const second = await emitAll(loadIr(schemaDir), ts);
    expect(first.length).toBeGreaterThan(5);
    expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
    for (const [i, f] of first.entries()) expect(second[i]?.content, f.path).toBe(f.content);
  });

  it("committed generated/ts is exactly what the schema produces", async () => {
    const ts = emittersFor(["ts"]);
    const files = await emitAll(loadIr(schemaDir), ts);
    expect(
      checkFiles(
        join(REPO_ROOT, "generated"),
        files,
        ts.map((e) => e.root),
      ),
    ).toEqual([]);
  });

  it("checkFiles reports missing, differing and extra files", async () => {
    const out = tempDir();
    try {
      const ts = emittersFor(["ts"]);
      const files = await emitAll(loadIr(schemaDir), ts);
      for (const f of files) {
        const full = join(out, f.path);
        cpSync(join(REPO_ROOT, "generated", f.path), full);
      }
      rmSync(join(out, "ts/event-map.ts"));
      writeFileSync(join(out, "ts/constants.ts"), `${readFileSync(join(out, "ts/constants.ts"), "utf8")}// edit\n`);
      writeFileSync(join(out, "ts/stray.ts"), "export {};\n");
      mkdirSync(join(out, "ts/__pycache__"));
      writeFileSync(join(out, "ts/__pycache__/tool-cache.pyc"), "not generated, not extra");
      expect(checkFiles(out, files, ["ts"])).toEqual([
        { path: "ts/constants.ts", reason: "differs" },
        { path: "ts/event-map.ts", reason: "missing" },
        { path: "ts/stray.ts", reason: "extra" },
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("rejects an unknown --lang naming the valid ones", () => {
    expect(() => emittersFor(["cobol"])).toThrow(/unknown --lang cobol; expected one of: .*ts/);
    expect(emittersFor([]).length).toBe(EMITTERS.length);
  });

  it("reports a broken catalogue with the file and the pointer", () => {
    const dir = tempDir();
    try {
      cpSync(schemaDir, dir, { recursive: true });
      const file = join(dir, "catalog/error-codes.json");
      const catalog = JSON.parse(readFileSync(file, "utf8")) as { error_codes: { retryable: unknown }[] };
      const first = catalog.error_codes[0];
      if (first === undefined) throw new Error("empty catalogue");
      first.retryable = "yes";
      writeFileSync(file, JSON.stringify(catalog));
      let caught: unknown;
      try {
        loadIr(dir);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SchemaLoadError);
      const problems = (caught as SchemaLoadError).problems;
      expect(problems).toContainEqual(expect.objectContaining({ file: "catalog/error-codes.json", pointer: "/error_codes/0/retryable" }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("oaio generate CLI", () => {
  it("--check passes on a fresh generation and exits 1 naming a hand-edited file", async () => {
    const out = tempDir();
    try {
      const gen = await runCli(["generate", "--lang", "ts", "--out", out, "-q"]);
      expect(gen.code, gen.stderr).toBe(0);
      const clean = await runCli(["generate", "--lang", "ts", "--out", out, "--check"]);
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stdout).toMatch(/up to date/);
      const target = join(out, "ts/constants.ts");
      writeFileSync(target, readFileSync(target, "utf8").replace("acp/1.0", "acp/9.9"));
      const stale = await runCli(["generate", "--lang", "ts", "--out", out, "--check"]);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/stale: .*ts\/constants\.ts \(differs from what schema\/ produces\)/);
      expect(stale.stderr).toMatch(/1 generated file\(s\) are stale/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);

  it("exits 2 on an unknown option", async () => {
    const res = await runCli(["generate", "--no-such-flag"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/unknown option/);
  });
});
