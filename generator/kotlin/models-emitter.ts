/**
 * Renders the Kotlin data types: `Payloads.kt` (payload data classes, enums, sealed one-of
 * types, the StandardPayload view of an envelope) and `Envelope.kt` (the envelope data class
 * with unknown-field preservation). Each class carries its own codec (`fromJson` / `toJson`)
 * written out explicitly, so absent and null stay distinct and one-of is decided by presence.
 */
import type { FieldIr, Ir } from "../ir/types.js";
import type { KClass, KEnum, KField, KModel, KType } from "./model.js";
import { camelName, constName, kdoc, kotlinString, pascalName, uniqueNames } from "./names.js";
import { wireEnumFooter } from "./wire-enum.js";

const IMPORTS = [
  "import kotlinx.serialization.SerialName",
  "import kotlinx.serialization.json.JsonArray",
  "import kotlinx.serialization.json.JsonElement",
  "import kotlinx.serialization.json.JsonObject",
  "import kotlinx.serialization.json.JsonPrimitive",
];

function typeName(t: KType, m: KModel): string {
  switch (t.kind) {
    case "string":
      return "String";
    case "long":
      return "Long";
    case "double":
      return "Double";
    case "boolean":
      return "Boolean";
    case "json":
      return "JsonElement";
    case "jsonObject":
      return "JsonObject";
    case "jsonArray":
      return "JsonArray";
    case "class":
    case "enum":
      return m.names.get(t.key) ?? t.key;
  }
}

/** Kotlin expression reading JSON expression `v` (already validated) as type `t`. */
function read(t: KType, v: string, m: KModel): string {
  switch (t.kind) {
    case "string":
      return `(${v} as JsonPrimitive).content`;
    case "long":
      return `JsonSupport.number(${v})!!.toLong()`;
    case "double":
      return `JsonSupport.number(${v})!!`;
    case "boolean":
      return `((${v} as JsonPrimitive).content == "true")`;
    case "json":
      return v;
    case "jsonObject":
      return `(${v} as JsonObject)`;
    case "jsonArray":
      return `(${v} as JsonArray)`;
    case "class":
      return `${typeName(t, m)}.fromJson(${v})`;
    case "enum": {
      const n = typeName(t, m);
      return `requireNotNull(${n}.fromWire((${v} as JsonPrimitive).content)) { "not a ${n}" }`;
    }
  }
}

/** Kotlin expression writing Kotlin value `x` of type `t` as a JsonElement. */
function write(t: KType, x: string): string {
  switch (t.kind) {
    case "string":
    case "long":
    case "double":
    case "boolean":
      return `JsonPrimitive(${x})`;
    case "json":
    case "jsonObject":
    case "jsonArray":
      return x;
    case "class":
      return `${x}.toJson()`;
    case "enum":
      return `JsonPrimitive(${x}.wire)`;
  }
}

function param(f: KField, m: KModel, indent: string): string {
  const type = typeName(f.type, m) + (f.required ? "" : "? = null");
  return `${kdoc(f.description, indent)}${indent}@SerialName(${kotlinString(f.wire)}) public val ${f.name}: ${type},`;
}

function readField(f: KField, m: KModel, obj: string): string {
  if (f.required) return `${f.name} = ${read(f.type, `${obj}.getValue(${kotlinString(f.wire)})`, m)},`;
  if (f.type.kind === "json") return `${f.name} = ${obj}[${kotlinString(f.wire)}],`;
  return `${f.name} = ${obj}[${kotlinString(f.wire)}]?.let { v -> ${read(f.type, "v", m)} },`;
}

function writeField(f: KField, target: string): string {
  if (f.required) return `${target}[${kotlinString(f.wire)}] = ${write(f.type, f.name)}`;
  return `${f.name}?.let { ${target}[${kotlinString(f.wire)}] = ${write(f.type, "it")} }`;
}

function renderEnum(e: KEnum, m: KModel): string {
  const name = m.names.get(e.key) ?? e.key;
  return [
    `${kdoc(e.description || `Values of ${name}.`)}public enum class ${name}(public val wire: String) {`,
    ...e.values.map((v) => `    @SerialName(${kotlinString(v.wire)}) ${v.name}(${kotlinString(v.wire)}),`),
    ...wireEnumFooter(name),
  ].join("\n");
}

