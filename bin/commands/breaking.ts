/**
 * `oaio breaking --against <git-ref|dir>`: compares the schema folder and an agent contracts
 * folder with a previous version and lists each change that breaks wire or source
 * compatibility (spec/phases-and-versioning.md "Breaking changes"). Exit 0 none, 1 some, 2
 * usage or I/O errors.
 */
import type { Command } from "commander";
import { existsSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { UsageError } from "./invoke.js";
import { requireDir } from "./usage.js";

interface BreakingOptions {
  against: string;
  schema?: string;
  contracts?: string;
  json?: boolean;
}

const slash = (p: string): string => p.split(sep).join("/");

async function run(opts: BreakingOptions): Promise<number> {
  const { compareVersions } = await import("../../generator/breaking/index.js");
  const source = await import("../../generator/breaking/source.js");
  const cwd = process.cwd();
  if (opts.schema !== undefined) requireDir(opts.schema, "--schema", "JSON Schemas (*.json)");
  if (opts.contracts !== undefined) requireDir(opts.contracts, "--contracts", "<agent>.agent.json files");
  const schemaDir = resolve(opts.schema ?? "schema");
  const hasSchema = opts.schema !== undefined || existsSync(schemaDir);
  if (!hasSchema && opts.contracts === undefined)
    throw new UsageError("nothing to compare: there is no schema/ here; pass --schema DIR and/or --contracts DIR");
  const contractsDir = opts.contracts === undefined ? undefined : resolve(opts.contracts);
  const empty = new Map();
  const after = {
    schemas: hasSchema ? source.readFolder(schemaDir, "schemas") : empty,
    contracts: contractsDir === undefined ? empty : source.readFolder(contractsDir, "contracts"),
  };
  let before: typeof after;
  let against: string;
  if (existsSync(opts.against) && statSync(opts.against).isDirectory()) {
    const base = resolve(opts.against);
    against = opts.against;
    before = {
      schemas: hasSchema ? source.readFolder(join(base, relative(cwd, schemaDir)), "schemas") : empty,
      contracts: contractsDir === undefined ? empty : source.readFolder(join(base, relative(cwd, contractsDir)), "contracts"),
    };
  } else {
    const top = source.gitTopLevel(hasSchema ? schemaDir : (contractsDir ?? cwd));
    if (top === undefined) throw new UsageError(`--against ${opts.against}: not a directory, and ${cwd} is not in a git repository to look the ref up in`);
    if (!source.isGitRef(top, opts.against))
      throw new UsageError(`--against ${opts.against}: neither a directory nor a git ref (commit, branch or tag) of ${top}`);
    against = opts.against;
    before = {
      schemas: hasSchema ? source.readGitFolder(top, opts.against, slash(relative(top, schemaDir)), "schemas") : empty,
      contracts: contractsDir === undefined ? empty : source.readGitFolder(top, opts.against, slash(relative(top, contractsDir)), "contracts"),
    };
  }
  const labels = {
    schemaDir: slash(relative(cwd, schemaDir)) || ".",
    contractsDir: contractsDir === undefined ? "contracts" : slash(relative(cwd, contractsDir)) || ".",
  };
  const changes = compareVersions(before, after, labels);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ against, breaking: changes.length, compared: { schemas: after.schemas.size, contracts: after.contracts.size }, changes }, null, 2)}\n`,
    );
  } else {
    for (const c of changes) process.stdout.write(`${c.file}#${c.pointer}: ${c.rule}: ${c.message}\n`);
    process.stdout.write(
      changes.length === 0
        ? `no breaking changes against ${against} (${after.schemas.size} schema files, ${after.contracts.size} contracts)\n`
        : `${changes.length} breaking change${changes.length === 1 ? "" : "s"} against ${against}\n`,
    );
  }
  return changes.length > 0 ? 1 : 0;
}

/** Registers `oaio breaking`. */
export function register(program: Command): void {
  program
    .command("breaking")
    .description("list changes to schema/ and agent contracts that break wire or source compatibility with a previous version (exit 1 when any)")
    .requiredOption("--against <git-ref|dir>", "the previous version: a git ref of this repository, or a folder laid out like this one (a checkout)")
    .option("--schema <dir>", "schema folder to compare (default: ./schema when it exists)")
    .option("--contracts <dir>", "agent contracts folder (*.agent.json) to compare too")
    .option("--json", "print one JSON report")
    .action(async (opts: BreakingOptions) => {
      try {
        process.exitCode = await run(opts);
      } catch (err: unknown) {
        const { BreakingSourceError } = await import("../../generator/breaking/source.js");
        if (!(err instanceof UsageError) && !(err instanceof BreakingSourceError)) throw err;
        process.stderr.write(`oaio breaking: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
