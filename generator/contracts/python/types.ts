/**
 * Python renderings of the contract type model: type expressions, reader and writer
 * expressions, and the declarations (StrEnum, TypeAlias, dataclass with from_json/to_json
 * in the style of the generated `openagentio` models: wire names kept, unknown properties in
 * `extra`).
 */
import { pascalCase, Scope, snakeCase, upperSnake } from "../../python/names.js";
import { docstring } from "../../python/pyfmt.js";
import { pointerToken } from "../errors.js";
import { resolveRef, type Decl, type FieldDecl, type TypeModel, type TypeRef } from "../model.js";

/** The Python type of `t`. */
export function pyType(t: TypeRef): string {
  switch (t.kind) {
    case "string":
      return "str";
    case "integer":
      return "int";
    case "number":
      return "float";
    case "boolean":
      return "bool";
    case "any":
      return "JsonValue";
    case "object":
      return "JsonObject";
    case "array":
      return `list[${pyType(t.items)}]`;
    case "map":
      return `dict[str, ${pyType(t.values)}]`;
    case "named":
      return t.name;
    case "nullable":
      return `${pyType(t.inner)} | None`;
  }
}

/** A Python expression reading JSON `v` (pointer expression `at`) as `t`; `depth` keeps loop names unique. */
export function pyRead(model: TypeModel, t: TypeRef, v: string, at: string, depth = 0): string {
  const r = resolveRef(model, t);
  switch (r.kind) {
    case "string":
      return `read_str(${v}, ${at})`;
    case "integer":
      return `read_int(${v}, ${at})`;
    case "number":
      return `read_float(${v}, ${at})`;
    case "boolean":
      return `read_bool(${v}, ${at})`;
    case "any":
      return v;
    case "object":
      return `read_object(${v}, ${at})`;
    case "array": {
      const [i, x] = [`i${depth}`, `x${depth}`];
      return `[${pyRead(model, r.items, x, `child(${at}, ${i})`, depth + 1)} for ${i}, ${x} in enumerate(read_list(${v}, ${at}))]`;
    }
    case "map": {
      const [k, x] = [`k${depth}`, `x${depth}`];
      return `{${k}: ${pyRead(model, r.values, x, `child(${at}, ${k})`, depth + 1)} for ${k}, ${x} in read_object(${v}, ${at}).items()}`;
    }
    case "nullable":
      return `None if ${v} is None else ${pyRead(model, r.inner, v, at, depth)}`;
    case "named": {
      const d = model.byName.get(r.name);
      return d?.kind === "enum" ? `read_enum(${r.name}, ${v}, ${at})` : `${r.name}.from_json(${v}, ${at})`;
    }
  }
}

/** A Python expression writing `e` (of type `t`) as a JSON value. */
export function pyWrite(model: TypeModel, t: TypeRef, e: string, depth = 0): string {
  const r = resolveRef(model, t);
  switch (r.kind) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
    case "any":
    case "object":
      return e;
    case "array":
      return `[${pyWrite(model, r.items, `x${depth}`, depth + 1)} for x${depth} in ${e}]`;
    case "map":
      return `{k${depth}: ${pyWrite(model, r.values, `x${depth}`, depth + 1)} for k${depth}, x${depth} in ${e}.items()}`;
    case "nullable":
      return `None if ${e} is None else ${pyWrite(model, r.inner, e, depth)}`;
    case "named":
      return model.byName.get(r.name)?.kind === "enum" ? `${e}.value` : `${e}.to_json()`;
  }
}

/** The type without its null: optional fields read None for both "absent" and "null". */
function nonNull(model: TypeModel, t: TypeRef): TypeRef {
  const r = resolveRef(model, t);
  return r.kind === "nullable" ? r.inner : t;
}

/** True when a type already admits None. */
function admitsNone(model: TypeModel, t: TypeRef): boolean {
  const r = resolveRef(model, t);
  return r.kind === "nullable" || r.kind === "any";
}

