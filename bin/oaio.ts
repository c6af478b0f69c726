#!/usr/bin/env node
/**
 * The `oaio` command line: a thin layer over the library. Each command lives in
 * bin/commands/<name>.ts and registers itself here. Registering loads no optional peer
 * dependency (generator tooling, fastify, jose, @nats-io/jetstream, @nats-io/kv): the commands
 * that need one import it when they run, through loadOptional (bin/commands/usage.ts), so
 * --help, serve, invoke and the other bus commands work without them (spec/cli.md
 * "Optional peer dependencies").
 */
import { Command } from "commander";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { register as registerGenerate } from "./commands/generate.js";
import { register as registerServe } from "./commands/serve.js";
import { register as registerInvoke } from "./commands/invoke.js";
import { register as registerStream } from "./commands/stream.js";
import { register as registerPublish } from "./commands/publish.js";
import { register as registerSubscribe } from "./commands/subscribe.js";
import { register as registerValidate } from "./commands/validate.js";
import { register as registerConformance } from "./commands/conformance.js";
import { register as registerScorecard } from "./commands/scorecard.js";
import { register as registerHttp } from "./commands/gateway-http.js";
import { register as registerStreams } from "./commands/streams.js";
import { register as registerReplay } from "./commands/replay.js";
import { register as registerDlq } from "./commands/dlq.js";
import { register as registerBreaking } from "./commands/breaking.js";
import { register as registerA2a } from "./commands/a2a.js";
import { register as registerParallel } from "./commands/parallel.js";

const here = dirname(fileURLToPath(import.meta.url));

function packageVersion(): string {
  for (const candidate of [join(here, "..", "package.json"), join(here, "..", "..", "package.json")]) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(candidate, "utf8"));
      if (typeof parsed === "object" && parsed !== null && "version" in parsed && typeof parsed.version === "string") {
        return parsed.version;
      }
    } catch {
      // try the next location
    }
  }
  return "0.0.0";
}

/** Builds the program with every command registered (exported for tests). */
export function buildProgram(): Command {
  const program = new Command("oaio")
    .description("OpenAgentIO: schema-first communication toolkit for AI agents")
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride((err) => {
      // commander errors are usage errors: exit code 2
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") {
        process.exitCode = 0;
      } else {
        process.exitCode = 2;
      }
      throw err;
    });
  registerGenerate(program);
  registerServe(program);
  registerInvoke(program);
  registerStream(program);
  registerPublish(program);
  registerSubscribe(program);
  registerValidate(program);
  registerConformance(program);
  registerScorecard(program);
  registerHttp(program);
  registerStreams(program);
  registerReplay(program);
  registerDlq(program);
  registerBreaking(program);
  registerA2a(program);
  registerParallel(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err: unknown) {
    if (err instanceof Error && "code" in err && typeof err.code === "string" && err.code.startsWith("commander.")) {
      return; // commander already printed the message
    }
    process.stderr.write(`oaio: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 2;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  await main();
}
