/** `oaio generate --contracts` (child process) reports every problem of every file in one run. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOaio } from "./child.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "oaio-contracts-once-"));
  const skill = { id: "say", name: "Say", description: "Says it back.", input: { type: "object" }, output: { type: "string" } };
  // a: a shape problem (misspelt key) AND a semantic one (the same skill id twice)
  writeFileSync(join(dir, "a.agent.json"), JSON.stringify({ name: "echo", description: "A.", version: "1.0.0", skills: [skill, skill], descripton: "typo" }));
  // b: a semantic problem (custom event without payload) AND a cross-file one (a's agent name)
  writeFileSync(
    join(dir, "b.agent.json"),
    JSON.stringify({
      name: "echo",
      description: "B.",
      version: "1.0.0",
      skills: [{ ...skill, id: "other" }],
      events: { publishes: [{ type: "echo.said", description: "Said." }] },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("contract loading", () => {
  it("reports shape, semantic and cross-file problems of all files at once (exit 1)", async () => {
    const r = await runOaio(["generate", "--contracts", dir, "--out", join(dir, "out"), "--lang", "ts"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("4 problem(s) in agent contracts");
    expect(r.stderr).toContain(`${join(dir, "a.agent.json")}#/descripton: unknown key "descripton"`);
    expect(r.stderr).toContain(`${join(dir, "a.agent.json")}#/skills/1/id: skill id "say" is already used`);
    expect(r.stderr).toContain(`${join(dir, "b.agent.json")}#/events/publishes/0/payload: custom event type "echo.said" has no payload schema`);
    expect(r.stderr).toContain(`${join(dir, "b.agent.json")}#/name: agent name "echo" is also used by ${join(dir, "a.agent.json")}`);
  }, 90_000);
});
