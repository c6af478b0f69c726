/**
 * `oaio conformance` and `oaio scorecard` write where the user says: --out, else
 * generated/scorecard of the current project (never the toolkit's own files when run from
 * another project, never node_modules), and what they write holds no absolute path of this
 * machine. On a checkout without a Python environment, conformance says the one command to run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/cli.js";
import { runOaio } from "./child.js";

let tmp: string;
const committed = (f: string): string => readFileSync(join(REPO_ROOT, "generated", "scorecard", f), "utf8");
let before: Record<string, string>;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "oaio-out-"));
  before = Object.fromEntries(["conformance.json", "conformance.md", "a2a.json"].map((f) => [f, committed(f)]));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  // the toolkit's committed reports were not touched by any of these runs
  for (const [f, text] of Object.entries(before)) expect(committed(f), f).toBe(text);
});

describe("oaio conformance output", () => {
  it("writes to --out", async () => {
    const out = join(tmp, "reports");
    const r = await runOaio(["conformance", "--lang", "ts", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "conformance.json"), "utf8"))).toMatchObject({
      languages: expect.arrayContaining([expect.objectContaining({ language: "typescript", failed: 0, missing: 0 })]),
    });
    expect(existsSync(join(out, "conformance.md"))).toBe(true);
  }, 90_000);

  it("defaults to generated/scorecard of the current project, also from inside its node_modules", async () => {
    const project = join(tmp, "project");
    mkdirSync(join(project, "node_modules", "openagentio"), { recursive: true });
    writeFileSync(join(project, "package.json"), '{"name":"consumer"}');
    writeFileSync(join(project, "node_modules", "openagentio", "package.json"), '{"name":"openagentio"}');
    const r = await runOaio(["conformance", "--lang", "ts"], { cwd: join(project, "node_modules", "openagentio") });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(project, "generated", "scorecard", "conformance.json"))).toBe(true);
    expect(existsSync(join(project, "node_modules", "openagentio", "generated"))).toBe(false);
  }, 90_000);

  it("refuses --out inside node_modules (exit 2)", async () => {
    const r = await runOaio(["conformance", "--lang", "ts", "--out", join(tmp, "node_modules", "x")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("node_modules");
    expect(existsSync(join(tmp, "node_modules"))).toBe(false);
  }, 90_000);

  it("without a Python environment: says the one command to run, and writes no absolute path", async () => {
    const out = join(tmp, "python");
    const r = await runOaio(["conformance", "--lang", "python", "--out", out], {
      env: { OAIO_PYTHON: "", OAIO_VENV: join(tmp, "no-venv"), PYTHON: join(tmp, "no-python3") },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("run: bash scripts/python-env.sh");
    for (const f of ["conformance.json", "conformance.md"]) {
      const text = readFileSync(join(out, f), "utf8");
      expect(text).toContain("bash scripts/python-env.sh");
      expect(text, f).not.toContain(REPO_ROOT.replace(/\/$/, ""));
      expect(text, f).not.toContain(tmp);
    }
  }, 120_000);
});

describe("oaio scorecard output", () => {
  it("writes to --out; refuses node_modules", async () => {
    const out = join(tmp, "a2a");
    const r = await runOaio(["scorecard", "--out", out, "-q"]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ["a2a.json", "a2a.md", "a2a.html"]) expect(existsSync(join(out, f)), f).toBe(true);
    const refused = await runOaio(["scorecard", "--out", join(tmp, "node_modules", "a2a")]);
    expect(refused.code).toBe(2);
  }, 180_000);
});
