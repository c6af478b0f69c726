// Module hooks (run on node's loader thread) that append every resolved module URL to the file
// named in `data.out`, one per line, synchronously: when an import has settled, every module
// it loaded has been written. Used by entry-points.test.ts through load-probe.mjs.
import { appendFileSync } from "node:fs";

let out;

export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(out, `${result.url}\n`);
  return result;
}
