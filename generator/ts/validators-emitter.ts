/**
 * Emits ajv standalone validators compiled at generate time: `ts/ajv-standalone.ts` holds
 * ajv's code (ESM, type-checking off) and `ts/validators.ts` the typed entry points.
 * Nothing compiles a schema at run time.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import type { Ir } from "../ir/types.js";
import { MODEL_EXTENSIONS } from "../ir/keywords.js";
import { generatedHeader, type GeneratedFile } from "../emitter.js";
import { safeIdentifier } from "./names.js";

/** The ajv options the runtime's decode error rule depends on (see ARCHITECTURE.md). */
export const AJV_OPTIONS = {
  strict: true,
  strictRequired: false,
  allErrors: false,
  verbose: true,
  // lines: one statement per line, so the generated validator reads (and diffs) like code.
  code: { source: true, esm: true, lines: true, optimize: 1 },
} as const;

/** `ToolCallPayload` → `validateToolCallPayload` (the title's humps kept, as a person would write it). */
function validatorName(title: string): string {
  const words = title.split(/[^A-Za-z0-9]+/u).filter((w) => w.length > 0);
  return `validate${safeIdentifier(words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(""))}`;
}

/**
 * ajv's standalone output reaches its runtime helpers (e.g. `ucs2length` for `minLength`)
 * with CommonJS `require("ajv/dist/runtime/…")` even in ESM mode. Give the module a
 * `require` from `createRequire`, which resolves the same CommonJS module under Node and
 * under bundlers' ESM interop alike (a default import would not: interop differs).
 */
export function hoistRuntimeRequires(code: string): { body: string; imports: string[] } {
  const body = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/giu, (_m, mod: string) => `require("${mod}.js")`);
  const others = body.replace(/require\("ajv\/dist\/runtime\/[a-z0-9]+\.js"\)/giu, "");
  if (/\brequire\(/u.test(others)) {
    throw new Error("ajv standalone output needs a require() that is not an ajv runtime helper");
  }
  const imports = body === others ? [] : ['import { createRequire } from "node:module";', "const require = createRequire(import.meta.url);"];
  return { body, imports };
}

/** Emits ts/ajv-standalone.ts and ts/validators.ts. */
export function emitValidators(ir: Ir): GeneratedFile[] {
  const ajv = new Ajv2020(AJV_OPTIONS);
  ajv.addVocabulary([...MODEL_EXTENSIONS]);
  for (const doc of ir.payloads) ajv.addSchema(doc.schema, doc.id);
  ajv.addSchema(ir.envelope.schema, ir.envelope.id);
  const exports: Record<string, string> = { validateEnvelope: ir.envelope.id };
  for (const doc of ir.payloads) exports[validatorName(doc.title)] = doc.id;
  const code = standaloneCode.default(ajv, exports);
  const { body: raw, imports } = hoistRuntimeRequires(code);
  // Give each export its validator type here, where ajv's untyped code is, so ts/validators.ts
  // needs no casts. The names come from `exports` above: the envelope's, then one per payload.
  const typed = Object.keys(exports).map((name) => {
    const type = name === "validateEnvelope" ? "Validator<Envelope>" : "Validator";
    return [name, type] as const;
  });
  let body = raw;
  for (const [name, type] of typed) {
    const before = body;
    body = body.replace(new RegExp(`export const ${name} = `, "u"), `export const ${name}: ${type} = `);
    if (body === before) throw new Error(`ajv standalone output has no export ${name}`);
  }
  const standalone = [
    generatedHeader("//", "schema/ by ajv standalone"),
    "// @ts-nocheck",
    "/* eslint-disable */",
    'import type { Validator } from "./validators.js";',
    'import type { Envelope } from "./types.js";',
    ...imports,
    body.replace(/^"use strict";/u, ""),
    "",
  ].join("\n");

  const lines: string[] = [
    generatedHeader("//", "schema/"),
    'import type { ErrorObject } from "ajv";',
    'import * as standalone from "./ajv-standalone.js";',
    'import type { Envelope } from "./types.js";',
    "",
    "/** A compiled validator: returns true when valid, else sets `errors` (ajv error objects, verbose: they carry `parentSchema`). */",
    "export interface Validator<T = unknown> {",
    "  (data: unknown): data is T;",
    "  errors?: ErrorObject[] | null;",
    "}",
    "",
    "/** Validates a whole envelope, including per-event-type payload rules. */",
    "export const validateEnvelope: Validator<Envelope> = standalone.validateEnvelope;",
    "",
    '/** Payload validators keyed by standard event type (no prototype: "constructor" or "__proto__" as an event type finds nothing). */',
    "export const validatePayload: Readonly<Record<string, Validator>> = Object.freeze(Object.assign(Object.create(null) as Record<string, Validator>, {",
    ...ir.eventTypes.map((e) => `  ${JSON.stringify(e.name)}: standalone.${validatorName(e.payload.title)},`),
    "}));",
    "",
  ];
  return [
    { path: "ts/ajv-standalone.ts", content: standalone },
    { path: "ts/validators.ts", content: lines.join("\n") },
  ];
}
