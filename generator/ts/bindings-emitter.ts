/**
 * Emits the typed bindings with ts-morph: constants (as-const objects with derived unions,
 * catalogue tables), the EventMap, and one error class per catalogue code.
 */
import { IndentationText, Project, QuoteKind, VariableDeclarationKind, type SourceFile, type WriterFunction } from "ts-morph";
import type { Ir } from "../ir/types.js";
import { generatedHeader, type GeneratedFile } from "../emitter.js";
import { pascalCase, upperSnake } from "./names.js";

const lit = (v: string | number | boolean | null): string => JSON.stringify(v);

function newFile(project: Project, path: string): SourceFile {
  const file = project.createSourceFile(path, "", { overwrite: true });
  file.insertText(0, `${generatedHeader("//", "schema/catalog/")}\n\n`);
  return file;
}

/** `export const Name = {...} as const;` plus `export type Type = (typeof Name)[keyof typeof Name];`. */
function constObject(file: SourceFile, name: string, typeName: string, doc: string, entries: readonly (readonly [string, string])[]): void {
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [doc],
    declarations: [{ name, initializer: `{\n${entries.map(([k, v]) => `  ${k}: ${lit(v)},`).join("\n")}\n} as const` }],
  });
  file.addTypeAlias({ isExported: true, name: typeName, type: `(typeof ${name})[keyof typeof ${name}]`, docs: [`One of {@link ${name}}.`] });
}

/**
 * Adds the module's `lookupTable` helper: a frozen object without a prototype. Catalogue tables
 * are indexed by wire strings (event types, phases, error codes), and "constructor" or
 * "__proto__" must find nothing (as generated/a2a/tables.ts does).
 */
function addLookupTable(file: SourceFile): void {
  file.addFunction({
    name: "lookupTable",
    typeParameters: ["T extends object"],
    parameters: [{ name: "entries", type: "T" }],
    returnType: "Readonly<T>",
    docs: ['A frozen lookup table without a prototype: indexed by wire strings, "constructor" or "__proto__" find nothing.'],
    statements: ["return Object.freeze(Object.assign(Object.create(null) as T, entries));"],
  });
}

function table(
  file: SourceFile,
  name: string,
  type: string,
  doc: string,
  rows: readonly (readonly [string, Record<string, string | number | boolean | null | readonly string[]>])[],
): void {
  const body: WriterFunction = (w) => {
    w.write("lookupTable({").newLine();
    for (const [key, row] of rows) {
      const fields = Object.entries(row).map(
        ([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.map((x) => lit(x)).join(", ")}]` : lit(v as string | number | boolean | null)}`,
      );
      w.write(`  ${lit(key)}: { ${fields.join(", ")} },`).newLine();
    }
    w.write("})");
  };
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [doc],
    declarations: [{ name, type, initializer: body }],
  });
}

