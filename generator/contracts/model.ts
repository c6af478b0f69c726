/**
 * A language-neutral type model of a contract's schemas for the Python and Kotlin emitters
 * (TypeScript uses json-schema-to-typescript instead), read from the contract's schema model
 * (contract-model.ts): named classes (objects with
 * properties), string enums and aliases, with nested objects and enums named after their
 * place (`PlanStep` + `status` → `PlanStepStatus`). Constructs outside this subset (oneOf,
 * anyOf, mixed unions, ...) are typed as "any JSON value"; validation is the schema's job.
 */
import type { SchemaModel, SchemaNode } from "../ir/schema-model.js";
import { NameScope } from "../ir/namer.js";
import { contractModel } from "./contract-model.js";
import { RESERVED_TYPE_NAMES, pascal } from "./names.js";
import { namedSchemas, type NamedSchema } from "./named.js";
import type { AgentContractIr } from "./types.js";

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

class Builder {
  readonly decls: Decl[] = [];
  private readonly names: NameScope;

  constructor(
    named: readonly NamedSchema[],
    private readonly schemas: SchemaModel,
    private readonly file: string,
  ) {
    this.names = new NameScope({ separator: "" }, [...named.map((n) => n.name), ...RESERVED_TYPE_NAMES]);
  }

  /** A fresh nested type name (suffixed 2, 3, ... on collision). */
  fresh(base: string): string {
    return this.names.claim(base);
  }

  /** Declares the top-level named schema `n`. */
  top(n: NamedSchema): void {
    const node = this.schemas.at(this.file, n.pointer);
    const values = stringEnum(node);
    if (isClass(node)) this.declareClass(n.name, node, n.doc);
    else if (values !== undefined) this.decls.push({ kind: "enum", name: n.name, doc: n.doc, values });
    else this.decls.push({ kind: "alias", name: n.name, doc: n.doc, type: this.ref(node, n.name) });
  }

  declareClass(name: string, node: SchemaNode, doc: string): void {
    const slot = this.decls.length;
    this.decls.push({ kind: "class", name, doc, fields: [] });
    const fields = node.properties.map(({ name: wire, node: id }): FieldDecl => {
      const p = this.schemas.node(id);
      return { wire, doc: p.description ?? "", required: node.required.includes(wire), type: this.ref(p, `${name}${pascal(wire)}`) };
    });
    this.decls[slot] = { kind: "class", name, doc, fields };
  }

  /** The type of `node`; nested classes and enums are declared as `hint`. `type` overrides the node's types. */
  ref(node: SchemaNode, hint: string, type: readonly string[] = node.types): TypeRef {
    if (node.ref !== undefined) {
      const target = this.schemas.node(node.ref);
      const def = /^\/\$defs\/([^/]+)$/u.exec(target.pointer)?.[1];
      if (def !== undefined) return { kind: "named", name: def.replaceAll("~1", "/").replaceAll("~0", "~") };
    }
    if (type.length > 1) {
      const nonNull = type.filter((t) => t !== "null");
      if (nonNull.length === 1 && type.length === 2) return { kind: "nullable", inner: this.ref(node, hint, nonNull) };
      return { kind: "any" };
    }
    const t = type[0];
    const values = stringEnum(node);
    if (values !== undefined && (t === undefined || t === "string")) {
      const name = this.fresh(hint);
      this.decls.push({ kind: "enum", name, doc: node.description ?? "", values });
      return { kind: "named", name };
    }
    if (typeof node.const?.value === "string") return { kind: "string" };
    switch (t) {
      case "string":
      case "integer":
      case "number":
      case "boolean":
        return { kind: t };
      case "array":
        return { kind: "array", items: node.items === undefined ? { kind: "any" } : this.ref(this.schemas.node(node.items), `${hint}Item`) };
      case "object":
      case undefined: {
        if (isClass(node, t)) {
          const name = this.fresh(hint);
          this.declareClass(name, node, node.description ?? "");
          return { kind: "named", name };
        }
        const ap = node.additionalProperties;
        if (ap !== undefined && ap !== false && this.schemas.node(ap).keywords.length > 0)
          return { kind: "map", values: this.ref(this.schemas.node(ap), `${hint}Value`) };
        return t === "object" ? { kind: "object" } : { kind: "any" };
      }
      default:
        return { kind: "any" };
    }
  }
}

/** An object with properties (untyped or typed object): a class. */
function isClass(
  node: SchemaNode,
  type: string | undefined = node.types.length === 1 ? node.types[0] : node.keywords.includes("type") ? "mixed" : undefined,
): boolean {
  return (type === "object" || type === undefined) && node.properties.length > 0;
}

/** The values of a non-empty all-string enum. */
function stringEnum(node: SchemaNode): string[] | undefined {
  const e = node.enum;
  return e !== undefined && e.length > 0 && e.every((v) => typeof v === "string") ? (e as string[]) : undefined;
}

/** Builds the type model of a contract's named schemas, from the contract's schema model. */
export function buildTypeModel(c: AgentContractIr): TypeModel {
  const named = namedSchemas(c);
  const b = new Builder(named, contractModel(c), c.file);
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
