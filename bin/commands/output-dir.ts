/**
 * Where `oaio conformance` and `oaio scorecard` write: `--out`, else `generated/scorecard` of the
 * current project (the nearest folder at or above the working directory holding a
 * package.json, outside node_modules), never into node_modules. And what they write is free of
 * this machine's absolute paths (spec/cli.md "Output folders").
 */
import { existsSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { UsageError } from "./invoke.js";

const inNodeModules = (path: string): boolean => path.split(sep).includes("node_modules");

/** The current project's folder: the nearest ancestor of `cwd` (itself included) with a package.json, outside node_modules; else `cwd` (or the folder above its node_modules). */
export function projectRoot(cwd: string = process.cwd()): string {
  let dir = resolve(cwd);
  for (;;) {
    if (!inNodeModules(dir) && existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const parts = resolve(cwd).split(sep);
  const at = parts.indexOf("node_modules");
  return at < 0 ? resolve(cwd) : parts.slice(0, at).join(sep) || sep;
}

/** The output folder: `out` when given, else `<project>/generated/scorecard`; a folder inside node_modules is a usage error. */
export function outputDir(out: string | undefined, cwd: string = process.cwd()): string {
  const dir = out === undefined ? join(projectRoot(cwd), "generated", "scorecard") : resolve(cwd, out);
  if (inNodeModules(dir))
    throw new UsageError(
      `--out ${dir}: refusing to write into node_modules (an installed package is not the place for reports); pass --out a folder of your project`,
    );
  return dir;
}

/** `text` with this machine's paths made relative: `root` (and the working directory) dropped, the temp folder as $TMPDIR, the home folder as ~. */
export function portable(text: string, root: string): string {
  let out = text;
  for (const [path, by] of [
    [root, "."],
    [process.cwd(), "."],
    [tmpdir(), "$TMPDIR"],
    [homedir(), "~"],
  ] as const) {
    if (path.length > 1)
      out = out
        .split(`${path}${sep}`)
        .join(by === "." ? "" : `${by}/`)
        .split(path)
        .join(by);
  }
  return out;
}
