/**
 * Reads one version of a schema or contracts folder for `oaio breaking`: from the file system,
 * or from a git ref (`git ls-tree` + `git show`, no checkout). Bounded: at most
 * {@link MAX_FILES} files of at most {@link MAX_FILE_BYTES} each.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { FileSet, Json } from "./index.js";

/** Most files read from one folder. */
export const MAX_FILES = 2000;
/** Largest file read, bytes. */
export const MAX_FILE_BYTES = 4 * 1_048_576;

/** A folder or ref that cannot be read, or a file that is not JSON (exit 2 in the CLI). */
export class BreakingSourceError extends Error {
  override readonly name = "BreakingSourceError";
}

/** Which files of a folder count: `*.json` anywhere below (schemas) or `*.agent.json` directly in it (contracts). */
export type FolderKind = "schemas" | "contracts";

const wanted = (kind: FolderKind, rel: string): boolean => (kind === "schemas" ? rel.endsWith(".json") : !rel.includes("/") && rel.endsWith(".agent.json"));

function parse(where: string, text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err: unknown) {
    throw new BreakingSourceError(`${where}: not JSON (${(err as Error).message}); fix or remove the file`);
  }
}

function add(files: Map<string, Json>, rel: string, where: string, text: string): void {
  if (files.size >= MAX_FILES)
    throw new BreakingSourceError(`${where}: more than ${MAX_FILES} files; point the folder option at the schemas or contracts only`);
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw new BreakingSourceError(`${where}: larger than ${MAX_FILE_BYTES} bytes`);
  files.set(rel, parse(where, text));
}

/** Reads `dir` (an empty set when it does not exist). */
export function readFolder(dir: string, kind: FolderKind): FileSet {
  const files = new Map<string, Json>();
  try {
    if (!statSync(dir).isDirectory()) throw new BreakingSourceError(`${dir}: not a directory`);
  } catch (err: unknown) {
    if (err instanceof BreakingSourceError) throw err;
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return files;
    throw new BreakingSourceError(`${dir}: ${(err as Error).message}`);
  }
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const full = join(d, e.name);
      const rel = relative(dir, full).split(sep).join("/");
      if (e.isDirectory() && kind === "schemas") walk(full);
      else if (e.isFile() && wanted(kind, rel)) {
        const size = statSync(full).size;
        if (size > MAX_FILE_BYTES) throw new BreakingSourceError(`${full}: larger than ${MAX_FILE_BYTES} bytes`);
        add(files, rel, full, readFileSync(full, "utf8"));
      }
    }
  };
  walk(dir);
  return files;
}

function git(repo: string, args: string[]): string {
  try {
    return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: MAX_FILE_BYTES * 2 });
  } catch (err: unknown) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new BreakingSourceError(`git ${args.join(" ")}: ${stderr || (err as Error).message}`);
  }
}

/** The top folder of the git work tree holding `dir`, or undefined when it is not in one. */
export function gitTopLevel(dir: string): string | undefined {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "--show-toplevel"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** True when `ref` names a commit in `repo`. */
export function isGitRef(repo: string, ref: string): boolean {
  try {
    execFileSync("git", ["-C", repo, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Reads folder `path` (relative to the repo's top, `/`-separated) as it is at `ref` (an empty set when it did not exist). */
export function readGitFolder(repo: string, ref: string, path: string, kind: FolderKind): FileSet {
  const files = new Map<string, Json>();
  const prefix = path === "" || path === "." ? "" : `${path.replace(/\/+$/, "")}/`;
  const listing = git(repo, ["ls-tree", "-r", "-z", "--name-only", ref, "--", prefix === "" ? "." : prefix]);
  for (const name of listing.split("\0").filter((n) => n !== "")) {
    const rel = name.slice(prefix.length);
    if (!name.startsWith(prefix) || !wanted(kind, rel)) continue;
    add(files, rel, `${ref}:${name}`, git(repo, ["show", `${ref}:${name}`]));
  }
  return files;
}
