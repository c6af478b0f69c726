/**
 * `python/openagentio_contracts/<agent>.py`: one contract as Python — its models, the
 * contract facts, a typed client (invoke / stream per skill, events), the typed publisher and
 * handler context, the handler Protocol and `register_<agent>_handlers(bus, impl)` over the
 * `openagentio.runtime.Bus` (memory or NATS transport).
 */
import { snakeCase } from "../../python/names.js";
import { docstring } from "../../python/pyfmt.js";
import { agentNames, eventPayloadName, eventWords, skillNames } from "../names.js";
import { buildTypeModel, type TypeModel } from "../model.js";
import type { AgentContractIr, EventIr, SkillIr } from "../types.js";
import { pyRead, pyWrite, renderDecl } from "./types.js";
import { contractModel } from "../contract-model.js";
import { validationSites } from "../sites.js";
import { snake } from "../names.js";
import { ValidatorCompiler } from "../../python/validator.js";

const str = (s: string): string => JSON.stringify(s);

/** `_check("<label>", value)`: the value once it satisfies the contract's schema. */
const checked = (label: string, value: string): string => `_check(${str(label)}, ${value})`;
const named = (name: string) => ({ kind: "named", name }) as const;

function payloadClass(e: EventIr): string {
  return e.standardPayload ?? eventPayloadName(e.type);
}

/** Reads an event payload: standard ones through the SDK model (validating), custom ones through ours. */
function readPayload(model: TypeModel, e: EventIr): string {
  if (e.standardPayload !== undefined) return `${e.standardPayload}.from_json(payload, "/payload")`;
  return pyRead(model, named(eventPayloadName(e.type)), checked(`${e.type}.payload`, "payload"), '"/payload"');
}

function writePayload(model: TypeModel, e: EventIr): string {
  return e.standardPayload !== undefined ? "payload.to_json()" : checked(`${e.type}.payload`, pyWrite(model, named(eventPayloadName(e.type)), "payload"));
}

function pyTuple(items: readonly string[]): string {
  return items.length === 1 ? `(${str(items[0] ?? "")},)` : `(${items.map(str).join(", ")})`;
}

function facts(c: AgentContractIr): string[] {
  return [
    `NAME: Final = ${str(c.name)}`,
    '"""The agent name (queue group of its subscriptions)."""',
    "",
    `VERSION: Final = ${str(c.version)}`,
    '"""The contract version."""',
    "",
    "SKILLS: Final[Mapping[str, SkillInfo]] = skills(",
    ...c.skills.map((s) => `    SkillInfo(${str(s.id)}, ${str(s.target)}, ${str(s.mode)}),`),
    ")",
    '"""Skill id -> target and mode."""',
    "",
    `PUBLISHES: Final = ${pyTuple(c.publishes.map((e) => e.type))}`,
    '"""Event types the agent publishes."""',
    "",
    `SUBSCRIBES: Final = ${pyTuple(c.subscribes.map((e) => e.type))}`,
    '"""Event types the agent subscribes to."""',
  ];
}

/** Module-level readers of stream deltas and outputs (passed to typed_stream). */
function streamReaders(model: TypeModel, s: SkillIr): string[] {
  const n = skillNames(s.id);
  const fn = snakeCase(s.id);
  return [
    `def _read_${fn}_delta(value: JsonValue, at: str) -> ${n.delta}:`,
    `    return ${pyRead(model, named(n.delta), checked(`${s.id}.delta`, "value"), "at")}`,
    "",
    "",
    `def _read_${fn}_output(value: JsonValue, at: str) -> ${n.output}:`,
    `    return ${pyRead(model, named(n.output), checked(`${s.id}.output`, "value"), "at")}`,
    ...(s.delta?.encoding === "data"
      ? ["", "", `def _write_${fn}_delta(delta: ${n.delta}) -> JsonObject:`, `    return ${checked(`${s.id}.delta`, pyWrite(model, named(n.delta), "delta"))}`]
      : []),
  ];
}

function clientSkill(model: TypeModel, s: SkillIr): string[] {
  const n = skillNames(s.id);
  const fn = snakeCase(s.id);
  const target = `SKILLS[${str(s.id)}].target`;
  const request = checked(`${s.id}.input`, pyWrite(model, named(n.input), "request"));
  if (s.mode === "invoke") {
    return [
      `    async def ${fn}(self, request: ${n.input}, *, timeout: float | None = None) -> ${n.output}:`,
      `        ${docstring(`${s.name}: ${s.description}`, 8)}`,
      `        result = await self._bus.invoke(${target}, ${request}, timeout=timeout)`,
      `        return ${pyRead(model, named(n.output), checked(`${s.id}.output`, "result"), '"/payload/result"')}`,
    ];
  }
  return [
    `    async def ${fn}(self, request: ${n.input}, *, timeout: float | None = None) -> ${n.output}:`,
    `        ${docstring(`${s.name}: ${s.description} Runs the stream to its output; ${fn}_stream gives the deltas.`, 8)}`,
    `        return await stream_output(self.${fn}_stream(request, timeout=timeout))`,
    "",
    `    def ${fn}_stream(`,
    `        self, request: ${n.input}, *, timeout: float | None = None`,
    `    ) -> AsyncIterator[SkillFrame[${n.delta}, ${n.output}]]:`,
    `        ${docstring(`${s.name}, streamed: ${n.delta} deltas, then the ${n.output}.`, 8)}`,
    `        call = self._bus.stream_invoke(${target}, ${request}, timeout=timeout)`,
    `        key: Literal["delta", "data"] = ${str(s.delta?.encoding === "data" ? "data" : "delta")}`,
    `        return typed_stream(call, key, _read_${fn}_delta, _read_${fn}_output)`,
  ];
}

