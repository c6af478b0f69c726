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
/** What the HTTP/SSE gateway server needs (`oaio serve --http`). */
export const GATEWAY_PACKAGES = ["fastify", "jose"] as const;
/** What the durable (JetStream) commands need: streams, replay, dlq, publish/subscribe --durable. */
export const JETSTREAM_PACKAGES = ["@nats-io/jetstream"] as const;
/** What the A2A bridge needs (`oaio scorecard` runs one). */
export const A2A_PACKAGES = ["fastify", "jose", "@nats-io/jetstream", "@nats-io/kv"] as const;

/** The name of the package a failed import could not find, or undefined for any other failure. */
export function missingPackage(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined;
  const m = /Cannot find (?:package|module) '([^']+)'/.exec(err instanceof Error ? err.message : String(err));
  const spec = m?.[1];
  if (spec === undefined || spec.startsWith(".") || spec.startsWith("/") || spec.startsWith("file:")) return undefined;
  return spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
}

/** openagentio's own package.json, parsed (undefined when it cannot be read). */
function ownPackageJson(): Record<string, Record<string, unknown> | undefined> | undefined {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const path = [join(pkg, "package.json"), join(pkg, "..", "package.json")].find((p) => existsSync(p));
  try {
    return path === undefined ? undefined : (JSON.parse(readFileSync(path, "utf8")) as Record<string, Record<string, unknown> | undefined>);
  } catch {
    return undefined;
  }
}

/** `pkg@version` with the version package.json's devDependencies pin (else its peer range, else the bare name). */
function installSpec(name: string, manifest: ReturnType<typeof ownPackageJson>): string {
  const version = manifest?.["devDependencies"]?.[name] ?? manifest?.["peerDependencies"]?.[name];
  return typeof version === "string" ? `${name}@${version}` : name;
}

function listed(names: readonly string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * Imports what a command needs from optional peer dependencies (`load` does the dynamic
 * imports; `packages` names the peers it needs). When one of them (or any other optional peer
 * of openagentio) is not installed, throws a {@link UsageError} (exit 2) naming it and the
 * `npm install` line for `packages`, with the versions package.json pins; `feature` (e.g.
 * `--durable`) prefixes the message when only an option of the command needs the peers.
 */
export async function loadOptional<T>(packages: readonly string[], load: () => Promise<T>, feature?: string): Promise<T> {
  try {
    return await load();
  } catch (err: unknown) {
    const missing = missingPackage(err);
    if (missing === undefined) throw err;
    const manifest = ownPackageJson();
    const optional = Object.keys(manifest?.["peerDependenciesMeta"] ?? {});
    if (!packages.includes(missing) && !optional.includes(missing)) throw err;
    const needed = packages.includes(missing) ? packages : [...packages, missing];
    const dev = needed.every((p) => (GENERATOR_PACKAGES as readonly string[]).includes(p));
    throw new UsageError(
      `${feature === undefined ? "" : `${feature} `}needs ${listed(needed)}${dev ? " (the generator tooling)" : ""}, optional peer ${needed.length === 1 ? "dependency" : "dependencies"} of openagentio; ${missing} is not installed. Install with: npm install ${dev ? "--save-dev " : ""}${needed.map((p) => installSpec(p, manifest)).join(" ")}`,
    );
  }
}
