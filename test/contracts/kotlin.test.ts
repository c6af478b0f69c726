/**
 * The generated Kotlin contract code compiles with warnings as errors and explicit API mode
 * (as the Kotlin SDK does) in a throw-away Maven module whose sources are the generated
 * Kotlin SDK, the committed example contracts, a fixture full of keywords and odd schema
 * shapes, and a round-trip program (test/contracts/fixtures/kotlin) that then runs: the
 * generated clients call the generated handlers through an in-process Bus. Maven runs
 * with the toolchain versions of generated/kotlin/pom.xml (resolved from the local repository
 * when the SDK build has run).
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadContracts } from "../../generator/contracts/load.js";
import { emitContracts, standardEvents } from "../../generator/contracts/generate.js";
import { KOTLIN_SOURCE_ROOT } from "../../generator/contracts/kotlin/emitter.js";
import { KOTLIN_BUILD } from "../../generator/kotlin/emitter.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { compileKotlin, hasMaven, runKotlin } from "./kotlin-build.js";

const work = mkdtempSync(join(tmpdir(), "oaio-contracts-kt-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("generated Kotlin contract code", () => {
  it.skipIf(!hasMaven())(
    "compiles with -Werror against the Kotlin SDK (examples + keyword fixture), and the round trip runs",
    async () => {
      // The fixture's own files, except ContractSupport.kt, which the examples already provide.
      const ir = loadContracts(join(REPO_ROOT, "test/contracts/fixtures/odd"), { standardEvents: standardEvents(join(REPO_ROOT, "schema")) });
      const fixture = join(work, "fixture");
      const examples = join(REPO_ROOT, "examples/contracts/generated", KOTLIN_SOURCE_ROOT);
      for (const f of await emitContracts(ir, { langs: ["kotlin"], tsRuntimeImport: "openagentio" })) {
        if (!f.path.startsWith(`${KOTLIN_SOURCE_ROOT}/`)) continue;
        const rel = f.path.slice(KOTLIN_SOURCE_ROOT.length + 1);
        if (rel.endsWith("/ContractSupport.kt")) {
          expect(f.content).toBe(readFileSync(join(examples, rel), "utf8"));
          continue;
        }
        mkdirSync(dirname(join(fixture, rel)), { recursive: true });
        writeFileSync(join(fixture, rel), f.content);
      }
      const sdk = join(REPO_ROOT, "generated/kotlin/src/main/kotlin");
      expect(existsSync(sdk)).toBe(true);
      expect(compileKotlin(work, [sdk, examples, fixture, join(REPO_ROOT, "test/contracts/fixtures/kotlin")])).toEqual({ code: 0, output: [] });
      for (const cls of ["translator/TranslatorClient", "planner/PlannerKt", "taskworker/TaskWorkerHandlers", "oddclass/OddClassClient"]) {
        expect(existsSync(join(work, "target/classes/dev/openagentio/contracts", `${cls}.class`)), cls).toBe(true);
      }
      const run = runKotlin(work, "dev.openagentio.contracts.roundtrip.ContractRoundTripKt");
      expect(run).toBe("ok\n");
    },
    360_000,
  );

  it.skipIf(!hasMaven())(
    "kotlin/ is a Maven module on the SDK's coordinates that compiles offline (mvn -o -q) with the SDK in the same reactor",
    () => {
      // A consumer's layout: the SDK and the contract module side by side, built by one aggregator
      // (the reactor resolves dev.openagentio:acp-sdk without installing it into ~/.m2).
      const root = join(work, "consumer");
      cpSync(join(REPO_ROOT, "generated/kotlin"), join(root, "sdk"), { recursive: true, filter: (src) => !src.split(/[\\/]/u).includes("target") });
      cpSync(join(REPO_ROOT, "examples/contracts/generated/kotlin"), join(root, "contracts"), { recursive: true });
      const contractsPom = readFileSync(join(root, "contracts/pom.xml"), "utf8");
      expect(contractsPom).toContain(
        `<groupId>${KOTLIN_BUILD.groupId}</groupId>\n      <artifactId>${KOTLIN_BUILD.artifactId}</artifactId>\n      <version>${KOTLIN_BUILD.version}</version>`,
      );
      writeFileSync(
        join(root, "pom.xml"),
        '<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>' +
          "<groupId>dev.openagentio.test</groupId><artifactId>consumer</artifactId><version>0</version><packaging>pom</packaging>" +
          "<modules><module>sdk</module><module>contracts</module></modules></project>\n",
      );
      let code = 0;
      let output = "";
      try {
        execFileSync("mvn", ["-o", "-q", "-B", "compile"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
      } catch (err: unknown) {
        const e = err as { status?: number; stdout?: string; stderr?: string };
        code = e.status ?? 1;
        output = `${e.stdout ?? ""}${e.stderr ?? ""}`;
      }
      expect({ code, output: output.split("\n").slice(0, 30) }).toEqual({ code: 0, output: [""] });
      for (const cls of ["translator/TranslatorClient", "translator/TranslatorSchemas", "taskworker/TaskWorkerHandlers"]) {
        expect(existsSync(join(root, "contracts/target/classes/dev/openagentio/contracts", `${cls}.class`)), cls).toBe(true);
      }
    },
    360_000,
  );
});