function renderClass(c: KClass, m: KModel): string {
  const name = m.names.get(c.key) ?? c.key;
  const implement = c.payloadRoot ? " : StandardPayload" : "";
  const override = c.payloadRoot ? "override " : "";
  if (c.wrapper) {
    return [
      `${kdoc(c.description)}public data class ${name}(`,
      "    /** The payload as sent: any JSON value. */",
      "    public val value: JsonElement,",
      `)${implement} {`,
      `    public ${override}fun toJson(): JsonElement = value`,
      "",
      "    public companion object {",
      "        /** Wraps a payload value. */",
      `        public fun fromJson(json: JsonElement): ${name} = ${name}(json)`,
      "    }",
      "}",
      "",
    ].join("\n");
  }
  const lines = [`${kdoc(c.description)}public data class ${name}(`];
  for (const f of c.fields.filter((x) => x.required)) lines.push(param(f, m, "    "));
  if (c.oneOf)
    lines.push(
      `    /** Exactly one of ${c.oneOf.variants.map((v) => v.field.wire).join(", ")}. */`,
      `    public val ${c.oneOf.propName}: ${c.oneOf.typeName},`,
    );
  for (const f of c.fields.filter((x) => !x.required)) lines.push(param(f, m, "    "));
  lines.push(`)${implement} {`);
  if (c.oneOf) {
    const o = c.oneOf;
    lines.push(`    /** ${o.variants.map((v) => v.field.wire).join(" or ")}: which one the payload carries. */`, `    public sealed interface ${o.typeName} {`);
    for (const [i, v] of o.variants.entries()) {
      lines.push(
        ...(i > 0 ? [""] : []),
        `${kdoc(v.field.description, "        ")}        public data class ${v.name}(@SerialName(${kotlinString(v.field.wire)}) public val ${v.field.name}: ${typeName(v.field.type, m)}) : ${o.typeName}`,
      );
    }
    lines.push("    }", "");
  }
  lines.push(
    `    /** This ${name} as a JSON object (fields in schema order). */`,
    `    public ${override}fun toJson(): JsonObject {`,
    "        val out = LinkedHashMap<String, JsonElement>()",
  );
  for (const f of c.fields) lines.push(`        ${writeField(f, "out")}`);
  if (c.oneOf) {
    lines.push(`        when (val x = ${c.oneOf.propName}) {`);
    for (const v of c.oneOf.variants)
      lines.push(`            is ${c.oneOf.typeName}.${v.name} -> out[${kotlinString(v.field.wire)}] = ${write(v.field.type, `x.${v.field.name}`)}`);
    lines.push("        }");
  }
  lines.push(
    "        return JsonObject(out)",
    "    }",
    "",
    "    public companion object {",
    `        /** Reads a [${name}] from JSON that passed [AcpSchema] validation. */`,
    `        public fun fromJson(json: JsonElement): ${name} {`,
    "            val o = json as JsonObject",
  );
  lines.push(`            return ${name}(`);
  for (const f of c.fields) lines.push(`                ${readField(f, m, "o")}`);
  if (c.oneOf) {
    lines.push(`                ${c.oneOf.propName} = when {`);
    for (const v of c.oneOf.variants) {
      lines.push(
        `                    o.containsKey(${kotlinString(v.field.wire)}) -> ${c.oneOf.typeName}.${v.name}(${read(v.field.type, `o.getValue(${kotlinString(v.field.wire)})`, m)})`,
      );
    }
    lines.push(
      `                    else -> throw IllegalArgumentException("${name} needs one of ${c.oneOf.variants.map((v) => v.field.wire).join(", ")}")`,
      "                },",
    );
  }
  lines.push("            )", "        }", "    }", "}", "");
  return lines.join("\n");
}

/** Renders Payloads.kt. */
export function emitPayloadsKotlin(ir: Ir, m: KModel, pkg: string, header: string): string {
  const roots = m.classes.filter((c) => c.payloadRoot);
  const classOfDoc = (file: string): string | undefined => {
    const c = roots.find((r) => r.key === `${file}#`);
    return c ? m.names.get(c.key) : undefined;
  };
  const cases = ir.eventTypes.map((e) => `        ${kotlinString(e.name)} -> ${classOfDoc(e.payload.file)}.fromJson(p)`);
  return [
    header,
    `package ${pkg}`,
    "",
    ...IMPORTS,
    "",
    "/** A typed payload of a standard event type (a view: the envelope keeps the payload JSON as sent, unknown fields included). */",
    "public sealed interface StandardPayload {",
    "    /** The payload as JSON. */",
    "    public fun toJson(): JsonElement",
    "}",
    "",
    "/** The typed payload of a standard event type, or null for other event types and an absent payload. Expects a validated envelope. */",
    "public fun Envelope.standardPayload(): StandardPayload? {",
    "    val p = payload ?: return null",
    "    return when (eventType) {",
    ...cases,
    "        else -> null",
    "    }",
    "}",
    "",
    ...m.enums.map((e) => renderEnum(e, m)),
    ...m.classes.map((c) => renderClass(c, m)),
  ].join("\n");
}

