/**
 * The view model every Python template renders from: catalogue constants, error classes,
 * models, compiled validators, subject builders and the package's export list, all derived
 * from the IR with Python names. Pure: the same IR gives the same view.
 */
import type { Ir } from "../ir/types.js";
import { SchemaLoadError } from "../ir/errors.js";
import { runtimeFacts } from "../ir/runtime-facts.js";
import { ModelBuilder } from "./models.js";
import { PYTHON_KEYWORDS, Scope, pascalCase, snakeCase, upperSnake } from "./names.js";
import { toPythonPattern } from "./regex.js";
import { CheckCompiler } from "./checks.js";
import { ValidatorCompiler, pyLiteral, type ValidatorEntry } from "./validator.js";

/** Versions pinned in pyproject.toml (the `dev` extra and the build backend). */
export const PYTHON_TOOL_VERSIONS = { pytest: "9.2.0", mypy: "2.4.1", ruff: "0.17.6", hatchling: "1.33.0" } as const;

/** Version of the generated package. */
export const PYTHON_PACKAGE_VERSION = "0.1.0";

/**
 * Envelope fields the runtime's `wire.base` makes itself, valid by construction (the
 * catalogue's spec version, a UUIDv7, the clock in RFC 3339): `_checks.is_built_envelope`
 * leaves them untested for what the bus sends (tests/test_bus_checks.py holds it to the
 * validator on everything the bus builds).
 */
const BUILT_FIELDS = ["spec_version", "event_id", "occurred_at"];

/** Names the package defines itself; generated classes must not take them. */
const PACKAGE_NAMES = [
  "EventType",
  "FrameType",
  "Phase",
  "ErrorCode",
  "MetadataKey",
  "AcpError",
  "CatalogueError",
  "EnvelopeDecodeError",
  "SchemaDefect",
  "StreamAssembler",
  "Bus",
  "Subscription",
  "StreamWriter",
  "PayloadModel",
  "EventTypeInfo",
  "PhaseInfo",
  "ErrorInfo",
  "Mapping",
  "MappingProxyType",
  "Final",
  "TypeAlias",
  "StrEnum",
  "Input",
];

function named<T extends { readonly name: string }>(values: readonly T[], nameOf: (v: T) => string, prefix = ""): { name: string; value: string }[] {
  const scope = new Scope(["name", "value"]);
  return values.map((v) => ({ name: scope.claim(upperSnake(nameOf(v), prefix)), value: v.name }));
}

function subjectView(ir: Ir): { funcName: string; params: string; body: string; doc: string }[] {
  const tokenKinds = new Set(ir.subjects.tokens.map((t) => t.name));
  const funcs = new Scope(["check_token"]);
  return ir.subjects.templates.map((t) => {
    const params = new Scope(["prefix"]);
    const args: string[] = [];
    const parts: string[] = [];
    for (const piece of t.template.split(/(\{[^{}]+\})/u).filter((x) => x !== "")) {
      const m = /^\{([^{}]+)\}$/u.exec(piece);
      if (!m) {
        parts.push(JSON.stringify(piece));
        continue;
      }
      const raw = m[1]!;
      const kind = raw === "p" ? "prefix" : raw;
      const param = raw === "p" ? "prefix" : params.claim(snakeCase(raw));
      if (raw !== "p") args.push(`${param}: str`);
      parts.push(tokenKinds.has(kind) ? `check_token(${pyLiteral(kind)}, ${param})` : param);
    }
    return {
      funcName: funcs.claim(`${snakeCase(t.name).replace(/_$/u, "")}_subject`),
      params: [...args, "*", `prefix: str = DEFAULT_PREFIX`].join(", "),
      body: `(\n        ${parts.join("\n        + ")}\n    )`,
      doc: `${t.description} Template: ${t.template}`,
    };
  });
}

/** The boolean check answering for validator `validate_x`: `is_x`. */
const checkName = (validator: string): string => validator.replace(/^validate_/u, "is_");

/** Builds the whole view. */
/** The trace context fields the runtime's W3C handling reads by name (context.child_trace, otel.py). */
const TRACE_FIELDS = ["trace_id", "span_id", "traceparent"] as const;

