/**
 * Checks one contract (shape-valid, or with the skeleton load.ts checks for, so that all
 * problems are reported in one pass) beyond what its JSON Schema can say (unique skill ids,
 * targets and generated names, valid embedded schemas, delta encodings, standard vs custom
 * events) and builds its IR with defaults filled in.
 */
import type { ContractProblem } from "./errors.js";
import { deltaEncoding, type SchemaSite } from "./schemas.js";
import { RESERVED_TYPE_NAMES, agentNames, eventPayloadName, eventWords, pascal, skillNames, titleCase } from "./names.js";
import type { AgentContractIr, EventIr, Json, JsonSchema, SkillIr, StandardEvent } from "./types.js";

/** A contract after its shape check (schema/agent-contract.schema.json). */
interface RawSkill {
  id: string;
  name: string;
  description: string;
  tags?: string[];
  examples?: string[];
  target?: string;
  input: JsonSchema | boolean;
  output: JsonSchema | boolean;
  delta?: JsonSchema | boolean;
  inputModes?: string[];
  outputModes?: string[];
}
interface RawEvent {
  type: string;
  description: string;
  payload?: JsonSchema | boolean;
  queue?: boolean;
}
interface RawContract {
  name: string;
  title?: string;
  description: string;
  version: string;
  skills: RawSkill[];
  events?: { publishes?: RawEvent[]; subscribes?: RawEvent[] };
  $defs?: Record<string, JsonSchema | boolean>;
  a2a?: {
    url?: string;
    provider?: { organization: string; url: string };
    documentationUrl?: string;
    iconUrl?: string;
    defaultInputModes?: string[];
    defaultOutputModes?: string[];
  };
}

export interface CheckInput {
  readonly path: string;
  readonly file: string;
  readonly doc: Json;
  readonly standardEvents: readonly StandardEvent[];
  readonly schemaCheck: (file: string, site: SchemaSite, defs: Record<string, Json>) => ContractProblem[];
}

/** Records names and reports the second use of each. */
class NameTable {
  readonly #seen = new Map<string, string>();
  constructor(
    readonly path: string,
    readonly problems: ContractProblem[],
    readonly what: string,
    /** Extra admission check; returns false (after reporting) to refuse a name. */
    readonly admit: (name: string, pointer: string) => boolean = () => true,
  ) {}
  /** Records `name`; reports and returns false when it was taken. */
  claim(name: string, pointer: string, fix: string): boolean {
    if (!this.admit(name, pointer)) return false;
    const first = this.#seen.get(name);
    if (first === undefined) {
      this.#seen.set(name, pointer);
      return true;
    }
    this.problems.push({ file: this.path, pointer, message: `${this.what} "${name}" is already used by #${first}`, fix });
    return false;
  }
}

/** Invoke/stream protocol frames are not pub/sub events. */
function isFrame(e: StandardEvent): boolean {
  return e.frameType !== null && (e.frameType === "request" || e.frameType.startsWith("response.") || e.frameType.startsWith("stream."));
}

function checkEvents(c: CheckInput, raw: RawContract, kind: "publishes" | "subscribes", problems: ContractProblem[], sites: SchemaSite[]): EventIr[] {
  const list = raw.events?.[kind] ?? [];
  const seen = new NameTable(c.path, problems, "event type");
  return list.map((e, i): EventIr => {
    const at = `/events/${kind}/${i}`;
    seen.claim(e.type, `${at}/type`, `list each event type once under "${kind}"`);
    const std = c.standardEvents.find((s) => s.name === e.type);
    if (std !== undefined && isFrame(std)) {
      problems.push({
        file: c.path,
        pointer: `${at}/type`,
        message: `"${e.type}" is a frame of invoke/stream, not a pub/sub event`,
        fix: "declare a skill for request/response work; events are agent.tool.*, agent.task.* or your own types",
      });
    } else if (std !== undefined && e.payload !== undefined) {
      problems.push({
        file: c.path,
        pointer: `${at}/payload`,
        message: `"${e.type}" is a standard event type; its payload is ${std.payloadType} from schema/payloads`,
        fix: 'remove "payload"',
      });
    } else if (std === undefined && e.type.startsWith("agent.")) {
      problems.push({
        file: c.path,
        pointer: `${at}/type`,
        message: `"${e.type}" is not a standard event type, and agent.* is reserved for them`,
        fix: `use a standard type (${c.standardEvents
          .filter((s) => !isFrame(s))
          .map((s) => s.name)
          .join(", ")}) or your own prefix, e.g. "${raw.name}.${e.type.slice("agent.".length)}"`,
      });
    } else if (std === undefined && e.payload === undefined) {
      problems.push({
        file: c.path,
        pointer: `${at}/payload`,
        message: `custom event type "${e.type}" has no payload schema`,
        fix: 'add "payload": a JSON Schema of the event\'s payload',
      });
    }
    if (kind === "publishes" && e.queue !== undefined) {
      problems.push({
        file: c.path,
        pointer: `${at}/queue`,
        message: '"queue" only applies to subscribed events',
        fix: 'remove "queue" (subscribers choose their own delivery)',
      });
    }
    if (std === undefined && e.payload !== undefined) sites.push({ pointer: `${at}/payload`, schema: e.payload });
    return {
      type: e.type,
      description: e.description,
      standardPayload: std?.payloadType,
      payload: std === undefined ? e.payload : undefined,
      queue: e.queue ?? true,
    };
  });
}

