/**
 * `ts/<agent>.ts`: one contract as TypeScript — its named types, the contract facts, a typed
 * client (invoke / stream per skill, events), the handler interface and
 * `register<Agent>Handlers(bus, impl)` over the Bus API.
 */
import { agentNames, camel, eventPayloadName, eventWords, pascal, skillNames } from "../names.js";
import type { AgentContractIr, EventIr, SkillIr } from "../types.js";
import { docBlock } from "../../render/code-writer.js";
import { contractModel } from "../contract-model.js";
import { validationSites } from "../sites.js";
import { TS_VALIDATION_HELPERS, tsValidators } from "./validator.js";

/** TSDoc block with `indent`; `*\/` in the text is defused. */
export function tsDoc(text: string, indent = ""): string {
  return docBlock(text.replace(/\*\//g, "* /").split("\n"), indent);
}

const str = (s: string): string => JSON.stringify(s);

/** TypeScript type of an event's payload. */
function payloadType(e: EventIr): string {
  return e.standardPayload !== undefined ? `PayloadOf<${str(e.type)}>` : eventPayloadName(e.type);
}

/** Explicit payload type argument of bus.subscribe for custom events (standard ones infer it). */
function subscribeTypeArgs(e: EventIr): string {
  return e.standardPayload !== undefined ? "" : `<${str(e.type)}, ${eventPayloadName(e.type)}>`;
}

/** The payload argument of a publish: custom payloads are checked against their schema. */
function checkPayload(e: EventIr): string {
  return e.standardPayload !== undefined ? "payload" : `check<${eventPayloadName(e.type)}>(${str(`${e.type}.payload`)}, payload)`;
}

function contractConst(c: AgentContractIr): string {
  const n = agentNames(c.name);
  const skills = c.skills.map((s) => `    ${skillNames(s.id).method}: { id: ${str(s.id)}, target: ${str(s.target)}, mode: ${str(s.mode)} },`);
  const events = (list: readonly EventIr[]): string => `[${list.map((e) => str(e.type)).join(", ")}]`;
  return [
    tsDoc(`Facts of the ${c.name} contract: skill targets and event types.`),
    `export const ${n.contract} = {`,
    `  name: ${str(c.name)},`,
    `  version: ${str(c.version)},`,
    "  skills: {",
    ...skills,
    "  },",
    `  publishes: ${events(c.publishes)},`,
    `  subscribes: ${events(c.subscribes)},`,
    "} as const;",
  ].join("\n");
}

function clientSkill(c: AgentContractIr, s: SkillIr): string[] {
  const n = skillNames(s.id);
  const target = `${agentNames(c.name).contract}.skills.${n.method}.target`;
  if (s.mode === "invoke") {
    return [
      tsDoc(`${s.name}: ${s.description}`, "  "),
      `  async ${n.method}(input: ${n.input}, opts?: InvokeOptions): Promise<${n.output}> {`,
      `    const output = await this.#bus.invoke(${target}, check(${str(`${s.id}.input`)}, input), opts);`,
      `    return check<${n.output}>(${str(`${s.id}.output`)}, output);`,
      "  }",
    ];
  }
  return [
    tsDoc(`${s.name}: ${s.description}\nRuns the stream and resolves with its output; \`${n.streamMethod}\` gives the deltas.`, "  "),
    `  async ${n.method}(input: ${n.input}, opts?: SkillStreamOptions): Promise<${n.output}> {`,
    `    return await this.${n.streamMethod}(input, opts).output();`,
    "  }",
    "",
    tsDoc(`${s.name}, streamed: ${n.delta} deltas, then the ${n.output}.\nThrows INVALID_REQUEST at once when \`input\` breaks the contract.`, "  "),
    `  ${n.streamMethod}(input: ${n.input}, opts?: SkillStreamOptions): SkillStream<${n.delta}, ${n.output}> {`,
    `    const call = this.#bus.streamInvoke(${target}, check(${str(`${s.id}.input`)}, input), opts);`,
    `    return typedStream<${n.delta}, ${n.output}>(call, ${str(s.delta?.encoding ?? "text")}, {`,
    `      delta: (value) => check<${n.delta}>(${str(`${s.id}.delta`)}, value),`,
    `      output: (value) => check<${n.output}>(${str(`${s.id}.output`)}, value),`,
    "    });",
    "  }",
  ];
}

function client(c: AgentContractIr): string {
  const n = agentNames(c.name);
  const body: string[][] = c.skills.map((s) => clientSkill(c, s));
  for (const e of c.publishes) {
    const t = payloadType(e);
    body.push([
      tsDoc(`Receives ${e.type} published by ${c.name}: ${e.description}`, "  "),
      `  on${pascal(eventWords(e.type))}(handler: (payload: ${t}, ctx: HandlerContext) => void | Promise<void>, opts?: SubscribeOptions): Subscription {`,
      e.standardPayload !== undefined
        ? `    return this.#bus.subscribe(${str(e.type)}, handler, opts);`
        : `    return this.#bus.subscribe${subscribeTypeArgs(e)}(${str(e.type)}, (payload, ctx) => handler(check(${str(`${e.type}.payload`)}, payload), ctx), opts);`,
      "  }",
    ]);
  }
  for (const e of c.subscribes) {
    body.push([
      tsDoc(`Publishes ${e.type}, which ${c.name} subscribes to: ${e.description}`, "  "),
      `  async publish${pascal(eventWords(e.type))}(payload: ${payloadType(e)}, opts?: PublishOptions): Promise<void> {`,
      `    return this.#bus.publish(${str(e.type)}, ${checkPayload(e)}, opts);`,
      "  }",
    ]);
  }
  return [
    tsDoc(`Typed client of ${c.name} ${c.version}: ${c.description}`),
    `export class ${n.client} {`,
    "  readonly #bus: Bus;",
    "",
    "  constructor(bus: Bus) {",
    "    this.#bus = bus;",
    "  }",
    "",
    body.map((b) => b.join("\n")).join("\n\n"),
    "}",
  ].join("\n");
}

function publisher(c: AgentContractIr): string {
  const n = agentNames(c.name);
  const sigs = c.publishes.map(
    (e) => `${tsDoc(e.description, "  ")}\n  ${camel(eventWords(e.type))}(payload: ${payloadType(e)}, opts?: PublishOptions): Promise<void>;`,
  );
  const impls = c.publishes.map((e) => `    ${camel(eventWords(e.type))}: async (payload, opts) => bus.publish(${str(e.type)}, ${checkPayload(e)}, opts),`);
  return [
    tsDoc(`The events ${c.name} publishes, typed.`),
    sigs.length === 0 ? `export interface ${n.publisher} {}` : `export interface ${n.publisher} {\n${sigs.join("\n")}\n}`,
    "",
    tsDoc(`Typed publisher of the events ${c.name} declares (handlers get one as \`ctx.publish\`).`),
    `export function create${n.publisher}(${impls.length === 0 ? "_bus" : "bus"}: Bus): ${n.publisher} {`,
    impls.length === 0 ? "  return {};" : ["  return {", ...impls, "  };"].join("\n"),
    "}",
  ].join("\n");
}

function handlers(c: AgentContractIr): string {
  const n = agentNames(c.name);
  const members: string[] = [];
  for (const s of c.skills) {
    const k = skillNames(s.id);
    members.push(tsDoc(`${s.name}: ${s.description}`, "  "));
    members.push(
      s.mode === "invoke"
        ? `  ${k.method}(input: ${k.input}, ctx: ${n.context}): ${k.output} | Promise<${k.output}>;`
        : `  ${k.method}(input: ${k.input}, stream: DeltaWriter<${k.delta}>, ctx: ${n.context}): ${k.output} | Promise<${k.output}>;`,
    );
  }
  for (const e of c.subscribes) {
    members.push(tsDoc(`On ${e.type}: ${e.description}`, "  "));
    members.push(`  on${pascal(eventWords(e.type))}(payload: ${payloadType(e)}, ctx: ${n.context}): void | Promise<void>;`);
  }
  return [
    tsDoc(`Context of ${c.name} handlers: the bus context plus \`publish\`, the typed publisher.`),
    `export type ${n.context} = ContractContext<${n.publisher}>;`,
    "",
    tsDoc(`What an implementation of ${c.name} provides: one method per skill and per subscribed event.`),
    `export interface ${n.handlers} {`,
    members.join("\n"),
    "}",
  ].join("\n");
}

function register(c: AgentContractIr): string {
  const n = agentNames(c.name);
  const subs: string[] = [];
  for (const s of c.skills) {
    const k = skillNames(s.id);
    const target = `${n.contract}.skills.${k.method}.target`;
    subs.push(
      s.mode === "invoke"
        ? [
            `    bus.handleInvoke(${target}, async (input, ctx) => {`,
            `      const output = await impl.${k.method}(check<${k.input}>(${str(`${s.id}.input`)}, input), withPublisher(ctx, publish));`,
            `      return check<${k.output}>(${str(`${s.id}.output`)}, output);`,
            "    }, opts),",
          ].join("\n")
        : [
            `    bus.handleStream(${target}, async (input, writer, ctx) => {`,
            `      const request = check<${k.input}>(${str(`${s.id}.input`)}, input);`,
            `      const deltas = deltaWriter<${k.delta}>(writer, ${str(s.delta?.encoding ?? "text")}, (d) => check<${k.delta}>(${str(`${s.id}.delta`)}, d));`,
            `      return check<${k.output}>(${str(`${s.id}.output`)}, await impl.${k.method}(request, deltas, withPublisher(ctx, publish)));`,
            "    }, opts),",
          ].join("\n"),
    );
  }
  for (const e of c.subscribes) {
    const queue = e.queue ? `queue: ${n.contract}.name, ` : "";
    subs.push(
      `    bus.subscribe${subscribeTypeArgs(e)}(${str(e.type)}, (payload, ctx) => impl.on${pascal(eventWords(e.type))}(${e.standardPayload !== undefined ? "payload" : `check(${str(`${e.type}.payload`)}, payload)`}, withPublisher(ctx, publish)), { ${queue}...opts }),`,
    );
  }
  return [
    tsDoc(
      `Serves ${c.name} on \`bus\`: every skill (queue group = its target) and every subscribed event.\nClose the returned registrations (or the bus) to stop.`,
    ),
    `export function ${n.register}(bus: Bus, impl: ${n.handlers}, opts: RegisterOptions = {}): Registrations {`,
    `  const publish = create${n.publisher}(bus);`,
    "  return group([",
    ...subs,
    "  ]);",
    "}",
  ].join("\n");
}

/** The validators of the contract's values and the module's `check` over them. */
function validation(c: AgentContractIr): string {
  const table = `${camel(c.name)}Schemas`;
  return [
    tsValidators(contractModel(c), validationSites(c, contractModel(c)), table, c.name),
    "",
    `const check: ContractCheck = contractCheck(${str(c.name)}, ${table});`,
  ].join("\n");
}

/** Everything after the imports and types of `ts/<agent>.ts`. */
export function tsModuleBody(c: AgentContractIr): string {
  return [contractConst(c), validation(c), client(c), publisher(c), handlers(c), register(c)].join("\n\n");
}

/** The import lines of `ts/<agent>.ts` (only what the body uses). */
export function tsModuleImports(c: AgentContractIr): string {
  const hasStream = c.skills.some((s) => s.mode === "stream");
  const hasInvoke = c.skills.some((s) => s.mode === "invoke");
  const usesPayloadOf = [...c.publishes, ...c.subscribes].some((e) => e.standardPayload !== undefined);
  const types = ["Bus", "ContractCheck", "ContractContext", "RegisterOptions", "Registrations", "SchemaFailure"];
  if (c.publishes.length > 0) types.push("HandlerContext", "SubscribeOptions", "Subscription");
  if (c.publishes.length > 0 || c.subscribes.length > 0) types.push("PublishOptions");
  if (hasInvoke) types.push("InvokeOptions");
  if (usesPayloadOf) types.push("PayloadOf");
  if (hasStream) types.push("DeltaWriter", "SkillStream", "SkillStreamOptions");
  const body = tsModuleBody(c);
  const helpers = TS_VALIDATION_HELPERS.filter((h) => new RegExp(`\\b${h}\\(`, "u").test(body));
  const values = ["contractCheck", "group", "withPublisher", ...helpers, ...(hasStream ? ["deltaWriter", "typedStream"] : [])];
  return `import { ${[...values.sort(), ...types.sort().map((t) => `type ${t}`)].join(", ")} } from "./support.js";`;
}
