/**
 * Builds the view model of the Python dataclasses from the schemas: one class per object
 * schema with properties (envelope, payloads, `$defs`, inline objects), one `StrEnum` per
 * string enum, a `TypeAlias` for payloads that accept any JSON value. Each field knows its
 * wire name, its Python attribute name (per-class {@link Scope}), its annotation, and the
 * Python expressions that read it from validated JSON and write it back.
 */
import type { SchemaDoc } from "../ir/types.js";
import type { SchemaModel, SchemaNode } from "../ir/schema-model.js";
import { PYTHON_RESERVED_ATTRIBUTES, PYTHON_KEYWORDS, Scope, pascalCase, snakeCase, upperSnake } from "./names.js";

export interface PyEnumMember {
  readonly name: string;
  readonly value: string;
}

export interface PyEnum {
  readonly className: string;
  readonly doc: string;
  readonly members: readonly PyEnumMember[];
}

export interface PyField {
  readonly wire: string;
  readonly attr: string;
  /** Annotation including `| None` / `| Absent` for optional fields. */
  readonly annotation: string;
  /** Default value source (`None`, `ABSENT`) for optional fields; undefined when required. */
  readonly default: string | undefined;
  /**
   * Argument source reading the field from `obj` (a validated JSON object) in `from_valid`:
   * the expression and its comma, with a trailing `# type: ignore` where a value is taken as
   * it is (see {@link validRead}).
   */
  readonly read: string;
  /** Statement writing the field into `out` (already guarded for absence). */
  readonly write: string;
  /** Condition under which the field is present (`self.x is not None`), or undefined. */
  readonly present: string | undefined;
  readonly doc: string;
}

export interface PyModel {
  readonly className: string;
  readonly doc: string;
  readonly fields: readonly PyField[];
  /** Name of the public validator function for this class's schema. */
  readonly validator: string;
  /** URI of the schema node, for the validator entry. */
  readonly node: SchemaNode;
}

export interface PyAlias {
  readonly name: string;
  readonly doc: string;
  readonly validator: string;
  readonly node: SchemaNode;
}

type Kind = { t: "str" | "int" | "float" | "bool" | "object" | "list" | "any" } | { t: "enum"; cls: string } | { t: "model"; cls: string };

const ANNOTATION: Readonly<Record<string, string>> = {
  str: "str",
  int: "int",
  float: "float",
  bool: "bool",
  object: "JsonObject",
  list: "list[JsonValue]",
  any: "JsonValue",
};

const READER: Readonly<Record<string, string>> = {
  str: "as_str",
  int: "as_int",
  float: "as_float",
  bool: "as_bool",
  object: "as_object",
  list: "as_list",
};

function describe(node: SchemaNode): string {
  return node.description ?? "";
}

/** Classes for every schema the package models, in a stable order. */
export class ModelBuilder {
  readonly enums: PyEnum[] = [];
  readonly models: PyModel[] = [];
  readonly aliases: PyAlias[] = [];
  private readonly classes: Scope;
  private readonly validators = new Scope(["validate_value"]);
  private readonly byUri = new Map<string, string>();
  private readonly enumByValues = new Map<string, string>();

  constructor(
    private readonly schemas: SchemaModel,
    reservedClassNames: readonly string[],
  ) {
    this.classes = new Scope([...reservedClassNames, ...PYTHON_RESERVED_ATTRIBUTES, ...PYTHON_KEYWORDS]);
  }

  /** Registers an existing enum (e.g. Phase) so a schema enum with the same values reuses it. */
  knownEnum(className: string, values: readonly string[]): void {
    this.enumByValues.set(JSON.stringify(values), className);
  }

  /**
   * Models a top-level schema document: a class when it is an object, else a JsonValue
   * alias. `fixedName` overrides the title (the envelope is always `Envelope`).
   */
  addDocument(doc: SchemaDoc, fixedName?: string): string {
    const node = this.schemas.at(doc.file);
    if (node.types.length === 1 && node.types[0] === "object") return this.model(node, doc.title, fixedName);
    const name = this.classes.claim(fixedName ?? pascalCase(doc.title));
    this.aliases.push({ name, doc: doc.description, validator: this.validatorName(name), node });
    return name;
  }

  private validatorName(className: string): string {
    return this.validators.claim(`validate_${snakeCase(className).replace(/_$/u, "")}`);
  }

