/**
 * Kotlin output of `oaio generate --contracts`: sources under `kotlin/src/main/kotlin/`,
 * `dev/openagentio/contracts/ContractSupport.kt` and one `<agent>/<Agent>.kt` per contract
 * (package `dev.openagentio.contracts.<agent>`), and `kotlin/pom.xml`, a Maven module
 * depending on the generated Kotlin SDK's coordinates (`dev.openagentio:acp-sdk`, whose Bus
 * brings jnats), kotlinx.serialization-json and kotlinx-coroutines, built with the SDK's
 * compiler settings.
 */
import { generatedHeader, type GeneratedFile } from "../../emitter.js";
import { agentNames } from "../names.js";
import type { ContractIr } from "../types.js";
import { kotlinModule, kotlinPackage } from "./module.js";
import { KOTLIN_CONTRACTS_PACKAGE, kotlinSupportSource } from "./support.js";
import { KOTLIN_BUILD } from "../../kotlin/emitter.js";

/** Source root of the Kotlin output, relative to the output folder. */
export const KOTLIN_SOURCE_ROOT = "kotlin/src/main/kotlin";

const IMPORTS: readonly (readonly [string, readonly string[]])[] = [
  ["dev.openagentio.acp", ["Envelope", "InvalidRequestException", "JsonSupport", "SchemaFailure"]],
  ["dev.openagentio.acp.runtime", ["Bus", "HandlerContext", "Subscription"]],
  [KOTLIN_CONTRACTS_PACKAGE, ["ContractJson", "ContractSupport", "DeltaEncoding", "DeltaWriter", "SkillFrame", "SkillInfo", "SkillMode"]],
  ["kotlin.time", ["Duration"]],
  ["kotlinx.coroutines.flow", ["Flow", "map"]],
  ["kotlinx.serialization", ["SerialName"]],
  ["kotlinx.serialization.json", ["JsonArray", "JsonElement", "JsonNull", "JsonObject", "JsonPrimitive"]],
];

function imports(body: string, sdkModels: readonly string[]): string {
  // `map` is the Flow operator, called as `.map {`; every other name is used unqualified
  const used = (name: string): boolean =>
    name === "map" ? body.includes(").map { ContractSupport.frame(") : new RegExp(`(?<![\\w.])${name}(?![\\w])`).test(body);
  const lines: string[] = [];
  for (const [pkg, names] of IMPORTS) {
    const all = pkg === "dev.openagentio.acp" ? [...names, ...sdkModels] : names;
    for (const n of all.filter(used)) lines.push(`import ${pkg}.${n}`);
  }
  return lines.sort().join("\n");
}

/** Maven coordinates of the generated contract module. */
export const KOTLIN_CONTRACTS_ARTIFACT = { groupId: KOTLIN_BUILD.groupId, artifactId: "acp-contracts", version: KOTLIN_BUILD.version } as const;

/** `kotlin/pom.xml`: the contract sources as a Maven module on the SDK (warnings as errors, explicit API). */
function pom(ir: ContractIr): string {
  const agents = ir.contracts.map((c) => `${c.name} ${c.version}`).join(", ");
  const b = KOTLIN_BUILD;
  const a = KOTLIN_CONTRACTS_ARTIFACT;
  return `<?xml version="1.0" encoding="UTF-8"?>
${generatedHeader("<!--", "agent contracts")} -->
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${a.groupId}</groupId>
  <artifactId>${a.artifactId}</artifactId>
  <version>${a.version}</version>
  <packaging>jar</packaging>
  <name>OpenAgentIO agent contracts</name>
  <description>Typed clients and handlers of agent contracts (${agents}) on the OpenAgentIO Kotlin SDK.</description>

  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <kotlin.version>${b.kotlinVersion}</kotlin.version>
    <kotlin.compiler.jvmTarget>17</kotlin.compiler.jvmTarget>
  </properties>

  <dependencies>
    <dependency>
      <groupId>${b.groupId}</groupId>
      <artifactId>${b.artifactId}</artifactId>
      <version>${b.version}</version>
    </dependency>
    <dependency>
      <groupId>org.jetbrains.kotlin</groupId>
      <artifactId>kotlin-stdlib</artifactId>
      <version>\${kotlin.version}</version>
    </dependency>
    <dependency>
      <groupId>org.jetbrains.kotlinx</groupId>
      <artifactId>kotlinx-serialization-json-jvm</artifactId>
      <version>${b.serializationVersion}</version>
    </dependency>
    <!-- The contract code's own API uses Flow and suspend functions; jnats comes with the SDK. -->
    <dependency>
      <groupId>org.jetbrains.kotlinx</groupId>
      <artifactId>kotlinx-coroutines-core-jvm</artifactId>
      <version>${b.coroutinesVersion}</version>
    </dependency>
  </dependencies>

  <build>
    <!-- Build output stays inside this folder. -->
    <directory>\${project.basedir}/target</directory>
    <sourceDirectory>src/main/kotlin</sourceDirectory>
    <plugins>
      <plugin>
        <groupId>org.jetbrains.kotlin</groupId>
        <artifactId>kotlin-maven-plugin</artifactId>
        <version>\${kotlin.version}</version>
        <configuration>
          <args>
            <arg>-Werror</arg>
            <arg>-Xexplicit-api=strict</arg>
          </args>
        </configuration>
        <executions>
          <execution>
            <id>compile</id>
            <goals><goal>compile</goal></goals>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

/** Emits the Kotlin sources of every contract. */
export function emitKotlinContracts(ir: ContractIr): GeneratedFile[] {
  const base = `${KOTLIN_SOURCE_ROOT}/${KOTLIN_CONTRACTS_PACKAGE.replace(/\./g, "/")}`;
  const files: GeneratedFile[] = [
    { path: `${base}/ContractSupport.kt`, content: kotlinSupportSource(generatedHeader("//", "agent contracts")) },
    { path: "kotlin/pom.xml", content: pom(ir) },
  ];
  for (const c of ir.contracts) {
    const m = kotlinModule(c);
    const pkg = kotlinPackage(c.name);
    const dir = pkg.slice(KOTLIN_CONTRACTS_PACKAGE.length + 1).replace(/`/g, "");
    const content = `${generatedHeader("//", c.file)}\npackage ${pkg}\n\n${imports(m.body, m.sdkModels)}\n\n${m.body}`;
    files.push({ path: `${base}/${dir}/${agentNames(c.name).pascal}.kt`, content });
  }
  return files;
}
