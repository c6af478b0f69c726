/** The TypeScript emitter: types, validators, constants, EventMap, error classes. */
import type { Emitter, GeneratedFile } from "../emitter.js";
import type { Ir } from "../ir/types.js";
import { emitBindings } from "./bindings-emitter.js";
import { emitChecks } from "./checks-emitter.js";
import { emitTypes } from "./types-emitter.js";
import { emitValidators } from "./validators-emitter.js";

export const tsEmitter: Emitter = {
  name: "ts",
  root: "ts",
  async emit(ir: Ir): Promise<readonly GeneratedFile[]> {
    const files = [await emitTypes(ir), ...emitValidators(ir), emitChecks(ir), ...emitBindings(ir)];
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  },
};
