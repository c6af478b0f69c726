/** `oaio generate`: writes generated/ from schema/, or with --check reports stale files (exit 1). */
import { Option, type Command } from "commander";
import { relative, resolve } from "node:path";
import { readdirSync } from "node:fs";
import { UsageError } from "./invoke.js";
import { GENERATOR_PACKAGES, loadOptional, requireDir } from "./usage.js";

/** The generator, imported when the command runs (it needs the optional generator tooling). */
async function generator() {
  return await loadOptional(GENERATOR_PACKAGES, async () => {
    const [{ loadIr }, { SchemaLoadError }, { checkFiles, emitAll, writeFiles }, { emittersFor }, { packageRoot }, { contractsCommand }] = await Promise.all([
      import("../../generator/ir/load.js"),
      import("../../generator/ir/errors.js"),
      import("../../generator/generate.js"),
      import("../../generator/targets.js"),
      import("../../generator/paths.js"),
      import("../../generator/contracts/generate.js"),
    ]);
    return { loadIr, SchemaLoadError, checkFiles, emitAll, writeFiles, emittersFor, packageRoot, contractsCommand };
  });
}

interface GenerateOptions {
  schema?: string;
  out?: string;
  lang: string[];
  check?: boolean;
  quiet?: boolean;
  contracts?: string;
}

/** Registers `oaio generate`. */
export function register(program: Command): void {
  program
    .command("generate")
    .description("generate typed bindings from schema/ into generated/ (or check they are up to date)")
    .option("--schema <dir>", "schema folder (default: the package's schema/)")
    .option("--out <dir>", "output folder (default: the package's generated/)")
    .addOption(new Option("--lang <langs...>", "targets to generate, comma or space separated").default([], "all"))
    .option("--check", "write nothing; exit 1 naming each file that differs from what would be generated")
    .option("-q, --quiet", "print only problems")
    .option(
      "--contracts <dir>",
      "generate typed agent code and A2A cards from the *.agent.json in <dir> instead (--out default <dir>/generated; --lang ts,python,kotlin)",
    )
    .action(async (opts: GenerateOptions) => {
      let g: Awaited<ReturnType<typeof generator>>;
      try {
        if (opts.schema !== undefined) requireDir(opts.schema, "--schema", "the JSON Schemas (envelope.schema.json, payloads/, catalog/)");
        if (opts.contracts !== undefined) {
          requireDir(opts.contracts, "--contracts", "<agent>.agent.json files");
          if (!readdirSync(opts.contracts).some((f) => f.endsWith(".agent.json"))) {
            throw new UsageError(
              `--contracts ${opts.contracts}: no *.agent.json files; pass --contracts a directory holding <agent>.agent.json files (spec/agent-contract.md)`,
            );
          }
        }
        g = await generator();
      } catch (err: unknown) {
        process.stderr.write(`oaio generate: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      if (opts.contracts !== undefined) {
        const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
        process.exitCode = await g.contractsCommand(
          { contractsDir: opts.contracts, outDir: opts.out, langs: opts.lang, schemaDir: opts.schema, check: opts.check, quiet: opts.quiet },
          io,
        );
        return;
      }
      const { loadIr, SchemaLoadError, checkFiles, emitAll, writeFiles, emittersFor } = g;
      const root = g.packageRoot();
      const schemaDir = resolve(opts.schema ?? `${root}/schema`);
      const outDir = resolve(opts.out ?? `${root}/generated`);
      const emitters = emittersFor(opts.lang);
      let ir: ReturnType<typeof loadIr>;
      try {
        ir = loadIr(schemaDir);
      } catch (err: unknown) {
        if (err instanceof SchemaLoadError) {
          process.stderr.write(`oaio generate: ${err.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
      const files = await emitAll(ir, emitters);
      const roots = emitters.map((e) => e.root);
      const show = (path: string): string => relative(process.cwd(), `${outDir}/${path}`) || ".";
      if (opts.check) {
        const stale = checkFiles(outDir, files, roots);
        for (const s of stale) {
          const why = s.reason === "missing" ? "missing" : s.reason === "extra" ? "not produced by the generator" : "differs from what schema/ produces";
          process.stderr.write(`stale: ${show(s.path)} (${why})\n`);
        }
        if (stale.length > 0) {
          process.stderr.write(`${stale.length} generated file(s) are stale: run \`oaio generate\` and commit the result\n`);
          process.exitCode = 1;
        } else if (!opts.quiet) {
          process.stdout.write(`generated/ is up to date (${files.length} files, targets: ${emitters.map((e) => e.name).join(", ")})\n`);
        }
        return;
      }
      const changed = writeFiles(outDir, files, roots);
      if (!opts.quiet) {
        for (const c of changed) process.stdout.write(`${c.reason === "extra" ? "removed" : "wrote"} ${show(c.path)}\n`);
        process.stdout.write(`${files.length} files for ${emitters.map((e) => e.name).join(", ")}: ${changed.length} changed\n`);
      }
    });
}
