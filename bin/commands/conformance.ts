/**
 * `oaio conformance`: runs the golden corpus through every language's runner (TypeScript
 * in-process, Python through pytest, Kotlin through JUnit/Maven) and writes
 * generated/scorecard/conformance.{json,md} from their results. Exit 1 when any language
 * fails or misses a case, 2 on usage errors.
 */
import { Option, type Command } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { packageRoot } from "../../generator/paths.js";
import { listCorpus } from "./conformance/corpus.js";
import { runExternal, type ExternalRunner } from "./conformance/external.js";
import { buildReport, renderJson, renderMarkdown } from "./conformance/report.js";
import type { LanguageResult } from "./conformance/results.js";
import { runTypeScript } from "./conformance/ts-runner.js";

const LANGUAGES = ["ts", "python", "kotlin"] as const;
type Language = (typeof LANGUAGES)[number];

interface ConformanceOptions {
  lang: string[];
  golden?: string;
  out?: string;
  verbose?: boolean;
}

/** How the Python and Kotlin runners are started from the package root. */
export function externalRunner(lang: "python" | "kotlin", root: string): ExternalRunner {
  if (lang === "python") {
    return {
      language: "python",
      command: join(root, ".venv", "bin", "python"),
      args: ["-m", "pytest", "-q", "-p", "no:cacheprovider", "generated/python/tests/test_conformance.py"],
      cwd: root,
    };
  }
  return {
    language: "kotlin",
    command: "mvn",
    args: ["-q", "-B", "test", "-Dtest=ConformanceTest", "-Dsurefire.failIfNoSpecifiedTests=false"],
    cwd: join(root, "generated", "kotlin"),
  };
}

function parseLangs(values: readonly string[]): Language[] {
  const names = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(LANGUAGES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown --lang ${unknown.join(", ")}; expected one of: ${LANGUAGES.join(", ")}`);
  return names.length === 0 ? [...LANGUAGES] : (names as Language[]);
}

/** Registers `oaio conformance`. */
export function register(program: Command): void {
  program
    .command("conformance")
    .description("run the golden corpus in TypeScript, Python and Kotlin; write generated/scorecard/conformance.{json,md}")
    .addOption(new Option("--lang <langs...>", "languages to run, comma or space separated").default([], LANGUAGES.join(",")))
    .option("--golden <dir>", "golden corpus folder (default: the package's golden/)")
    .option("--out <dir>", "where to write conformance.json and conformance.md (default: generated/scorecard)")
    .option("-v, --verbose", "echo the Python and Kotlin runners' output")
    .action(async (opts: ConformanceOptions) => {
      const root = packageRoot();
      const langs = parseLangs(opts.lang);
      const goldenDir = resolve(opts.golden ?? join(root, "golden"));
      const outDir = resolve(opts.out ?? join(root, "generated", "scorecard"));
      const corpus = listCorpus(goldenDir);
      if (corpus.length === 0) {
        process.stderr.write(`oaio conformance: no golden cases under ${goldenDir}\n`);
        process.exitCode = 2;
        return;
      }
      const results: LanguageResult[] = [];
      for (const lang of langs) {
        process.stderr.write(`conformance: running ${lang} over ${corpus.length} cases...\n`);
        const result =
          lang === "ts"
            ? runTypeScript(corpus, goldenDir)
            : await runExternal(externalRunner(lang, root), goldenDir, opts.verbose ? (line) => process.stderr.write(`  ${lang}| ${line}\n`) : undefined);
        process.stderr.write(`conformance: ${result.language}: ${result.passed} passed, ${result.failed} failed${result.error ? ` (runner error: ${result.error})` : ""}\n`);
        results.push(result);
      }
      const report = buildReport(corpus, results);
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, "conformance.json"), renderJson(report));
      writeFileSync(join(outDir, "conformance.md"), renderMarkdown(report));
      const where = relative(process.cwd(), outDir) || ".";
      for (const l of report.languages) {
        process.stdout.write(`${l.language.padEnd(11)} ${String(l.passed).padStart(4)} passed ${String(l.failed).padStart(4)} failed ${String(l.missing).padStart(4)} missing\n`);
      }
      process.stdout.write(`${report.allAgree ? "all languages agree on" : "DISAGREEMENT on"} ${corpus.length} golden cases; wrote ${where}/conformance.{json,md}\n`);
      if (!report.allAgree) process.exitCode = 1;
    });
}
