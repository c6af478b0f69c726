/** Lists the golden corpus as case ids, so a runner that skips a case is caught. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { CaseKind } from "./results.js";

/** A case every runner must report. */
export interface CorpusCase {
  readonly id: string;
  readonly kind: CaseKind;
  readonly file: string;
}

const SECTIONS: readonly { readonly dir: string; readonly kind: CaseKind }[] = [
  { dir: "valid", kind: "valid" },
  { dir: "invalid", kind: "invalid" },
  { dir: "streams", kind: "stream" },
  { dir: "v1", kind: "v1" },
];

/** Every case under `goldenDir`, sorted by id (`<dir>/<name>`; sidecars and non-JSON files skipped). */
export function listCorpus(goldenDir: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const { dir, kind } of SECTIONS) {
    let names: string[];
    try {
      names = readdirSync(join(goldenDir, dir));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith(".json") || name.endsWith(".expected.json")) continue;
      cases.push({ id: `${dir}/${name.slice(0, -".json".length)}`, kind, file: join(goldenDir, dir, name) });
    }
  }
  return cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
