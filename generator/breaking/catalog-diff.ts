/** Compares the catalogues of schema/catalog/ (event types, error codes, phases, metadata keys, subjects): pure. */
import type { Json } from "./schema-diff.js";
import type { BreakingChange, BreakingRule } from "./rules.js";

type Obj = { [key: string]: Json };
const isObj = (v: Json | undefined): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: Json | undefined): string => (v === undefined ? "none" : JSON.stringify(v));

/** How each catalogue file lists its entries: the array and the key naming an entry. */
const CATALOGUES: Readonly<Record<string, { list: string; key: string; removed: BreakingRule; what: string }>> = {
  "event-types.json": { list: "event_types", key: "name", removed: "event-type-removed", what: "event type" },
  "error-codes.json": { list: "error_codes", key: "code", removed: "error-code-removed", what: "error code" },
  "phases.json": { list: "phases", key: "name", removed: "catalog-entry-removed", what: "phase" },
  "metadata-keys.json": { list: "keys", key: "key", removed: "catalog-entry-removed", what: "metadata key" },
  "subjects.json": { list: "subjects", key: "name", removed: "catalog-entry-removed", what: "subject" },
};

/** Entry fields whose change breaks peers, per catalogue, and the rule reporting it. */
const WATCHED: Readonly<Record<string, { fields: readonly string[]; rule: BreakingRule }>> = {
  "event-types.json": { fields: ["frame_type", "payload_schema", "terminal", "const"], rule: "event-type-changed" },
  "error-codes.json": { fields: ["retryable", "http_status"], rule: "error-code-changed" },
  "subjects.json": { fields: ["template"], rule: "subject-changed" },
};

function entries(doc: Json, list: string, key: string): Map<string, { entry: Obj; index: number }> {
  const out = new Map<string, { entry: Obj; index: number }>();
  const items = isObj(doc) ? doc[list] : undefined;
  if (!Array.isArray(items)) return out;
  items.forEach((entry, index) => {
    if (isObj(entry) && typeof entry[key] === "string") out.set(entry[key], { entry, index });
  });
  return out;
}

/** True when `name` (a file name under catalog/) is a catalogue this module knows. */
export function isCatalogue(name: string): boolean {
  return name in CATALOGUES;
}

/** Compares catalogue `name` (e.g. "event-types.json") before/after; `file` is how findings name it. */
export function compareCatalogue(name: string, file: string, before: Json, after: Json): BreakingChange[] {
  const spec = CATALOGUES[name];
  if (spec === undefined) return [];
  const out: BreakingChange[] = [];
  const was = entries(before, spec.list, spec.key);
  const now = entries(after, spec.list, spec.key);
  for (const [id, { entry, index }] of was) {
    const cur = now.get(id);
    if (cur === undefined) {
      out.push({ rule: spec.removed, file, pointer: `/${spec.list}/${index}`, message: `${spec.what} "${id}" removed` });
      continue;
    }
    const watched = WATCHED[name];
    for (const field of watched?.fields ?? []) {
      if (JSON.stringify(entry[field]) !== JSON.stringify(cur.entry[field])) {
        out.push({
          rule: watched!.rule,
          file,
          pointer: `/${spec.list}/${cur.index}/${field}`,
          message: `${spec.what} "${id}": ${field} ${show(entry[field])} -> ${show(cur.entry[field])}`,
        });
      }
    }
    if (name === "event-types.json") {
      const phases = (e: Obj): string[] => (Array.isArray(e["allowed_phases"]) ? e["allowed_phases"].filter((p): p is string => typeof p === "string") : []);
      const keep = new Set(phases(cur.entry));
      for (const p of phases(entry)) {
        if (!keep.has(p))
          out.push({
            rule: "event-type-changed",
            file,
            pointer: `/${spec.list}/${cur.index}/allowed_phases`,
            message: `event type "${id}": allowed phase "${p}" removed`,
          });
      }
    }
  }
  if (name === "subjects.json") {
    for (const field of ["default_prefix", "inbox_prefix"]) {
      const b = isObj(before) ? before[field] : undefined;
      const a = isObj(after) ? after[field] : undefined;
      if (b !== undefined && JSON.stringify(a) !== JSON.stringify(b))
        out.push({ rule: "subject-changed", file, pointer: `/${field}`, message: `${field} ${show(b)} -> ${show(a)}` });
    }
  }
  return out;
}
