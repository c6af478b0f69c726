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
import { emitEnvelopeKotlin, emitPayloadsKotlin } from "./models-emitter.js";
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
  const context = { header, pkg: KOTLIN_PACKAGE, defaultPrefix: ir.subjects.defaultPrefix, ...BOUNDS };
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
