/**
 * `oaio conformance`: runs the golden corpus through every language's runner (TypeScript
 * in-process, Python through pytest, Kotlin through JUnit/Maven) and writes
 * generated/scorecard/conformance.{json,md} from their results. Exit 1 when any language
 * fails or misses a case, 2 on usage errors.
 */
import { Option, type Command } from "commander";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { ExternalRunner } from "./conformance/external.js";
import type { LanguageResult } from "./conformance/results.js";
import { UsageError } from "./invoke.js";
import { outputDir, portable } from "./output-dir.js";

const LANGUAGES = ["ts", "python", "kotlin"] as const;
type Language = (typeof LANGUAGES)[number];

interface ConformanceOptions {
  lang: string[];
  golden?: string;
  out?: string;
  verbose?: boolean;
}

/**
 * The Python that runs the generated SDK's conformance tests: `OAIO_PYTHON`, else the venv's
 * (`OAIO_VENV`, default `<root>/.venv`), else the venv built by `scripts/python-env.sh` of a
 * checkout (run here, once). Throws a {@link UsageError} saying the one command to run when
 * none can be had.
 */
export function findPython(root: string, log: (line: string) => void = () => {}): string {
  const given = process.env["OAIO_PYTHON"];
  if (given !== undefined && given !== "") return given;
  const venvPython = join(process.env["OAIO_VENV"] || join(root, ".venv"), "bin", "python");
  if (existsSync(venvPython)) return venvPython;
  const script = join(root, "scripts", "python-env.sh");
  const howTo = existsSync(script)
    ? "run: bash scripts/python-env.sh (needs python3 >= 3.11 with venv; PYTHON=... picks the interpreter)"
    : `set OAIO_PYTHON to a python >= 3.11 where this was run: pip install -e '${relative(process.cwd(), join(root, "generated", "python")) || "."}[dev]'`;
  if (!existsSync(script)) throw new UsageError(`no Python environment for the generated SDK: ${howTo}`);
  log("conformance: no Python environment yet; building it with scripts/python-env.sh...");
  try {
    const out = execFileSync("bash", [script], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 900_000 });
    const python = out.trim().split("\n").pop() ?? "";
    if (python !== "" && existsSync(python)) return python;
    throw new Error(`it printed no python (${out.trim()})`);
  } catch (err: unknown) {
    const stderr = (err as { stderr?: string }).stderr?.trim().split("\n").pop();
    throw new UsageError(`cannot build the Python environment (${stderr || (err as Error).message}); ${howTo}`);
  }
}

/** How the Python and Kotlin runners are started from the package root. */
export function externalRunner(lang: "python" | "kotlin", root: string, python = join(root, ".venv", "bin", "python")): ExternalRunner {
  if (lang === "python") {
    return {
      language: "python",
      command: python,
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
  const names = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(LANGUAGES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown --lang ${unknown.join(", ")}; expected one of: ${LANGUAGES.join(", ")}`);
  return names.length === 0 ? [...LANGUAGES] : (names as Language[]);
}

/** Registers `oaio conformance`. */
export function register(program: Command): void {
  program
    .command("conformance")
    .description("run the golden corpus in TypeScript, Python and Kotlin; write conformance.{json,md} (default: generated/scorecard/ of the current project)")
    .addOption(new Option("--lang <langs...>", "languages to run, comma or space separated").default([], LANGUAGES.join(",")))
    .option("--golden <dir>", "golden corpus folder (default: the package's golden/)")
    .option("--out <dir>", "where to write conformance.json and conformance.md (default: generated/scorecard/ of the current project, never node_modules)")
    .option("-v, --verbose", "echo the Python and Kotlin runners' output")
    .action(async (opts: ConformanceOptions) => {
      const [{ packageRoot }, { listCorpus }, { runExternal }, { runTypeScript }] = await Promise.all([
        import("../../generator/paths.js"),
        import("./conformance/corpus.js"),
        import("./conformance/external.js"),
        import("./conformance/ts-runner.js"),
      ]);
      const root = packageRoot();
      let langs: Language[];
      let outDir: string;
      try {
        langs = parseLangs(opts.lang);
        outDir = outputDir(opts.out);
      } catch (err: unknown) {
        process.stderr.write(`oaio conformance: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const goldenDir = resolve(opts.golden ?? join(root, "golden"));
      const corpus = listCorpus(goldenDir);
      if (corpus.length === 0) {
        process.stderr.write(`oaio conformance: no golden cases under ${goldenDir}\n`);
        process.exitCode = 2;
        return;
      }
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const results: LanguageResult[] = [];
      for (const lang of langs) {
        process.stderr.write(`conformance: running ${lang} over ${corpus.length} cases...\n`);
        let result: LanguageResult;
        if (lang === "ts") result = runTypeScript(corpus, goldenDir);
        else {
          let runner: ExternalRunner | undefined;
          try {
            runner = externalRunner(lang, root, lang === "python" ? findPython(root, log) : undefined);
          } catch (err: unknown) {
            if (!(err instanceof UsageError)) throw err;
            result = { language: lang, passed: 0, failed: 0, cases: [], error: err.message };
          }
          result ??= await runExternal(runner!, goldenDir, opts.verbose ? (line) => process.stderr.write(`  ${lang}| ${line}\n`) : undefined);
        }
        // what is written may be committed: no absolute path of this machine in it
        result = {
          ...result,
          cases: result.cases.map((c) => (c.detail === undefined ? c : { ...c, detail: portable(c.detail, root) })),
          ...(result.error === undefined ? {} : { error: portable(result.error, root) }),
        };
        process.stderr.write(
          `conformance: ${result.language}: ${result.passed} passed, ${result.failed} failed${result.error ? ` (runner error: ${result.error})` : ""}\n`,
        );
        results.push(result);
      }
      const { buildReport, renderJson, renderMarkdown } = await import("./conformance/report.js");
      const report = buildReport(corpus, results);
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, "conformance.json"), renderJson(report));
      writeFileSync(join(outDir, "conformance.md"), renderMarkdown(report));
      const where = relative(process.cwd(), outDir) || ".";
      for (const l of report.languages) {
        process.stdout.write(
          `${l.language.padEnd(11)} ${String(l.passed).padStart(4)} passed ${String(l.failed).padStart(4)} failed ${String(l.missing).padStart(4)} missing\n`,
        );
      }
      process.stdout.write(
        `${report.allAgree ? "all languages agree on" : "DISAGREEMENT on"} ${corpus.length} golden cases; wrote ${where}/conformance.{json,md}\n`,
      );
      if (!report.allAgree) process.exitCode = 1;
    });
}
