/**
 * `oaio generate --contracts DIR`: load the contracts, run the emitters of the chosen
 * languages (plus the A2A cards), then write the files under `--out` or, with `--check`,
 * report the files that differ. The CLI command only dispatches here.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { SchemaLoadError } from "../ir/errors.js";
import { checkFiles, writeFiles, type StaleFile } from "../generate.js";
import type { GeneratedFile } from "../emitter.js";
import { packageRoot } from "../paths.js";
import { ContractLoadError } from "./errors.js";
import { loadContracts } from "./load.js";
import { emitCards } from "./card.js";
import { emitTsContracts } from "./ts/emitter.js";
import { emitPythonContracts } from "./python/emitter.js";
import { emitKotlinContracts } from "./kotlin/emitter.js";
import type { ContractIr, StandardEvent } from "./types.js";

/** Languages `--lang` accepts with `--contracts`; A2A cards are always emitted. */
export const CONTRACT_LANGS = ["ts", "python", "kotlin"] as const;
export type ContractLang = (typeof CONTRACT_LANGS)[number];

/** Output folders (under `--out`) owned by each language, and by the cards. */
const ROOTS: Record<ContractLang | "cards", string> = { ts: "ts", python: "python", kotlin: "kotlin", cards: "cards" };

/** A bad command-line value (exit code 2). */
export class ContractUsageError extends Error {
  override readonly name = "ContractUsageError";
}

/** Parses `--lang` values (comma or space separated); empty means all. Throws naming unknown ones. */
export function contractLangs(values: readonly string[]): ContractLang[] {
  const names = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(CONTRACT_LANGS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new ContractUsageError(`unknown --lang ${unknown.join(", ")} for --contracts; expected: ${CONTRACT_LANGS.join(", ")}`);
  return names.length === 0 ? [...CONTRACT_LANGS] : CONTRACT_LANGS.filter((l) => names.includes(l));
}

/**
 * The standard event types of a schema folder: `catalog/event-types.json` and the title of
 * each payload schema. Read directly (not through the full schema IR, which `oaio generate`
 * validates): a contracts run needs only these names.
 */
export function standardEvents(schemaDir: string): StandardEvent[] {
  const read = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(join(schemaDir, file), "utf8"));
    } catch (err: unknown) {
      throw new SchemaLoadError([{ file, pointer: "", message: `cannot read: ${(err as Error).message}` }]);
    }
  };
  const bad = (pointer: string, message: string): SchemaLoadError => new SchemaLoadError([{ file: "catalog/event-types.json", pointer, message }]);
  const catalog = read("catalog/event-types.json") as { event_types?: unknown };
  if (!Array.isArray(catalog.event_types)) throw bad("/event_types", "must be a list");
  return catalog.event_types.map((raw: unknown, i): StandardEvent => {
    const e = raw as { name?: unknown; frame_type?: unknown; payload_schema?: unknown };
    if (typeof e.name !== "string" || typeof e.payload_schema !== "string" || !(typeof e.frame_type === "string" || e.frame_type === null)) {
      throw bad(`/event_types/${i}`, "needs name, frame_type and payload_schema");
    }
    const title = (read(e.payload_schema) as { title?: unknown }).title;
    if (typeof title !== "string") throw bad(`/event_types/${i}/payload_schema`, `${e.payload_schema} has no title`);
    return { name: e.name, frameType: e.frame_type, payloadType: title };
  });
}

/**
 * Specifier the generated TypeScript imports the runtime from: `openagentio`, or, when the
 * output lies inside the openagentio package itself (its examples), a relative path to its
 * runtime/index.js so the package's own sources are used.
 */
export function runtimeImportFor(outDir: string): string {
  const root = packageRoot();
  const rel = relative(root, resolve(outDir));
  if (rel.startsWith("..") || isAbsolute(rel) || rel.split(/[\\/]/)[0] === "node_modules") return "openagentio";
  const spec = relative(join(resolve(outDir), "ts"), join(root, "runtime", "index.js"))
    .split("\\")
    .join("/");
  return spec.startsWith(".") ? spec : `./${spec}`;
}

