/**
 * `oaio scorecard`: starts a live A2A server (memory-transport bus, demo agent), runs every
 * conformance check and every official-TCK requirement check on each binding the server's card
 * declares, and writes generated/scorecard/a2a.{json,md,html}. `--check` writes nothing and
 * exits 1 when the files differ from what this run produces. Exit 1 when a supported feature
 * fails; a failing MUST requirement of the TCK is named on stderr (our server's known TCK
 * failures are gated by test/a2a/tck-server.test.ts, not by this exit status).
 *
 * `oaio scorecard --url URL` measures any live A2A agent (ours or another SDK's) by the TCK
 * requirement ids on every binding its card declares, prints the table (or `--json`), writes
 * nothing, and exits 1 when a MUST requirement fails, 2 when the agent cannot be measured.
 */
import type { Command } from "commander";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { CheckResult } from "../a2a/conformance/index.js";
import type { TckResult, TckRun } from "../a2a/conformance/tck/index.js";
import { outputDir } from "./output-dir.js";
import { A2A_PACKAGES, loadOptional } from "./usage.js";

interface ScorecardOptions {
  out?: string;
  check?: boolean;
  quiet?: boolean;
  url?: string;
  header?: string[];
  json?: boolean;
}

type Kit = typeof import("../a2a/conformance/index.js");
type Tck = typeof import("../a2a/conformance/tck/index.js");

/** Runs every check, then the TCK, each against a fresh conformance environment (closed before this returns). */
async function measure(kit: Kit, tck: Tck): Promise<{ results: CheckResult[]; run: TckRun }> {
  let results: CheckResult[];
  {
    await using env = await kit.startConformanceEnv();
    results = await kit.runChecks(env);
  }
  // A fresh server, as test/a2a/tck-server.test.ts measures it: the TCK's results do not depend on what ran before.
  await using env = await kit.startConformanceEnv();
  const run = await tck.runTck(await tck.tckOptionsForEnv(env));
  return { results, run };
}

/** "Name: value" -> [name, value]; throws naming the flag and the expected form. */
function parseHeader(h: string): [string, string] {
  const at = h.indexOf(":");
  if (at <= 0) throw new Error(`--header ${JSON.stringify(h)}: expected "Name: value" (e.g. --header "Authorization: Bearer TOKEN")`);
  return [h.slice(0, at).trim(), h.slice(at + 1).trim()];
}

const tckFailures = (results: readonly TckResult[]): TckResult[] => results.filter((r) => r.status === "fail" || r.status === "blocked");

/** `--url`: measure a live agent by the TCK requirement ids and print the table. */
async function measureUrl(opts: ScorecardOptions): Promise<void> {
  let tck: Tck;
  let headers: Record<string, string>;
  try {
    headers = Object.fromEntries((opts.header ?? []).map(parseHeader));
    new URL(opts.url ?? "");
    tck = await loadOptional(A2A_PACKAGES, () => import("../a2a/conformance/tck/index.js"));
  } catch (err: unknown) {
    process.stderr.write(
      `oaio scorecard: ${err instanceof TypeError ? `--url ${JSON.stringify(opts.url)} is not a URL (expected e.g. http://127.0.0.1:8080)` : (err as Error).message}\n`,
    );
    process.exitCode = 2;
    return;
  }
  let run: TckRun;
  try {
    // Webhook delivery checks need the agent to reach a receiver on this machine's loopback.
    run = await tck.runTck({ url: opts.url!, headers, ...(tck.onLoopback(opts.url!) ? {} : { receiver: null }) });
  } catch (err: unknown) {
    process.stderr.write(`oaio scorecard: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (Object.keys(run.served).length === 0) {
    process.stderr.write(`oaio scorecard: ${opts.url}/.well-known/agent-card.json declares no A2A 1.0 interface (JSONRPC, HTTP+JSON or GRPC)\n`);
    process.exitCode = 2;
  }
  process.stdout.write(opts.json ? `${JSON.stringify(tck.tckScore(run), null, 2)}\n` : tck.renderTckText(run));
  if (tck.mustFailed(run.results)) process.exitCode = 1;
}

/** Registers `oaio scorecard`. */
export function register(program: Command): void {
  program
    .command("scorecard")
    .description(
      "measure A2A compatibility (features and the official TCK's requirement ids per binding) against a live bridge and write a2a.{json,md,html}; with --url, measure any live A2A agent and print the table",
    )
    .option("--out <dir>", "output folder (default: generated/scorecard/ of the current project, never node_modules)")
    .option("--check", "write nothing; exit 1 naming each file that differs from this run's result")
    .option("-q, --quiet", "print only problems")
    .option("--url <url>", "measure the A2A agent at this base URL (card at /.well-known/agent-card.json) by the TCK requirement ids; writes nothing")
    .option("--header <header...>", 'with --url: a header sent on every call, "Name: value" (e.g. "Authorization: Bearer TOKEN"); gRPC sends it as metadata')
    .option("--json", "with --url: print the result as JSON")
    .action(async (opts: ScorecardOptions) => {
      if (opts.url !== undefined) {
        await measureUrl(opts);
        return;
      }
      let outDir: string;
      let kit: Kit;
      let tck: Tck;
      let scorecard: typeof import("../a2a/conformance/scorecard.js");
      try {
        outDir = outputDir(opts.out);
        // the A2A bridge and its optional peers (fastify, jose, @nats-io/jetstream, @nats-io/kv)
        [kit, tck, scorecard] = await loadOptional(A2A_PACKAGES, () =>
          Promise.all([import("../a2a/conformance/index.js"), import("../a2a/conformance/tck/index.js"), import("../a2a/conformance/scorecard.js")]),
        );
      } catch (err: unknown) {
        process.stderr.write(`oaio scorecard: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const { buildScorecard, renderHtml, renderJson, renderMarkdown } = scorecard;
      const { results, run } = await measure(kit, tck);
      const card = buildScorecard(results, tck.tckScore(run));
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
      const mustFails = tckFailures(run.results).filter((r) => r.level === "MUST");
      for (const r of mustFails) process.stderr.write(`${r.status === "fail" ? "FAIL" : "BLOCKED"} TCK ${r.scope} ${r.id}: ${r.detail ?? ""}\n`);
      if (!opts.quiet) {
        process.stdout.write(
          `A2A scorecard: ${s.pass} pass, ${s.fail} fail, ${s.not_supported} not supported of ${s.total} features (MUST ${s.must_pass}/${s.must_total})\n`,
        );
        process.stdout.write(tck.renderTckText(run));
      }
      if (s.fail > 0) process.exitCode = 1;
    });
}