/**
 * The runtime's context fields (`Context`, `context_of`, `wire.CONTEXT_FIELDS`), from the
 * envelope schema's `"x-context"` annotations (generator/ir/runtime-facts.ts), in schema order,
 * each with the Envelope model's attribute name.
 * @throws SchemaLoadError when the `"trace"` fields are not exactly trace_id, span_id, traceparent.
 */
function contextFieldsView(ir: Ir, envelopeFields: readonly { wire: string; attr: string }[]): { wire: string; attr: string; about: string }[] {
  const facts = runtimeFacts(ir).contextFields;
  const trace = facts.filter((f) => f.kind === "trace").map((f) => f.name);
  if (trace.length !== TRACE_FIELDS.length || TRACE_FIELDS.some((n) => !trace.includes(n))) {
    throw new SchemaLoadError([
      {
        file: ir.envelope.file,
        pointer: "/properties",
        message: `the "x-context": "trace" fields must be ${TRACE_FIELDS.join(", ")} (the W3C trace context the runtimes propagate), not ${trace.join(", ") || "none"}`,
      },
    ]);
  }
  return facts.map((f) => ({ wire: f.name, attr: envelopeFields.find((e) => e.wire === f.name)?.attr ?? f.name, about: f.description }));
}

/** The view of every template; `runtime`: the bus runtime is emitted too (its context facts are computed only then). */
export function buildView(ir: Ir, runtime = true): Record<string, unknown> {
  const builder = new ModelBuilder(ir.schemas, PACKAGE_NAMES);
  builder.knownEnum(
    "Phase",
    ir.phases.map((p) => p.name),
  );
  const envelopeClass = builder.addDocument(ir.envelope, "Envelope");
  const payloadClass = new Map(ir.payloads.map((doc) => [doc.file, builder.addDocument(doc)]));

  const entries: ValidatorEntry[] = [
    ...builder.models.map((m) => ({ name: m.validator, node: m.node, doc: `Validates a ${m.className} value.` })),
    ...builder.aliases.map((a) => ({ name: a.validator, node: a.node, doc: `Validates a ${a.name} value.` })),
  ];
  const compiled = new ValidatorCompiler(ir.schemas).compile(entries);
  const envelopeEntry = entries.find((e) => e.node.id === ir.schemas.at(ir.envelope.file).id);
  const built = BUILT_FIELDS.filter((f) => envelopeEntry?.node.properties.some((p) => p.name === f));
  const checks = new CheckCompiler(ir.schemas).compile(
    [
      ...entries.map((e) => ({ name: checkName(e.name), node: e.node, validator: e.name })),
      ...(envelopeEntry === undefined || built.length === 0
        ? []
        : [{ name: "is_built_envelope", node: envelopeEntry.node, validator: envelopeEntry.name, trusted: built }]),
    ],
    ir.eventTypes.map((e) => ir.schemas.at(e.payload.file).id),
  );

  const modelNames = new Set(builder.models.map((m) => m.className));
  const payloadTypes = ir.eventTypes
    .map((e) => ({ event: e.name, className: payloadClass.get(e.payload.file) ?? "" }))
    .filter((p) => modelNames.has(p.className));
  const payloadUnion = [...new Set(payloadTypes.map((p) => p.className))];

  const eventTypes = ir.eventTypes.map((e) => ({
    name: e.constName,
    value: e.name,
    doc: e.description,
    frameType: e.frameType,
    terminal: e.terminal,
    extension: e.extension,
    allowedPhasesTuple: `(${e.allowedPhases.map((p) => `Phase.${upperSnake(p)}`).join(", ")}${e.allowedPhases.length === 1 ? "," : ""})`,
    defaultPhase: upperSnake(e.defaultPhase),
  }));
  for (const e of eventTypes) if (PYTHON_KEYWORDS.has(e.name)) throw new Error(`event type const ${e.name} is a Python keyword`);
  const frameTypeValues = [...new Set(ir.eventTypes.flatMap((e) => (e.frameType === null ? [] : [e.frameType])))];
  const frameTypes = named(
    frameTypeValues.map((name) => ({ name })),
    (f) => f.name,
  );
  const phases = named(ir.phases, (p) => p.name).map((n, i) => ({ ...n, ...phaseRow(ir, i) }));
  const errorCodes = named(
    ir.errorCodes.map((e) => ({ name: e.code })),
    (e) => e.name,
  ).map((n, i) => ({ ...n, ...errorRow(ir, i) }));
  const metadataKeys = named(
    ir.metadata.keys.map((k) => ({ name: k.key, doc: k.description })),
    (k) => k.name,
    ir.metadata.reservedPrefix,
  ).map((n, i) => ({ ...n, doc: ir.metadata.keys[i]!.description }));

  const subjects = subjectView(ir);
  const specField = ir.fields.find((f) => f.name === "spec_version");
  const schemaField = ir.fields.find((f) => f.name === "schema_version");
  const fields = builder.models.flatMap((m) => m.fields);
  const used = (name: string): boolean => fields.some((f) => new RegExp(`\\b${name}\\b`, "u").test(`${f.read} ${f.annotation}`));
  const jsonImports = [
    "ABSENT",
    "Absent",
    "JsonObject",
    "JsonValue",
    "as_bool",
    "as_float",
    "as_int",
    "as_list",
    "as_object",
    "as_str",
    "enum_reader",
    "opt",
  ].filter((n) => ["JsonObject", "JsonValue", "as_object", "Absent"].includes(n) || used(n));
  const validatorImports = builder.models.map((m) => m.validator).sort();
  const exportsByModule: Record<string, string[]> = {
    _json: ["ABSENT", "Absent", "JsonObject", "JsonValue"],
    _validators: ["SchemaDefect", ...validatorImports, ...builder.aliases.map((a) => a.validator)],
    bus: ["Bus", "EventHandler", "InvokeHandler", "StreamHandler", "StreamWriter", "Subscription"],
    canonical: ["canonical_bytes", "canonicalize", "format_number"],
    codec: ["DEFAULT_MAX_BYTES", "decode", "encode", "encode_canonical", "parse_json", "try_decode", "validate"],
    constants: [
      "ERROR_CATALOGUE",
      "EVENT_TYPES",
      "LATEST_SCHEMA_VERSION",
      "PHASES",
      "SPEC_VERSION",
      "TERMINAL_EVENT_TYPES",
      "TERMINAL_FRAME_TYPES",
      "TERMINAL_PHASES",
      "ErrorCode",
      "ErrorInfo",
      "EventType",
      "EventTypeInfo",
      "FrameType",
      "MetadataKey",
      "Phase",
      "PhaseInfo",
    ],
    errors: ["AcpError", "CatalogueError", "ERROR_CLASSES", "EnvelopeDecodeError", "error_for", ...errorCodes.map((e) => e.className)],
    models: [
      "PAYLOAD_TYPES",
      "PayloadModel",
      "decode_payload",
      ...builder.enums.map((e) => e.className),
      ...builder.aliases.map((a) => a.name),
      ...builder.models.map((m) => m.className),
    ],
    phase: ["effective_phase", "is_terminal"],
    streams: ["DEFAULT_MAX_GAP", "DEFAULT_MAX_PENDING", "StreamAssembler", "is_delta", "is_error", "response_result"],
    subjects: ["DEFAULT_PREFIX", "INBOX_PREFIX", "SUBJECT_TEMPLATES", "TOKEN_PATTERNS", "check_token", ...subjects.map((f) => f.funcName)],
  };
  const isortKey = (n: string): [number, string] => [/^[A-Z0-9_]+$/u.test(n) ? 0 : /^[A-Z]/u.test(n) ? 1 : 2, n];
  const sortNames = (names: string[]): string[] =>
    [...new Set(names)].sort((a, b) => {
      const [ka, na] = isortKey(a);
      const [kb, nb] = isortKey(b);
      return ka !== kb ? ka - kb : na < nb ? -1 : na > nb ? 1 : 0;
    });

  return {
    from: "schema/",
    contextFields: runtime ? contextFieldsView(ir, builder.models.find((m) => m.className === envelopeClass)?.fields ?? []) : [],
    packageVersion: PYTHON_PACKAGE_VERSION,
    versions: PYTHON_TOOL_VERSIONS,
    specVersion: String(specField?.default?.value ?? "acp/1.0"),
    specVersionDoc: specField?.description ?? "",
    latestSchemaVersion: Number(schemaField?.default?.value ?? 2),
    eventTypes,
    terminalEventTypes: ir.eventTypes.filter((e) => e.terminal).map((e) => e.constName),
    frameTypes,
    terminalFrameTypes: frameTypes.filter((f) => ir.eventTypes.some((e) => e.terminal && e.frameType === f.value)).map((f) => f.name),
    phases,
    terminalPhases: phases.filter((p) => p.terminal).map((p) => p.name),
    errorCodes,
    metadataKeys,
    metadataPrefix: ir.metadata.reservedPrefix,
    defaultPrefix: ir.subjects.defaultPrefix,
    inboxPrefix: ir.subjects.inboxPrefix,
    templates: ir.subjects.templates.map((t, i) => ({ ...t, ...subjects[i]! })),
    tokens: ir.subjects.tokens.map((t) => ({ name: t.name, pattern: toPythonPattern(t.pattern) })),
    subjects: ir.subjects.templates.map((t) => ({ template: t.template, description: t.description })),
    frames: ir.eventTypes.map((e) => ({ event: e.name, frame: e.frameType ?? "(none)", terminal: e.terminal })),
    enums: builder.enums,
    aliases: builder.aliases,
    models: builder.models.map((m) => ({
      ...m,
      check: checkName(m.validator),
      wireNames: pySet(
        m.fields.map((f) => f.wire),
        4,
      ),
    })),
    envelopeClass,
    payloadTypes,
    payloadUnion: payloadUnion.length === 0 ? "JsonObject" : `(\n    ${payloadUnion.join("\n    | ")}\n)`,
    jsonImports,
    validatorImports,
    checkImports: validatorImports.map(checkName),
    constantsImports: fields.some((f) => /\bPhase\b/u.test(f.annotation)) ? ["Phase"] : [],
    constants: compiled.constants,
    functions: compiled.functions,
    checks: {
      constants: checks.constants,
      functions: checks.functions,
      jsonImports: ["JsonValue", ...checks.uses].sort(),
      usesRe: checks.usesRe,
      payloads: ir.eventTypes.map((e) => ({ event: e.name, check: checks.byNode.get(ir.schemas.at(e.payload.file).id)! })),
    },
    imports: Object.entries(exportsByModule).map(([module, names]) => ({ module, names: sortNames(names) })),
    allNames: sortNames(Object.values(exportsByModule).flat()),
  };
}

