/**
 * The a2a emitter: generated/a2a/ holds the ACP <-> A2A mapping as typed tables and the
 * functions the runtime's A2A bridge runs (runtime/a2a uses only these). Emits nothing when
 * the IR has no schema/a2a/.
 */
import { generatedHeader, type Emitter, type GeneratedFile } from "../emitter.js";
import type { Ir } from "../ir/types.js";
import { functionsSource } from "./functions-emitter.js";
import { tablesSource } from "./tables-emitter.js";
import { typesSource } from "./types-emitter.js";
import { v03Source } from "./v03-emitter.js";

const FROM = "schema/a2a/ and schema/catalog/";

export const a2aEmitter: Emitter = {
  name: "a2a",
  root: "a2a",
  async emit(ir: Ir): Promise<readonly GeneratedFile[]> {
    const a2a = ir.a2a;
    if (a2a === undefined) return [];
    const file = (name: string, body: string): GeneratedFile => ({ path: `a2a/${name}`, content: `${generatedHeader("//", FROM)}\n${body}` });
    return [
      file("functions.ts", functionsSource(a2a)),
      file("index.ts", ['export * from "./types.js";', 'export * from "./tables.js";', 'export * from "./functions.js";', 'export * from "./v03.js";', ""].join("\n")),
      file("tables.ts", tablesSource(a2a)),
      file("types.ts", typesSource(a2a)),
      file("v03.ts", v03Source(a2a)),
    ];
  },
};
