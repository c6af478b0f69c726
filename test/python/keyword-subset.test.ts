/**
 * The keyword subset, rendered for Python from the one schema model: a copy of schema/ whose
 * tool.call payload uses items, minItems, maxItems, minProperties, maxProperties,
 * additionalProperties (schema and false), anyOf and exclusive bounds. Before the model, the
 * Python generator refused minProperties / maxProperties / additionalProperties; now the
 * generated decoder reports the same code, pointer and expected text as the TypeScript one
 * (ajv + runtime/envelope/schema-report.ts) on every case, and the boolean check
 * (`_checks.is_envelope`, generator/python/checks.ts) its valid-or-not answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIr } from "../../generator/ir/load.js";
import { pythonEmitter } from "../../generator/python/emitter.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { subsetCases, writeSubsetFixture, type SubsetCase } from "../helpers/subset-fixture.js";
import { ensureVenv, explain, run, writeTemp, type PythonEnv } from "./helpers.js";

let py: PythonEnv;
let fixture: string;
let out: string;
let cases: SubsetCase[];

beforeAll(async () => {
  py = await ensureVenv();
  fixture = mkdtempSync(join(tmpdir(), "oaio-subset-"));
  writeSubsetFixture(join(REPO_ROOT, "schema"), fixture);
  cases = subsetCases(fixture);
  out = writeTemp(await pythonEmitter.emit(loadIr(fixture)));
}, 300_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(fixture, { recursive: true, force: true });
});

describe("Python decoder over the keyword subset", () => {
  it("reports the TypeScript decoder's code, pointer and expected text for each keyword", async () => {
    const script = [
      "import json, sys",
      "from openagentio import try_decode, Envelope",
      "from openagentio._checks import is_envelope",
      "out = []",
      "for env in json.loads(sys.stdin.read()):",
      "    r = try_decode(json.dumps(env))",
      "    ok = isinstance(r, Envelope)",
      "    # the boolean check gives the decoder's answer on every keyword",
      "    assert is_envelope(env) == ok, (env, r)",
      "    out.append(None if ok else [r.code, r.pointer, r.expected])",
      "print(json.dumps(out))",
    ].join("\n");
    const res = await run(py.python, ["-c", script], {
      cwd: out,
      env: { ...py.env, PYTHONPATH: join(out, "python", "src"), PYTHONNOUSERSITE: "1" },
      input: JSON.stringify(cases.map((c) => c.envelope)),
    });
    expect(res.code, explain(res)).toBe(0);
    const got = JSON.parse(res.stdout) as ([string, string, string] | null)[];
    const want = cases.map((c) => (c.defect === undefined ? null : ["INVALID_REQUEST", c.defect.pointer, c.defect.expected]));
    expect(got).toEqual(want);
    // The cases reach every new keyword (not just the type checks).
    expect(new Set(want.map((w) => w?.[1]))).toEqual(
      new Set([
        undefined,
        "/payload/tags",
        "/payload/tags/1",
        "/payload/tags/0",
        "/payload/limits",
        "/payload/limits/a",
        "/payload/limits/a~1b~0",
        "/payload/closed",
        "/payload/closed/a",
        "/payload/choice",
        "/payload/ratio",
      ]),
    );
  });
});
