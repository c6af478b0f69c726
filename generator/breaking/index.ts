/**
 * `oaio breaking`'s comparison: two versions of a schema folder and of a contracts folder, in
 * memory, and the list of changes that break wire or source compatibility. Pure functions;
 * reading folders and git refs is in ./source.ts. Rules: ./rules.ts, spec/phases-and-versioning.md.
 */
import { compareCatalogue, isCatalogue } from "./catalog-diff.js";
import { compareContract, contractName } from "./contract-diff.js";
import { compareSchema, type Json } from "./schema-diff.js";
import type { BreakingChange } from "./rules.js";

export { BREAKING_RULES, type BreakingChange, type BreakingRule } from "./rules.js";
export type { Json } from "./schema-diff.js";

/** Parsed JSON files of one folder, by path relative to it (`/`-separated). */
export type FileSet = ReadonlyMap<string, Json>;

/** One version: its schema folder and its contracts folder (either may be absent or empty). */
export interface VersionSet {
  readonly schemas: FileSet;
  readonly contracts: FileSet;
}

/** How findings name the two folders (e.g. "schema", "examples/contracts"). */
export interface Labels {
  readonly schemaDir: string;
  readonly contractsDir: string;
}

/** A JSON Schema file of the schema folder (not a catalogue or a data file such as a2a/mapping.json). */
function isSchemaFile(path: string, doc: Json): boolean {
  return path.endsWith(".schema.json") || (typeof doc === "object" && doc !== null && !Array.isArray(doc) && typeof doc["$schema"] === "string");
}

/** Compares the schema folders: removed schema files, schema changes, catalogue changes. */
export function compareSchemaSets(before: FileSet, after: FileSet, dir = "schema"): BreakingChange[] {
  const out: BreakingChange[] = [];
  for (const [path, was] of [...before].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const file = `${dir}/${path}`;
    const now = after.get(path);
    const catalogue = path.startsWith("catalog/") && isCatalogue(path.slice("catalog/".length));
    if (now === undefined) {
      if (catalogue || isSchemaFile(path, was)) out.push({ rule: "schema-removed", file, pointer: "", message: `${path} removed` });
      continue;
    }
    if (catalogue) out.push(...compareCatalogue(path.slice("catalog/".length), file, was, now));
    else if (isSchemaFile(path, was)) compareSchema({ file, out }, "", was, now);
  }
  return out;
}

/** Compares the contracts folders: contracts are matched by agent name (a renamed file is the same agent). */
export function compareContractSets(before: FileSet, after: FileSet, dir = "contracts"): BreakingChange[] {
  const out: BreakingChange[] = [];
  const byName = (set: FileSet): Map<string, { path: string; doc: Json }> => {
    const m = new Map<string, { path: string; doc: Json }>();
    for (const [path, doc] of set) m.set(contractName(doc) ?? path, { path, doc });
    return m;
  };
  const now = byName(after);
  for (const [name, was] of [...byName(before)].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const cur = now.get(name);
    if (cur === undefined) out.push({ rule: "agent-removed", file: `${dir}/${was.path}`, pointer: "", message: `agent "${name}" removed` });
    else out.push(...compareContract(`${dir}/${cur.path}`, was.doc, cur.doc));
  }
  return out;
}

/** Every breaking change from `before` to `after`. */
export function compareVersions(before: VersionSet, after: VersionSet, labels: Labels = { schemaDir: "schema", contractsDir: "contracts" }): BreakingChange[] {
  return [
    ...compareSchemaSets(before.schemas, after.schemas, labels.schemaDir),
    ...compareContractSets(before.contracts, after.contracts, labels.contractsDir),
  ];
}
