/**
 * TypeScript declarations of a contract's named types, through json-schema-to-typescript.
 * `#/$defs/Name` references become references to the generated `Name` (nothing is inlined
 * twice), nested titles are dropped so only named types are declared, and objects that list
 * their properties are closed for typing (extra keys stay legal on the wire).
 */
import { compileDeclarations, type J2tsSchema } from "../../ts/j2ts.js";
import type { Json } from "../types.js";
import type { NamedSchema } from "../named.js";
import { DATA_KEYWORDS } from "../schemas.js";
import { isObject } from "../../ir/types.js";
import { docBlock } from "../../render/code-writer.js";

const MAP_KEYWORDS = new Set(["properties", "patternProperties", "dependentSchemas", "$defs"]);

/** Deep copy prepared for j2ts; `top` keeps the title j2ts names the type with. */
function prepare(node: Json, top: boolean): Json {
  if (typeof node === "boolean") return node ? {} : { not: {} };
  if (Array.isArray(node)) return node.map((n) => prepare(n, false));
  if (!isObject(node)) return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string" && value.startsWith("#/$defs/")) {
      out["tsType"] = value.slice("#/$defs/".length);
    } else if (key === "title" && !top) {
    } else if (key === "$comment" || key === "$schema") {
    } else if (MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepare(v, false)]));
    } else if (DATA_KEYWORDS.has(key)) {
      out[key] = value;
    } else {
      out[key] = prepare(value, false);
    }
  }
  if (isObject(out["properties"]) && out["additionalProperties"] === undefined) out["additionalProperties"] = false;
  return out;
}

/** True for schemas that allow any JSON value (`{}`, `true`, only annotations). */
function isAny(schema: Json): boolean {
  if (schema === true) return true;
  if (!isObject(schema)) return false;
  return Object.keys(schema).every((k) => k === "description" || k === "title" || k === "$comment" || k === "examples" || k === "default");
}

function docComment(text: string): string {
  return docBlock(text.replace(/\*\//g, "* /").split("\n"), "", true);
}

/** Declarations of the named types, in order, separated by blank lines. */
export async function emitTsTypes(named: readonly NamedSchema[]): Promise<string> {
  const parts: string[] = [];
  for (const n of named) {
    if (isAny(n.schema)) {
      parts.push(`${docComment(n.doc)}\nexport type ${n.name} = unknown;`);
      continue;
    }
    const prepared = prepare(n.schema, true) as { [key: string]: Json };
    prepared["title"] = n.name;
    prepared["description"] = n.doc;
    const ts = await compileDeclarations(prepared as J2tsSchema, n.name);
    parts.push(ts.trim());
  }
  return parts.join("\n\n");
}
