/**
 * Runs every conformance check of bin/a2a/conformance as one test named after its id,
 * against a live server (memory-transport bus, demo agent, real HTTP, real webhook receiver).
 * The scorecard cites these ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { A2A_FEATURES } from "../../generated/a2a/index.js";
import { CHECKS, startConformanceEnv, type ConformanceEnv } from "../../bin/a2a/conformance/index.js";

let env: ConformanceEnv;
beforeAll(async () => {
  env = await startConformanceEnv();
});
afterAll(async () => {
  await env.close();
});

describe("A2A conformance", () => {
  it("has exactly one check per check id of schema/a2a/features.json", () => {
    const listed = A2A_FEATURES.flatMap((f) => f.checks).sort();
    expect(CHECKS.map((c) => c.id).sort()).toEqual(listed);
  });
  for (const check of CHECKS) {
    it(check.id, async () => {
      await check.run(env);
    });
  }
});
