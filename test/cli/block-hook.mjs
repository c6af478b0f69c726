// Registers a resolve hook under which the named packages (and their subpaths) fail to resolve
// as an uninstalled package does (ERR_MODULE_NOT_FOUND, "Cannot find package '<name>'"). Used
// by block-tooling.mjs and block-peers.mjs, loaded with `node --import tsx --import <file>` so
// the hook runs first (hooks registered last run first).
import { register } from "node:module";

/** Makes `packages` unresolvable for the rest of this process. */
export function blockPackages(packages) {
  const alternatives = packages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|");
  const hook = `
const blocked = new RegExp(${JSON.stringify(`^(${alternatives})(/|$)`)});
export async function resolve(specifier, context, next) {
  if (blocked.test(specifier)) {
    const err = new Error("Cannot find package '" + specifier + "' imported from " + (context.parentURL ?? "?"));
    err.code = "ERR_MODULE_NOT_FOUND";
    throw err;
  }
  return next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