function emitConstants(project: Project, ir: Ir): SourceFile {
  const f = newFile(project, "constants.ts");
  addLookupTable(f);
  const specVersion = ir.fields.find((x) => x.name === "spec_version");
  const spec = String(specVersion?.default?.value ?? "acp/1.0");
  const latest = Number(ir.fields.find((x) => x.name === "schema_version")?.default?.value ?? 2);
  f.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [`spec_version written by this runtime. ${specVersion?.description ?? ""}`.trim()],
    declarations: [{ name: "SPEC_VERSION", initializer: lit(spec) }],
  });
  f.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Latest schema_version this runtime writes (1 is what deployed SDKs send)."],
    declarations: [{ name: "LATEST_SCHEMA_VERSION", initializer: String(latest) }],
  });
  constObject(
    f,
    "EventType",
    "EventTypeName",
    "Standard event types (catalog/event-types.json).",
    ir.eventTypes.map((e) => [e.constName, e.name]),
  );
  constObject(
    f,
    "Phase",
    "PhaseName",
    "Protocol phases (catalog/phases.json).",
    ir.phases.map((p) => [upperSnake(p.name), p.name]),
  );
  constObject(
    f,
    "ErrorCode",
    "ErrorCodeName",
    "Error catalogue codes (catalog/error-codes.json).",
    ir.errorCodes.map((e) => [e.code, e.code]),
  );
  const frames = ir.eventTypes.filter((e) => e.frameType !== null).map((e) => e.frameType as string);
  constObject(
    f,
    "FrameType",
    "FrameTypeName",
    "Frame types of the standard event types.",
    frames.map((fr) => [upperSnake(fr), fr]),
  );
  constObject(
    f,
    "MetadataKey",
    "MetadataKeyName",
    `Metadata keys reserved for the runtime (prefix ${ir.metadata.reservedPrefix}).`,
    ir.metadata.keys.map((k) => [upperSnake(k.key, ir.metadata.reservedPrefix), k.key]),
  );
  f.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Metadata keys with this prefix belong to the runtime and are not inherited by replies."],
    declarations: [{ name: "RESERVED_METADATA_PREFIX", initializer: lit(ir.metadata.reservedPrefix) }],
  });

  f.addInterface({
    isExported: true,
    name: "EventTypeInfo",
    docs: ["Catalogue facts about one standard event type."],
    properties: [
      { name: "name", type: "EventTypeName", isReadonly: true },
      { name: "frameType", type: "FrameTypeName | null", isReadonly: true },
      { name: "terminal", type: "boolean", isReadonly: true, docs: ["Ends its exchange: is_final may be true."] },
      { name: "allowedPhases", type: "readonly PhaseName[]", isReadonly: true },
      { name: "defaultPhase", type: "PhaseName", isReadonly: true, docs: ["The phase the runtime dual-writes (first allowed)."] },
      { name: "extension", type: "boolean", isReadonly: true, docs: ["Not known to deployed v0.2/v0.3 SDKs."] },
      { name: "description", type: "string", isReadonly: true },
    ],
  });
  table(
    f,
    "EVENT_TYPES",
    "Readonly<Record<EventTypeName, EventTypeInfo>>",
    "Every standard event type.",
    ir.eventTypes.map((e) => [
      e.name,
      {
        name: e.name,
        frameType: e.frameType,
        terminal: e.terminal,
        allowedPhases: e.allowedPhases,
        defaultPhase: e.defaultPhase,
        extension: e.extension,
        description: e.description,
      },
    ]),
  );
  f.addInterface({
    isExported: true,
    name: "PhaseInfo",
    docs: ["Catalogue facts about one phase."],
    properties: [
      { name: "name", type: "PhaseName", isReadonly: true },
      { name: "terminal", type: "boolean", isReadonly: true },
      { name: "a2aTaskState", type: "string", isReadonly: true, docs: ["A2A 1.0 TaskState."] },
      { name: "a2aV03State", type: "string", isReadonly: true, docs: ["A2A 0.3 state."] },
      { name: "description", type: "string", isReadonly: true },
    ],
  });
  table(
    f,
    "PHASES",
    "Readonly<Record<PhaseName, PhaseInfo>>",
    "Every phase.",
    ir.phases.map((p) => [
      p.name,
      { name: p.name, terminal: p.terminal, a2aTaskState: p.a2aTaskState, a2aV03State: p.a2aV03State, description: p.description },
    ]),
  );
  f.addInterface({
    isExported: true,
    name: "ErrorCodeInfo",
    docs: ["Catalogue facts about one error code."],
    properties: [
      { name: "code", type: "ErrorCodeName", isReadonly: true },
      { name: "retryable", type: "boolean", isReadonly: true, docs: ["Default of ErrorPayload.retryable."] },
      { name: "httpStatus", type: "number", isReadonly: true },
      { name: "a2aJsonRpcCode", type: "number", isReadonly: true },
      { name: "extension", type: "boolean", isReadonly: true },
      { name: "description", type: "string", isReadonly: true },
    ],
  });
  table(
    f,
    "ERROR_CODES",
    "Readonly<Record<ErrorCodeName, ErrorCodeInfo>>",
    "Every error code.",
    ir.errorCodes.map((e) => [
      e.code,
      { code: e.code, retryable: e.retryable, httpStatus: e.httpStatus, a2aJsonRpcCode: e.a2aJsonRpcCode, extension: e.extension, description: e.description },
    ]),
  );
  f.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Event types that end their exchange."],
    declarations: [
      {
        name: "TERMINAL_EVENT_TYPES",
        type: "ReadonlySet<string>",
        initializer: `new Set([${ir.eventTypes
          .filter((e) => e.terminal)
          .map((e) => lit(e.name))
          .join(", ")}])`,
      },
    ],
  });
  f.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Frame types that end their exchange."],
    declarations: [
      {
        name: "TERMINAL_FRAME_TYPES",
        type: "ReadonlySet<string>",
        initializer: `new Set([${ir.eventTypes
          .filter((e) => e.terminal && e.frameType)
          .map((e) => lit(e.frameType))
          .join(", ")}])`,
      },
    ],
  });
  f.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Phases that end a task."],
    declarations: [
      {
        name: "TERMINAL_PHASES",
        type: "ReadonlySet<string>",
        initializer: `new Set([${ir.phases
          .filter((p) => p.terminal)
          .map((p) => lit(p.name))
          .join(", ")}])`,
      },
    ],
  });
  f.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["NATS subject layout (catalog/subjects.json): `{p}` prefix, `{tenant}`/`{target}` single tokens, `{event_type}` dotted."],
    declarations: [
      {
        name: "SUBJECTS",
        initializer: (w) => {
          w.write("Object.freeze({").newLine();
          w.write(`  defaultPrefix: ${lit(ir.subjects.defaultPrefix)},`).newLine();
          w.write(`  inboxPrefix: ${lit(ir.subjects.inboxPrefix)},`).newLine();
          w.write("  templates: Object.freeze({").newLine();
          for (const t of ir.subjects.templates) w.write(`    ${t.name}: ${lit(t.template)},`).newLine();
          w.write("  }),").newLine();
          w.write("  tokens: Object.freeze({").newLine();
          for (const t of ir.subjects.tokens)
            w.write(`    ${t.name}: Object.freeze({ pattern: new RegExp(${lit(t.pattern)}, "u"), description: ${lit(t.description)} }),`).newLine();
          w.write("  }),").newLine();
          w.write("} as const)");
        },
      },
    ],
  });
  return f;
}

