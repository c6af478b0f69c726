/**
 * Schema helpers shared by the Python validator compiler and the model builder: `$ref`
 * resolution across the IR's schema documents, JSON pointers, and the keyword sets that tell
 * annotations from assertions (the compiler refuses keywords it does not implement).
 */
import { isObject, type Json, type JsonSchema, type SchemaDoc } from "../ir/types.js";

export { isObject };

/** A schema node (object or boolean) with the absolute URI it was reached by. */
export interface Located {
  /** Absolute URI of the node: document `$id` + `#` + JSON pointer. */
  readonly uri: string;
  /** Base URI `$ref`s inside the node resolve against. */
  readonly base: string;
  readonly schema: JsonSchema | boolean;
}

/** Keywords that never fail validation. */
export const ANNOTATIONS: ReadonlySet<string> = new Set([
  "$schema", "$id", "$comment", "$defs", "$anchor", "title", "description", "default", "examples", "deprecated",
  "readOnly", "writeOnly", "then", "else",
]);

/** Assertions the compiler implements. */
export const ASSERTIONS: ReadonlySet<string> = new Set([
  "type", "$ref", "const", "enum", "not", "anyOf", "oneOf", "allOf", "if", "maximum", "minimum", "exclusiveMaximum",
  "exclusiveMinimum", "maxLength", "minLength", "pattern", "required", "properties", "items", "minItems", "maxItems",
]);

/** RFC 6901 escaping of one reference token. */
export function escapeToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

function unescapeToken(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** True when a schema can never fail (ajv skips such subschemas entirely). */
export function alwaysValid(schema: Json | undefined): boolean {
  if (schema === true) return true;
  if (!isObject(schema)) return false;
  return Object.keys(schema).every((k) => ANNOTATIONS.has(k) || k.startsWith("x-"));
}

/** Looks up schema documents by `$id` and resolves `$ref`s (URI + JSON pointer fragment). */
export class SchemaIndex {
  private readonly byId = new Map<string, SchemaDoc>();

  constructor(docs: readonly SchemaDoc[]) {
    for (const d of docs) this.byId.set(d.id, d);
  }

  /** The root node of a document. */
  root(doc: SchemaDoc): Located {
    return { uri: `${doc.id}#`, base: doc.id, schema: doc.schema };
  }

  /** The document a URI points into. */
  docOf(uri: string): SchemaDoc {
    const id = uri.split("#")[0] ?? "";
    const doc = this.byId.get(id);
    if (!doc) throw new Error(`no schema document with $id ${id}`);
    return doc;
  }

  /** Child node at `key` (a property, an index) below `node`. */
  child(node: Located, ...keys: (string | number)[]): Located {
    let schema: Json | undefined = node.schema as Json;
    let uri = node.uri;
    for (const key of keys) {
      schema = Array.isArray(schema) ? schema[Number(key)] : isObject(schema) ? schema[String(key)] : undefined;
      uri += `/${escapeToken(String(key))}`;
    }
    if (typeof schema !== "boolean" && !isObject(schema)) throw new Error(`${uri} is not a schema`);
    const id = isObject(schema) ? schema["$id"] : undefined;
    const base = typeof id === "string" ? new URL(id, node.base).href : node.base;
    return { uri, base, schema };
  }

  /** Resolves `$ref` of `node` to the node it names. */
  resolve(node: Located, ref: string): Located {
    const abs = new URL(ref, node.base);
    const fragment = decodeURIComponent(abs.hash.replace(/^#/u, ""));
    abs.hash = "";
    const doc = this.docOf(abs.href);
    let target = this.root(doc);
    if (fragment !== "") {
      if (!fragment.startsWith("/")) throw new Error(`${node.uri}: only JSON pointer fragments are supported in $ref ${ref}`);
      target = this.child(target, ...fragment.slice(1).split("/").map(unescapeToken));
    }
    return target;
  }
}
