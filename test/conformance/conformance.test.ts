import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listCorpus } from "../../bin/commands/conformance/corpus.js";
import { runExternal } from "../../bin/commands/conformance/external.js";
import { buildReport, renderMarkdown } from "../../bin/commands/conformance/report.js";
import { parseLanguageResult, summarize } from "../../bin/commands/conformance/results.js";
import { runTypeScript } from "../../bin/commands/conformance/ts-runner.js";
import { REPO_ROOT, runCli } from "../helpers/cli.js";

const golden = join(REPO_ROOT, "golden");

function withTempGolden<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "oaio-golden-"));
  try {
    cpSync(golden, dir, { recursive: true });
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("conformance corpus and TypeScript runner", () => {
  it("lists every section and skips sidecars", () => {
    const corpus = listCorpus(golden);
    const kinds = new Set(corpus.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(["invalid", "stream", "v1", "valid"]);
    expect(corpus.some((c) => c.id.endsWith(".expected"))).toBe(false);
  });

  it("passes the whole corpus in TypeScript", () => {
    const result = runTypeScript(listCorpus(golden), golden);
    expect(result.cases.filter((c) => !c.ok)).toEqual([]);
    expect(result.passed).toBe(listCorpus(golden).length);
  });

  it("fails a case whose sidecar pointer or canonical bytes disagree, with the reason", () => {
    withTempGolden((dir) => {
      writeFileSync(join(dir, "invalid/seq-negative.expected.json"), JSON.stringify({ code: "INVALID_REQUEST", pointer: "/wrong", description: "x" }));
      const canonical = join(dir, "canonical/v1-request-required-fields-only.json");
      writeFileSync(canonical, readFileSync(canonical, "utf8").replace("acp/1.0", "acp/1.1"));
      const result = runTypeScript(listCorpus(dir), dir);
      const failed = result.cases.filter((c) => !c.ok);
      expect(failed.map((c) => c.id)).toEqual(["invalid/seq-negative", "valid/v1-request-required-fields-only"]);
      expect(failed[0]?.detail).toBe('got INVALID_REQUEST at "/seq", expected INVALID_REQUEST at "/wrong"');
      expect(failed[1]?.detail).toMatch(/canonical bytes differ/);
    });
  });
});

describe("conformance report", () => {
  const corpus = [
    { id: "invalid/a", kind: "invalid" as const, file: "a" },
    { id: "valid/b", kind: "valid" as const, file: "b" },
  ];

  it("marks unreported cases missing and disagreement as not agreeing", () => {
    const ts = summarize("typescript", [
      { id: "invalid/a", kind: "invalid", ok: true },
      { id: "valid/b", kind: "valid", ok: true },
    ]);
    const py = summarize("python", [{ id: "valid/b", kind: "valid", ok: false, detail: "bytes differ" }]);
    const report = buildReport(corpus, [ts, py]);
    expect(report.allAgree).toBe(false);
    expect(report.languages).toEqual([
      { language: "typescript", passed: 2, failed: 0, missing: 0 },
      { language: "python", passed: 0, failed: 1, missing: 1 },
    ]);
    const md = renderMarkdown(report);
    expect(md).toContain("| valid/b | pass | fail | python: bytes differ |");
    expect(md).toContain("| invalid/a | pass | missing |");
    expect(buildReport(corpus, [ts]).allAgree).toBe(true);
  });

  it("rejects a malformed results file naming the field", () => {
    expect(() => parseLanguageResult({ language: "py", cases: [{ id: "x", kind: "nope", ok: true }] }, "py")).toThrow("py: /cases/0/kind must be one of");
    expect(() => parseLanguageResult([], "py")).toThrow("py: expected a JSON object");
  });

  it("recomputes counts instead of trusting the runner", () => {
    const parsed = parseLanguageResult({ language: "py", passed: 99, failed: 0, cases: [{ id: "x", kind: "valid", ok: false }] }, "py");
    expect(parsed.passed).toBe(0);
    expect(parsed.failed).toBe(1);
  });
});

describe("external runners", () => {
  it("reads the results file a child process writes", async () => {
    const script = `require("fs").writeFileSync(process.env.OAIO_CONFORMANCE_OUT, JSON.stringify({language:"fake",cases:[{id:"valid/b",kind:"valid",ok:true,detail:process.env.OAIO_GOLDEN_DIR}]}))`;
    const result = await runExternal({ language: "fake", command: process.execPath, args: ["-e", script], cwd: REPO_ROOT }, "/golden/here");
    expect(result).toEqual({ language: "fake", passed: 1, failed: 0, cases: [{ id: "valid/b", kind: "valid", ok: true, detail: "/golden/here" }] });
  });

  it("turns a runner that writes nothing into a runner error with its output", async () => {
    const result = await runExternal(
      { language: "fake", command: process.execPath, args: ["-e", "console.error('boom'); process.exit(3)"], cwd: REPO_ROOT },
      golden,
    );
    expect(result.error).toMatch(/runner wrote no results \(exit 3\): boom/);
    const missing = await runExternal({ language: "fake", command: "/no/such/binary", args: [], cwd: REPO_ROOT }, golden);
    expect(missing.error).toMatch(/ENOENT/);
  });
});

describe("oaio conformance CLI", () => {
  it("writes conformance.{json,md} for TypeScript and exits 0", async () => {
    const out = mkdtempSync(join(tmpdir(), "oaio-conf-"));
    try {
      const res = await runCli(["conformance", "--lang", "ts", "--out", out]);
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(out, "conformance.json"), "utf8")) as { allAgree: boolean; corpus: { cases: number } };
      expect(report.allAgree).toBe(true);
      expect(report.corpus.cases).toBe(listCorpus(golden).length);
      expect(readFileSync(join(out, "conformance.md"), "utf8")).toMatch(/every language agrees on every case/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("exits 2 on an unknown language", async () => {
    const res = await runCli(["conformance", "--lang", "cobol"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/unknown --lang cobol/);
  });
});
