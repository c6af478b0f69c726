/**
 * The Python runtime's context facts (`Context`'s fields, `context_of`, `wire.CONTEXT_FIELDS`)
 * are generated from the envelope schema's `"x-context"` annotations (generator/ir/runtime-facts.ts),
 * as the TypeScript runtime's are: a schema copy with one more context field gets it, and one
 * whose trace fields are not the W3C three is refused at generation. The hand-written copy of
 * today's eight fields (what context.py.hbs and wire.py.hbs held before) misses the edit.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SchemaLoadError } from "../../generator/ir/errors.js";
import { loadIr } from "../../generator/ir/load.js";
import { runtimeFacts } from "../../generator/ir/runtime-facts.js";
import { pythonEmitter } from "../../generator/python/emitter.js";
import { REPO_ROOT } from "../helpers/cli.js";

type Obj = { [key: string]: unknown };
const RUNTIME = "python/src/openagentio/runtime";
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function editedSchema(edit: (envelope: Obj) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "oaio-py-context-"));
  dirs.push(dir);
  cpSync(join(REPO_ROOT, "schema"), dir, { recursive: true });
  const file = join(dir, "envelope.schema.json");
  const envelope = JSON.parse(readFileSync(file, "utf8")) as Obj;
  edit(envelope);
  writeFileSync(file, JSON.stringify(envelope, null, 2));
  return dir;
}

async function runtimeFiles(schemaDir: string): Promise<{ context: string; wire: string }> {
  const files = await pythonEmitter.emit(loadIr(schemaDir));
  const text = (name: string): string => {
    const f = files.find((x) => x.path === `${RUNTIME}/${name}`);
    if (f === undefined) throw new Error(`no ${RUNTIME}/${name}`);
    return f.content;
  };
  return { context: text("context.py"), wire: text("wire.py") };
}

function contextFields(wire: string): string[] {
  const m = /CONTEXT_FIELDS = \(\n([^)]*)\)/u.exec(wire);
  if (m === null) throw new Error("no CONTEXT_FIELDS");
  return [...(m[1] ?? "").matchAll(/"([^"]+)"/gu)].map((x) => x[1] ?? "");
}

describe("Python Context from the schema's x-context", () => {
  it("has the schema's context fields in schema order", async () => {
    const dir = join(REPO_ROOT, "schema");
    const facts = runtimeFacts(loadIr(dir)).contextFields.map((f) => f.name);
    expect(facts.length).toBeGreaterThanOrEqual(8);
    const { context, wire } = await runtimeFiles(dir);
    expect(contextFields(wire)).toEqual(facts);
    for (const name of facts) expect(context).toContain(`    ${name}: str | None = None\n`);
  });

  it("follows a schema edit that adds a context field", async () => {
    const dir = editedSchema((envelope) => {
      (envelope["properties"] as Obj)["workspace_id"] = { type: "string", description: "Workspace of the event.", "x-context": "copy" };
    });
    const { context, wire } = await runtimeFiles(dir);
    expect(contextFields(wire)).toContain("workspace_id");
    expect(context).toContain("    workspace_id: str | None = None\n");
    expect(context).toContain("        workspace_id=env.workspace_id,\n");
  });

  it("refuses a schema whose trace context fields are not trace_id, span_id, traceparent", async () => {
    const dir = editedSchema((envelope) => {
      delete ((envelope["properties"] as Obj)["traceparent"] as Obj)["x-context"];
    });
    await expect(pythonEmitter.emit(loadIr(dir))).rejects.toThrow(SchemaLoadError);
  });
});
