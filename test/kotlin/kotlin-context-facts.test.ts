/**
 * The Kotlin runtime's context facts (AcpContext's fields, WIRE_NAMES, of/merged/fields) are
 * generated from the envelope schema's `"x-context"` annotations (generator/ir/runtime-facts.ts),
 * as the TypeScript runtime's are: a schema copy with one more context field gets it in
 * AcpContext, and one whose trace fields are not the W3C three is refused at generation. A
 * hand-written copy of today's eight fields (what Context.kt.hbs held before) misses the edit.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SchemaLoadError } from "../../generator/ir/errors.js";
import { loadIr } from "../../generator/ir/load.js";
import { runtimeFacts } from "../../generator/ir/runtime-facts.js";
import { emitKotlin } from "../../generator/kotlin/emitter.js";
import { REPO_ROOT } from "../helpers/cli.js";

type Obj = { [key: string]: unknown };
const CONTEXT_KT = "kotlin/src/runtime/kotlin/dev/openagentio/acp/runtime/Context.kt";
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of schema/ with `edit` applied to envelope.schema.json. */
function editedSchema(edit: (envelope: Obj) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "oaio-kt-context-"));
  dirs.push(dir);
  cpSync(join(REPO_ROOT, "schema"), dir, { recursive: true });
  const file = join(dir, "envelope.schema.json");
  const envelope = JSON.parse(readFileSync(file, "utf8")) as Obj;
  edit(envelope);
  writeFileSync(file, JSON.stringify(envelope, null, 2));
  return dir;
}

function contextKt(schemaDir: string): string {
  const file = emitKotlin(loadIr(schemaDir)).find((f) => f.path === CONTEXT_KT);
  if (file === undefined) throw new Error(`no ${CONTEXT_KT}`);
  return file.content;
}

function wireNames(source: string): string[] {
  const m = /internal val WIRE_NAMES: List<String> = listOf\(([^)]*)\)/u.exec(source);
  if (m === null) throw new Error("no WIRE_NAMES");
  return [...(m[1] ?? "").matchAll(/"([^"]+)"/gu)].map((x) => x[1] ?? "");
}

describe("Kotlin AcpContext from the schema's x-context", () => {
  it("has the schema's context fields in schema order", () => {
    const dir = join(REPO_ROOT, "schema");
    const facts = runtimeFacts(loadIr(dir)).contextFields.map((f) => f.name);
    expect(facts.length).toBeGreaterThanOrEqual(8);
    expect(wireNames(contextKt(dir))).toEqual(facts);
  });

  it("follows a schema edit that adds a context field", () => {
    const dir = editedSchema((envelope) => {
      (envelope["properties"] as Obj)["workspace_id"] = { type: "string", description: "Workspace of the event.", "x-context": "copy" };
    });
    const source = contextKt(dir);
    expect(wireNames(source)).toContain("workspace_id");
    expect(source).toContain("    public val workspaceId: String? = null,");
    expect(source).toContain("            workspaceId = env.workspaceId,");
    expect(source).toContain("        workspaceId = override.workspaceId ?: workspaceId,");
    expect(source).toContain('        workspaceId?.let { "workspace_id" to it },');
  });

  it("refuses a schema whose trace context fields are not trace_id, span_id, traceparent", () => {
    const dir = editedSchema((envelope) => {
      delete ((envelope["properties"] as Obj)["span_id"] as Obj)["x-context"];
    });
    expect(() => emitKotlin(loadIr(dir))).toThrow(SchemaLoadError);
    expect(() => emitKotlin(loadIr(dir))).toThrow(/"x-context": "trace" fields must be trace_id, span_id, traceparent/u);
  });
});
