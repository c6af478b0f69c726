/** The emitters `oaio generate --lang` can run, by name. */
import type { Emitter } from "./emitter.js";
import { tsEmitter } from "./ts/emitter.js";
import { withRuntimeFacts } from "./ts/runtime-facts-emitter.js";
import { pythonEmitter } from "./python/emitter.js";
import { a2aEmitter } from "./a2a/emitter.js";
import { kotlinEmitter } from "./kotlin/emitter.js";

/** Every registered emitter, in generation order. */
export const EMITTERS: readonly Emitter[] = [withRuntimeFacts(tsEmitter), a2aEmitter, kotlinEmitter, pythonEmitter];

/** The emitters named in `langs` (comma list accepted); throws naming unknown ones. */
export function emittersFor(langs: readonly string[]): Emitter[] {
  const names = langs
    .flatMap((l) => l.split(","))
    .map((l) => l.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !EMITTERS.some((e) => e.name === n));
  if (unknown.length > 0) {
    throw new Error(`unknown --lang ${unknown.join(", ")}; expected one of: ${EMITTERS.map((e) => e.name).join(", ")}`);
  }
  return names.length === 0 ? [...EMITTERS] : EMITTERS.filter((e) => names.includes(e.name));
}
