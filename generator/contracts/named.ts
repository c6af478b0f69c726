/**
 * The named types of one contract, in a fixed order every language emits them in: shared
 * `$defs` (declaration order), then per skill its Input, Output and Delta, then the payloads
 * of custom events.
 */
import { escapeToken } from "../ir/keywords.js";
import { eventPayloadName, skillNames } from "./names.js";
import type { AgentContractIr, Json } from "./types.js";

/** One schema that becomes a named type. */
export interface NamedSchema {
  readonly name: string;
  readonly schema: Json;
  /** Pointer of the schema in the contract file (its node in the contract's schema model). */
  readonly pointer: string;
  /** Doc text: the schema's description, or what the type is for. */
  readonly doc: string;
}

function describe(schema: Json, fallback: string): string {
  if (typeof schema === "object" && schema !== null && !Array.isArray(schema) && typeof schema["description"] === "string") {
    return schema["description"];
  }
  return fallback;
}

/** Every named type of `c`, in emission order. */
export function namedSchemas(c: AgentContractIr): NamedSchema[] {
  const out: NamedSchema[] = [];
  for (const [name, schema] of c.defs)
    out.push({ name, schema, pointer: `/$defs/${escapeToken(name)}`, doc: describe(schema, `Shared type ${name} of ${c.name}.`) });
  c.skills.forEach((s, i) => {
    const n = skillNames(s.id);
    out.push({ name: n.input, schema: s.input, pointer: `/skills/${i}/input`, doc: describe(s.input, `Input of ${c.name} skill "${s.id}".`) });
    out.push({ name: n.output, schema: s.output, pointer: `/skills/${i}/output`, doc: describe(s.output, `Output of ${c.name} skill "${s.id}".`) });
    if (s.delta !== undefined)
      out.push({
        name: n.delta,
        schema: s.delta.schema,
        pointer: `/skills/${i}/delta`,
        doc: describe(s.delta.schema, `One stream delta of ${c.name} skill "${s.id}".`),
      });
  });
  const seen = new Set<string>();
  const events = [
    ...c.publishes.map((e, i) => ({ e, pointer: `/publishes/${i}/payload` })),
    ...c.subscribes.map((e, i) => ({ e, pointer: `/subscribes/${i}/payload` })),
  ];
  for (const { e, pointer } of events) {
    if (e.payload === undefined || seen.has(e.type)) continue;
    seen.add(e.type);
    out.push({ name: eventPayloadName(e.type), schema: e.payload, pointer, doc: describe(e.payload, `Payload of ${e.type}.`) });
  }
  return out;
}
