/**
 * The "Bus (asyncio)" example of generated/python/README.md runs as written, prints what the
 * README says it prints, and passes ruff and mypy --strict with the package's settings.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";
import { ensureVenv, explain, mypyCache, run, type PythonEnv } from "./helpers.js";

const PKG = join(REPO_ROOT, "generated", "python");
let py: PythonEnv;
let example: string;
let file: string;

beforeAll(async () => {
  py = await ensureVenv();
  const readme = readFileSync(join(PKG, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Bus (asyncio)"));
  const block = /```python\n([\s\S]*?)```/u.exec(section);
  if (block === null) throw new Error("README.md has no python block under '## Bus (asyncio)'");
  example = block[1]!;
  file = join(mkdtempSync(join(tmpdir(), "oaio-readme-")), "example.py");
  writeFileSync(file, example);
}, 300_000);

it("is about 30 lines and prints what the README says", async () => {
  expect(example.trim().split("\n").length).toBeLessThanOrEqual(40);
  const res = await run(py.python, [file], { env: { ...py.env, PYTHONPATH: join(PKG, "src") } });
  expect(res.code, explain(res)).toBe(0);
  expect(res.stdout.trim().split("\n")).toEqual(["{'sku': 'A-1', 'price': 42}", "INVALID_REQUEST False", "it", "costs", "42", "{'words': 3}"]);
  const readme = readFileSync(join(PKG, "README.md"), "utf8");
  const claim = readme.slice(readme.indexOf("prints `{'sku'"), readme.indexOf("prints `{'sku'") + 120).replace(/\s+/gu, " ");
  expect(claim).toContain("prints `{'sku': 'A-1', 'price': 42}`, `INVALID_REQUEST False`, `it`, `costs`, `42`, `{'words': 3}`");
});

it("passes ruff and mypy --strict with the package's settings", async () => {
  const ruff = await run(join(py.bin, "ruff"), ["check", "--no-cache", "--config", join(PKG, "pyproject.toml"), file], { cwd: PKG, env: py.env });
  expect(ruff.code, explain(ruff)).toBe(0);
  const mypy = await run(join(py.bin, "mypy"), ["--strict", "--cache-dir", mypyCache(py, "readme"), file], {
    cwd: PKG,
    env: { ...py.env, MYPYPATH: join(PKG, "src") },
  });
  expect(mypy.code, explain(mypy)).toBe(0);
}, 120_000);
