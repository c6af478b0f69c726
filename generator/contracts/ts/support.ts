/**
 * `ts/support.ts` of the contract output: the runtime types the contract modules use (from
 * one import specifier, `openagentio` for users) and the small helpers that turn untyped bus
 * streams into typed ones. Same text for every contract folder: templates/support.ts.hbs.
 */
import { loadTemplates, templatesDir } from "../../templates.js";
import { DEPTH_EXPECTED, MAX_VALUE_DEPTH } from "../sites.js";

/** Source of ts/support.ts; `runtime` is the module specifier of the openagentio runtime. */
export function supportSource(header: string, runtime: string): string {
  return loadTemplates(templatesDir("contracts", "ts")).render("support.ts", {
    header,
    runtimeLiteral: JSON.stringify(runtime),
    maxDepth: String(MAX_VALUE_DEPTH),
    depthExpected: JSON.stringify(DEPTH_EXPECTED),
  });
}
