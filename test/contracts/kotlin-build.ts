/**
 * Builds generated Kotlin contract code in a throw-away Maven module (warnings as errors,
 * explicit API mode, as the Kotlin SDK builds) with the toolchain versions of
 * generated/kotlin/pom.xml, and runs a main class on the compiled classes. Shared by the
 * Kotlin contract tests.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/cli.js";

/** True when `mvn` runs here. */
export function hasMaven(): boolean {
  try {
    execFileSync("mvn", ["-v"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** Version of a Maven property or dependency in the Kotlin SDK's pom, so both builds use the same toolchain. */
export function sdkPom(pattern: RegExp): string {
  const m = pattern.exec(readFileSync(join(REPO_ROOT, "generated/kotlin/pom.xml"), "utf8"));
  if (!m?.[1]) throw new Error(`generated/kotlin/pom.xml has no ${pattern}`);
  return m[1];
}

const kotlinVersion = (): string => sdkPom(/<kotlin\.version>([^<]+)</);
const serializationVersion = (): string => sdkPom(/<artifactId>kotlinx-serialization-json-jvm<\/artifactId>\s*<version>([^<]+)</);

function pom(work: string, sourceDirs: readonly string[]): string {
  const kotlin = kotlinVersion();
  const serialization = serializationVersion();
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

/** Compiles `sourceDirs` into `<work>/target/classes`; the exit code and the error and warning lines. */
export function compileKotlin(work: string, sourceDirs: readonly string[]): { code: number; output: string[] } {
  writeFileSync(join(work, "pom.xml"), pom(work, sourceDirs));
  let output = "";
  let code = 0;
  try {
    output = execFileSync("mvn", ["-o", "-q", "-B", "compile"], { cwd: work, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
  } catch (err: unknown) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    code = e.status ?? 1;
    output = `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
  return {
    code,
    output: output
      .split("\n")
      .filter((l) => /ERROR|WARN|error:|warning:/.test(l))
      .slice(0, 30),
  };
}

/** The library jars the compiled classes need (from the local Maven repository). */
export function runtimeJars(): string[] {
  const m2 = join(homedir(), ".m2/repository");
  const kotlin = kotlinVersion();
  const serialization = serializationVersion();
  return [
    join(m2, `org/jetbrains/kotlin/kotlin-stdlib/${kotlin}/kotlin-stdlib-${kotlin}.jar`),
    join(m2, `org/jetbrains/kotlinx/kotlinx-serialization-json-jvm/${serialization}/kotlinx-serialization-json-jvm-${serialization}.jar`),
    join(m2, `org/jetbrains/kotlinx/kotlinx-serialization-core-jvm/${serialization}/kotlinx-serialization-core-jvm-${serialization}.jar`),
  ];
}

/** Runs `mainClass` on the classes compiled under `work`; its stdout. */
export function runKotlin(work: string, mainClass: string, args: readonly string[] = []): string {
  return execFileSync("java", ["-cp", [join(work, "target/classes"), ...runtimeJars()].join(":"), mainClass, ...args], { encoding: "utf8", timeout: 60_000 });
}
