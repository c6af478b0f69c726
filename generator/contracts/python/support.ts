/**
 * `python/openagentio_contracts/_support.py`: what the generated contract modules share —
 * JSON readers that name the JSON pointer of a defect, envelopes for published events,
 * typed stream frames and delta writers over the `openagentio` Bus Protocol. Same text for
 * every contract folder: templates/_support.py.hbs.
 */
import { loadTemplates, templatesDir } from "../../templates.js";

/** Source of `_support.py`. */
export function pythonSupportSource(header: string): string {
  return loadTemplates(templatesDir("contracts", "python")).render("_support.py", { header });
}
