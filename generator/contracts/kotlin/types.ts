/**
 * Kotlin renderings of the contract type model: type expressions, reader and writer
 * expressions over kotlinx.serialization's JsonElement, and the declarations (enum class with
 * wire names, typealias, data class with fromJson/toJson in the style of the generated
 * `dev.openagentio.acp` models: @SerialName wire names, unknown properties kept).
 */
import { camelName, constName, kdoc, kotlinString, uniqueNames } from "../../kotlin/names.js";
import { pointerToken } from "../errors.js";
import { resolveRef, type Decl, type TypeModel, type TypeRef } from "../model.js";

/** The Kotlin type of `t`. */
export function ktType(t: TypeRef): string {
  switch (t.kind) {
    case "string":
      return "String";
    case "integer":
      return "Long";
    case "number":
      return "Double";
    case "boolean":
      return "Boolean";
    case "any":
      return "JsonElement";
    case "object":
      return "JsonObject";
    case "array":
      return `List<${ktType(t.items)}>`;
    case "map":
      return `Map<String, ${ktType(t.values)}>`;
    case "named":
      return t.name;
    case "nullable":
      return `${ktType(t.inner)}?`;
  }
}

/** A Kotlin expression reading JsonElement `e` (pointer expression `at`) as `t`. */
export function ktRead(model: TypeModel, t: TypeRef, e: string, at: string, depth = 0): string {
  const r = resolveRef(model, t);
  switch (r.kind) {
    case "string":
      return `ContractJson.str(${e}, ${at})`;
    case "integer":
      return `ContractJson.long(${e}, ${at})`;
    case "number":
      return `ContractJson.double(${e}, ${at})`;
    case "boolean":
      return `ContractJson.bool(${e}, ${at})`;
    case "any":
      return e;
    case "object":
      return `ContractJson.obj(${e}, ${at})`;
    case "array": {
      const [i, x] = [`i${depth}`, `x${depth}`];
      return `ContractJson.arr(${e}, ${at}).mapIndexed { ${i}, ${x} -> ${ktRead(model, r.items, x, `ContractJson.child(${at}, ${i})`, depth + 1)} }`;
    }
    case "map": {
      const [k, x] = [`k${depth}`, `x${depth}`];
      return `ContractJson.obj(${e}, ${at}).mapValues { (${k}, ${x}) -> ${ktRead(model, r.values, x, `ContractJson.child(${at}, ${k})`, depth + 1)} }`;
    }
    case "nullable": {
      const v = `v${depth}`;
      return `${e}.let { ${v} -> if (${v} is JsonNull) null else ${ktRead(model, r.inner, v, at, depth + 1)} }`;
    }
    case "named":
      return `${r.name}.fromJson(${e}, ${at})`;
  }
}

/** A Kotlin expression writing `e` (of type `t`) as a JsonElement. */
export function ktWrite(model: TypeModel, t: TypeRef, e: string, depth = 0): string {
  const r = resolveRef(model, t);
  switch (r.kind) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
      return `JsonPrimitive(${e})`;
    case "any":
    case "object":
      return e;
    case "array":
      return `JsonArray(${e}.map { x${depth} -> ${ktWrite(model, r.items, `x${depth}`, depth + 1)} })`;
    case "map":
      return `JsonObject(${e}.mapValues { (_, x${depth}) -> ${ktWrite(model, r.values, `x${depth}`, depth + 1)} })`;
    case "nullable":
      return `(${e}?.let { x${depth} -> ${ktWrite(model, r.inner, `x${depth}`, depth + 1)} } ?: JsonNull)`;
    case "named":
      return model.byName.get(r.name)?.kind === "enum" ? `JsonPrimitive(${e}.wire)` : `${e}.toJson()`;
  }
}

function nonNull(model: TypeModel, t: TypeRef): TypeRef {
  const r = resolveRef(model, t);
  return r.kind === "nullable" ? r.inner : t;
}

/** A Kotlin string expression for the pointer of static child `wire` under `at`. */
function childAt(wire: string): string {
  return `at + ${kotlinString(`/${pointerToken(wire)}`)}`;
}