function checkNames(c: CheckInput, raw: RawContract, skills: readonly SkillIr[], problems: ContractProblem[]): void {
  // Skills whose ids differ only in separators ("do-it", "do_it") generate the same names: report that once.
  const spellings = new Map<string, string>();
  const distinct = skills.filter((s, i) => {
    const key = pascal(s.id);
    const first = spellings.get(key);
    if (first === undefined) {
      spellings.set(key, s.id);
      return true;
    }
    if (first !== s.id) {
      problems.push({
        file: c.path,
        pointer: `/skills/${i}/id`,
        message: `skill id "${s.id}" generates the same names as "${first}"`,
        fix: "rename one of them: ids that differ only in '-' vs '_' collide",
      });
    }
    return false;
  });
  const agent = agentNames(raw.name);
  const reserved = new Set([...RESERVED_TYPE_NAMES, ...c.standardEvents.map((e) => e.payloadType)]);
  const types = new NameTable(c.path, problems, "generated type name", (name, pointer) => {
    if (!reserved.has(name)) return true;
    problems.push({
      file: c.path,
      pointer,
      message: `type name "${name}" is reserved (a built-in or generated name in TypeScript, Python or Kotlin)`,
      fix: `choose another name (e.g. with a prefix: "My${name}")`,
    });
    return false;
  });
  [agent.client, agent.handlers, agent.context, agent.publisher, agent.registration].forEach((n) => {
    types.claim(n, "/name", "rename the agent");
  });
  for (const name of Object.keys(raw.$defs ?? {})) types.claim(name, `/$defs/${name}`, "rename this shared type");
  const clientMethods = new NameTable(c.path, problems, "client method");
  const handlerMethods = new NameTable(c.path, problems, "handler method");
  const skillFix = "rename the skill or the other name (the generator adds Input, Output, Delta and Stream to skill names)";
  distinct.forEach((s) => {
    const i = skills.indexOf(s);
    const n = skillNames(s.id);
    types.claim(n.input, `/skills/${i}/input`, skillFix);
    types.claim(n.output, `/skills/${i}/output`, skillFix);
    if (s.mode === "stream") types.claim(n.delta, `/skills/${i}/delta`, skillFix);
    clientMethods.claim(n.method, `/skills/${i}/id`, skillFix);
    if (s.mode === "stream") clientMethods.claim(n.streamMethod, `/skills/${i}/id`, skillFix);
    handlerMethods.claim(n.method, `/skills/${i}/id`, skillFix);
  });
  const eventFix = "rename the event type or the skill: generated method names must differ";
  const firsts = (list: readonly RawEvent[]): [RawEvent, number][] =>
    list.map((e, i): [RawEvent, number] => [e, i]).filter(([e, i]) => list.findIndex((o) => o.type === e.type) === i);
  firsts(raw.events?.publishes ?? []).forEach(([e, i]) => {
    if (!c.standardEvents.some((s) => s.name === e.type)) types.claim(eventPayloadName(e.type), `/events/publishes/${i}/type`, eventFix);
    clientMethods.claim(`on${pascal(eventWords(e.type))}`, `/events/publishes/${i}/type`, eventFix);
  });
  firsts(raw.events?.subscribes ?? []).forEach(([e, i]) => {
    if (!c.standardEvents.some((s) => s.name === e.type) && !(raw.events?.publishes ?? []).some((p) => p.type === e.type)) {
      types.claim(eventPayloadName(e.type), `/events/subscribes/${i}/type`, eventFix);
    }
    clientMethods.claim(`publish${pascal(eventWords(e.type))}`, `/events/subscribes/${i}/type`, eventFix);
    handlerMethods.claim(`on${pascal(eventWords(e.type))}`, `/events/subscribes/${i}/type`, eventFix);
  });
}