function client(model: TypeModel, c: AgentContractIr): string[] {
  const a = agentNames(c.name);
  const parts: string[][] = c.skills.map((s) => clientSkill(model, s));
  for (const e of c.publishes) {
    const fn = snakeCase(eventWords(e.type));
    parts.push([
      `    async def on_${fn}(`,
      `        self,`,
      `        handler: Callable[[${payloadClass(e)}, Envelope], Awaitable[None]],`,
      "        *,",
      "        queue: str | None = None,",
      "    ) -> Subscription:",
      `        ${docstring(`Receives ${e.type} published by ${c.name}: ${e.description}`, 8)}`,
      "",
      "        async def deliver(payload: JsonValue, ctx: HandlerContext) -> None:",
      `            await handler(${readPayload(model, e)}, ctx.envelope)`,
      "",
      `        return await self._bus.subscribe(${str(e.type)}, deliver, queue=queue)`,
    ]);
  }
  for (const e of c.subscribes) {
    parts.push([
      `    async def publish_${snakeCase(eventWords(e.type))}(self, payload: ${payloadClass(e)}) -> None:`,
      `        ${docstring(`Publishes ${e.type}, which ${c.name} subscribes to: ${e.description}`, 8)}`,
      `        await self._bus.publish(${str(e.type)}, ${writePayload(model, e)})`,
    ]);
  }
  return [
    `class ${a.client}:`,
    `    ${docstring(`Typed client of ${c.name} ${c.version}: ${c.description}`, 4)}`,
    "",
    "    def __init__(self, bus: Bus) -> None:",
    "        self._bus = bus",
    "",
    parts.map((p) => p.join("\n")).join("\n\n"),
  ];
}

function publisherAndContext(model: TypeModel, c: AgentContractIr): string[] {
  const a = agentNames(c.name);
  const methods = c.publishes.map((e) =>
    [
      `    async def ${snakeCase(eventWords(e.type))}(self, payload: ${payloadClass(e)}) -> None:`,
      `        ${docstring(e.description, 8)}`,
      `        await self._bus.publish(${str(e.type)}, ${writePayload(model, e)})`,
    ].join("\n"),
  );
  return [
    `class ${a.publisher}:`,
    `    ${docstring(`Typed publisher of the events ${c.name} declares (handlers get one as ctx.publish).`, 4)}`,
    "",
    "    def __init__(self, bus: Bus) -> None:",
    "        self._bus = bus",
    ...(methods.length > 0 ? ["", methods.join("\n\n")] : []),
    "",
    "",
    "@dataclass(frozen=True, slots=True)",
    `class ${a.context}:`,
    `    ${docstring(`What ${c.name} handlers get besides the request: the envelope, the typed publisher and the bus context.`, 4)}`,
    "",
    "    envelope: Envelope",
    '    """The request or event envelope being handled."""',

    "",
    `    publish: ${a.publisher}`,
    '    """Publishes the events the contract declares."""',
    "",
    "    context: HandlerContext",
    '    """The bus\'s handler context (subject, `canceled`, `reply_metadata`)."""',
  ];
}

function handlers(c: AgentContractIr): string[] {
  const a = agentNames(c.name);
  const members: string[] = [];
  for (const s of c.skills) {
    const n = skillNames(s.id);
    const fn = snakeCase(s.id);
    members.push(
      s.mode === "invoke"
        ? `    async def ${fn}(self, request: ${n.input}, ctx: ${a.context}) -> ${n.output}:`
        : `    async def ${fn}(\n        self, request: ${n.input}, stream: DeltaWriter[${n.delta}], ctx: ${a.context}\n    ) -> ${n.output}:`,
    );
    members.push(`        ${docstring(`${s.name}: ${s.description}`, 8)}`, "        ...", "");
  }
  for (const e of c.subscribes) {
    members.push(`    async def on_${snakeCase(eventWords(e.type))}(self, payload: ${payloadClass(e)}, ctx: ${a.context}) -> None:`);
    members.push(`        ${docstring(`On ${e.type}: ${e.description}`, 8)}`, "        ...", "");
  }
  return [
    `class ${a.handlers}(Protocol):`,
    `    ${docstring(`What an implementation of ${c.name} provides: one method per skill and per subscribed event.`, 4)}`,
    "",
    ...members.slice(0, -1),
  ];
}