function renderClass(model: TypeModel, d: Extract<Decl, { kind: "class" }>): string {
  const props = uniqueNames(
    d.fields.map((f) => f.wire),
    camelName,
    ["unknownFields", "FIELD_NAMES"],
  );
  const lines = [kdoc(d.doc || `${d.name}.`).trimEnd(), `public data class ${d.name}(`];
  for (const f of d.fields) {
    const name = props.get(f.wire) ?? f.wire;
    const type = ktType(f.required ? f.type : nonNull(model, f.type));
    const doc = kdoc(f.doc || `The "${f.wire}" property.`, "    ").trimEnd();
    lines.push(doc, `    @SerialName(${kotlinString(f.wire)}) public val ${name}: ${f.required ? type : `${type}? = null`},`);
  }
  lines.push(
    "    /** Properties the schema does not name, kept through fromJson and toJson. */",
    "    public val unknownFields: JsonObject = JsonObject(emptyMap()),",
    ") {",
  );
  lines.push(`    /** This ${d.name} as a JSON object (unknown properties first, then the schema's, in order). */`);
  lines.push("    public fun toJson(): JsonObject {", "        val out = ContractJson.start(unknownFields, FIELD_NAMES)");
  for (const f of d.fields) {
    const name = props.get(f.wire) ?? f.wire;
    const key = kotlinString(f.wire);
    if (f.required) lines.push(`        out[${key}] = ${ktWrite(model, f.type, `this.${name}`, 1)}`);
    else lines.push(`        this.${name}?.let { it0 -> out[${key}] = ${ktWrite(model, nonNull(model, f.type), "it0", 1)} }`);
  }
  lines.push("        return JsonObject(out)", "    }", "", "    public companion object {");
  lines.push("        /** The property names the schema defines. */");
  lines.push(`        public val FIELD_NAMES: Set<String> = setOf(${d.fields.map((f) => kotlinString(f.wire)).join(", ")})`, "");
  lines.push(`        /** Reads the JSON object at pointer [at]; an [dev.openagentio.acp.InvalidRequestException] names the first defect. */`);
  lines.push(
    `        public fun fromJson(json: JsonElement, at: String = ""): ${d.name} {`,
    "            val o = ContractJson.obj(json, at)",
    `            return ${d.name}(`,
  );
  for (const f of d.fields) {
    const name = props.get(f.wire) ?? f.wire;
    const key = kotlinString(f.wire);
    const read = f.required
      ? ktRead(model, f.type, `ContractJson.required(o, ${key}, at)`, childAt(f.wire), 1)
      : `ContractJson.optional(o, ${key})?.let { e0 -> ${ktRead(model, nonNull(model, f.type), "e0", childAt(f.wire), 1)} }`;
    lines.push(`                ${name} = ${read},`);
  }
  lines.push("                unknownFields = ContractJson.unknown(o, FIELD_NAMES),", "            )", "        }", "    }", "}");
  return lines.join("\n");
}

function renderEnum(d: Extract<Decl, { kind: "enum" }>): string {
  const names = uniqueNames(d.values, constName, ["entries", "wire"]);
  return [
    kdoc(d.doc || `Values of ${d.name}.`).trimEnd(),
    `public enum class ${d.name}(public val wire: String) {`,
    ...d.values.map((v) => `    @SerialName(${kotlinString(v)}) ${names.get(v)}(${kotlinString(v)}),`),
    "    ;",
    "",
    "    public companion object {",
    "        /** The entry whose wire name is [wire], or null. */",
    `        public fun fromWire(wire: String): ${d.name}? = entries.firstOrNull { it.wire == wire }`,
    "",
    "        /** Reads the JSON string at pointer [at]. */",
    `        public fun fromJson(json: JsonElement, at: String = ""): ${d.name} =`,
    `            fromWire(ContractJson.str(json, at)) ?: throw InvalidRequestException(`,
    `                "\${at.ifEmpty { "(root)" }}: expected one of ${d.values.map((v) => kotlinString(v).slice(1, -1)).join(", ")}",`,
    `                details = mapOf("pointer" to at),`,
    "            )",
    "    }",
    "}",
  ].join("\n");
}

/** The Kotlin declaration of `d`. */
export function renderKotlinDecl(model: TypeModel, d: Decl): string {
  switch (d.kind) {
    case "class":
      return renderClass(model, d);
    case "enum":
      return renderEnum(d);
    case "alias":
      return `${kdoc(d.doc || `${d.name}.`).trimEnd()}\npublic typealias ${d.name} = ${ktType(d.type)}`;
  }
}
