/**
 * The Kotlin type model built from the payload schemas: data classes (one per payload document
 * and per named `$defs` object), enums for string enums, and a sealed type for a `oneOf` that
 * says "exactly one of these properties" (tool.result: output | error). Names are unique and
 * legal Kotlin; wire names are kept for `@SerialName` and the codec.
 */
import type { Ir, Json, JsonSchema } from "../ir/types.js";
import { camelName, constName, pascalName, uniqueNames } from "./names.js";
import { SchemaIndex, isSchemaObject, nodeKey, type SchemaNode } from "./schema-index.js";

/** The Kotlin type of one property. */
export type KType =
  | { readonly kind: "string" | "long" | "double" | "boolean" | "json" | "jsonObject" | "jsonArray" }
  | { readonly kind: "class" | "enum"; readonly key: string };

/** One property of a data class. */
export interface KField {
  readonly wire: string;
  readonly name: string;
  readonly type: KType;
  readonly required: boolean;
  readonly description: string;
}

/** "Exactly one of these properties": a sealed interface with one data class per property. */
export interface KOneOf {
  readonly typeName: string;
  readonly propName: string;
  readonly variants: readonly { readonly name: string; readonly field: KField }[];
}

/** A data class; `wrapper` classes hold any JSON value (a payload schema without constraints). */
export interface KClass {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly fields: readonly KField[];
  readonly oneOf?: KOneOf;
  readonly wrapper: boolean;
  /** A payload document root: implements StandardPayload. */
  readonly payloadRoot: boolean;
}

/** A string enum. */
export interface KEnum {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly values: readonly { readonly wire: string; readonly name: string }[];
}

/** Everything the payload renderer needs. */
export interface KModel {
  readonly classes: readonly KClass[];
  readonly enums: readonly KEnum[];
  /** Kotlin class name by key. */
  readonly names: ReadonlyMap<string, string>;
}

/** Members every generated class has; a property may not take these names. */
const MEMBER_NAMES = ["toJson", "fromJson", "copy", "equals", "hashCode", "toString", "Companion"];

function str(v: Json | undefined): string {
  return typeof v === "string" ? v : "";
}

function isAnySchema(s: JsonSchema): boolean {
  return !["type", "properties", "required", "oneOf", "anyOf", "allOf", "enum", "const", "$ref", "not", "if"].some((k) => k in s);
}

class Builder {
  readonly classes: KClass[] = [];
  readonly enums: KEnum[] = [];
  private readonly wanted = new Map<string, string>();
  private readonly done = new Set<string>();

  constructor(
    private readonly index: SchemaIndex,
    private readonly roots: ReadonlySet<string>,
  ) {}

  /** Registers `node` as a class named after `name` and builds it (once). */
  classFor(node: SchemaNode, name: string): string {
    const key = nodeKey(node);
    const payloadRoot = this.roots.has(key);
    if (this.done.has(key)) return key;
    this.done.add(key);
    this.wanted.set(key, name);
    const s = isSchemaObject(node.schema) ? node.schema : {};
    if (isAnySchema(s)) {
      this.classes.push({ key, name, description: str(s["description"]), fields: [], wrapper: true, payloadRoot });
      return key;
    }
    const props = isSchemaObject(s["properties"]) ? s["properties"] : {};
    const required = Array.isArray(s["required"]) ? s["required"].map(String) : [];
    const oneOfProps = exclusiveProperties(s, Object.keys(props));
    const wires = Object.keys(props);
    const fieldNames = uniqueNames(wires, camelName, MEMBER_NAMES);
    const fields: KField[] = [];
    const variantFields: KField[] = [];
    for (const wire of wires) {
      const child = this.index.child(node, "properties", wire);
      const field: KField = {
        wire,
        name: fieldNames.get(wire) ?? wire,
        type: this.typeOf(child, name, wire),
        required: required.includes(wire),
        description: describe(child, this.index),
      };
      (oneOfProps?.includes(wire) ? variantFields : fields).push(field);
    }
    let oneOf: KOneOf | undefined;
    if (oneOfProps) {
      const typeName = oneOfProps.map((w) => pascalName(w).replace(/Type$/u, "")).join("Or");
      const propName = uniqueNames([typeName], (w) => camelName(w), [...fields.map((f) => f.name), ...MEMBER_NAMES]).get(typeName) ?? typeName;
      const variantNames = uniqueNames(oneOfProps, (w) => pascalName(w).replace(/Type$/u, ""), [typeName, name]);
      oneOf = {
        typeName,
        propName,
        variants: variantFields.map((f) => ({ name: variantNames.get(f.wire) ?? f.wire, field: f })),
      };
    }
    this.classes.push({ key, name, description: str(s["description"]), fields, ...(oneOf ? { oneOf } : {}), wrapper: false, payloadRoot });
    return key;
  }

