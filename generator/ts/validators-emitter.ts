/**
 * Emits ajv standalone validators compiled at generate time: `ts/ajv-standalone.ts` holds
 * ajv's code (ESM, type-checking off) and `ts/validators.ts` the typed entry points.
 * Nothing compiles a schema at run time.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import type { Ir } from "../ir/types.js";
import { generatedHeader, type GeneratedFile } from "../emitter.js";
import { pascalCase } from "./names.js";

/** The ajv options the runtime's decode error rule depends on (see ARCHITECTURE.md). */
export const AJV_OPTIONS = {
  strict: true,
  strictRequired: false,
  allErrors: false,
  verbose: true,
  code: { source: true, esm: true, lines: false, optimize: 1 },
} as const;

function validatorName(title: string): string {
  return `validate${pascalCase(title)}`;
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
  ajv.addVocabulary(["x-expected", "x-context"]);
  for (const doc of ir.payloads) ajv.addSchema(doc.schema, doc.id);
  ajv.addSchema(ir.envelope.schema, ir.envelope.id);
  const exports: Record<string, string> = { validateEnvelope: ir.envelope.id };
  for (const doc of ir.payloads) exports[validatorName(doc.title)] = doc.id;
  const code = standaloneCode.default(ajv, exports);
  const { body, imports } = hoistRuntimeRequires(code);
  const standalone = [
    generatedHeader("//", "schema/ by ajv standalone"),
    "// @ts-nocheck",
    "/* eslint-disable */",
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
    "export const validateEnvelope = standalone.validateEnvelope as unknown as Validator<Envelope>;",
    "",
    "/** Payload validators keyed by standard event type (no prototype: \"constructor\" or \"__proto__\" as an event type finds nothing). */",
    "export const validatePayload: Readonly<Record<string, Validator>> = Object.freeze(Object.assign(Object.create(null) as Record<string, Validator>, {",
    ...ir.eventTypes.map((e) => `  ${JSON.stringify(e.name)}: standalone.${validatorName(e.payload.title)} as unknown as Validator,`),
    "}));",
    "",
  ];
  return [
    { path: "ts/ajv-standalone.ts", content: standalone },
    { path: "ts/validators.ts", content: lines.join("\n") },
  ];
}
