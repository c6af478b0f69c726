/**
 * `kotlin/src/main/kotlin/dev/openagentio/contracts/<agent>/<Agent>.kt`: one contract as
 * Kotlin — its models, the contract facts, a typed client (invoke / stream per skill,
 * events), the typed publisher and handler context, the handler interface and
 * `register<Agent>Handlers(bus, impl)` on the SDK's coroutine Bus (`dev.openagentio.acp.runtime.Bus`):
 * suspend functions, streams as a Flow of typed frames, handlers as suspend members.
 */
import { camelName, constName, escapeIdentifier, kdoc, kotlinString, uniqueNames } from "../../kotlin/names.js";
import { agentNames, eventPayloadName, eventWords, pascal, skillNames } from "../names.js";
import { buildTypeModel, type TypeModel } from "../model.js";
import type { AgentContractIr, EventIr, SkillIr } from "../types.js";
import { KOTLIN_CONTRACTS_PACKAGE } from "./support.js";
import { ktRead, ktWrite, renderKotlinDecl } from "./types.js";
import { contractModel } from "../contract-model.js";
import { validationSites } from "../sites.js";
import { kotlinValidators } from "./validator.js";

const named = (name: string) => ({ kind: "named", name }) as const;

/** The object holding a contract's validators and `check`. */
const schemasObject = (c: AgentContractIr): string => `${agentNames(c.name).pascal}Schemas`;

/** `<Agent>Schemas.check("<label>", json)`: the JSON once it satisfies the contract's schema. */
function checked(c: AgentContractIr, label: string, json: string): string {
  return `${schemasObject(c)}.check(${kotlinString(label)}, ${json})`;
}
const doc = (text: string, indent = ""): string => kdoc(text, indent).trimEnd();

/** The Kotlin package of one contract: `dev.openagentio.contracts.taskworker`. */
export function kotlinPackage(name: string): string {
  return `${KOTLIN_CONTRACTS_PACKAGE}.${escapeIdentifier(name.replace(/-/g, ""))}`;
}

function payloadClass(e: EventIr): string {
  return e.standardPayload ?? eventPayloadName(e.type);
}

/** Reads an event's payload (`payload`, a JsonElement? of the bus's event handler) as its typed class. */
function readPayload(model: TypeModel, c: AgentContractIr, e: EventIr): string {
  if (e.standardPayload !== undefined) return `${e.standardPayload}.fromJson(payload ?: JsonNull)`;
  return ktRead(model, named(eventPayloadName(e.type)), checked(c, `${e.type}.payload`, "payload ?: JsonNull"), '"/payload"');
}

function writePayload(model: TypeModel, c: AgentContractIr, e: EventIr): string {
  return e.standardPayload !== undefined ? "payload.toJson()" : checked(c, `${e.type}.payload`, ktWrite(model, named(eventPayloadName(e.type)), "payload"));
}

function facts(c: AgentContractIr, skillConsts: ReadonlyMap<string, string>): string[] {
  const a = agentNames(c.name);
  const list = (items: readonly string[]): string => `listOf(${items.map(kotlinString).join(", ")})`;
  const mode = (s: SkillIr): string => (s.mode === "stream" ? "SkillMode.STREAM" : "SkillMode.INVOKE");
  return [
    doc(`Facts of the ${c.name} contract: skills with their targets, and event types.`),
    `public object ${a.pascal}Contract {`,
    "    /** The agent name (queue group of its subscriptions). */",
    `    public const val NAME: String = ${kotlinString(c.name)}`,
    "",
    "    /** The contract version. */",
    `    public const val VERSION: String = ${kotlinString(c.version)}`,
    "",
    ...c.skills.flatMap((s) => [
      doc(`Skill "${s.id}".`, "    "),
      `    public val ${skillConsts.get(s.id)}: SkillInfo = SkillInfo(${kotlinString(s.id)}, ${kotlinString(s.target)}, ${mode(s)})`,
      "",
    ]),
    "    /** Every skill, in contract order. */",
    `    public val SKILLS: List<SkillInfo> = listOf(${c.skills.map((s) => skillConsts.get(s.id)).join(", ")})`,
    "",
    "    /** Event types the agent publishes. */",
    `    public val PUBLISHES: List<String> = ${list(c.publishes.map((e) => e.type))}`,
    "",
    "    /** Event types the agent subscribes to. */",
    `    public val SUBSCRIBES: List<String> = ${list(c.subscribes.map((e) => e.type))}`,
    "}",
  ];
}

function streamFns(model: TypeModel, c: AgentContractIr, s: SkillIr): string[] {
  const n = skillNames(s.id);
  const lines = [
    `private fun read${n.delta}(json: JsonElement, at: String): ${n.delta} = ${ktRead(model, named(n.delta), checked(c, `${s.id}.delta`, "json"), "at")}`,
    "",
    `private fun read${n.output}(json: JsonElement, at: String): ${n.output} = ${ktRead(model, named(n.output), checked(c, `${s.id}.output`, "json"), "at")}`,
  ];
  if (s.delta?.encoding === "data")
    lines.push(
      "",
      `private fun write${n.delta}(delta: ${n.delta}): JsonObject = ${checked(c, `${s.id}.delta`, ktWrite(model, named(n.delta), "delta"))} as JsonObject`,
    );
  return lines;
}

