/**
 * `oaio scorecard`: starts a live A2A server (memory-transport bus, demo agent), runs every
 * conformance check, and writes generated/scorecard/a2a.{json,md,html}. `--check` writes
 * nothing and exits 1 when the files differ from what this run produces. Exit 1 when a
 * supported feature fails.
 */
import type { Command } from "commander";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { CheckResult } from "../a2a/conformance/index.js";
import { outputDir } from "./output-dir.js";
import { A2A_PACKAGES, loadOptional } from "./usage.js";

interface ScorecardOptions {
  out?: string;
  check?: boolean;
  quiet?: boolean;
}

/** Runs every check against a fresh conformance environment, closed before this returns. */
async function measure(conformance: typeof import("../a2a/conformance/index.js")): Promise<CheckResult[]> {
  const { runChecks, startConformanceEnv } = conformance;
  await using env = await startConformanceEnv();
  return await runChecks(env);
}

/** Registers `oaio scorecard`. */
export function register(program: Command): void {
  program
    .command("scorecard")
    .description("measure A2A compatibility against a live bridge and write a2a.{json,md,html} (default: generated/scorecard/ of the current project)")
    .option("--out <dir>", "output folder (default: generated/scorecard/ of the current project, never node_modules)")
    .option("--check", "write nothing; exit 1 naming each file that differs from this run's result")
    .option("-q, --quiet", "print only problems")
    .action(async (opts: ScorecardOptions) => {
      let outDir: string;
      let conformance: typeof import("../a2a/conformance/index.js");
      let scorecard: typeof import("../a2a/conformance/scorecard.js");
      try {
        outDir = outputDir(opts.out);
        // the A2A bridge and its optional peers (fastify, jose, @nats-io/jetstream, @nats-io/kv)
        [conformance, scorecard] = await loadOptional(A2A_PACKAGES, () =>
          Promise.all([import("../a2a/conformance/index.js"), import("../a2a/conformance/scorecard.js")]),
        );
      } catch (err: unknown) {
        process.stderr.write(`oaio scorecard: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const { buildScorecard, renderHtml, renderJson, renderMarkdown } = scorecard;
      const card = buildScorecard(await measure(conformance));
      const files: [string, string][] = [
        ["a2a.json", renderJson(card)],
        ["a2a.md", renderMarkdown(card)],
        ["a2a.html", renderHtml(card)],
      ];
      const show = (f: string): string => relative(process.cwd(), join(outDir, f)) || f;
      if (opts.check) {
        const stale = files.filter(([f, content]) => !existsSync(join(outDir, f)) || readFileSync(join(outDir, f), "utf8") !== content);
        for (const [f] of stale) process.stderr.write(`stale: ${show(f)}\n`);
        if (stale.length > 0) process.exitCode = 1;
      } else {
        mkdirSync(outDir, { recursive: true });
        for (const [f, content] of files) writeFileSync(join(outDir, f), content);
        if (!opts.quiet) for (const [f] of files) process.stdout.write(`wrote ${show(f)}\n`);
      }
      const s = card.summary;
      for (const f of card.features.filter((x) => x.status === "fail")) {
        process.stderr.write(
          `FAIL ${f.id}: ${f.checks
            .filter((c) => c.status !== "pass")
            .map((c) => `${c.id} (${c.error ?? c.status})`)
            .join("; ")}\n`,
        );
      }
      if (!opts.quiet)
        process.stdout.write(
          `A2A scorecard: ${s.pass} pass, ${s.fail} fail, ${s.not_supported} not supported of ${s.total} features (MUST ${s.must_pass}/${s.must_total})\n`,
        );
      if (s.fail > 0) process.exitCode = 1;
    });
}