  private typeOf(node: SchemaNode, parent: string, wire: string): KType {
    let target = node;
    const s0 = isSchemaObject(node.schema) ? node.schema : {};
    if (typeof s0["$ref"] === "string") target = this.index.resolve(node, s0["$ref"]);
    const s = isSchemaObject(target.schema) ? target.schema : {};
    const type = s["type"];
    if (Array.isArray(s["enum"]) && type === "string") {
      const key = nodeKey(target);
      if (!this.done.has(key)) {
        this.done.add(key);
        const values = s["enum"].map(String);
        const names = uniqueNames(values, constName);
        this.wanted.set(key, pascalName(`${parent}_${wire}`));
        this.enums.push({ key, name: pascalName(`${parent}_${wire}`), description: str(s["description"]), values: values.map((v) => ({ wire: v, name: names.get(v) ?? v })) });
      }
      return { kind: "enum", key };
    }
    if (type === "string") return { kind: "string" };
    if (type === "integer") return { kind: "long" };
    if (type === "number") return { kind: "double" };
    if (type === "boolean") return { kind: "boolean" };
    if (type === "array") return { kind: "jsonArray" };
    if (type === "object") {
      if (!isSchemaObject(s["properties"])) return { kind: "jsonObject" };
      const defName = /\/\$defs\/([^/]+)$/u.exec(target.pointer)?.[1];
      const isRoot = target.pointer === "";
      const name = isRoot ? pascalName(str(this.index.doc(target.file).title)) : defName !== undefined ? pascalName(defName) : pascalName(`${parent}_${wire}`);
      return { kind: "class", key: this.classFor(target, name) };
    }
    return { kind: "json" };
  }

  /** Final unique names for every class and enum, in creation order. */
  names(): Map<string, string> {
    const keys = [...this.wanted.keys()];
    const byWanted = uniqueNames(keys, (k) => this.wanted.get(k) ?? k);
    return byWanted;
  }
}

function describe(node: SchemaNode, index: SchemaIndex): string {
  const s = isSchemaObject(node.schema) ? node.schema : {};
  if (typeof s["description"] === "string") return s["description"];
  if (typeof s["$ref"] === "string") {
    const t = index.resolve(node, s["$ref"]).schema;
    if (isSchemaObject(t) && typeof t["description"] === "string") return t["description"];
  }
  return "";
}

/**
 * The properties of a `oneOf` whose branches each read "this property is present (and the
 * others are not)", or undefined when the oneOf has another shape.
 */
export function exclusiveProperties(s: JsonSchema, props: readonly string[]): string[] | undefined {
  const branches = s["oneOf"];
  if (!Array.isArray(branches) || branches.length < 2) return undefined;
  const out: string[] = [];
  for (const b of branches) {
    if (!isSchemaObject(b) || Object.keys(b).some((k) => k !== "required" && k !== "not")) return undefined;
    const req = b["required"];
    if (!Array.isArray(req) || req.length !== 1 || typeof req[0] !== "string" || !props.includes(req[0])) return undefined;
    out.push(req[0]);
  }
  return new Set(out).size === out.length ? out : undefined;
}

/** Builds the model of every payload document (in file order). */
export function buildModel(ir: Ir): KModel {
  const index = new SchemaIndex(ir);
  const b = new Builder(index, new Set(ir.payloads.map((d) => nodeKey(index.root(d)))));
  for (const doc of ir.payloads) b.classFor(index.root(doc), pascalName(doc.title));
  return { classes: b.classes, enums: b.enums, names: b.names() };
}