function emitEventMap(project: Project, ir: Ir): SourceFile {
  const f = newFile(project, "event-map.ts");
  const titles = [...new Set(ir.eventTypes.map((e) => e.payload.title))].sort();
  f.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: "./types.js", namedImports: titles });
  f.addInterface({
    isExported: true,
    name: "EventMap",
    docs: ["Payload type of each standard event type."],
    properties: ir.eventTypes.map((e) => ({ name: lit(e.name), type: e.payload.title, docs: [e.description] })),
  });
  f.addTypeAlias({
    isExported: true,
    name: "PayloadOf",
    typeParameters: ["T extends string"],
    type: "T extends keyof EventMap ? EventMap[T] : unknown",
    docs: ["Payload type for an event type: the EventMap entry for standard types, unknown for others."],
  });
  return f;
}

function emitErrors(project: Project, ir: Ir): SourceFile {
  const f = newFile(project, "errors.ts");
  f.addImportDeclaration({ moduleSpecifier: "./constants.js", namedImports: ["ERROR_CODES"] });
  f.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: "./constants.js", namedImports: ["ErrorCodeName"] });
  addLookupTable(f);
  f.addInterface({
    isExported: true,
    name: "AcpErrorOptions",
    docs: ["Optional parts of an AcpError."],
    properties: [
      { name: "retryable", type: "boolean", hasQuestionToken: true, docs: ["Overrides the catalogue default."] },
      { name: "cause", type: "unknown", hasQuestionToken: true },
      { name: "details", type: "Readonly<Record<string, unknown>>", hasQuestionToken: true, docs: ["Facts needed to act (pointer, subject, target, ...)."] },
    ],
  });
  f.addClass({
    isExported: true,
    name: "AcpError",
    extends: "Error",
    docs: ["An error with a catalogue code. `code` may be a code unknown to this runtime when decoded from a peer."],
    properties: [
      { name: "code", type: "ErrorCodeName | (string & {})", isReadonly: true },
      { name: "retryable", type: "boolean", isReadonly: true },
      { name: "details", type: "Readonly<Record<string, unknown>> | undefined", isReadonly: true },
    ],
    ctors: [
      {
        parameters: [
          { name: "code", type: "ErrorCodeName | (string & {})" },
          { name: "message", type: "string" },
          { name: "options", type: "AcpErrorOptions", initializer: "{}" },
        ],
        statements: [
          "super(message, options.cause === undefined ? undefined : { cause: options.cause });",
          'this.name = "AcpError";',
          "this.code = code;",
          "this.retryable = options.retryable ?? (Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCodeName].retryable : false);",
          "this.details = options.details;",
        ],
      },
    ],
    getAccessors: [
      {
        name: "httpStatus",
        returnType: "number",
        docs: ["HTTP status from the catalogue (500 for unknown codes)."],
        statements: ["return Object.hasOwn(ERROR_CODES, this.code) ? ERROR_CODES[this.code as ErrorCodeName].httpStatus : 500;"],
      },
    ],
  });
  for (const e of ir.errorCodes) {
    const cls = `${pascalCase(e.code)}Error`;
    f.addClass({
      isExported: true,
      name: cls,
      extends: "AcpError",
      docs: [`${e.description} (retryable by default: ${e.retryable}; HTTP ${e.httpStatus})`],
      properties: [{ name: "code", type: lit(e.code), isReadonly: true, hasOverrideKeyword: true, initializer: `${lit(e.code)} as const` }],
      ctors: [
        {
          parameters: [
            { name: "message", type: "string" },
            { name: "options", type: "AcpErrorOptions", initializer: "{}" },
          ],
          statements: [`super(${lit(e.code)}, message, options);`, `this.name = ${lit(cls)};`],
        },
      ],
    });
  }
  f.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    declarations: [
      {
        name: "CLASSES",
        type: "Readonly<Record<string, new (message: string, options?: AcpErrorOptions) => AcpError>>",
        initializer: `lookupTable({ ${ir.errorCodes.map((e) => `${e.code}: ${pascalCase(e.code)}Error`).join(", ")} })`,
      },
    ],
  });
  f.addFunction({
    isExported: true,
    name: "errorFromCode",
    docs: ["Builds the typed error class for `code` (a plain AcpError for codes this runtime does not know)."],
    parameters: [
      { name: "code", type: "string" },
      { name: "message", type: "string" },
      { name: "options", type: "AcpErrorOptions", initializer: "{}" },
    ],
    returnType: "AcpError",
    statements: [
      "const Cls = Object.hasOwn(CLASSES, code) ? CLASSES[code] : undefined;",
      "return Cls ? new Cls(message, options) : new AcpError(code, message, options);",
    ],
  });
  return f;
}

/** Emits ts/constants.ts, ts/event-map.ts, ts/errors.ts and ts/index.ts. */
export function emitBindings(ir: Ir): GeneratedFile[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { quoteKind: QuoteKind.Double, indentationText: IndentationText.TwoSpaces },
  });
  const files = [emitConstants(project, ir), emitEventMap(project, ir), emitErrors(project, ir)];
  const index = newFile(project, "index.ts");
  for (const m of ["./types.js", "./constants.js", "./event-map.js", "./errors.js", "./validators.js"]) {
    index.addExportDeclaration({ moduleSpecifier: m });
  }
  files.push(index);
  return files.map((file) => {
    file.formatText({ indentSize: 2, convertTabsToSpaces: true });
    return { path: `ts/${file.getBaseName()}`, content: file.getFullText() };
  });
}
