/**
 * Renders the runtime facts (generator/ir/runtime-facts.ts) as generated/ts/envelope-facts.ts:
 * field lists, the ContextFields type, and the copies and checks the bus runs per message,
 * written out field by field (a loop over the names costs ~7x more: megamorphic loads
 * and stores; bench/envelope-facts.ts), so the runtime keeps its hand-unrolled speed without a hand-kept copy.
 */
import { generatedHeader, type Emitter, type GeneratedFile } from "../emitter.js";
import { runtimeFacts, type PlainFieldFact, type RuntimeFacts } from "../ir/runtime-facts.js";
import type { Ir } from "../ir/types.js";
import { docBlock } from "../render/code-writer.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `obj.name`, or `obj["name"]` when the name is no identifier. */
function access(obj: string, name: string): string {
  return IDENTIFIER.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
}

function list(names: readonly string[]): string {
  return `[${names.map((n) => JSON.stringify(n)).join(", ")}]`;
}

function doc(text: string, indent = ""): string {
  return docBlock([text.replaceAll("*/", "*\\/")], indent);
}

/** Statements copying each field of `names` from `from` to `to` when `test(v)` holds. */
function copies(names: readonly string[], test: (v: string) => string): string[] {
  return names.flatMap((n, i) => [`  ${i === 0 ? "let v: unknown = " : "v = "}${access("from", n)};`, `  if (${test("v")}) ${access("to", n)} = v;`]);
}

/** The statement rejecting `doc` when `field` breaks its plain rule; none for "any" optional fields. */
function check(field: PlainFieldFact): string[] {
  const v = access("doc", field.name);
  const bad: Record<PlainFieldFact["check"], string> = {
    string: `typeof v !== "string"`,
    "non-empty string": `typeof v !== "string" || v === ""`,
    boolean: `typeof v !== "boolean"`,
    object: `v === null || typeof v !== "object" || Array.isArray(v)`,
    any: `v === undefined`,
  };
  if (field.check === "any" && !field.required) return [];
  const rule = bad[field.check];
  const test = field.required || field.check === "any" ? rule : `v !== undefined && ${rule.includes("||") ? `(${rule})` : rule}`;
  return [`  v = ${v};`, `  if (${test}) return false;`];
}

/** The module text for `facts`. */
export function renderRuntimeFacts(facts: RuntimeFacts, from: string): string {
  const context = facts.contextFields.map((f) => f.name);
  const copyKind = facts.contextFields.filter((f) => f.kind === "copy").map((f) => f.name);
  const checks = facts.plainFields.flatMap(check);
  const lines = [
    generatedHeader("//", from),
    "/**",
    ' * Envelope facts the runtime runs per message (spec/envelope.md "Generated runtime facts"):',
    " * the context fields and the plain field rules of the envelope schema. Copies",
    " * and checks are written out field by field: a loop over the names costs ~7x more (bench/envelope-facts.ts).",
    " */",
    `import type { Envelope } from "./types.js";`,
    "",
    doc('Context fields (`"x-context"`), in schema order: what a reply copies from its request.'),
    `export const CONTEXT_FIELDS = ${list(context)} as const;`,
    "",
    doc("One of {@link CONTEXT_FIELDS}."),
    "export type ContextFieldName = (typeof CONTEXT_FIELDS)[number];",
    "",
    doc("Envelope context fields (snake_case, as on the wire)."),
    "export interface ContextFields {",
    ...facts.contextFields.flatMap((f) => [
      ...(f.description ? [doc(f.description, "  ")] : []),
      `  ${IDENTIFIER.test(f.name) ? f.name : JSON.stringify(f.name)}?: string;`,
    ]),
    "}",
    "",
    doc("Anything that may carry context fields: an envelope, a {@link ContextFields}, a parsed JSON object."),
    "export type ContextSource = { readonly [K in ContextFieldName]?: unknown };",
    "",
    doc("Copies each context field of `from` that is a string onto `to`, in {@link CONTEXT_FIELDS} order."),
    "export function copyContext(from: ContextSource, to: ContextFields): void {",
    ...copies(context, (v) => `typeof ${v} === "string"`),
    "}",
    "",
    doc(`{@link copyContext} of the \`"x-context": "copy"\` fields only (${copyKind.join(", ")}): the trace context is left out.`),
    "export function copyContextExceptTrace(from: ContextSource, to: ContextFields): void {",
    ...copies(copyKind, (v) => `typeof ${v} === "string"`),
    "}",
    "",
    doc("Sets each context field of `from` that is not undefined onto `to` (explicit values win)."),
    "export function assignContext(from: Readonly<ContextFields>, to: ContextFields): void {",
    ...copies(context, (v) => `${v} !== undefined`).map((l) => l.replace("let v: unknown = ", "let v: string | undefined = ")),
    "}",
    "",
    doc("True when `from` carries a context field that is a string."),
    "export function hasContext(from: ContextSource): boolean {",
    `  return ${context.length === 0 ? "false" : context.map((n) => `typeof ${access("from", n)} === "string"`).join(" ||\n    ")};`,
    "}",
    "",
    doc("Fields whose schema rules are plain ({@link plainFieldsValid} checks them all)."),
    `export const PLAIN_FIELDS = ${list(facts.plainFields.map((f) => f.name))} as const;`,
    "",
    doc("Fields with other rules (pattern, enum, integer range): only validateEnvelope checks them, so a writer that skips it must build them itself."),
    `export const OTHER_FIELDS = ${list(facts.otherFields)} as const;`,
    "",
    doc(
      "True when the envelope schema's own rule of every {@link PLAIN_FIELDS} field holds for `doc`; its `allOf` rules (is_final, phase and payload per event type) are not checked here.",
    ),
    "export function plainFieldsValid(doc: Readonly<Envelope>): boolean {",
    ...(checks.length > 0 ? ["  let v: unknown;", ...checks] : []),
    "  return true;",
    "}",
    "",
  ];
  return lines.join("\n");
}

/** generated/ts/envelope-facts.ts for `ir`. */
export function emitRuntimeFacts(ir: Ir): GeneratedFile {
  return { path: "ts/envelope-facts.ts", content: renderRuntimeFacts(runtimeFacts(ir), `schema/${ir.envelope.file}`) };
}

/** `emitter` plus generated/ts/envelope-facts.ts (same target name and root). */
export function withRuntimeFacts(emitter: Emitter): Emitter {
  return {
    name: emitter.name,
    root: emitter.root,
    async emit(ir: Ir): Promise<readonly GeneratedFile[]> {
      return [...(await emitter.emit(ir)), emitRuntimeFacts(ir)];
    },
  };
}
