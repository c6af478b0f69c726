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
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadContracts } from "../../generator/contracts/load.js";
import { emitContracts, standardEvents } from "../../generator/contracts/generate.js";
import { KOTLIN_SOURCE_ROOT } from "../../generator/contracts/kotlin/emitter.js";
import { REPO_ROOT } from "../helpers/cli.js";

const work = mkdtempSync(join(tmpdir(), "oaio-contracts-kt-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function hasMaven(): boolean {
  try {
    execFileSync("mvn", ["-v"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** Version of a Maven property or dependency in the Kotlin SDK's pom, so both builds use the same toolchain. */
function sdkPom(pattern: RegExp): string {
  const m = pattern.exec(readFileSync(join(REPO_ROOT, "generated/kotlin/pom.xml"), "utf8"));
  if (!m?.[1]) throw new Error(`generated/kotlin/pom.xml has no ${pattern}`);
  return m[1];
}

function pom(sourceDirs: readonly string[]): string {
  const kotlin = sdkPom(/<kotlin\.version>([^<]+)</);
  const serialization = sdkPom(/<artifactId>kotlinx-serialization-json-jvm<\/artifactId>\s*<version>([^<]+)</);
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.openagentio.test</groupId>
  <artifactId>contracts-compile</artifactId>
  <version>0</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <kotlin.compiler.jvmTarget>17</kotlin.compiler.jvmTarget>
  </properties>
  <dependencies>
    <dependency><groupId>org.jetbrains.kotlin</groupId><artifactId>kotlin-stdlib</artifactId><version>${kotlin}</version></dependency>
    <dependency><groupId>org.jetbrains.kotlinx</groupId><artifactId>kotlinx-serialization-json-jvm</artifactId><version>${serialization}</version></dependency>
  </dependencies>
  <build>
    <directory>${join(work, "target")}</directory>
    <plugins>
      <plugin>
        <groupId>org.jetbrains.kotlin</groupId>
        <artifactId>kotlin-maven-plugin</artifactId>
        <version>${kotlin}</version>
        <configuration>
          <args><arg>-Werror</arg><arg>-Xexplicit-api=strict</arg></args>
          <sourceDirs>
${sourceDirs.map((d) => `            <sourceDir>${d}</sourceDir>`).join("\n")}
          </sourceDirs>
        </configuration>
        <executions><execution><id>compile</id><goals><goal>compile</goal></goals></execution></executions>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

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
      writeFileSync(join(work, "pom.xml"), pom([sdk, examples, fixture, join(REPO_ROOT, "test/contracts/fixtures/kotlin")]));
      let output = "";
      let code = 0;
      try {
        output = execFileSync("mvn", ["-q", "-B", "compile"], { cwd: work, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
      } catch (err: unknown) {
        const e = err as { status?: number; stdout?: string; stderr?: string };
        code = e.status ?? 1;
        output = `${e.stdout ?? ""}${e.stderr ?? ""}`;
      }
      expect({
        code,
        output: output
          .split("\n")
          .filter((l) => /ERROR|WARN|error:|warning:/.test(l))
          .slice(0, 30),
      }).toEqual({ code: 0, output: [] });
      for (const cls of ["translator/TranslatorClient", "planner/PlannerKt", "taskworker/TaskWorkerHandlers", "oddclass/OddClassClient"]) {
        expect(existsSync(join(work, "target/classes/dev/openagentio/contracts", `${cls}.class`)), cls).toBe(true);
      }
      // Run the round trip on the compiled classes with the same library jars.
      const m2 = join(homedir(), ".m2/repository");
      const kotlin = sdkPom(/<kotlin\.version>([^<]+)</);
      const serialization = sdkPom(/<artifactId>kotlinx-serialization-json-jvm<\/artifactId>\s*<version>([^<]+)</);
      const jars = [
        join(m2, `org/jetbrains/kotlin/kotlin-stdlib/${kotlin}/kotlin-stdlib-${kotlin}.jar`),
        join(m2, `org/jetbrains/kotlinx/kotlinx-serialization-json-jvm/${serialization}/kotlinx-serialization-json-jvm-${serialization}.jar`),
        join(m2, `org/jetbrains/kotlinx/kotlinx-serialization-core-jvm/${serialization}/kotlinx-serialization-core-jvm-${serialization}.jar`),
      ];
      for (const jar of jars) expect(existsSync(jar), jar).toBe(true);
      const run = execFileSync("java", ["-cp", [join(work, "target/classes"), ...jars].join(":"), "dev.openagentio.contracts.roundtrip.ContractRoundTripKt"], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run).toBe("ok\n");
    },
    360_000,
  );
});
