/**
 * Command-line input checks shared by the file-based commands (a bad path is a usage/I-O error,
 * exit 2), and the lazy loading of the generator tooling.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./invoke.js";

/** Throws a {@link UsageError} naming `flag` unless `path` is a readable directory. */
export function requireDir(path: string, flag: string, holds: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: ${code === "ENOENT" ? "no such directory" : (err as Error).message}; pass ${flag} a directory holding ${holds}`);
  }
  if (!isDir) throw new UsageError(`${flag} ${path}: not a directory; pass ${flag} a directory holding ${holds}`);
}

/** The generator tooling: optional peer dependencies that only generate, conformance and scorecard need. */
export const GENERATOR_PACKAGES = ["ts-morph", "json-schema-to-typescript", "handlebars"] as const;

/** The name of the package a failed import could not find, or undefined for any other failure. */
export function missingPackage(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined;
  const m = /Cannot find (?:package|module) '([^']+)'/.exec(err instanceof Error ? err.message : String(err));
  const spec = m?.[1];
  if (spec === undefined || spec.startsWith(".") || spec.startsWith("/") || spec.startsWith("file:")) return undefined;
  return spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
}

/** `pkg@version` for each generator package, with the versions openagentio's package.json names (else bare names). */
function installSpecs(packageJson: string | undefined): string[] {
  let declared: Record<string, unknown> = {};
  try {
    if (packageJson !== undefined) {
      const parsed = JSON.parse(readFileSync(packageJson, "utf8")) as Record<string, Record<string, unknown> | undefined>;
      declared = { ...parsed["dependencies"], ...parsed["peerDependencies"] };
    }
  } catch {
    // name the packages without versions
  }
  return GENERATOR_PACKAGES.map((p) => (typeof declared[p] === "string" ? `${p}@${declared[p]}` : p));
}

/**
 * Imports what a generator command needs (`load` does the dynamic imports). When a package is
 * not installed, throws a {@link UsageError} (exit 2) naming it and the one command that
 * installs the generator tooling.
 */
export async function loadTooling<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err: unknown) {
    const missing = missingPackage(err);
    if (missing === undefined) throw err;
    const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
    const packageJson = [join(pkg, "package.json"), join(pkg, "..", "package.json")].find((p) => existsSync(p));
    throw new UsageError(
      `the generator tooling is missing: ${missing} is not installed (ts-morph, json-schema-to-typescript and handlebars are optional peer dependencies of openagentio); install them with: npm install --save-dev ${installSpecs(packageJson).join(" ")}`,
    );
  }
}
