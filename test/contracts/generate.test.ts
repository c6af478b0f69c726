/**
 * `oaio generate --contracts`: deterministic output, the committed example output is
 * current (`--check`), stale and bad input are reported with exit 1, usage errors with 2,
 * and the A2A cards carry the A2A 1.0 AgentCard fields.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadContracts } from "../../generator/contracts/load.js";
import { CONTRACT_LANGS, emitContracts, runtimeImportFor, standardEvents } from "../../generator/contracts/generate.js";
import type { AgentCard } from "../../generated/a2a/types.js";
import { REPO_ROOT, runCli } from "../helpers/cli.js";

const EXAMPLES = join(REPO_ROOT, "examples/contracts");
const STANDARD = standardEvents(join(REPO_ROOT, "schema"));
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "oaio-contracts-gen-"));
  dirs.push(d);
  return d;
}

describe("oaio generate --contracts", () => {
  it("emits identical bytes when run twice over separately loaded contracts", async () => {
    const opts = { langs: [...CONTRACT_LANGS], tsRuntimeImport: "openagentio" };
    const first = await emitContracts(loadContracts(EXAMPLES, { standardEvents: STANDARD }), opts);
    const second = await emitContracts(loadContracts(EXAMPLES, { standardEvents: STANDARD }), opts);
    expect(first.map((f) => f.path)).toEqual(second.map((f) => f.path));
    for (const [i, f] of first.entries()) expect(second[i]?.content, f.path).toBe(f.content);
    expect(first.map((f) => f.path)).toEqual(expect.arrayContaining(["cards/translator.agent-card.json", "ts/translator.ts", "ts/support.ts"]));
  });

  it("the committed examples/contracts/generated is current (--check exits 0)", async () => {
    const r = await runCli(["generate", "--contracts", "examples/contracts", "--check"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/examples\/contracts\/generated is up to date \(\d+ files\)/);
  });

  it("--check names a hand-edited, a missing and an extra file and exits 1", async () => {
    const dir = tempDir();
    cpSync(EXAMPLES, dir, { recursive: true });
    const card = join(dir, "generated/cards/planner.agent-card.json");
    writeFileSync(card, readFileSync(card, "utf8").replace("Planner", "Plotter"));
    rmSync(join(dir, "generated/ts/translator.ts"));
    writeFileSync(join(dir, "generated/cards/stray.json"), "{}\n");
    const r = await runCli(["generate", "--contracts", dir, "--check"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("/generated/cards/planner.agent-card.json (differs from what the contracts produce)");
    expect(r.stderr).toContain("/generated/ts/translator.ts (missing)");
    expect(r.stderr).toContain("/generated/cards/stray.json (not produced by the generator)");
    // Outside the package the runtime import is "openagentio", so support.ts differs too.
    expect(r.stderr).toContain("/generated/ts/support.ts (differs from what the contracts produce)");
    expect(r.stderr).toContain("4 generated contract file(s) are stale");
  }, 120_000);

  it("writes into --out only the chosen languages (plus cards), and is then clean", async () => {
    const out = tempDir();
    const w = await runCli(["generate", "--contracts", "examples/contracts", "--out", out, "--lang", "ts"]);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain("changed");
    const c = await runCli(["generate", "--contracts", "examples/contracts", "--out", out, "--lang", "ts", "--check", "-q"]);
    expect([c.code, c.stdout, c.stderr]).toEqual([0, "", ""]);
    // Outside the package the generated TypeScript imports the published runtime.
    expect(readFileSync(join(out, "ts/support.ts"), "utf8")).toContain('from "openagentio"');
  }, 120_000);

  it("bad contracts exit 1 naming file, pointer and fix; unknown --lang exits 2", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "x.agent.json"), JSON.stringify({ name: "x", description: "d", version: "1.0.0", skills: [] }));
    const bad = await runCli(["generate", "--contracts", dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("x.agent.json#/skills: must NOT have fewer than 1 items");
    expect(bad.stderr).toContain("fix: declare at least one skill");
    const usage = await runCli(["generate", "--contracts", "examples/contracts", "--lang", "cobol"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown --lang cobol for --contracts; expected: ts, python, kotlin");
  }, 120_000);

  it("imports the runtime from openagentio, or from the package's own sources inside it", () => {
    expect(runtimeImportFor(tmpdir())).toBe("openagentio");
    expect(runtimeImportFor(join(REPO_ROOT, "node_modules/x"))).toBe("openagentio");
    expect(runtimeImportFor(join(EXAMPLES, "generated"))).toBe("../../../../runtime/index.js");
  });

  it("A2A cards carry the AgentCard fields, skills and the ACP targets", () => {
    const read = (name: string): AgentCard & { capabilities: { extensions: { params: Record<string, unknown> }[] } } =>
      JSON.parse(readFileSync(join(EXAMPLES, `generated/cards/${name}.agent-card.json`), "utf8"));
    const translator = read("translator");
    const typed: AgentCard = translator; // the card is an A2A 1.0 AgentCard as the bridge types it
    expect(typed).toMatchObject({
      name: "Translator",
      version: "1.0.0",
      supportedInterfaces: [
        { url: "http://localhost:8080/a2a/translator", protocolBinding: "JSONRPC", protocolVersion: "1.0" },
        { url: "http://localhost:8080/a2a/translator", protocolBinding: "HTTP+JSON", protocolVersion: "1.0" },
        { url: "http://localhost:8080/a2a/translator", protocolBinding: "JSONRPC", protocolVersion: "0.3" },
      ],
      // what a server for the contract serves with its default options (test/a2a/skills.test.ts compares the two)
      capabilities: { streaming: true, pushNotifications: true, extendedAgentCard: false },
      defaultInputModes: ["application/json"],
      defaultOutputModes: ["application/json"],
      provider: { organization: "OpenAgentIO examples", url: "https://openagentio.dev" },
    });
    expect(translator.skills.map((s) => [s.id, s.tags.length > 0, s.outputModes])).toEqual([
      ["translate", true, ["application/json", "text/plain"]],
      ["detect-language", true, undefined],
    ]);
    expect(translator.capabilities.extensions[0]!.params["targets"]).toEqual({
      translate: { target: "translator:translate", mode: "stream" },
      "detect-language": { target: "translator:detect-language", mode: "invoke" },
    });
    const planner = read("planner");
    expect(planner.capabilities.streaming, "the bridge streams invoke skills too (one-frame streams)").toBe(true);
    expect(planner.name).toBe("Planner");
    expect(planner.capabilities.extensions[0]!.params).toMatchObject({
      publishes: ["agent.tool.call", "planner.step.completed"],
      subscribes: ["agent.tool.result"],
    });
  });
});