/** Checks one contract document and builds its IR (meaningful only when `problems` is empty). */
export function checkContract(c: CheckInput): { ir: AgentContractIr; problems: ContractProblem[] } {
  const raw = c.doc as unknown as RawContract;
  const problems: ContractProblem[] = [];
  const defs = (raw.$defs ?? {}) as Record<string, Json>;
  const sites: SchemaSite[] = Object.entries(raw.$defs ?? {}).map(([k, s]) => ({ pointer: `/$defs/${k}`, schema: s }));
  const ids = new NameTable(c.path, problems, "skill id");
  const targets = new NameTable(c.path, problems, "target");
  const skills = raw.skills.map((s, i): SkillIr => {
    const fresh = ids.claim(s.id, `/skills/${i}/id`, "give every skill a distinct id");
    const target = s.target ?? `${raw.name}:${s.id}`;
    if (fresh || s.target !== undefined) targets.claim(target, `/skills/${i}/${s.target === undefined ? "id" : "target"}`, "give every skill its own target");
    sites.push({ pointer: `/skills/${i}/input`, schema: s.input }, { pointer: `/skills/${i}/output`, schema: s.output });
    let delta: SkillIr["delta"];
    if (s.delta !== undefined) {
      sites.push({ pointer: `/skills/${i}/delta`, schema: s.delta });
      const encoding = deltaEncoding(s.delta, defs);
      if (encoding === undefined || typeof s.delta === "boolean") {
        problems.push({
          file: c.path,
          pointer: `/skills/${i}/delta`,
          message: "a delta must be a string or an object schema",
          fix: 'use { "type": "string" } for text pieces, or wrap the value in an object: { "type": "object", "properties": { ... } }',
        });
      } else delta = { schema: s.delta, encoding };
    }
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      tags: s.tags ?? [],
      examples: s.examples ?? [],
      target,
      mode: s.delta === undefined ? "invoke" : "stream",
      input: s.input,
      output: s.output,
      delta,
      inputModes: s.inputModes,
      outputModes: s.outputModes,
    };
  });
  const publishes = checkEvents(c, raw, "publishes", problems, sites);
  const subscribes = checkEvents(c, raw, "subscribes", problems, sites);
  subscribes.forEach((e, i) => {
    const pub = publishes.find((p) => p.type === e.type);
    if (pub !== undefined && JSON.stringify(pub.payload) !== JSON.stringify(e.payload)) {
      problems.push({
        file: c.path,
        pointer: `/events/subscribes/${i}/payload`,
        message: `"${e.type}" is also published with a different payload schema`,
        fix: "use the same payload schema in both lists (or a shared $defs type)",
      });
    }
  });
  checkNames(c, raw, skills, problems);
  for (const site of sites) problems.push(...c.schemaCheck(c.path, site, defs));
  const a2a = raw.a2a ?? {};
  const ir: AgentContractIr = {
    file: c.file,
    name: raw.name,
    title: raw.title ?? titleCase(raw.name),
    description: raw.description,
    version: raw.version,
    skills,
    publishes,
    subscribes,
    defs: new Map(Object.entries(raw.$defs ?? {})),
    card: {
      url: a2a.url ?? `http://localhost:8080/a2a/${raw.name}`,
      provider: a2a.provider,
      documentationUrl: a2a.documentationUrl,
      iconUrl: a2a.iconUrl,
      defaultInputModes: a2a.defaultInputModes ?? ["application/json"],
      defaultOutputModes: a2a.defaultOutputModes ?? ["application/json"],
    },
  };
  return { ir, problems };
}
