/**
 * Compares two versions of one agent contract (spec/agent-contract.md): skills by id, events by
 * type, and their schemas with the schema rules. Pure.
 */
import { compareSchema, type Json } from "./schema-diff.js";
import type { BreakingChange } from "./rules.js";

type Obj = { [key: string]: Json };
const isObj = (v: Json | undefined): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const esc = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

function byKey(list: Json | undefined, key: string): Map<string, { item: Obj; index: number }> {
  const out = new Map<string, { item: Obj; index: number }>();
  if (!Array.isArray(list)) return out;
  list.forEach((item, index) => {
    if (isObj(item) && typeof item[key] === "string") out.set(item[key], { item, index });
  });
  return out;
}

/** The agent name of a parsed contract, or undefined when it has none. */
export function contractName(doc: Json): string | undefined {
  return isObj(doc) && typeof doc["name"] === "string" ? doc["name"] : undefined;
}

/** Compares contract `before` with `after`; `file` is how findings name the contract file. */
export function compareContract(file: string, before: Json, after: Json): BreakingChange[] {
  const out: BreakingChange[] = [];
  const sink = { file, out };
  const b = isObj(before) ? before : {};
  const a = isObj(after) ? after : {};
  const name = contractName(after) ?? "";
  const wasSkills = byKey(b["skills"], "id");
  const nowSkills = byKey(a["skills"], "id");
  for (const [id, { item: was, index }] of wasSkills) {
    const cur = nowSkills.get(id);
    if (cur === undefined) {
      out.push({ rule: "skill-removed", file, pointer: `/skills/${index}`, message: `skill "${id}" removed` });
      continue;
    }
    const now = cur.item;
    const at = `/skills/${cur.index}`;
    const target = (s: Obj): string => (typeof s["target"] === "string" ? s["target"] : `${contractName(before) ?? name}:${id}`);
    if (target(was) !== target(now))
      out.push({ rule: "skill-target-changed", file, pointer: `${at}/target`, message: `skill "${id}": target "${target(was)}" -> "${target(now)}"` });
    const mode = (s: Obj): string => (s["delta"] === undefined ? "invoke" : "stream");
    if (mode(was) !== mode(now)) out.push({ rule: "skill-mode-changed", file, pointer: `${at}/delta`, message: `skill "${id}": ${mode(was)} -> ${mode(now)}` });
    for (const part of ["input", "output", "delta"] as const) {
      if (was[part] !== undefined && now[part] !== undefined) compareSchema(sink, `${at}/${part}`, was[part], now[part]);
    }
  }
  for (const kind of ["publishes", "subscribes"] as const) {
    const list = (c: Obj): Json | undefined => (isObj(c["events"]) ? c["events"][kind] : undefined);
    const was = byKey(list(b), "type");
    const now = byKey(list(a), "type");
    for (const [type, { item, index }] of was) {
      const cur = now.get(type);
      if (cur === undefined) {
        out.push({ rule: "contract-event-removed", file, pointer: `/events/${kind}/${index}`, message: `event "${type}" removed from ${kind}` });
      } else if (item["payload"] !== undefined) {
        compareSchema(sink, `/events/${kind}/${cur.index}/payload`, item["payload"], cur.item["payload"]);
      }
    }
  }
  const wasDefs = isObj(b["$defs"]) ? b["$defs"] : {};
  const nowDefs = isObj(a["$defs"]) ? a["$defs"] : {};
  for (const key of Object.keys(wasDefs)) {
    if (!(key in nowDefs)) out.push({ rule: "schema-removed", file, pointer: `/$defs/${esc(key)}`, message: `shared type "${key}" removed` });
    else compareSchema(sink, `/$defs/${esc(key)}`, wasDefs[key], nowDefs[key]);
  }
  return out;
}