function client(model: TypeModel, c: AgentContractIr, skillConsts: ReadonlyMap<string, string>): string[] {
  const a = agentNames(c.name);
  const parts: string[][] = [];
  for (const s of c.skills) {
    const n = skillNames(s.id);
    const target = `${a.pascal}Contract.${skillConsts.get(s.id)}.target`;
    const request = checked(c, `${s.id}.input`, ktWrite(model, named(n.input), "request"));
    if (s.mode === "invoke") {
      parts.push([
        doc(`${s.name}: ${s.description}\nThrows InvalidRequestException before sending when [request] breaks the contract, and when the output does.`, "    "),
        `    public suspend fun ${camelName(n.method)}(request: ${n.input}, timeout: Duration = bus.defaultTimeout): ${n.output} {`,
        `        val result = bus.invoke(${target}, ${request}, timeout)`,
        `        return ${ktRead(model, named(n.output), checked(c, `${s.id}.output`, "result ?: JsonNull"), '"/payload/result"')}`,
        "    }",
      ]);
      continue;
    }
    const encoding = s.delta?.encoding === "data" ? "DeltaEncoding.DATA" : "DeltaEncoding.TEXT";
    parts.push([
      doc(`${s.name}: ${s.description}\nRuns the stream to its output; [${camelName(n.streamMethod)}] gives the deltas.`, "    "),
      `    public suspend fun ${camelName(n.method)}(request: ${n.input}, timeout: Duration = bus.defaultTimeout): ${n.output} =`,
      `        ContractSupport.output(${camelName(n.streamMethod)}(request, timeout))`,
      "",
      doc(
        `${s.name}, streamed: a cold Flow of typed frames in seq order (${n.delta} deltas, then the ${n.output}); an error frame throws its AcpException, leaving early cancels the handler.\nThrows InvalidRequestException at once when [request] breaks the contract.`,
        "    ",
      ),
      `    public fun ${camelName(n.streamMethod)}(request: ${n.input}, timeout: Duration = bus.defaultTimeout): Flow<SkillFrame<${n.delta}, ${n.output}>> {`,
      `        val payload = ${request}`,
      `        return bus.streamInvoke(${target}, payload, timeout).map { ContractSupport.frame(it, ${encoding}, ::read${n.delta}, ::read${n.output}) }`,
      "    }",
    ]);
  }
  for (const e of c.publishes) {
    parts.push([
      doc(`Receives ${e.type} published by ${c.name}: ${e.description}\nA payload that breaks the contract never reaches [handler].`, "    "),
      `    public suspend fun on${pascal(eventWords(e.type))}(queue: String? = null, handler: suspend (${payloadClass(e)}, HandlerContext) -> Unit): Subscription =`,
      `        bus.subscribe(${kotlinString(e.type)}, queue) { payload, ctx -> handler(${readPayload(model, c, e)}, ctx) }`,
    ]);
  }
  for (const e of c.subscribes) {
    parts.push([
      doc(`Publishes ${e.type}, which ${c.name} subscribes to: ${e.description}\nReturns the event_id.`, "    "),
      `    public suspend fun publish${pascal(eventWords(e.type))}(payload: ${payloadClass(e)}): String =`,
      `        bus.publish(${kotlinString(e.type)}, ${writePayload(model, c, e)})`,
    ]);
  }
  return [
    doc(`Typed client of ${c.name} ${c.version}: ${c.description}`),
    `public class ${a.client}(private val bus: Bus) {`,
    parts.map((p) => p.join("\n")).join("\n\n"),
    "}",
  ];
}

function publisherAndContext(model: TypeModel, c: AgentContractIr): string[] {
  const a = agentNames(c.name);
  const methods = c.publishes.map((e) =>
    [
      doc(`${e.description}\nReturns the event_id.`, "    "),
      `    public suspend fun ${camelName(eventWords(e.type))}(payload: ${payloadClass(e)}): String =`,
      `        bus.publish(${kotlinString(e.type)}, ${writePayload(model, c, e)})`,
    ].join("\n"),
  );
  return [
    doc(`Typed publisher of the events ${c.name} declares (handlers get one as ctx.publish).`),
    methods.length === 0
      ? `public class ${a.publisher}(@Suppress("unused") private val bus: Bus)`
      : `public class ${a.publisher}(private val bus: Bus) {\n${methods.join("\n\n")}\n}`,
    "",
    doc(
      `What ${c.name} handlers get besides the request: the envelope being handled, the typed publisher and the bus's handler context (subject, canceled, replyMetadata).`,
    ),
    `public data class ${a.context}(public val envelope: Envelope, public val publish: ${a.publisher}, public val handler: HandlerContext)`,
  ];
}

