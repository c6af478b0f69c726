/** Public API of the generator: load schema/ into an IR, run emitters, write or check files. */
export { loadIr } from "./ir/load.js";
export { SchemaLoadError, type IrProblem } from "./ir/errors.js";
export type * from "./ir/types.js";
export type { Emitter, GeneratedFile } from "./emitter.js";
export { emitAll, checkFiles, writeFiles, type StaleFile } from "./generate.js";
export { EMITTERS, emittersFor } from "./targets.js";
export { packageRoot } from "./paths.js";
