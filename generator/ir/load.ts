/**
 * Loads schema/ (envelope, payloads, catalogues) once into the IR and cross-checks the
 * catalogues against the envelope schema's rules, so the two can never drift apart.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject } from "ajv";
import { errorCodesCatalogSchema, eventTypesCatalogSchema, metadataKeysCatalogSchema, phasesCatalogSchema, subjectsCatalogSchema } from "./catalog-schemas.js";
import { SchemaLoadError, type IrProblem } from "./errors.js";
import { loadA2aIr } from "./a2a.js";
import { buildSchemaModel, type SchemaModel, type SchemaNode } from "./schema-model.js";
import type { EventTypeIr, FieldIr, Ir, Json, JsonSchema, SchemaDoc } from "./types.js";
import { isObject } from "./types.js";

interface Ctx {
  readonly dir: string;
  readonly problems: IrProblem[];
  /** One validator compiler for every catalogue (each new Ajv compiles the 2020 meta-schema again). */
  readonly ajv: Ajv2020;
}

function readJson(ctx: Ctx, file: string): Json | undefined {
  let text: string;
  try {
    text = readFileSync(join(ctx.dir, file), "utf8");
  } catch (err: unknown) {
    ctx.problems.push({ file, pointer: "", message: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
  try {
    return JSON.parse(text) as Json;
  } catch (err: unknown) {
    ctx.problems.push({ file, pointer: "", message: `not JSON: ${(err as Error).message}` });
    return undefined;
  }
}

function describeAjvError(e: ErrorObject): string {
  return `${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""}`;
}

/** Reads a catalogue file and checks it against `shape`; problems go to `ctx`. */
function checkShape<T>(ctx: Ctx, file: string, shape: JsonSchema): T | undefined {
  const value = readJson(ctx, file);
  if (value === undefined) return undefined;
  const validate = ctx.ajv.compile(shape);
  if (validate(value)) return value as T;
  for (const e of validate.errors ?? []) ctx.problems.push({ file, pointer: e.instancePath, message: describeAjvError(e) });
  return undefined;
}

function loadDoc(ctx: Ctx, file: string): SchemaDoc | undefined {
  const schema = readJson(ctx, file);
  if (!isObject(schema)) {
    if (schema !== undefined) ctx.problems.push({ file, pointer: "", message: "a schema must be a JSON object" });
    return undefined;
  }
  const { $id, title, description } = schema;
  if (typeof $id !== "string" || typeof title !== "string") {
    ctx.problems.push({ file, pointer: "", message: "a schema needs a string $id and title (the title names the generated type)" });
    return undefined;
  }
  return { file, id: $id, title, description: typeof description === "string" ? description : "", schema };
}

/** The envelope's top-level fields, read from its node in the schema model. */
function fieldsOf(ctx: Ctx, model: SchemaModel, envelope: SchemaDoc): FieldIr[] {
  const root = model.at(envelope.file);
  if (!root.hasProperties || !root.keywords.includes("required")) {
    ctx.problems.push({ file: envelope.file, pointer: "", message: "envelope needs properties and required" });
    return [];
  }
  return root.properties.map(({ name, node: id }) => {
    const p = model.node(id);
    const t = p.types.length === 1 ? p.types[0] : undefined;
    const jsonType: FieldIr["jsonType"] = t === "string" || t === "integer" || t === "boolean" || t === "object" ? t : "any";
    const field: FieldIr = {
      name,
      required: root.required.includes(name),
      jsonType,
      description: p.description ?? "",
      ...(p.enum !== undefined ? { enumValues: p.enum.map(String) } : {}),
      ...(p.pattern !== undefined ? { pattern: p.pattern } : {}),
      ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
      ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
    };
    return field;
  });
}

const sameList = (a: readonly Json[] | undefined, b: readonly Json[]): boolean => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** The node of property `name` of `node` (through bare `$ref`s), if it declares one. */
function propertyOf(model: SchemaModel, node: SchemaNode, name: string): SchemaNode | undefined {
  const edge = model.target(node).properties.find((p) => p.name === name);
  return edge === undefined ? undefined : model.node(edge.node);
}

/** The `const` of property `name` of `node`, when it has one. */
function constOf(model: SchemaModel, node: SchemaNode | undefined, name: string): Json | undefined {
  return node === undefined ? undefined : propertyOf(model, node, name)?.const?.value;
}

/**
 * Checks the envelope's if/then rules against the catalogues, reading them from the schema
 * model: each rule is matched by its condition (the fields its `if` requires and the event
 * type it selects) and its `then` compared exactly, not as text.
 */
function crossCheck(ctx: Ctx, ir: Omit<Ir, "subjects" | "metadata" | "schemas">, model: SchemaModel): void {
  const file = ir.envelope.file;
  const rules = (model.at(file).allOf ?? []).map((id) => model.node(id));
  const cond = (rule: SchemaNode): SchemaNode | undefined => (rule.if === undefined ? undefined : model.node(rule.if));
  const then = (rule: SchemaNode): SchemaNode | undefined => (rule.then === undefined ? undefined : model.node(rule.then));
  const phaseField = ir.fields.find((f) => f.name === "phase");
  if (
    !sameList(
      phaseField?.enumValues,
      ir.phases.map((p) => p.name),
    )
  ) {
    ctx.problems.push({ file, pointer: "/properties/phase/enum", message: "must list exactly the phases of catalog/phases.json, in order" });
  }
  const terminalTypes = ir.eventTypes.filter((e) => e.terminal).map((e) => e.name);
  const terminalFrames = ir.eventTypes.filter((e) => e.terminal && e.frameType).map((e) => e.frameType as string);
  const finalRule = rules.find((r) => {
    const c = cond(r);
    return c !== undefined && sameList(c.required, ["is_final"]) && constOf(model, c, "is_final") === true;
  });
  const exempt = finalRule && cond(finalRule)?.not !== undefined ? model.node(cond(finalRule)!.not!) : undefined;
  const branches = (exempt?.anyOf ?? []).map((id) => model.node(id));
  const enumOf = (field: string): readonly Json[] | undefined =>
    branches.map((b) => (sameList(b.required, [field]) ? propertyOf(model, b, field)?.enum : undefined)).find((x) => x !== undefined);
  if (
    finalRule === undefined ||
    constOf(model, then(finalRule), "is_final") !== false ||
    branches.length !== 2 ||
    !sameList(enumOf("event_type"), terminalTypes) ||
    !sameList(enumOf("frame_type"), terminalFrames)
  ) {
    ctx.problems.push({
      file,
      pointer: "/allOf",
      message: `the is_final rule must list terminal event types ${JSON.stringify(terminalTypes)} and frame types ${JSON.stringify(terminalFrames)} from catalog/event-types.json`,
    });
  }
  for (const [i, e] of ir.eventTypes.entries()) {
    /** The rule whose `if` requires exactly `needs` and selects this event type. */
    const ruleFor = (needs: readonly string[]): SchemaNode | undefined =>
      rules.find((r) => {
        const c = cond(r);
        return c !== undefined && sameList(c.required, needs) && constOf(model, c, "event_type") === e.name;
      });
    const phaseRule = ruleFor(["event_type", "phase"]);
    const phaseThen = phaseRule && then(phaseRule);
    if (!sameList(phaseThen && propertyOf(model, phaseThen, "phase")?.enum, e.allowedPhases)) {
      ctx.problems.push({
        file,
        pointer: "/allOf",
        message: `needs a rule limiting phase of ${e.name} to ${JSON.stringify(e.allowedPhases)} (catalog/event-types.json#/event_types/${i})`,
      });
    }
    const payloadRoot = model.at(e.payload.file);
    const constrained = payloadRoot.types.length > 0 || payloadRoot.required.length > 0 || payloadRoot.oneOf !== undefined;
    if (constrained) {
      const payloadRule = ruleFor(["event_type"]);
      const payloadThen = payloadRule && then(payloadRule);
      const ref = payloadThen && propertyOf(model, payloadThen, "payload")?.ref;
      if (ref !== payloadRoot.id) {
        ctx.problems.push({ file, pointer: "/allOf", message: `needs a rule applying ${e.payload.file} to the payload of ${e.name}` });
      }
    }
  }
  for (const [i, e] of ir.eventTypes.entries()) {
    for (const p of e.allowedPhases) {
      if (!ir.phases.some((ph) => ph.name === p)) {
        ctx.problems.push({ file: "catalog/event-types.json", pointer: `/event_types/${i}/allowed_phases`, message: `unknown phase "${p}"` });
      }
    }
  }
}

interface RawEventType {
  name: string;
  const: string;
  frame_type: string | null;
  terminal: boolean;
  payload_schema: string;
  allowed_phases: string[];
  extension: boolean;
  description: string;
}
interface RawPhase {
  name: string;
  terminal: boolean;
  a2a_task_state: string;
  a2a_v03_state: string;
  description: string;
}
interface RawError {
  code: string;
  retryable: boolean;
  http_status: number;
  a2a_jsonrpc_code: number;
  extension: boolean;
  description: string;
}
interface RawSubjects {
  default_prefix: string;
  inbox_prefix: string;
  subjects: { name: string; template: string; description: string }[];
  tokens: Record<string, { pattern: string; description: string }>;
}
interface RawMetadata {
  reserved_prefix: string;
  keys: { key: string; type: string; writer: string; description: string }[];
}

/**
 * Reads `schemaDir` (the project's schema/ folder) into an IR.
 * @throws SchemaLoadError listing every problem found.
 */
export function loadIr(schemaDir: string): Ir {
  const ctx: Ctx = { dir: schemaDir, problems: [], ajv: new Ajv2020({ allErrors: true, strict: true }) };
  const envelope = loadDoc(ctx, "envelope.schema.json");
  let payloadFiles: string[] = [];
  try {
    payloadFiles = readdirSync(join(schemaDir, "payloads"))
      .filter((f) => f.endsWith(".schema.json"))
      .sort();
  } catch (err: unknown) {
    ctx.problems.push({ file: "payloads/", pointer: "", message: `cannot list: ${(err as Error).message}` });
  }
  const payloads = payloadFiles.map((f) => loadDoc(ctx, `payloads/${f}`)).filter((d): d is SchemaDoc => d !== undefined);
  const phasesRaw = checkShape<{ phases: RawPhase[] }>(ctx, "catalog/phases.json", phasesCatalogSchema);
  const eventsRaw = checkShape<{ event_types: RawEventType[] }>(ctx, "catalog/event-types.json", eventTypesCatalogSchema);
  const errorsRaw = checkShape<{ error_codes: RawError[] }>(ctx, "catalog/error-codes.json", errorCodesCatalogSchema);
  const subjectsRaw = checkShape<RawSubjects>(ctx, "catalog/subjects.json", subjectsCatalogSchema);
  const metadataRaw = checkShape<RawMetadata>(ctx, "catalog/metadata-keys.json", metadataKeysCatalogSchema);
  if (!envelope || !phasesRaw || !eventsRaw || !errorsRaw || !subjectsRaw || !metadataRaw) throw new SchemaLoadError(ctx.problems);

  const eventTypes: EventTypeIr[] = [];
  for (const [i, e] of eventsRaw.event_types.entries()) {
    const payload = payloads.find((p) => p.file === e.payload_schema);
    if (!payload) {
      ctx.problems.push({ file: "catalog/event-types.json", pointer: `/event_types/${i}/payload_schema`, message: `no schema file ${e.payload_schema}` });
      continue;
    }
    eventTypes.push({
      name: e.name,
      constName: e.const,
      frameType: e.frame_type,
      terminal: e.terminal,
      payload,
      allowedPhases: e.allowed_phases,
      defaultPhase: e.allowed_phases[0] ?? "",
      extension: e.extension,
      description: e.description,
    });
  }
  const built = buildSchemaModel([envelope, ...payloads].map((d) => ({ file: d.file, id: d.id, json: d.schema })));
  ctx.problems.push(...built.problems);
  const base = {
    envelope,
    payloads,
    fields: fieldsOf(ctx, built.model, envelope),
    eventTypes,
    phases: phasesRaw.phases.map((p) => ({
      name: p.name,
      terminal: p.terminal,
      a2aTaskState: p.a2a_task_state,
      a2aV03State: p.a2a_v03_state,
      description: p.description,
    })),
    errorCodes: errorsRaw.error_codes.map((e) => ({
      code: e.code,
      retryable: e.retryable,
      httpStatus: e.http_status,
      a2aJsonRpcCode: e.a2a_jsonrpc_code,
      extension: e.extension,
      description: e.description,
    })),
  };
  crossCheck(ctx, base, built.model);
  for (const [kind, rule] of Object.entries(subjectsRaw.tokens)) {
    try {
      new RegExp(rule.pattern, "u");
    } catch {
      ctx.problems.push({ file: "catalog/subjects.json", pointer: `/tokens/${kind}/pattern`, message: "not a valid regular expression" });
    }
  }
  const a2a = loadA2aIr(schemaDir, base, ctx.problems);
  if (ctx.problems.length > 0) throw new SchemaLoadError(ctx.problems);
  return {
    ...base,
    schemas: built.model,
    ...(a2a ? { a2a } : {}),
    subjects: {
      defaultPrefix: subjectsRaw.default_prefix,
      inboxPrefix: subjectsRaw.inbox_prefix,
      templates: subjectsRaw.subjects,
      tokens: Object.entries(subjectsRaw.tokens).map(([name, r]) => ({ name, pattern: r.pattern, description: r.description })),
    },
    metadata: { reservedPrefix: metadataRaw.reserved_prefix, keys: metadataRaw.keys },
  };
}
