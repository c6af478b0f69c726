/**
 * Kotlin output of `oaio generate --contracts`: sources under `kotlin/src/main/kotlin/`,
 * `dev/openagentio/contracts/ContractSupport.kt` and one `<agent>/<Agent>.kt` per contract
 * (package `dev.openagentio.contracts.<agent>`). They compile against the generated Kotlin
 * SDK (`dev.openagentio.acp`) and kotlinx.serialization-json; add them to a module that
 * depends on both.
 */
import { generatedHeader, type GeneratedFile } from "../../emitter.js";
import { agentNames } from "../names.js";
import type { ContractIr } from "../types.js";
import { kotlinModule, kotlinPackage } from "./module.js";
import { KOTLIN_CONTRACTS_PACKAGE, kotlinSupportSource } from "./support.js";

/** Source root of the Kotlin output, relative to the output folder. */
export const KOTLIN_SOURCE_ROOT = "kotlin/src/main/kotlin";

const IMPORTS: readonly (readonly [string, readonly string[]])[] = [
  ["dev.openagentio.acp", ["Bus", "Envelope", "InvalidRequestException", "JsonSupport", "SchemaFailure", "Subscription"]],
  [KOTLIN_CONTRACTS_PACKAGE, ["ContractJson", "ContractSupport", "DeltaEncoding", "DeltaWriter", "SkillFrame", "SkillInfo", "SkillMode"]],
  ["java.time", ["Duration"]],
  ["java.util.concurrent", ["CompletableFuture"]],
  ["kotlinx.serialization", ["SerialName"]],
  ["kotlinx.serialization.json", ["JsonArray", "JsonElement", "JsonNull", "JsonObject", "JsonPrimitive"]],
];

function imports(body: string, sdkModels: readonly string[]): string {
  const used = (name: string): boolean => new RegExp(`(?<![\\w.])${name}(?![\\w])`).test(body);
  const lines: string[] = [];
  for (const [pkg, names] of IMPORTS) {
    const all = pkg === "dev.openagentio.acp" ? [...names, ...sdkModels] : names;
    for (const n of all.filter(used)) lines.push(`import ${pkg}.${n}`);
  }
  return lines.sort().join("\n");
}

/** Emits the Kotlin sources of every contract. */
export function emitKotlinContracts(ir: ContractIr): GeneratedFile[] {
  const base = `${KOTLIN_SOURCE_ROOT}/${KOTLIN_CONTRACTS_PACKAGE.replace(/\./g, "/")}`;
  const files: GeneratedFile[] = [{ path: `${base}/ContractSupport.kt`, content: kotlinSupportSource(generatedHeader("//", "agent contracts")) }];
  for (const c of ir.contracts) {
    const m = kotlinModule(c);
    const pkg = kotlinPackage(c.name);
    const dir = pkg.slice(KOTLIN_CONTRACTS_PACKAGE.length + 1).replace(/`/g, "");
    const content = `${generatedHeader("//", c.file)}\npackage ${pkg}\n\n${imports(m.body, m.sdkModels)}\n\n${m.body}`;
    files.push({ path: `${base}/${dir}/${agentNames(c.name).pascal}.kt`, content });
  }
  return files;
}
