/**
 * The Kotlin emitter: writes `generated/kotlin/`, a Maven project (Kotlin, kotlinx.serialization
 * JSON, JUnit 5) with the envelope and payload types, catalogue enums, error classes, the
 * schema compiled to validation code, decode/encode, a stream reassembler, the Bus contract,
 * the Bus runtime (coroutines; in-memory and jnats transports, templates/runtime/) with its
 * contract suite, and a conformance test over golden/. Types and validation are built from the IR in TypeScript;
 * the fixed support code lives in handlebars templates (templates/).
 */
import { generatedHeader, type Emitter, type GeneratedFile } from "../emitter.js";
import type { Ir } from "../ir/types.js";
import { loadTemplates, templatesDir } from "../templates.js";
import { emitConstantsKotlin, emitErrorsKotlin } from "./catalog-emitter.js";
import { buildModel } from "./model.js";
import { emitEnvelopeKotlin, emitPayloadsKotlin, envelopePropertyNames } from "./models-emitter.js";
import { runtimeFacts } from "../ir/runtime-facts.js";
import { SchemaLoadError } from "../ir/errors.js";
import { emitChecksKotlin } from "./checks-emitter.js";
import { emitValidatorKotlin } from "./validator-emitter.js";

/** Package of the generated sources. */
export const KOTLIN_PACKAGE = "dev.openagentio.acp";

/** Build settings of the generated pom.xml (versions served by Maven Central, see the report of issue 5). */
export const KOTLIN_BUILD = {
  groupId: "dev.openagentio",
  artifactId: "acp-sdk",
  version: "0.1.0",
  kotlinVersion: "2.4.21",
  serializationVersion: "1.12.0",
  junitVersion: "5.14.4",
  surefireVersion: "3.5.4",
  coroutinesVersion: "1.10.2",
  jnatsVersion: "2.25.1",
  otelVersion: "1.68.0",
} as const;

/** Stream and codec bounds shared with the TypeScript runtime (spec/event-types.md "Streams", spec/envelope.md "Bytes", spec/event-types.md "Invoke (request–reply)"). */
const BOUNDS = { maxBytes: "1_048_576", maxGap: "1024L", maxPending: "256", invokeTimeoutSeconds: "30" } as const;

const TEMPLATES = ["Acp.kt", "JsonSupport.kt", "StreamReassembler.kt"] as const;
const TEST_TEMPLATES = ["ConformanceTest.kt", "JsonSupportTest.kt", "SdkTest.kt"] as const;

/** Emits every file of the Kotlin project for `ir`, paths under `kotlin/`. */
export function emitKotlin(ir: Ir): GeneratedFile[] {
  const header = generatedHeader("//", "schema/");
  const pkgDir = KOTLIN_PACKAGE.split(".").join("/");
  const main = (name: string): string => `kotlin/src/main/kotlin/${pkgDir}/${name}`;
  const test = (name: string): string => `kotlin/src/test/kotlin/${pkgDir}/${name}`;
  // The Bus runtime (coroutines, jnats) has its own source root: src/main/kotlin alone is the
  // codec SDK, which compiles with kotlinx-serialization only (the contract test compiles it so).
  const runtime = (name: string): string => `kotlin/src/runtime/kotlin/${pkgDir}/${name}`;
  const context = { header, pkg: KOTLIN_PACKAGE, defaultPrefix: ir.subjects.defaultPrefix, ...BOUNDS, contextFields: contextFieldsView(ir) };
  const model = buildModel(ir);
  const templates = loadTemplates(templatesDir("kotlin"));
  const example = templates.render("example/ReadmeExample.kt", context);
  const files: GeneratedFile[] = [
    { path: "kotlin/pom.xml", content: templates.render("pom.xml", { ...KOTLIN_BUILD, header: generatedHeader("", "generator/kotlin/templates").trim() }) },
    {
      path: "kotlin/README.md",
      content: templates.render("README.md", {
        pkg: KOTLIN_PACKAGE,
        header: generatedHeader("", "generator/kotlin/templates").trim(),
        example: readmeExample(example),
        pkgPath: pkgDir,
        ...KOTLIN_BUILD,
      }),
    },
    { path: main("Envelope.kt"), content: emitEnvelopeKotlin(ir, KOTLIN_PACKAGE, header) },
    { path: main("Payloads.kt"), content: emitPayloadsKotlin(ir, model, KOTLIN_PACKAGE, header) },
    { path: main("Constants.kt"), content: emitConstantsKotlin(ir, KOTLIN_PACKAGE, header) },
    { path: main("Errors.kt"), content: emitErrorsKotlin(ir, KOTLIN_PACKAGE, header) },
    { path: main("AcpSchema.kt"), content: emitValidatorKotlin(ir, KOTLIN_PACKAGE, header) },
    { path: main("AcpChecks.kt"), content: emitChecksKotlin(ir, KOTLIN_PACKAGE, header) },
    ...TEMPLATES.map((t) => ({ path: main(t), content: templates.render(t, context) })),
    ...TEST_TEMPLATES.map((t) => ({ path: test(t), content: templates.render(t, context) })),
    { path: test("runtime/ReadmeExample.kt"), content: example },
    // the Bus runtime (package <pkg>.runtime, src/runtime/kotlin): every template under runtime/ and runtime-test/
    ...templates.paths.filter((t) => t.startsWith("runtime/")).map((t) => ({ path: runtime(t), content: templates.render(t, context) })),
    ...templates.paths
      .filter((t) => t.startsWith("runtime-test/"))
      .map((t) => ({ path: test(`runtime/${t.slice("runtime-test/".length)}`), content: templates.render(t, context) })),
  ];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The trace context fields the runtime's W3C handling reads by name (AcpContext.childTrace, the trace middleware). */
const TRACE_FIELDS = ["trace_id", "span_id", "traceparent"] as const;

/** One `"x-context"` envelope field as Context.kt.hbs renders it. */
interface ContextFieldView {
  /** Wire name. */
  readonly wire: string;
  /** Kotlin property name (the Envelope's). */
  readonly prop: string;
  /** KDoc text. */
  readonly doc: string;
  /** Not the last one (for commas). */
  readonly more: boolean;
}

/**
 * The context fields of AcpContext, from the envelope schema's `"x-context"` annotations
 * (generator/ir/runtime-facts.ts), in schema order.
 * @throws SchemaLoadError when the `"trace"` fields are not exactly trace_id, span_id, traceparent.
 */
function contextFieldsView(ir: Ir): ContextFieldView[] {
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
  const names = envelopePropertyNames(ir);
  return facts.map((f, i) => ({
    wire: f.name,
    prop: names.get(f.name) ?? f.name,
    doc: f.description || `The envelope's ${f.name}.`,
    more: i < facts.length - 1,
  }));
}

/** The README's copy of the example test source: without the generated-code header and the package line. */
function readmeExample(source: string): string {
  return source
    .split("\n")
    .filter((line) => !line.startsWith("// Code generated") && !line.startsWith("package "))
    .join("\n")
    .trim();
}

export const kotlinEmitter: Emitter = {
  name: "kotlin",
  root: "kotlin",
  async emit(ir: Ir): Promise<readonly GeneratedFile[]> {
    return emitKotlin(ir);
  },
};