/** A pointer expression for a static child of `at` (an f-string). */
function childAt(wire: string): string {
  const token = pointerToken(wire).replace(/[{}\\"]/g, (c) => (c === "{" ? "{{" : c === "}" ? "}}" : `\\${c}`));
  return `f"{at}/${token}"`;
}

function pyStr(s: string): string {
  return JSON.stringify(s);
}

interface PyField {
  readonly f: FieldDecl;
  readonly attr: string;
}

function renderClass(model: TypeModel, d: Extract<Decl, { kind: "class" }>): string[] {
  const scope = new Scope(["WIRE_NAMES"]);
  const fields: PyField[] = d.fields.map((f) => ({ f, attr: scope.claim(snakeCase(f.wire)) }));
  const lines = ["@dataclass(kw_only=True, slots=True)", `class ${d.name}:`, `    ${docstring(d.doc || `${d.name}.`, 4)}`, ""];
  lines.push("    WIRE_NAMES: ClassVar[frozenset[str]] = frozenset({");
  for (const { f } of fields) lines.push(`        ${pyStr(f.wire)},`);
  lines.push("    })", '    """The property names the schema defines (everything else goes to `extra`)."""', "");
  for (const { f, attr } of fields) {
    const type = pyType(f.type);
    const isAny = resolveRef(model, f.type).kind === "any";
    const decl = f.required
      ? `${attr}: ${type}`
      : isAny
        ? `${attr}: JsonValue | Absent = ABSENT`
        : `${attr}: ${type}${admitsNone(model, f.type) ? "" : " | None"} = None`;
    lines.push(`    ${decl}`);
    const wireNote = attr === f.wire ? "" : ` Wire name "${f.wire}".`;
    lines.push(`    ${docstring(`${f.doc || `The "${f.wire}" property.`}${wireNote}`, 4)}`, "");
  }
  lines.push("    extra: JsonObject = field(default_factory=dict)", '    """Properties the schema does not name, kept through from_json and to_json."""', "");
  lines.push("    @classmethod", '    def from_json(cls, value: JsonValue, at: str = "") -> Self:');
  lines.push('        """Reads the JSON object at pointer `at`; InvalidRequestError names the first defect."""');
  lines.push("        obj = read_object(value, at)", "        return cls(");
  for (const { f, attr } of fields) {
    const key = pyStr(f.wire);
    const read = f.required
      ? pyRead(model, f.type, `required(obj, ${key}, at)`, childAt(f.wire), 1)
      : resolveRef(model, f.type).kind === "any"
        ? `obj.get(${key}, ABSENT)`
        : `None if obj.get(${key}) is None else ${pyRead(model, nonNull(model, f.type), `obj[${key}]`, childAt(f.wire), 1)}`;
    lines.push(`            ${attr}=${read},`);
  }
  lines.push("            extra={k: v for k, v in obj.items() if k not in cls.WIRE_NAMES},", "        )", "");
  lines.push("    def to_json(self) -> JsonObject:", '        """The JSON object: wire names, `extra` kept, absent fields left out."""');
  lines.push("        out: JsonObject = {k: v for k, v in self.extra.items() if k not in self.WIRE_NAMES}");
  for (const { f, attr } of fields) {
    const value = pyWrite(model, f.required ? f.type : nonNull(model, f.type), `self.${attr}`, 1);
    if (f.required) lines.push(`        out[${pyStr(f.wire)}] = ${value}`);
    else if (resolveRef(model, f.type).kind === "any")
      lines.push(`        if not isinstance(self.${attr}, Absent):`, `            out[${pyStr(f.wire)}] = self.${attr}`);
    else lines.push(`        if self.${attr} is not None:`, `            out[${pyStr(f.wire)}] = ${value}`);
  }
  lines.push("        return out");
  return lines;
}

function renderEnum(d: Extract<Decl, { kind: "enum" }>): string[] {
  const scope = new Scope();
  return [
    `class ${d.name}(StrEnum):`,
    `    ${docstring(d.doc || `Values of ${d.name}.`, 4)}`,
    "",
    ...d.values.map((v) => `    ${scope.claim(upperSnake(v))} = ${pyStr(v)}`),
  ];
}

/** The Python declaration of `d`. */
export function renderDecl(model: TypeModel, d: Decl): string {
  switch (d.kind) {
    case "class":
      return renderClass(model, d).join("\n");
    case "enum":
      return renderEnum(d).join("\n");
    case "alias": {
      const type = pyType(d.type);
      const quoted = /^(str|int|float|bool|JsonValue|JsonObject)$/.test(type) ? type : pyStr(type);
      return `${d.name}: TypeAlias = ${quoted}\n${docstring(d.doc || `${d.name}.`, 0)}`;
    }
  }
}

export { pascalCase };
