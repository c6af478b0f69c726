/**
 * Runs another language's golden-corpus runner as a child process. The runner writes its
 * results to the file named by OAIO_CONFORMANCE_OUT; a crash or a missing file becomes a
 * LanguageResult with `error` set, never an exception.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLanguageResult, summarize, type LanguageResult } from "./results.js";

/** How to run one language's runner. */
export interface ExternalRunner {
  readonly language: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

function run(r: ExternalRunner, env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(r.command, [...r.args], { cwd: r.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    let buffer = "";
    const take = (chunk: string): void => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (lines.length > 40) lines.shift();
        onLine(line);
      }
    };
    child.stdout.setEncoding("utf8").on("data", take);
    child.stderr.setEncoding("utf8").on("data", take);
    child.on("error", (err) => resolvePromise({ code: null, tail: `${r.command}: ${err.message}` }));
    child.on("close", (code) => resolvePromise({ code, tail: [...lines, buffer].join("\n").trim() }));
  });
}

/** Runs `r` with OAIO_CONFORMANCE_OUT and OAIO_GOLDEN_DIR set; reads back its results. */
export async function runExternal(r: ExternalRunner, goldenDir: string, onLine: (line: string) => void = () => {}): Promise<LanguageResult> {
  const dir = mkdtempSync(join(tmpdir(), `oaio-conf-${r.language}-`));
  const out = join(dir, "results.json");
  try {
    const { code, tail } = await run(r, { ...process.env, ...r.env, OAIO_CONFORMANCE_OUT: out, OAIO_GOLDEN_DIR: goldenDir }, onLine);
    let text: string;
    try {
      text = readFileSync(out, "utf8");
    } catch {
      return summarize(r.language, [], `runner wrote no results (exit ${code ?? "signal"}): ${tail.split("\n").slice(-5).join(" / ")}`);
    }
    try {
      return parseLanguageResult(JSON.parse(text), `${r.language} results`);
    } catch (err) {
      return summarize(r.language, [], err instanceof Error ? err.message : String(err));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
