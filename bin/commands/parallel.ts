/**
 * `oaio parallel --targets a,b,c [--mode all|any|quorum] [json]`: one request to several targets
 * at once over NATS (spec/orchestration.md "Parallel execution"), printing each call's outcome as
 * it settles, then a summary line. Exit 0 when the mode's goal was met, 1 when not, 2 for usage
 * and connection errors (as the other bus client commands, bin/commands/invoke.ts).
 */
import { InvalidArgumentError, type Command } from "commander";
import { parallel, type CallOutcome, type ParallelMode } from "../../runtime/orchestration/index.js";
import { UsageError, addBusClientOptions, contextOf, parseJsonArg, parseMs, readable, runClient, type BusClientOptions } from "./invoke.js";

interface ParallelCliOptions extends BusClientOptions {
  targets: string[];
  mode: ParallelMode;
  quorum?: string;
  concurrency?: string;
  via: "invoke" | "stream";
}

function targetList(text: string): string[] {
  const targets = text.split(",").map((t) => t.trim());
  if (targets.some((t) => t === ""))
    throw new InvalidArgumentError(`--targets takes a comma-separated list of targets without empty entries, got ${JSON.stringify(text)}`);
  return targets;
}

function oneOf<T extends string>(option: string, values: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(values as readonly string[]).includes(text)) throw new InvalidArgumentError(`${option} takes ${values.join(", ")}, got ${JSON.stringify(text)}`);
    return text as T;
  };
}

function count(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer, got ${text}`);
  return n;
}

/** One outcome line: `[i] target ok <value>` or `[i] target CODE: message`; a JSON line with --json. */
function line(o: CallOutcome, json: boolean | undefined): string {
  if (json) {
    return JSON.stringify(
      o.ok
        ? { index: o.index, target: o.target, ok: true, value: o.value }
        : { index: o.index, target: o.target, ok: false, error: { code: o.error.code, message: o.error.message } },
    );
  }
  return o.ok ? `[${o.index}] ${o.target} ok ${readable(o.value)}` : `[${o.index}] ${o.target} ${o.error.code}: ${o.error.message}`;
}

/** Registers `oaio parallel`. */
export function register(program: Command): void {
  addBusClientOptions(
    program
      .command("parallel")
      .description("send one request to several agents at once over NATS; print each outcome as it settles (--timeout is the one deadline)")
      .requiredOption("--targets <list>", "comma-separated targets, e.g. a,b,c", targetList)
      .option(
        "--mode <mode>",
        "all: every outcome; any: first success wins; quorum: --quorum successes win",
        oneOf("--mode", ["all", "any", "quorum"] as const),
        "all",
      )
      .option("--quorum <n>", "successes needed with --mode quorum")
      .option("--concurrency <n>", "most calls in flight at once (all of them when absent)")
      .option("--via <kind>", "invoke, or stream (a canceled call's handler is told)", oneOf("--via", ["invoke", "stream"] as const), "invoke")
      .argument("[json]", "request payload as JSON, sent to every target", "null"),
  ).action(async (json: string, opts: ParallelCliOptions) => {
    await runClient("parallel", opts, async (bus) => {
      const request = parseJsonArg(json, "the request payload");
      const timeoutMs = parseMs(opts.timeout, "--timeout");
      const quorum = count(opts.quorum, "--quorum");
      if (opts.mode === "quorum" && quorum === undefined) throw new UsageError("--mode quorum needs --quorum <n>");
      if (opts.mode !== "quorum" && quorum !== undefined) throw new UsageError("--quorum goes with --mode quorum");
      if (quorum !== undefined && quorum > opts.targets.length) throw new UsageError(`--quorum ${quorum} is more than the ${opts.targets.length} targets`);
      const ac = new AbortController();
      const stop = (): void => ac.abort(new Error("interrupted"));
      process.once("SIGINT", stop);
      try {
        const r = await parallel(
          bus,
          opts.targets.map((target) => ({ target, request, via: opts.via, context: contextOf(opts) })),
          {
            mode: opts.mode,
            quorum,
            concurrency: count(opts.concurrency, "--concurrency"),
            timeoutMs,
            signal: ac.signal,
            onOutcome: (o) => process.stdout.write(`${line(o, opts.json)}\n`),
          },
        );
        const summary = `${opts.mode}: ${r.ok ? "ok" : `failed (${r.error?.code ?? "?"})`}, ${r.succeeded} of ${opts.targets.length} succeeded, ${r.canceled.length} canceled`;
        if (opts.json)
          process.stdout.write(`${JSON.stringify({ ok: r.ok, mode: opts.mode, succeeded: r.succeeded, canceled: r.canceled, error: r.error?.code })}\n`);
        else process.stderr.write(`${summary}\n`);
        if (!r.ok) process.exitCode = 1;
      } finally {
        process.off("SIGINT", stop);
      }
    });
  });
}
