/** Command-line input checks shared by the file-based commands: a bad path is a usage/I-O error (exit 2). */
import { statSync } from "node:fs";
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