function envelopeType(f: FieldIr, ir: Ir): { type: string; read: (v: string) => string; write: (x: string) => string } {
  const isPhase = f.enumValues !== undefined && f.enumValues.join("\u0000") === ir.phases.map((p) => p.name).join("\u0000");
  if (isPhase)
    return { type: "Phase", read: (v) => `requireNotNull(Phase.fromWire((${v} as JsonPrimitive).content))`, write: (x) => `JsonPrimitive(${x}.wire)` };
  if (f.enumValues) {
    const n = `Envelope${pascalName(f.name)}`;
    return { type: n, read: (v) => `requireNotNull(${n}.fromWire((${v} as JsonPrimitive).content))`, write: (x) => `JsonPrimitive(${x}.wire)` };
  }
  switch (f.jsonType) {
    case "string":
      return { type: "String", read: (v) => `(${v} as JsonPrimitive).content`, write: (x) => `JsonPrimitive(${x})` };
    case "integer":
      return { type: "Long", read: (v) => `JsonSupport.number(${v})!!.toLong()`, write: (x) => `JsonPrimitive(${x})` };
    case "boolean":
      return { type: "Boolean", read: (v) => `((${v} as JsonPrimitive).content == "true")`, write: (x) => `JsonPrimitive(${x})` };
    case "object":
      return { type: "JsonObject", read: (v) => `(${v} as JsonObject)`, write: (x) => x };
    case "any":
      return { type: "JsonElement", read: (v) => v, write: (x) => x };
  }
}

/** Renders Envelope.kt. */
/** The Kotlin property name of each envelope field (wire name -> name), as `Envelope` declares them. */
export function envelopePropertyNames(ir: Ir): Map<string, string> {
  return uniqueNames(
    ir.fields.map((f) => f.name),
    camelName,
    ["unknownFields", "toJson", "fromJson", "copy", "FIELD_NAMES", "Companion"],
  );
}

export function emitEnvelopeKotlin(ir: Ir, pkg: string, header: string): string {
  const names = envelopePropertyNames(ir);
  const cols = ir.fields.map((f) => ({ f, t: envelopeType(f, ir), n: names.get(f.name) ?? f.name, key: kotlinString(f.name) }));
  const lines = [header, `package ${pkg}`, "", ...IMPORTS, ""];
  for (const {
    f,
    t: { type: n },
  } of cols) {
    if (!f.enumValues || n === "Phase") continue;
    const entries = uniqueNames(f.enumValues, constName);
    lines.push(`${kdoc(f.description || `Values of ${f.name}.`)}public enum class ${n}(public val wire: String) {`);
    for (const v of f.enumValues) lines.push(`    @SerialName(${kotlinString(v)}) ${entries.get(v)}(${kotlinString(v)}),`);
    lines.push(
      "    ;",
      "",
      "    public companion object {",
      "        /** The entry whose wire name is [wire], or null. */",
      `        public fun fromWire(wire: String): ${n}? = entries.firstOrNull { it.wire == wire }`,
      "    }",
      "}",
      "",
    );
  }
  lines.push(
    `${kdoc(`${ir.envelope.description}\n\nOptional fields are null when absent; for [payload], JsonNull is an explicit null. Decode and encode with [Acp].`)}public data class Envelope(`,
  );
  for (const { f, t, n, key } of cols) {
    const def = f.default?.value;
    const defaultValue = f.required && typeof def === "string" ? kotlinString(def) : f.required && typeof def === "number" ? `${def}L` : undefined;
    const suffix = f.required ? (defaultValue !== undefined ? ` = ${defaultValue}` : "") : "? = null";
    lines.push(`${kdoc(f.description, "    ")}    @SerialName(${key}) public val ${n}: ${t.type}${suffix},`);
  }
  lines.push(
    "    /** Top-level fields this schema does not define, in arrival order; encode writes them back. */",
    "    public val unknownFields: JsonObject = JsonObject(emptyMap()),",
    ") {",
    "    /** This envelope as a JSON object: known fields in schema order, then [unknownFields]. */",
    "    public fun toJson(): JsonObject {",
    "        val out = LinkedHashMap<String, JsonElement>()",
  );
  for (const { f, t, n, key } of cols) {
    lines.push(f.required ? `        out[${key}] = ${t.write(n)}` : `        ${n}?.let { out[${key}] = ${t.write("it")} }`);
  }
  lines.push(
    "        for ((k, v) in unknownFields) if (k !in FIELD_NAMES) out[k] = v",
    "        return JsonObject(out)",
    "    }",
    "",
    "    public companion object {",
    "        /** Wire names of the fields this schema defines, in schema order. */",
    `        public val FIELD_NAMES: Set<String> = linkedSetOf(${cols.map((c) => c.key).join(", ")})`,
    "",
    "        /** Reads an envelope from a JSON object that passed [AcpSchema.validateEnvelope]. */",
    "        public fun fromJson(json: JsonObject): Envelope = Envelope(",
  );
  for (const { f, t, n, key } of cols) {
    lines.push(
      f.required
        ? `            ${n} = ${t.read(`json.getValue(${key})`)},`
        : f.jsonType === "any" && !f.enumValues
          ? `            ${n} = json[${key}],`
          : `            ${n} = json[${key}]?.let { v -> ${t.read("v")} },`,
    );
  }
  lines.push("            unknownFields = JsonObject(json.filterKeys { it !in FIELD_NAMES }),", "        )", "    }", "}", "");
  return lines.join("\n");
}
