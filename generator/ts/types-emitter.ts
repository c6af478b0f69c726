/**
 * Emits `ts/types.ts`: the Envelope and every payload type, through json-schema-to-typescript.
 * Cross-file `$ref`s are turned into references to the target's generated type name first,
 * so nothing is fetched and each type is declared once.
 */
import type { Ir, Json, JsonSchema, SchemaDoc } from "../ir/types.js";
import { generatedHeader, type GeneratedFile } from "../emitter.js";
import { compileDeclarations, type J2tsSchema } from "./j2ts.js";
import { isObject } from "../ir/types.js";

/** The type name a `$ref` to another schema document resolves to. */
function refTypeName(ref: string, docs: readonly SchemaDoc[], from: SchemaDoc): string {
  const [file, fragment] = ref.split("#", 2) as [string, string | undefined];
  const dir = from.file.includes("/") ? from.file.slice(0, from.file.lastIndexOf("/") + 1) : "";
  const target = docs.find((d) => d.file === dir + file || d.file === file);
  if (!target) throw new Error(`${from.file}: $ref ${ref} names no schema in schema/`);
  if (!fragment) return target.title;
  const def = fragment
    .split("/")
    .filter(Boolean)
    .reduce<Json | undefined>((node, key) => (isObject(node) ? node[key] : undefined), target.schema);
  if (!isObject(def)) throw new Error(`${from.file}: $ref ${ref} points at nothing`);
  return typeof def["title"] === "string" ? def["title"] : (fragment.split("/").pop() ?? target.title);
}

/** Deep copy with cross-file refs replaced by `tsType` and annotations j2ts does not know dropped. */
function prepare(node: Json, docs: readonly SchemaDoc[], from: SchemaDoc): Json {
  if (Array.isArray(node)) return node.map((n) => prepare(n, docs, from));
  if (!isObject(node)) return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "x-expected" || key === "$comment") continue;
    if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) {
      out["tsType"] = refTypeName(value, docs, from);
      continue;
    }
    out[key] = prepare(value, docs, from);
  }
  return out;
}

async function compileDoc(doc: SchemaDoc, docs: readonly SchemaDoc[], schema: JsonSchema): Promise<string> {
  const prepared = prepare(schema, docs, doc) as JsonSchema;
  delete prepared["$id"];
  return compileDeclarations(prepared as J2tsSchema, doc.title);
}

/** Emits ts/types.ts. */
export async function emitTypes(ir: Ir): Promise<GeneratedFile> {
  const docs = [ir.envelope, ...ir.payloads];
  // The envelope's allOf holds validation rules, not shape: types come from its properties.
  const envelopeShape: JsonSchema = { ...ir.envelope.schema };
  delete envelopeShape["allOf"];
  const parts = [await compileDoc(ir.envelope, docs, envelopeShape)];
  for (const doc of ir.payloads) {
    const shape: JsonSchema = { ...doc.schema };
    // oneOf/allOf here are validation rules (exactly one of, required-if); the shape is the properties.
    if (shape["type"] === "object") {
      delete shape["oneOf"];
      delete shape["allOf"];
    }
    parts.push(await compileDoc(doc, docs, shape));
  }
  const content = [generatedHeader("//", "schema/*.schema.json"), "/* eslint-disable */", "", ...parts.map((p) => `${p.trim()}\n`)].join("\n");
  return { path: "ts/types.ts", content };
}
