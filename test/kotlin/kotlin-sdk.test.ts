/**
 * The generated Kotlin SDK, proven with the real toolchain: `mvn -q -B test` in
 * generated/kotlin (Kotlin compiled with -Werror, JUnit 5: unit tests and the golden
 * conformance runner), the same runner over a differential corpus labelled by the TypeScript
 * decoder, the keyword fixture compiled, and generation determinism. The first run downloads
 * the Maven dependencies, hence the long timeouts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkFiles } from "../../generator/generate.js";
import { loadIr } from "../../generator/ir/load.js";
import { emitKotlin } from "../../generator/kotlin/emitter.js";
import { packageRoot } from "../../generator/paths.js";
import { writeDifferentialCorpus } from "./differential-corpus.js";
import { writeKeywordFixture } from "./keyword-fixture.js";
import { subsetCases, writeSubsetFixture } from "../helpers/subset-fixture.js";

const ROOT = packageRoot();
const PROJECT = join(ROOT, "generated", "kotlin");
const MAVEN_TIMEOUT_MS = 15 * 60_000;

interface ConformanceReport {
  language: string;
  passed: number;
  failed: number;
  cases: { id: string; kind: string; ok: boolean; detail: string }[];
}

function mvn(cwd: string, args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const r = spawnSync("mvn", ["-q", "-B", ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: MAVEN_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

function failures(report: ConformanceReport): string {
  return report.cases
    .filter((c) => !c.ok)
    .slice(0, 15)
    .map((c) => `${c.id}: ${c.detail}`)
    .join("\n");
}

describe("generated Kotlin SDK", () => {
  const tmp = mkdtempSync(join(tmpdir(), "oaio-kotlin-sdk-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("generates the same files twice, and generated/kotlin is up to date", () => {
    const ir = loadIr(join(ROOT, "schema"));
    const a = emitKotlin(ir);
    const b = emitKotlin(loadIr(join(ROOT, "schema")));
    expect(b).toEqual(a);
    expect(checkFiles(join(ROOT, "generated"), a, ["kotlin"])).toEqual([]);
  });

  it(
    "compiles with warnings as errors and passes its JUnit tests and the golden corpus (mvn -q -B test)",
    () => {
      const out = join(tmp, "conformance.json");
      const r = mvn(PROJECT, ["test"], { OAIO_CONFORMANCE_OUT: out, OAIO_GOLDEN_DIR: join(ROOT, "golden") });
      expect(r.status, r.output.slice(-4000)).toBe(0);
      const report = JSON.parse(readFileSync(out, "utf8")) as ConformanceReport;
      expect(report.language).toBe("kotlin");
      expect(report.failed, failures(report)).toBe(0);
      const kinds = new Set(report.cases.map((c) => c.kind));
      for (const kind of ["valid", "invalid", "stream", "v1"]) expect(kinds.has(kind), kind).toBe(true);
      expect(report.passed).toBe(report.cases.length);
    },
    MAVEN_TIMEOUT_MS,
  );

  it(
    "agrees with the TypeScript decoder on 1500 mutated envelopes: code, pointer and canonical bytes",
    () => {
      const corpus = join(tmp, "differential");
      const stats = writeDifferentialCorpus(join(ROOT, "golden", "valid"), corpus, 1500, 20261124);
      expect(stats.valid).toBeGreaterThan(100);
      expect(stats.invalid).toBeGreaterThan(500);
      const out = join(tmp, "differential.json");
      // The classes compiled by the previous test; surefire:test only runs them.
      const r = mvn(PROJECT, ["surefire:test", "-Dtest=ConformanceTest"], { OAIO_CONFORMANCE_OUT: out, OAIO_GOLDEN_DIR: corpus });
      expect(existsSync(out), r.output.slice(-4000)).toBe(true);
      const report = JSON.parse(readFileSync(out, "utf8")) as ConformanceReport;
      expect(report.failed, failures(report)).toBe(0);
      expect(report.passed).toBe(stats.valid + stats.invalid);
      expect(r.status, r.output.slice(-4000)).toBe(0);
    },
    MAVEN_TIMEOUT_MS,
  );

  it(
    "compiles the keyword fixture's SDK with warnings as errors",
    () => {
      const schema = join(tmp, "fixture-schema");
      writeKeywordFixture(join(ROOT, "schema"), schema);
      const project = join(tmp, "fixture-out");
      for (const f of emitKotlin(loadIr(schema))) {
        const path = join(project, f.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content);
      }
      const r = mvn(join(project, "kotlin"), ["test-compile", `-Doaio.build.dir=${join(tmp, "fixture-target")}`]);
      expect(r.status, r.output.slice(-4000)).toBe(0);
    },
    MAVEN_TIMEOUT_MS,
  );

  it(
    "reports the TypeScript decoder's code and pointer for every keyword of the subset (items, min/maxItems, min/maxProperties, additionalProperties, anyOf, exclusive bounds)",
    () => {
      const schema = join(tmp, "subset-schema");
      writeSubsetFixture(join(ROOT, "schema"), schema);
      const project = join(tmp, "subset-out");
      for (const f of emitKotlin(loadIr(schema))) {
        const path = join(project, f.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content);
      }
      const corpus = join(tmp, "subset-corpus", "invalid");
      mkdirSync(corpus, { recursive: true });
      const invalid = subsetCases(schema).filter((c) => c.defect !== undefined);
      for (const c of invalid) {
        writeFileSync(join(corpus, `${c.name}.json`), JSON.stringify(c.envelope));
        writeFileSync(join(corpus, `${c.name}.expected.json`), JSON.stringify({ code: "INVALID_REQUEST", pointer: c.defect?.pointer }));
      }
      const build = `-Doaio.build.dir=${join(tmp, "subset-target")}`;
      const compiled = mvn(join(project, "kotlin"), ["test-compile", build]);
      expect(compiled.status, compiled.output.slice(-4000)).toBe(0);
      const out = join(tmp, "subset.json");
      const r = mvn(join(project, "kotlin"), ["surefire:test", "-Dtest=ConformanceTest", build], {
        OAIO_CONFORMANCE_OUT: out,
        OAIO_GOLDEN_DIR: join(tmp, "subset-corpus"),
      });
      expect(existsSync(out), r.output.slice(-4000)).toBe(true);
      const report = JSON.parse(readFileSync(out, "utf8")) as ConformanceReport;
      expect(report.failed, failures(report)).toBe(0);
      expect(report.passed).toBe(invalid.length);
    },
    MAVEN_TIMEOUT_MS,
  );
});
