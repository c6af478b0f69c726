/**
 * The generated Python contract code compiles (py_compile), and when the project venv has
 * them, passes `mypy --strict` and ruff with the SDK's settings: the committed examples and a
 * fixture full of keywords and odd schema shapes. Checks run on copies in a temp folder so
 * no caches land in the repository.
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadContracts } from "../../generator/contracts/load.js";
import { emitContracts, standardEvents } from "../../generator/contracts/generate.js";
import { REPO_ROOT } from "../helpers/cli.js";

const VENV = join(REPO_ROOT, ".venv/bin");
const hasVenv = existsSync(join(VENV, "mypy")) && existsSync(join(VENV, "ruff"));
const SDK_SRC = join(REPO_ROOT, "generated/python/src");
const work = mkdtempSync(join(tmpdir(), "oaio-contracts-py-"));

cpSync(join(REPO_ROOT, "examples/contracts/generated/python"), join(work, "examples"), { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[], cwd: string): { code: number; out: string } {
  try {
    const out = execFileSync(cmd, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
      env: { ...process.env, MYPYPATH: `${cwd}:${SDK_SRC}`, PYTHONPATH: `${cwd}:${SDK_SRC}` },
    });
    return { code: 0, out };
  } catch (err: unknown) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

/** Checks the package `openagentio_contracts` under `dir`. */
function check(dir: string): void {
  const pkg = join(dir, "openagentio_contracts");
  const files = readdirSync(pkg)
    .filter((f) => f.endsWith(".py"))
    .map((f) => join(pkg, f));
  const compile = run(
    "python3",
    ["-B", "-c", "import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, cfile=f + 'c', doraise=True)", ...files],
    dir,
  );
  expect(compile, compile.out).toMatchObject({ code: 0 });
  // Importing runs every module body (classes, aliases, facts) against the real SDK.
  const imp = run(
    "python3",
    [
      "-B",
      "-c",
      `import importlib\nfor m in ${JSON.stringify(files.map((f) => f.slice(pkg.length + 1, -3)))}: importlib.import_module("openagentio_contracts." + m)`,
    ],
    dir,
  );
  expect(imp, imp.out).toMatchObject({ code: 0 });
  if (!hasVenv) return;
  const mypy = run(join(VENV, "mypy"), ["--strict", "--python-version", "3.11", "--cache-dir", join(work, ".mypy_cache"), "-p", "openagentio_contracts"], dir);
  expect(mypy, mypy.out).toMatchObject({ code: 0 });
  const ruff = run(join(VENV, "ruff"), ["check", "--no-cache", "--config", join(REPO_ROOT, "generated/python/pyproject.toml"), "openagentio_contracts"], dir);
  expect(ruff, ruff.out).toMatchObject({ code: 0 });
}

describe("generated Python contract code", () => {
  it("the committed examples compile, import, and pass mypy --strict and ruff", () => {
    check(join(work, "examples"));
  }, 180_000);

  it("clients call handlers on the runtime Bus (MemoryTransport): invoke, stream, events, errors, contract checks, pointers (type-checked with mypy --strict)", () => {
    const dir = join(work, "examples");
    const script = join(REPO_ROOT, "test/contracts/fixtures/python_roundtrip.py");
    const r = run("python3", ["-B", script], dir);
    expect(r, r.out).toEqual({ code: 0, out: "ok\n" });
    if (!hasVenv) return;
    const mypy = run(join(VENV, "mypy"), ["--strict", "--cache-dir", join(work, ".mypy_cache"), script], dir);
    expect(mypy, mypy.out).toMatchObject({ code: 0 });
  }, 180_000);

  it("a fixture of keywords and odd schema shapes compiles, imports, and passes mypy --strict and ruff", async () => {
    const ir = loadContracts(join(REPO_ROOT, "test/contracts/fixtures/odd"), { standardEvents: standardEvents(join(REPO_ROOT, "schema")) });
    const dir = join(work, "odd");
    for (const f of await emitContracts(ir, { langs: ["python"], tsRuntimeImport: "openagentio" })) {
      if (!f.path.startsWith("python/")) continue;
      const full = join(dir, f.path.slice("python/".length));
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, f.content);
    }
    check(dir);
  }, 180_000);
});