function handlers(c: AgentContractIr): string[] {
  const a = agentNames(c.name);
  const members: string[] = [];
  for (const s of c.skills) {
    const n = skillNames(s.id);
    members.push(doc(`${s.name}: ${s.description}`, "    "));
    members.push(
      s.mode === "invoke"
        ? `    public suspend fun ${camelName(n.method)}(request: ${n.input}, ctx: ${a.context}): ${n.output}`
        : `    public suspend fun ${camelName(n.method)}(request: ${n.input}, stream: DeltaWriter<${n.delta}>, ctx: ${a.context}): ${n.output}`,
      "",
    );
  }
  for (const e of c.subscribes) {
    members.push(doc(`On ${e.type}: ${e.description}`, "    "));
    members.push(`    public suspend fun on${pascal(eventWords(e.type))}(payload: ${payloadClass(e)}, ctx: ${a.context})`, "");
  }
  return [
    doc(`What an implementation of ${c.name} provides: one suspend member per skill and per subscribed event.`),
    `public interface ${a.handlers} {`,
    ...members.slice(0, -1),
    "}",
  ];
}

function register(model: TypeModel, c: AgentContractIr, skillConsts: ReadonlyMap<string, string>): string[] {
  const a = agentNames(c.name);
  const subs: string[] = [];
  for (const s of c.skills) {
    const n = skillNames(s.id);
    const target = `${a.pascal}Contract.${skillConsts.get(s.id)}.target`;
    const input = ktRead(model, named(n.input), checked(c, `${s.id}.input`, "payload ?: JsonNull"), '"/payload"');
    const output = `            ${checked(c, `${s.id}.output`, ktWrite(model, named(n.output), "output"))}`;
    const ctx = `${a.context}(ctx.envelope, publish, ctx)`;
    if (s.mode === "invoke") {
      subs.push(
        `        bus.handleInvoke(${target}) { payload, ctx ->`,
        `            val output = impl.${camelName(n.method)}(${input}, ${ctx})`,
        output,
        "        },",
      );
    } else {
      const writer =
        s.delta?.encoding === "data"
          ? `ContractSupport.dataWriter(writer, ::write${n.delta})`
          : `ContractSupport.textWriter(writer) { ${checked(c, `${s.id}.delta`, "it")} }`;
      subs.push(
        `        bus.handleStream(${target}) { payload, writer, ctx ->`,
        `            val request = ${input}`,
        `            val output = impl.${camelName(n.method)}(request, ${writer}, ${ctx})`,
        output,
        "        },",
      );
    }
  }
  for (const e of c.subscribes) {
    const queue = e.queue ? `${a.pascal}Contract.NAME` : "null";
    subs.push(
      `        bus.subscribe(${kotlinString(e.type)}, ${queue}) { payload, ctx -> impl.on${pascal(eventWords(e.type))}(${readPayload(model, c, e)}, ${a.context}(ctx.envelope, publish, ctx)) },`,
    );
  }
  return [
    doc(
      `Serves ${c.name} on [bus]: every skill (queue group = its target) and every subscribed event.\nInputs are checked before [impl] runs, outputs and deltas before they are sent. Unsubscribe the returned subscriptions (or shut the bus down) to stop.`,
    ),
    `public suspend fun ${a.register}(bus: Bus, impl: ${a.handlers}): List<Subscription> {`,
    `    val publish = ${a.publisher}(bus)`,
    "    return listOf(",
    ...subs,
    "    )",
    "}",
  ];
}

/** The body of `<Agent>.kt` after package and imports, and the SDK payload classes it uses. */
export function kotlinModule(c: AgentContractIr): { body: string; sdkModels: string[] } {
  const model = buildTypeModel(c);
  const skillConsts = uniqueNames(
    c.skills.map((s) => s.id),
    constName,
    ["NAME", "VERSION", "SKILLS", "PUBLISHES", "SUBSCRIBES"],
  );
  const sections: string[] = model.decls.map((d) => renderKotlinDecl(model, d));
  sections.push(facts(c, skillConsts).join("\n"));
  const schemas = contractModel(c);
  sections.push(kotlinValidators(schemas, validationSites(c, schemas), schemasObject(c), c.name));
  for (const s of c.skills) if (s.mode === "stream") sections.push(streamFns(model, c, s).join("\n"));
  sections.push(
    client(model, c, skillConsts).join("\n"),
    publisherAndContext(model, c).join("\n"),
    handlers(c).join("\n"),
    register(model, c, skillConsts).join("\n"),
  );
  const sdkModels = [...new Set([...c.publishes, ...c.subscribes].flatMap((e) => (e.standardPayload !== undefined ? [e.standardPayload] : [])))].sort();
  return { body: `${sections.join("\n\n")}\n`, sdkModels };
}