/** `{"a", "b"}`, or one item per line when that would pass the line length. */
function pySet(values: readonly string[], indent: number): string {
  const oneLine = `{${values.map((v) => pyLiteral(v)).join(", ")}}`;
  if (indent + 60 + oneLine.length <= 100) return oneLine;
  const pad = " ".repeat(indent + 4);
  return `{\n${values.map((v) => `${pad}${pyLiteral(v)},`).join("\n")}\n${" ".repeat(indent)}}`;
}

function phaseRow(ir: Ir, i: number): { doc: string; terminal: boolean; a2aTaskState: string; a2aV03State: string } {
  const p = ir.phases[i]!;
  return { doc: p.description, terminal: p.terminal, a2aTaskState: p.a2aTaskState, a2aV03State: p.a2aV03State };
}

function errorRow(
  ir: Ir,
  i: number,
): { doc: string; className: string; classDoc: string; retryable: boolean; httpStatus: number; a2aJsonRpcCode: number; extension: boolean } {
  const e = ir.errorCodes[i]!;
  return {
    doc: e.description,
    className: pascalCase(`${e.code}_ERROR`),
    classDoc: `${e.description} (retryable by default: ${e.retryable ? "True" : "False"}; HTTP ${e.httpStatus})`,
    retryable: e.retryable,
    httpStatus: e.httpStatus,
    a2aJsonRpcCode: e.a2aJsonRpcCode,
    extension: e.extension,
  };
}
