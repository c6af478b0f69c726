/**
 * A language-neutral type model of a contract's schemas for the Python and Kotlin emitters
 * (TypeScript uses json-schema-to-typescript instead): named classes (objects with
 * properties), string enums and aliases, with nested objects and enums named after their
 * place (`PlanStep` + `status` → `PlanStepStatus`). Constructs outside this subset (oneOf,
 * anyOf, mixed unions, ...) are typed as "any JSON value"; validation is the schema's job.
 */
import { RESERVED_TYPE_NAMES, pascal } from "./names.js";
import type { NamedSchema } from "./named.js";
import type { Json } from "./types.js";
import { isObject } from "../ir/types.js";

/** A reference to a type. */
export type TypeRef =
  | { readonly kind: "string" | "integer" | "number" | "boolean" }
  /** Any JSON value, null included. */
  | { readonly kind: "any" }
  /** Any JSON object. */
  | { readonly kind: "object" }
  | { readonly kind: "array"; readonly items: TypeRef }
  | { readonly kind: "map"; readonly values: TypeRef }
  | { readonly kind: "named"; readonly name: string }
  | { readonly kind: "nullable"; readonly inner: TypeRef };

/** One property of a class. */
export interface FieldDecl {
  readonly wire: string;
  readonly doc: string;
  readonly type: TypeRef;
  readonly required: boolean;
}

/** A named type. */
export type Decl =
  | { readonly kind: "class"; readonly name: string; readonly doc: string; readonly fields: readonly FieldDecl[] }
  | { readonly kind: "enum"; readonly name: string; readonly doc: string; readonly values: readonly string[] }
  | { readonly kind: "alias"; readonly name: string; readonly doc: string; readonly type: TypeRef };

/** The declarations of one contract, in emission order, by name. */
export interface TypeModel {
  readonly decls: readonly Decl[];
  readonly byName: ReadonlyMap<string, Decl>;
}

type Obj = { readonly [key: string]: Json };

function docOf(s: Json, fallback = ""): string {
  return isObject(s) && typeof s["description"] === "string" ? s["description"] : fallback;
}

class Builder {
  readonly decls: Decl[] = [];
  readonly taken: Set<string>;

  constructor(named: readonly NamedSchema[]) {
    this.taken = new Set(named.map((n) => n.name));
  }

  /** A fresh nested type name (suffixed 2, 3, ... on collision). */
  fresh(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name) || RESERVED_TYPE_NAMES.has(name); i++) name = `${base}${i}`;
    this.taken.add(name);
    return name;
  }

  /** Declares the top-level named schema `n`. */
  top(n: NamedSchema): void {
    const s = n.schema;
    if (isObject(s) && this.isClass(s)) this.declareClass(n.name, s, n.doc);
    else if (isObject(s) && this.stringEnum(s) !== undefined) this.decls.push({ kind: "enum", name: n.name, doc: n.doc, values: this.stringEnum(s) ?? [] });
    else this.decls.push({ kind: "alias", name: n.name, doc: n.doc, type: this.ref(s, n.name) });
  }

  isClass(s: Obj): boolean {
    return (s["type"] === "object" || s["type"] === undefined) && isObject(s["properties"]) && Object.keys(s["properties"]).length > 0;
  }

  stringEnum(s: Obj): string[] | undefined {
    const e = s["enum"];
    if (Array.isArray(e) && e.length > 0 && e.every((v) => typeof v === "string")) return e as string[];
    return undefined;
  }

  declareClass(name: string, s: Obj, doc: string): void {
    const props = s["properties"] as Obj;
    const required = new Set(Array.isArray(s["required"]) ? s["required"].filter((r): r is string => typeof r === "string") : []);
    const slot = this.decls.length;
    this.decls.push({ kind: "class", name, doc, fields: [] });
    const fields = Object.entries(props).map(([wire, p]): FieldDecl => ({
      wire, doc: docOf(p), required: required.has(wire), type: this.ref(p, `${name}${pascal(wire)}`),
    }));
    this.decls[slot] = { kind: "class", name, doc, fields };
  }

  /** The type of schema `s`; nested classes and enums are declared as `hint`. */
  ref(s: Json, hint: string): TypeRef {
    if (!isObject(s)) return { kind: "any" };
    const ref = s["$ref"];
    if (typeof ref === "string" && ref.startsWith("#/$defs/")) return { kind: "named", name: ref.slice("#/$defs/".length) };
    const type = s["type"];
    if (Array.isArray(type)) {
      const nonNull = type.filter((t) => t !== "null");
      if (nonNull.length === 1 && type.length === 2) return { kind: "nullable", inner: this.ref({ ...s, type: nonNull[0] ?? null }, hint) };
      return { kind: "any" };
    }
    const values = this.stringEnum(s);
    if (values !== undefined && (type === undefined || type === "string")) {
      const name = this.fresh(hint);
      this.decls.push({ kind: "enum", name, doc: docOf(s), values });
      return { kind: "named", name };
    }
    if (typeof s["const"] === "string") return { kind: "string" };
    switch (type) {
      case "string":
      case "integer":
      case "number":
      case "boolean":
        return { kind: type };
      case "array":
        return { kind: "array", items: this.ref(s["items"] ?? true, `${hint}Item`) };
      case "object":
      case undefined: {
        if (this.isClass(s)) {
          const name = this.fresh(hint);
          this.declareClass(name, s, docOf(s));
          return { kind: "named", name };
        }
        const ap = s["additionalProperties"];
        if (isObject(ap) && Object.keys(ap).length > 0) return { kind: "map", values: this.ref(ap, `${hint}Value`) };
        return type === "object" ? { kind: "object" } : { kind: "any" };
      }
      default:
        return { kind: "any" };
    }
  }
}

/** Builds the type model of a contract's named schemas. */
export function buildTypeModel(named: readonly NamedSchema[]): TypeModel {
  const b = new Builder(named);
  for (const n of named) b.top(n);
  return { decls: b.decls, byName: new Map(b.decls.map((d) => [d.name, d])) };
}

/** Follows aliases: the non-alias type a reference stands for. */
export function resolveRef(model: TypeModel, t: TypeRef): TypeRef {
  let cur = t;
  for (let i = 0; i < 32 && cur.kind === "named"; i++) {
    const d = model.byName.get(cur.name);
    if (d === undefined || d.kind !== "alias") return cur;
    cur = d.type;
  }
  return cur;
}