function register(model: TypeModel, c: AgentContractIr): string[] {
  const a = agentNames(c.name);
  const defs: string[] = [];
  const subs: string[] = [];
  for (const s of c.skills) {
    const n = skillNames(s.id);
    const fn = snakeCase(s.id);
    const request = `        request = ${pyRead(model, named(n.input), checked(`${s.id}.input`, "payload"), '"/payload"')}`;
    const output = [`        result: JsonValue = ${pyWrite(model, named(n.output), "output")}`, `        return ${checked(`${s.id}.output`, "result")}`].join(
      "\n",
    );
    const ctx = `${a.context}(ctx.envelope, publish, ctx)`;
    if (s.mode === "invoke") {
      defs.push(
        `    async def ${fn}(payload: JsonValue, ctx: HandlerContext) -> JsonValue:`,
        request,
        `        output = await impl.${fn}(request, ${ctx})`,
        output,
        "",
      );
      subs.push(`        await bus.handle_invoke(SKILLS[${str(s.id)}].target, ${fn}),`);
    } else {
      const check = `lambda d: ${checked(`${s.id}.delta`, "d")}`;
      const writer = s.delta?.encoding === "data" ? `DataDeltaWriter(writer, _write_${fn}_delta)` : `TextDeltaWriter(writer, ${check})`;
      defs.push(
        `    async def ${fn}(payload: JsonValue, writer: StreamWriter, ctx: HandlerContext) -> JsonValue:`,
        request,
        `        output = await impl.${fn}(request, ${writer}, ${ctx})`,
        output,
        "",
      );
      subs.push(`        await bus.handle_stream(SKILLS[${str(s.id)}].target, ${fn}),`);
    }
  }
  for (const e of c.subscribes) {
    const fn = `on_${snakeCase(eventWords(e.type))}`;
    defs.push(
      `    async def ${fn}(payload: JsonValue, ctx: HandlerContext) -> None:`,
      `        await impl.${fn}(${readPayload(model, e)}, ${a.context}(ctx.envelope, publish, ctx))`,
      "",
    );
    subs.push(`        await bus.subscribe(${str(e.type)}, ${fn}, queue=${e.queue ? "NAME" : "None"}),`);
  }
  return [
    `async def ${snakeCase(a.register)}(bus: Bus, impl: ${a.handlers}) -> list[Subscription]:`,
    `    ${docstring(`Serves ${c.name} on \`bus\`: every skill (queue group = its target) and every subscribed event. Close the returned subscriptions (or the bus) to stop.`, 4)}`,
    `    publish = ${a.publisher}(bus)`,
    "",
    ...defs,
    "    return [",
    ...subs,
    "    ]",
  ];
}

/** The rendered validators of the contract's values, the SCHEMAS table and `_check`. */
function validation(c: AgentContractIr): string[] {
  const schemas = contractModel(c);
  const sites = validationSites(c, schemas);
  const entries = sites.map((s) => ({ name: `_validate_${snake(s.label)}`, node: s.node, doc: `Validates ${c.name} ${s.label}.` }));
  const { constants, functions } = new ValidatorCompiler(schemas).compile(entries);
  return [
    ...constants,
    ...functions,
    [
      "SCHEMAS: Final[Mapping[str, Validator]] = {",
      ...sites.map((s, i) => `    ${str(s.label)}: ${entries[i]!.name},`),
      "}",
      '"""The validators of the contract\'s values by site: `<skill>.input`, `.output`, `.delta`,',
      '`<event>.payload`."""',
    ].join("\n"),
    ["def _check(schema: str, value: T) -> T:", "    return check_value(NAME, SCHEMAS, schema, value)"].join("\n"),
  ];
}

/** The body of `<agent>.py` after its imports, and what it needs imported. */
export function pythonModule(c: AgentContractIr): { body: string; sdkModels: string[]; usesStream: boolean; usesData: boolean } {
  const model = buildTypeModel(c);
  const sections: string[] = [];
  for (const d of model.decls) sections.push(renderDecl(model, d));
  sections.push(facts(c).join("\n"));
  sections.push(...validation(c));
  for (const s of c.skills) if (s.mode === "stream") sections.push(streamReaders(model, s).join("\n"));
  sections.push(client(model, c).join("\n"), publisherAndContext(model, c).join("\n"), handlers(c).join("\n"), register(model, c).join("\n"));
  const sdkModels = [...new Set([...c.publishes, ...c.subscribes].flatMap((e) => (e.standardPayload !== undefined ? [e.standardPayload] : [])))].sort();
  return {
    body: `${sections.join("\n\n\n")}\n`,
    sdkModels,
    usesStream: c.skills.some((s) => s.mode === "stream"),
    usesData: c.skills.some((s) => s.delta?.encoding === "data"),
  };
}
