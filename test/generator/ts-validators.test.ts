/**
 * The generated TypeScript reads like hand-written code: ajv's standalone validator one
 * statement per line (code.lines), each export typed where ajv's untyped code is, so no
 * generated TypeScript file needs an `as unknown as` cast, and validator names keep the
 * schema titles' humps (validateToolCallPayload, not validateToolcallpayload).
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadIr } from "../../generator/ir/load.js";
import { emitAll } from "../../generator/generate.js";
import { EMITTERS } from "../../generator/targets.js";
import { validateEnvelope, validatePayload } from "../../generated/ts/validators.js";
import { REPO_ROOT } from "../helpers/cli.js";

describe("generated TypeScript", async () => {
  const files = await emitAll(loadIr(join(REPO_ROOT, "schema")), EMITTERS);
  const ts = files.filter((f) => f.path.endsWith(".ts"));

  it("has no `as unknown as` cast in any generated file", () => {
    expect(ts.length).toBeGreaterThan(5);
    expect(ts.filter((f) => f.content.includes("as unknown as")).map((f) => f.path)).toEqual([]);
  });

  it("writes the ajv validator one statement per line, with typed exports named after the titles", () => {
    const standalone = ts.find((f) => f.path === "ts/ajv-standalone.ts")?.content ?? "";
    const lines = standalone.split("\n");
    expect(lines.length).toBeGreaterThan(1000);
    expect(Math.max(...lines.filter((l) => !l.startsWith("const schema")).map((l) => l.length))).toBeLessThan(1000);
    expect(standalone).toContain("export const validateEnvelope: Validator<Envelope> = ");
    expect(standalone).toContain("export const validateToolCallPayload: Validator = ");
  });

  it("still validates: the typed exports are ajv's validators", () => {
    expect(validateEnvelope({})).toBe(false);
    expect(validateEnvelope.errors?.[0]?.keyword).toBe("required");
    expect(validatePayload["agent.tool.call"]?.({ call_id: "c", name: "n" })).toBe(true);
    expect(validatePayload["agent.tool.call"]?.({ call_id: "", name: "n" })).toBe(false);
  });
});
