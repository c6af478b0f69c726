/**
 * The Kotlin type model built from the payload schemas: data classes (one per payload document
 * and per named `$defs` object), enums for string enums, and a sealed type for a `oneOf` that
 * says "exactly one of these properties" (tool.result: output | error). Names are unique and
 * legal Kotlin; wire names are kept for `@SerialName` and the codec.
 */
import type { Ir } from "../ir/types.js";
import type { SchemaModel, SchemaNode } from "../ir/schema-model.js";
import { camelName, constName, pascalName, uniqueNames } from "./names.js";

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

/** A schema that says nothing about the shape of its value (typed as any JSON). */
function isAnySchema(node: SchemaNode): boolean {
  return !["type", "properties", "required", "oneOf", "anyOf", "allOf", "enum", "const", "$ref", "not", "if"].some((k) => node.keywords.includes(k));
}

class Builder {
  readonly classes: KClass[] = [];
  readonly enums: KEnum[] = [];
  private readonly wanted = new Map<string, string>();
  private readonly done = new Set<string>();

  constructor(
    private readonly schemas: SchemaModel,
    private readonly roots: ReadonlySet<string>,
  ) {}

  /** Registers `node` as a class named after `name` and builds it (once). */
  classFor(node: SchemaNode, name: string): string {
    const key = node.id;
    const payloadRoot = this.roots.has(key);
    if (this.done.has(key)) return key;
    this.done.add(key);
    this.wanted.set(key, name);
    if (isAnySchema(node)) {
      this.classes.push({ key, name, description: node.description ?? "", fields: [], wrapper: true, payloadRoot });
      return key;
    }
    const required = node.required;
    const wires = node.properties.map((p) => p.name);
    const oneOfProps = exclusiveProperties(node, wires, this.schemas);
    const fieldNames = uniqueNames(wires, camelName, MEMBER_NAMES);
    const fields: KField[] = [];
    const variantFields: KField[] = [];
    for (const { name: wire, node: childId } of node.properties) {
      const child = this.schemas.node(childId);
      const field: KField = {
        wire,
        name: fieldNames.get(wire) ?? wire,
        type: this.typeOf(child, name, wire),
        required: required.includes(wire),
        description: child.description ?? (child.ref === undefined ? "" : (this.schemas.node(child.ref).description ?? "")),
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
    this.classes.push({ key, name, description: node.description ?? "", fields, ...(oneOf ? { oneOf } : {}), wrapper: false, payloadRoot });
    return key;
  }

  private typeOf(node: SchemaNode, parent: string, wire: string): KType {
    const target = node.ref === undefined ? node : this.schemas.node(node.ref);
    const type = target.types.length === 1 ? target.types[0] : undefined;
    if (target.enum !== undefined && type === "string") {
      const key = target.id;
      if (!this.done.has(key)) {
        this.done.add(key);
        const values = target.enum.map(String);
        const names = uniqueNames(values, constName);
        this.wanted.set(key, pascalName(`${parent}_${wire}`));
        this.enums.push({
          key,
          name: pascalName(`${parent}_${wire}`),
          description: target.description ?? "",
          values: values.map((v) => ({ wire: v, name: names.get(v) ?? v })),
        });
      }
      return { kind: "enum", key };
    }
    if (type === "string") return { kind: "string" };
    if (type === "integer") return { kind: "long" };
    if (type === "number") return { kind: "double" };
    if (type === "boolean") return { kind: "boolean" };
    if (type === "array") return { kind: "jsonArray" };
    if (type === "object") {
      if (!target.hasProperties) return { kind: "jsonObject" };
      const defName = /\/\$defs\/([^/]+)$/u.exec(target.pointer)?.[1];
      const isRoot = target.pointer === "";
      const name = isRoot ? pascalName(target.title ?? "") : defName !== undefined ? pascalName(defName) : pascalName(`${parent}_${wire}`);
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

/**
 * The properties of a `oneOf` whose branches each read "this property is present (and the
 * others are not)", or undefined when the oneOf has another shape.
 */
export function exclusiveProperties(node: SchemaNode, props: readonly string[], schemas: SchemaModel): string[] | undefined {
  const branches = node.oneOf;
  if (branches === undefined || branches.length < 2) return undefined;
  const out: string[] = [];
  for (const id of branches) {
    const b = schemas.node(id);
    if (b.never || b.keywords.some((k) => k !== "required" && k !== "not")) return undefined;
    const req = b.required;
    if (req.length !== 1 || !props.includes(req[0]!)) return undefined;
    out.push(req[0]!);
  }
  return new Set(out).size === out.length ? out : undefined;
}

/** Builds the model of every payload document (in file order). */
export function buildModel(ir: Ir): KModel {
  const b = new Builder(ir.schemas, new Set(ir.payloads.map((d) => ir.schemas.at(d.file).id)));
  for (const doc of ir.payloads) b.classFor(ir.schemas.at(doc.file), pascalName(doc.title));
  return { classes: b.classes, enums: b.enums, names: b.names() };
}
