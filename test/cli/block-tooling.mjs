// Makes the generator tooling look uninstalled: resolving ts-morph, json-schema-to-typescript or
// handlebars fails as for a missing package. Used with `node --import tsx --import <this>` so
// this hook runs first (hooks registered last run first).
import { register } from "node:module";

const hook = `
const blocked = /^(ts-morph|json-schema-to-typescript|handlebars)(\\/|$)/;
export async function resolve(specifier, context, next) {
  if (blocked.test(specifier)) {
    const err = new Error("Cannot find package '" + specifier + "' imported from " + (context.parentURL ?? "?"));
    err.code = "ERR_MODULE_NOT_FOUND";
    throw err;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
