/**
 * Schema documents by file, with `$ref` resolution (relative file refs and `#/...` JSON
 * pointers), shared by the Kotlin model builder and the validator compiler.
 */
import { posix } from "node:path";
import type { Ir, Json, JsonSchema, SchemaDoc } from "../ir/types.js";

/** A subschema located in a document: `file` is relative to schema/, `pointer` an RFC 6901 pointer. */
export interface SchemaNode {
  readonly file: string;
  readonly pointer: string;
  readonly schema: Json;
}

/** Stable identity of a node: `file#pointer`. */
export function nodeKey(node: Pick<SchemaNode, "file" | "pointer">): string {
  return `${node.file}#${node.pointer}`;
}

/** True for a JSON object (not an array, not null). */
export function isSchemaObject(v: Json | undefined): v is JsonSchema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unescapePointerToken(t: string): string {
  return t.replace(/~1/gu, "/").replace(/~0/gu, "~");
}

/** Escapes one RFC 6901 reference token. */
export function escapePointerToken(t: string): string {
  return t.replace(/~/gu, "~0").replace(/\//gu, "~1");
}

/** Every schema document of the IR, addressable by file. */
export class SchemaIndex {
  private readonly docs = new Map<string, SchemaDoc>();

  constructor(ir: Ir) {
    for (const doc of [ir.envelope, ...ir.payloads]) this.docs.set(doc.file, doc);
  }

  /** The root node of a document. */
  root(doc: SchemaDoc): SchemaNode {
    return { file: doc.file, pointer: "", schema: doc.schema };
  }

  /** The document of `file`; throws naming it when unknown. */
  doc(file: string): SchemaDoc {
    const doc = this.docs.get(file);
    if (!doc) throw new Error(`schema ${file} is not loaded`);
    return doc;
  }

  /** A child node: `child(node, "properties", "seq")`. */
  child(node: SchemaNode, ...tokens: (string | number)[]): SchemaNode {
    let schema: Json | undefined = node.schema;
    for (const t of tokens) {
      schema = Array.isArray(schema) ? schema[Number(t)] : isSchemaObject(schema) ? schema[String(t)] : undefined;
    }
    if (schema === undefined) throw new Error(`${nodeKey(node)}: no ${tokens.join("/")}`);
    return { file: node.file, pointer: node.pointer + tokens.map((t) => `/${escapePointerToken(String(t))}`).join(""), schema };
  }

  /** Resolves `ref` (as written in `from`) to its node; throws naming both when it does not resolve. */
  resolve(from: SchemaNode, ref: string): SchemaNode {
    const hash = ref.indexOf("#");
    const filePart = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? "" : ref.slice(hash + 1);
    const file = filePart === "" ? from.file : posix.normalize(posix.join(posix.dirname(from.file), filePart));
    const doc = this.docs.get(file);
    if (!doc) throw new Error(`${nodeKey(from)}: $ref ${ref} names ${file}, which is not a loaded schema`);
    if (fragment !== "" && !fragment.startsWith("/")) throw new Error(`${nodeKey(from)}: $ref ${ref}: only JSON pointer fragments are supported`);
    const tokens = fragment === "" ? [] : fragment.slice(1).split("/").map(unescapePointerToken);
    try {
      return this.child(this.root(doc), ...tokens);
    } catch {
      throw new Error(`${nodeKey(from)}: $ref ${ref} does not resolve`);
    }
  }
}
