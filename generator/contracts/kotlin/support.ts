/**
 * `kotlin/src/main/kotlin/dev/openagentio/contracts/ContractSupport.kt`: what the generated
 * contract files share — JSON readers that name the JSON pointer of a defect, refusal details,
 * typed stream frames and delta writers over the SDK's coroutine Bus (`dev.openagentio.acp.runtime.Bus`). Same text for every contract folder:
 * templates/ContractSupport.kt.hbs.
 */
import { loadTemplates, templatesDir } from "../../templates.js";
import { MAX_VALUE_DEPTH } from "../sites.js";

/** Kotlin package of the support code; each contract gets `<this>.<agent>`. */
export const KOTLIN_CONTRACTS_PACKAGE = "dev.openagentio.contracts";

/** Source of ContractSupport.kt. */
export function kotlinSupportSource(header: string): string {
  return loadTemplates(templatesDir("contracts", "kotlin")).render("ContractSupport.kt", {
    header,
    pkg: KOTLIN_CONTRACTS_PACKAGE,
    maxDepth: String(MAX_VALUE_DEPTH),
  });
}
