/**
 * The schema model (generator/ir/schema-model.ts) of one agent contract: its embedded schemas
 * at the pointers they have in the contract file (`/$defs/Name`, `/skills/0/input`,
 * `/publishes/1/payload`, ...), with `#/$defs/Name` references resolved. Every language's
 * contract emitter types and validates from this one model.
 */
import { escapeToken } from "../ir/keywords.js";
import { schemaModel, type SchemaModel } from "../ir/schema-model.js";
import type { AgentContractIr, EventIr, Json } from "./types.js";

/** The pointers of the schema sites of `c`, in the order the file declares them. */
export function contractSites(c: AgentContractIr): string[] {
  const events = (kind: "publishes" | "subscribes", list: readonly EventIr[]): string[] =>
    list.flatMap((e, i) => (e.payload === undefined ? [] : [`/${kind}/${i}/payload`]));
  return [
    ...[...c.defs.keys()].map((k) => `/$defs/${escapeToken(k)}`),
    ...c.skills.flatMap((s, i) => [`/skills/${i}/input`, `/skills/${i}/output`, ...(s.delta === undefined ? [] : [`/skills/${i}/delta`])]),
    ...events("publishes", c.publishes),
    ...events("subscribes", c.subscribes),
  ];
}

/** The contract's schemas laid out as in its file (only the schema positions). */
function schemaDocument(c: AgentContractIr): Json {
  const events = (list: readonly EventIr[]): Json[] => list.map((e): Json => (e.payload === undefined ? {} : { payload: e.payload }));
  return {
    $defs: Object.fromEntries(c.defs),
    skills: c.skills.map((s) => ({ input: s.input, output: s.output, ...(s.delta === undefined ? {} : { delta: s.delta.schema }) })),
    publishes: events(c.publishes),
    subscribes: events(c.subscribes),
  };
}

/** Builds the model of `c` (the loader has checked the keyword subset, so this does not fail). */
export function contractModel(c: AgentContractIr): SchemaModel {
  return schemaModel(
    [{ file: c.file, json: schemaDocument(c) }],
    contractSites(c).map((p) => [c.file, p] as const),
  );
}