  private model(node: SchemaNode, title: string, fixedName?: string): string {
    const existing = this.byUri.get(node.id);
    if (existing !== undefined) return existing;
    const className = this.classes.claim(fixedName ?? pascalCase(title));
    this.byUri.set(node.id, className);
    // A required "" is never enforced (the validation plan drops it), so it is optional here too.
    const required = node.required.filter((n) => n !== "");
    const attrs = new Scope();
    const fields: PyField[] = [];
    const entry: PyModel = { className, doc: describe(node), fields, validator: this.validatorName(className), node };
    this.models.push(entry);
    for (const { name: wire, node: childId } of node.properties) {
      const child = this.schemas.node(childId);
      const kind = this.kindOf(child, `${className}${pascalCase(wire)}`);
      const doc = describe(child) || (child.ref === undefined ? "" : describe(this.schemas.node(child.ref)));
      fields.push(this.field(wire, attrs.claim(snakeCase(wire)), kind, required.includes(wire), doc));
    }
    return className;
  }

  private kindOf(node: SchemaNode, nameHint: string): Kind {
    if (node.ref !== undefined) {
      const target = this.schemas.node(node.ref);
      const defName = target.pointer.split("/").pop() ?? nameHint;
      const title = target.title ?? (target.pointer.includes("/$defs/") ? defName : nameHint);
      return this.kindOf(target, title);
    }
    const type = node.types.length === 1 ? node.types[0] : undefined;
    const values = node.enum;
    if (type === "string" && values !== undefined && values.every((v) => typeof v === "string")) {
      return { t: "enum", cls: this.enumFor(values as string[], nameHint, describe(node)) };
    }
    switch (type) {
      case "string":
        return { t: "str" };
      case "integer":
        return { t: "int" };
      case "number":
        return { t: "float" };
      case "boolean":
        return { t: "bool" };
      case "array":
        return { t: "list" };
      case "object":
        return node.hasProperties ? { t: "model", cls: this.model(node, nameHint) } : { t: "object" };
      default:
        return { t: "any" };
    }
  }

  private enumFor(values: readonly string[], nameHint: string, doc: string): string {
    const key = JSON.stringify(values);
    const known = this.enumByValues.get(key);
    if (known !== undefined) return known;
    const className = this.classes.claim(pascalCase(nameHint));
    const members = new Scope(["name", "value"]);
    this.enums.push({ className, doc, members: values.map((value) => ({ name: members.claim(upperSnake(value)), value })) });
    this.enumByValues.set(key, className);
    return className;
  }

  private field(wire: string, attr: string, kind: Kind, required: boolean, doc: string): PyField {
    const key = JSON.stringify(wire);
    const self = `self.${attr}`;
    let annotation: string;
    let reader: string;
    let value: string;
    switch (kind.t) {
      case "enum":
        annotation = kind.cls;
        reader = `enum_reader(${kind.cls})`;
        value = `${self}.value`;
        break;
      case "model":
        annotation = kind.cls;
        reader = `${kind.cls}.from_valid`;
        value = `${self}.to_json()`;
        break;
      default:
        annotation = ANNOTATION[kind.t]!;
        reader = READER[kind.t] ?? "";
        value = self;
    }
    const write = `out[${key}] = ${value}`;
    if (kind.t === "any") {
      return required
        ? { wire, attr, annotation, default: undefined, read: `obj[${key}],`, write, present: undefined, doc }
        : {
            wire,
            attr,
            annotation: `${annotation} | Absent`,
            default: "ABSENT",
            read: `obj.get(${key}, ABSENT),`,
            write,
            present: `not isinstance(${self}, Absent)`,
            doc,
          };
    }
    const read = required ? validRead(kind, reader, `obj[${key}]`) : validOptionalRead(kind, reader, key);
    return required
      ? { wire, attr, annotation, default: undefined, read, write, present: undefined, doc }
      : { wire, attr, annotation: `${annotation} | None`, default: "None", read, write, present: `${self} is not None`, doc };
  }
}

/**
 * `from_valid` reads a value that passed the schema's validator (or the generated check that
 * answers alike): its JSON type is the annotation's already, so strings, booleans, numbers,
 * objects and arrays are taken as they are (the bus decodes every inbound envelope through
 * this one constructor). Integers go through `as_int` (an integral float such as `2.0` is an
 * integer to the schema and becomes `2`), enums through their class (no reader built per
 * call), nested models through their own `from_valid`.
 */
const AS_IS: ReadonlySet<string> = new Set(["str", "bool", "float", "object", "list"]);

function validRead(kind: Kind, reader: string, value: string): string {
  if (AS_IS.has(kind.t)) return `${value},  # type: ignore[arg-type]`;
  if (kind.t === "enum") return `${kind.cls}(${value}),  # type: ignore[arg-type]`;
  return `${reader}(${value}),`;
}

function validOptionalRead(kind: Kind, reader: string, key: string): string {
  if (AS_IS.has(kind.t)) return `obj.get(${key}),  # type: ignore[arg-type]`;
  if (kind.t === "enum") return `None if (v := obj.get(${key})) is None else ${kind.cls}(v),  # type: ignore[arg-type]`;
  return `opt(obj, ${key}, ${reader}),`;
}
