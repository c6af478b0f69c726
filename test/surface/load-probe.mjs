// Child process of entry-points.test.ts: `node --import tsx load-probe.mjs <out-file> <module-url>...`
// registers load-hooks.mjs, imports each module, then appends the CommonJS modules node's
// require loaded (packages such as fastify and pino are CommonJS; their inner requires do not
// pass through the ESM resolve hook) and prints the export names of each imported module.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const [out, ...targets] = process.argv.slice(2);
register(new URL("./load-hooks.mjs", import.meta.url), { data: { out } });
const names = {};
for (const target of targets) names[target] = Object.keys(await import(target)).sort();
const cache = createRequire(import.meta.url).cache;
appendFileSync(
  out,
  Object.keys(cache)
    .map((p) => `cjs:${p}\n`)
    .join(""),
);
process.stdout.write(JSON.stringify(names));
