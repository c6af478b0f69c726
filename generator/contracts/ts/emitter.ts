/**
 * TypeScript output of `oaio generate --contracts`: `ts/support.ts` (shared helpers),
 * `ts/<agent>.ts` per contract and `ts/index.ts` (one namespace per agent).
 */
import { agentNames } from "../names.js";
import { namedSchemas } from "../named.js";
import type { ContractIr } from "../types.js";
import type { GeneratedFile } from "../../emitter.js";
import { generatedHeader } from "../../emitter.js";
import { supportSource } from "./support.js";
import { emitTsTypes } from "./types.js";
import { tsDoc, tsModuleBody, tsModuleImports } from "./module.js";

/** Options of the TypeScript contract emitter. */
export interface TsContractOptions {
  /** Module specifier the generated code imports the runtime from (`openagentio` for users). */
  readonly runtimeImport: string;
}

/** Emits the TypeScript files of every contract. */
export async function emitTsContracts(ir: ContractIr, opts: TsContractOptions): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [{ path: "ts/support.ts", content: supportSource(generatedHeader("//", "agent contracts"), opts.runtimeImport) }];
  for (const c of ir.contracts) {
    const types = await emitTsTypes(namedSchemas(c));
    const content = [
      generatedHeader("//", c.file),
      tsDoc(`${c.title} ${c.version} (agent contract "${c.name}").\n${c.description}`),
      tsModuleImports(c),
      "",
      types,
      "",
      tsModuleBody(c),
      "",
    ].join("\n");
    files.push({ path: `ts/${c.name}.ts`, content });
  }
  const index = [
    generatedHeader("//", "agent contracts"),
    "/** The agent contracts of this folder, one namespace per agent. */",
    ...ir.contracts.map((c) => `export * as ${agentNames(c.name).contract.replace(/Contract$/, "")} from "./${c.name}.js";`),
    `export type { DeltaEncoding, DeltaWriter, RegisterOptions, Registrations, SkillFrame, SkillStream, SkillStreamOptions } from "./support.js";`,
    "",
  ].join("\n");
  files.push({ path: "ts/index.ts", content: index });
  return files;
}