/** Options of {@link emitContracts}. */
export interface EmitContractsOptions {
  readonly langs: readonly ContractLang[];
  /** See {@link runtimeImportFor}. */
  readonly tsRuntimeImport: string;
}

/** Runs the chosen emitters and the card emitter; files sorted by path. */
export async function emitContracts(ir: ContractIr, opts: EmitContractsOptions): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [...emitCards(ir)];
  for (const lang of opts.langs) {
    if (lang === "ts") files.push(...(await emitTsContracts(ir, { runtimeImport: opts.tsRuntimeImport })));
    else if (lang === "python") files.push(...emitPythonContracts(ir));
    else files.push(...emitKotlinContracts(ir));
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The output roots the chosen languages own (checked for stale extras). */
export function contractRoots(langs: readonly ContractLang[]): string[] {
  return [ROOTS.cards, ...langs.map((l) => ROOTS[l])];
}

/** Options of {@link generateContracts}. */
export interface GenerateContractsOptions {
  readonly contractsDir: string;
  /** Default: `<contractsDir>/generated`. */
  readonly outDir?: string;
  /** `--lang` values; empty: all. */
  readonly langs?: readonly string[];
  /** Schema folder for the event catalogue. Default: the package's schema/. */
  readonly schemaDir?: string;
  /** Compare instead of writing. */
  readonly check?: boolean;
}

/** What {@link generateContracts} did. */
export interface GenerateContractsResult {
  readonly outDir: string;
  readonly files: readonly GeneratedFile[];
  /** With `check`: the stale files; otherwise the files written or removed. */
  readonly changes: readonly StaleFile[];
}

/** Loads, emits, and writes or checks. Throws ContractLoadError / SchemaLoadError on bad input. */
export async function generateContracts(opts: GenerateContractsOptions): Promise<GenerateContractsResult> {
  const langs = contractLangs(opts.langs ?? []);
  const outDir = resolve(opts.outDir ?? join(opts.contractsDir, "generated"));
  const ir = loadContracts(opts.contractsDir, { standardEvents: standardEvents(opts.schemaDir ?? join(packageRoot(), "schema")) });
  const files = await emitContracts(ir, { langs, tsRuntimeImport: runtimeImportFor(outDir) });
  const roots = contractRoots(langs);
  const changes = opts.check ? checkFiles(outDir, files, roots) : writeFiles(outDir, files, roots);
  return { outDir, files, changes };
}

/** Writable text sinks of the command (process.stdout / stderr in the CLI). */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** The `oaio generate --contracts` command; returns the exit code (0 ok, 1 findings, 2 usage). */
export async function contractsCommand(opts: GenerateContractsOptions & { readonly quiet?: boolean }, io: CommandIo): Promise<number> {
  let result: GenerateContractsResult;
  try {
    result = await generateContracts(opts);
  } catch (err: unknown) {
    if (err instanceof ContractLoadError || err instanceof SchemaLoadError) {
      io.err(`oaio generate: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ContractUsageError) {
      io.err(`oaio generate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const show = (path: string): string => relative(process.cwd(), join(result.outDir, path)) || ".";
  if (opts.check) {
    for (const s of result.changes) {
      const why = s.reason === "missing" ? "missing" : s.reason === "extra" ? "not produced by the generator" : "differs from what the contracts produce";
      io.err(`stale: ${show(s.path)} (${why})\n`);
    }
    if (result.changes.length > 0) {
      const again = [`--contracts ${opts.contractsDir}`, opts.outDir ? `--out ${opts.outDir}` : "", opts.langs?.length ? `--lang ${opts.langs.join(",")}` : ""];
      io.err(`${result.changes.length} generated contract file(s) are stale: run \`oaio generate ${again.filter(Boolean).join(" ")}\` and commit the result\n`);
      return 1;
    }
    if (!opts.quiet) io.out(`${show("")} is up to date (${result.files.length} files)\n`);
    return 0;
  }
  if (!opts.quiet) {
    for (const c of result.changes) io.out(`${c.reason === "extra" ? "removed" : "wrote"} ${show(c.path)}\n`);
    io.out(`${result.files.length} contract files: ${result.changes.length} changed\n`);
  }
  return 0;
}
