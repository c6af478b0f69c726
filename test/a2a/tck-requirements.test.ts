/**
 * schema/a2a/tck-requirements.json, the official A2A TCK's requirement ids as data: its shape
 * (tck-requirements.schema.json), one check per automatable id and no check without an id.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { loadTckRequirements, TCK_CHECKS } from "../../bin/a2a/conformance/tck/index.js";
import { REPO_ROOT } from "../helpers/cli.js";

const read = (f: string): unknown => JSON.parse(readFileSync(join(REPO_ROOT, "schema/a2a", f), "utf8"));

describe("TCK requirement list", () => {
  const reqs = loadTckRequirements();

  it("matches tck-requirements.schema.json, and the schema refuses a broken entry", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(read("tck-requirements.schema.json") as object);
    expect(validate(read("tck-requirements.json")), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(read("tck-requirements.json")) as { requirements: Record<string, unknown>[] };
    broken.requirements[0] = { ...broken.requirements[0], level: "MUSTN'T", bindings: ["SOAP"] };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(["/requirements/0/bindings/0", "/requirements/0/level"]);
  });

  it("cites the TCK branch, and each id appears once", () => {
    expect(reqs.tck).toEqual({ repository: "https://github.com/a2aproject/a2a-tck", branch: "1.0-dev" });
    const ids = reqs.requirements.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("has exactly one check per automatable requirement id, and none for a manual one", () => {
    const automatable = reqs.requirements.filter((r) => r.manual === undefined).map((r) => r.id);
    expect([...TCK_CHECKS.keys()].sort()).toEqual([...automatable].sort());
  });
});
