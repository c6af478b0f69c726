/**
 * The generated Python SDK, proven with the real toolchain: the venv from
 * scripts/python-env.sh, then pytest (unit tests + the golden corpus, with the conformance
 * result file), mypy --strict and ruff over generated/python. Also: the Python emitter is
 * deterministic and the committed generated/python is what the schema produces.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIr } from "../../generator/ir/load.js";
import { checkFiles, emitAll } from "../../generator/generate.js";
import { emittersFor } from "../../generator/targets.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { ensureVenv, explain, mypyCache, run, type PythonEnv } from "./helpers.js";

const PKG = join(REPO_ROOT, "generated", "python");
let py: PythonEnv;
let scratch: string;

beforeAll(async () => {
  py = await ensureVenv();
  scratch = mkdtempSync(join(tmpdir(), "oaio-pytest-"));
}, 300_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("Python emitter", () => {
  it("emits identical bytes when run twice over separately loaded IRs", async () => {
    const python = emittersFor(["python"]);
    const first = await emitAll(loadIr(join(REPO_ROOT, "schema")), python);
    const second = await emitAll(loadIr(join(REPO_ROOT, "schema")), python);
    expect(first.length).toBeGreaterThan(10);
    expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
    for (const [i, f] of first.entries()) expect(second[i]?.content, f.path).toBe(f.content);
    for (const f of first) expect(f.path.startsWith("python/"), f.path).toBe(true);
  });

  it("committed generated/python is exactly what the schema produces", async () => {
    const python = emittersFor(["python"]);
    const files = await emitAll(loadIr(join(REPO_ROOT, "schema")), python);
    expect(checkFiles(join(REPO_ROOT, "generated"), files, ["python"])).toEqual([]);
  });
});

describe("generated/python with its own toolchain", () => {
  it("pytest passes and writes the conformance result file for the whole corpus", async () => {
    const out = join(scratch, "python.json");
    const res = await run(join(py.bin, "pytest"), ["-q", "-p", "no:cacheprovider"], {
      cwd: PKG,
      env: { ...py.env, OAIO_CONFORMANCE_OUT: out },
    });
    expect(res.code, explain(res)).toBe(0);
    const result = JSON.parse(readFileSync(out, "utf8")) as {
      language: string;
      passed: number;
      failed: number;
      cases: { id: string; kind: string; ok: boolean; detail: string }[];
    };
    expect(result.language).toBe("python");
    expect(result.failed).toBe(0);
    expect(result.passed).toBe(result.cases.length);
    const kinds = new Set(result.cases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(["invalid", "stream", "v1", "valid"]);
    expect(result.cases).toContainEqual(expect.objectContaining({ id: "invalid/event-id-trailing-newline", kind: "invalid", ok: true }));
    expect(result.cases).toContainEqual(expect.objectContaining({ id: "streams/out-of-order", kind: "stream", ok: true }));
  }, 120_000); // the whole generated suite: 8 s on a quiet machine, 30-40 s at load 13 (before and after the generated checks alike)

  it("a wrong sidecar fails its case and the result file names it", async () => {
    const golden = join(scratch, "golden");
    await run("cp", ["-r", join(REPO_ROOT, "golden"), golden]);
    const sidecar = join(golden, "invalid", "seq-negative.expected.json");
    const original = JSON.parse(readFileSync(sidecar, "utf8")) as { code: string; pointer: string };
    await run("bash", ["-c", `printf '%s' '{"code":"INVALID_REQUEST","pointer":"/nope"}' > '${sidecar}'`]);
    const out = join(scratch, "broken.json");
    const res = await run(join(py.bin, "pytest"), ["-q", "-p", "no:cacheprovider", "tests/test_conformance.py"], {
      cwd: PKG,
      env: { ...py.env, OAIO_GOLDEN_DIR: golden, OAIO_CONFORMANCE_OUT: out },
    });
    expect(res.code).toBe(1);
    const result = JSON.parse(readFileSync(out, "utf8")) as { failed: number; cases: { id: string; ok: boolean; detail: string }[] };
    expect(result.failed).toBe(1);
    const bad = result.cases.find((c) => !c.ok);
    expect(bad?.id).toBe("invalid/seq-negative");
    expect(bad?.detail).toContain(`got ${original.code} '${original.pointer}', expected INVALID_REQUEST '/nope'`);
  });

  it("mypy --strict passes on the package and its tests", async () => {
    const res = await run(join(py.bin, "mypy"), ["--strict", "--cache-dir", mypyCache(py, "sdk"), "src", "tests"], { cwd: PKG, env: py.env });
    expect(res.code, explain(res)).toBe(0);
  });

  it("ruff check passes", async () => {
    const res = await run(join(py.bin, "ruff"), ["check", "--no-cache", "."], { cwd: PKG, env: py.env });
    expect(res.code, explain(res)).toBe(0);
  });

  it("the installed package is the generated one, importable from outside the tree", async () => {
    const res = await run(py.python, ["-c", "import openagentio, sys; print(openagentio.__file__); print(openagentio.__version__)"], {
      cwd: scratch,
      env: py.env,
    });
    expect(res.code, explain(res)).toBe(0);
    expect(res.stdout).toContain(join("generated", "python", "src", "openagentio", "__init__.py"));
  });
});
