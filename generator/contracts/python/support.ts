/**
 * `python/openagentio_contracts/_support.py`: what the generated contract modules share —
 * the contract check, JSON readers that name the JSON pointer of a defect, typed stream
 * frames and delta writers over `openagentio.runtime.Bus`. Same text for every contract
 * folder: templates/_support.py.hbs.
 */
import { loadTemplates, templatesDir } from "../../templates.js";
import { DEPTH_EXPECTED, MAX_VALUE_DEPTH } from "../sites.js";

/** Source of `_support.py`. */
export function pythonSupportSource(header: string): string {
  return loadTemplates(templatesDir("contracts", "python")).render("_support.py", {
    header,
    maxDepth: String(MAX_VALUE_DEPTH),
    depthExpected: JSON.stringify(DEPTH_EXPECTED),
  });
}
