/**
 * One server, many skills: a server for an agent contract routes each skill to its own bus
 * target (a real nats-server, real HTTP), a message names its skill in Message.metadata
 * `skillId` (none: the contract's first skill; unknown: INVALID_PARAMS naming it and the known
 * ones), a task keeps its skill when continued; the card it serves is the card
 * `oaio generate --contracts` writes (same function), compared with the committed files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus } from "../../runtime/bus/types.js";
import { connectNats } from "../../runtime/nats.js";
import { contractFromAgentCard, startA2aServer, type A2aServer } from "../../runtime/a2a/index.js";
import type { AgentCard } from "../../generated/a2a/index.js";
import { loadContracts } from "../../generator/contracts/load.js";
import { standardEvents } from "../../generator/contracts/generate.js";
import type { AgentContractIr } from "../../generator/contracts/types.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLES = join(ROOT, "examples/contracts");

// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test, indexed by path on purpose; a wrong shape fails the assertion at run time
type Obj = Record<string, any>;

let nats: NatsServer;
const closers: (() => Promise<void>)[] = [];
let contracts: readonly AgentContractIr[];

async function bus(agentId: string): Promise<Bus> {
  const transport = await connectNats({ servers: nats.url });
  const b = createBus({ agentId, transport });
  closers.push(async () => {
    await b.close();
    await transport.close();
  });
  return b;
}

let n = 0;
async function rpc(url: string, method: string, params: unknown): Promise<Obj> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "A2A-Version": "1.0" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++n, method, params }),
  });
  return (await res.json()) as Obj;
}
const send = (url: string, text: string, metadata?: Obj, extra: Obj = {}): Promise<Obj> =>
  rpc(url, "SendMessage", { message: { messageId: `s-${++n}`, role: "ROLE_USER", parts: [{ text }], ...(metadata ? { metadata } : {}), ...extra } });
const artifactText = (task: Obj): string =>
  (task["artifacts"] ?? []).flatMap((a: Obj) => a["parts"].map((p: Obj) => p["text"] ?? JSON.stringify(p["data"]))).join("");

beforeAll(async () => {
  nats = await startNatsServer({ noJetStream: true });
  contracts = loadContracts(EXAMPLES, { standardEvents: standardEvents(join(ROOT, "schema")) }).contracts;
});
afterAll(async () => {
  while (closers.length > 0) await closers.pop()?.();
  await nats.stop();
});

describe("one server, many skills", () => {
  let server: A2aServer;
  const seen: Obj[] = [];

  beforeAll(async () => {
    const translator = contracts.find((c) => c.name === "translator");
    if (translator === undefined) throw new Error("examples/contracts has no translator");
    const agent = await bus("translator-agent");
    // Each skill's own target, as the contract names them: translator:translate streams, translator:detect-language is invoke.
    const subs = [
      agent.handleStream("translator:translate", async (req: unknown, w, ctx) => {
        seen.push({ target: "translate", skill: ctx.envelope.metadata?.["a2a.skill_id"] });
        await w.delta("tra");
        return `translated:${JSON.stringify(req)}`;
      }),
      agent.handleInvoke("translator:detect-language", (req: unknown, ctx) => {
        seen.push({ target: "detect-language", skill: ctx.envelope.metadata?.["a2a.skill_id"] });
        if (req === "ask") {
          ctx.replyMetadata["a2a.phase"] = "input_required";
          return "which text?";
        }
        return `detected:${JSON.stringify(req)}`;
      }),
    ];
    closers.push(async () => {
      for (const s of subs) await s.unsubscribe();
    });
    server = await startA2aServer({ bus: await bus("bridge"), auth: "none", contract: translator });
    closers.push(() => server.close());
  });

  it("routes each skill to its bus target; a message without a skill runs the contract's first skill", async () => {
    seen.length = 0;
    const detect = await send(server.url, "bonjour", { skillId: "detect-language" });
    expect(detect["result"]["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(artifactText(detect["result"]["task"])).toBe('detected:"bonjour"');
    expect(detect["result"]["task"]["metadata"]).toEqual({ skillId: "detect-language" });
    const translate = await send(server.url, "hello", { skillId: "translate" });
    expect(artifactText(translate["result"]["task"])).toBe('tratranslated:"hello"');
    const byDefault = await send(server.url, "hi");
    expect(artifactText(byDefault["result"]["task"])).toBe('tratranslated:"hi"');
    expect(byDefault["result"]["task"]["metadata"]).toEqual({ skillId: "translate" });
    // The handler learns the skill in envelope metadata a2a.skill_id (a client's own a2a.skill_id is dropped).
    expect(seen).toEqual([
      { target: "detect-language", skill: "detect-language" },
      { target: "translate", skill: "translate" },
      { target: "translate", skill: "translate" },
    ]);
  });

  it("an unknown skill is INVALID_PARAMS naming it and listing the known skills; nothing runs", async () => {
    seen.length = 0;
    const r = await send(server.url, "x", { skillId: "summarize" });
    expect(r["error"]["code"]).toBe(-32602);
    expect(r["error"]["message"]).toContain('skillId "summarize" is not a skill of this agent; known skills: translate, detect-language');
    const wrongType = await send(server.url, "x", { skillId: 7 });
    expect(wrongType["error"]["code"]).toBe(-32602);
    expect(wrongType["error"]["message"]).toContain("skillId 7 is not a skill");
    expect(seen).toEqual([]);
  });

  it("a continued task runs its own skill; naming another skill on it is INVALID_PARAMS", async () => {
    const asked = (await send(server.url, "ask", { skillId: "detect-language" }))["result"]["task"];
    expect(asked["status"]["state"]).toBe("TASK_STATE_INPUT_REQUIRED");
    const other = await send(server.url, "more", { skillId: "translate" }, { taskId: asked["id"] });
    expect(other["error"]["code"]).toBe(-32602);
    expect(other["error"]["message"]).toContain('which runs skill "detect-language"');
    seen.length = 0;
    const done = (await send(server.url, "salut", undefined, { taskId: asked["id"] }))["result"]["task"];
    expect(done["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    expect(artifactText(done)).toBe('detected:"salut"');
    expect(seen).toEqual([{ target: "detect-language", skill: "detect-language" }]);
  });

  it("a single-target server checks a named skill against its card's skills too", async () => {
    const agent = await bus("echo-agent");
    const sub = agent.handleInvoke("echo", (req: unknown, ctx) => {
      const m = ctx.envelope.metadata ?? {};
      return req === "meta" ? { taskId: m["a2a.task_id"] ?? null, skill: m["a2a.skill_id"], phase: m["a2a.phase"] ?? null, own: m["x"] } : req;
    });
    closers.push(() => sub.unsubscribe());
    const one = await startA2aServer({
      bus: await bus("bridge-one"),
      auth: "none",
      target: "echo",
      card: { name: "Echo", description: "d", version: "1", skills: [{ id: "echo", name: "Echo", description: "d", tags: [] }] },
    });
    closers.push(() => one.close());
    expect(artifactText((await send(one.url, "a", { skillId: "echo" }))["result"]["task"])).toBe("a");
    // A client's copies of the bridge's own metadata keys are dropped; its other keys reach the handler.
    const meta = await send(one.url, "meta", { "a2a.task_id": "forged", "a2a.skill_id": "forged", "a2a.phase": "input_required", x: 1 });
    expect(meta["result"]["task"]["artifacts"][0]["parts"]).toEqual([{ data: { taskId: null, skill: "echo", phase: null, own: 1 } }]);
    const r = await send(one.url, "a", { skillId: "nope" });
    expect(r["error"]["message"]).toContain('skillId "nope" is not a skill of this agent; known skills: echo');
  });
});

describe("the live card is the generated card", () => {
  it("for every example contract, the card a server serves equals the file oaio generate --contracts wrote, but for its address", async () => {
    const b = await bus("card-bridge");
    expect(contracts.length).toBeGreaterThanOrEqual(3);
    for (const c of contracts) {
      const file = JSON.parse(readFileSync(join(EXAMPLES, `generated/cards/${c.name}.agent-card.json`), "utf8")) as Obj;
      await using server = await startA2aServer({ bus: b, auth: "none", contract: c });
      const live = (await (await fetch(`${server.url}/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })).json()) as Obj;
      for (const i of live["supportedInterfaces"]) expect(i["url"].startsWith(server.url), i["url"]).toBe(true);
      const at = (card: Obj, url: string): Obj => ({ ...card, supportedInterfaces: card["supportedInterfaces"].map((i: Obj) => ({ ...i, url })) });
      expect(at(live, "URL"), c.name).toEqual(at(file, "URL"));
      expect(live["capabilities"]["extensions"][0]["params"]["targets"]).toEqual(
        Object.fromEntries(c.skills.map((s) => [s.id, { target: s.target, mode: s.mode }])),
      );
    }
  });

  it("a generated card read back with contractFromAgentCard serves the same card and routes", async () => {
    const file = JSON.parse(readFileSync(join(EXAMPLES, "generated/cards/translator.agent-card.json"), "utf8")) as AgentCard;
    const contract = contractFromAgentCard(file);
    expect(contract.skills.map((s) => [s.id, s.target, s.mode])).toEqual([
      ["translate", "translator:translate", "stream"],
      ["detect-language", "translator:detect-language", "invoke"],
    ]);
    await using server = await startA2aServer({ bus: await bus("card-bridge-2"), auth: "none", contract });
    const live = (await (await fetch(`${server.url}/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })).json()) as Obj;
    expect({ ...live, supportedInterfaces: [] }).toEqual({ ...file, supportedInterfaces: [] });
    expect(() => contractFromAgentCard({ ...file, capabilities: {} })).toThrow(/contract extension/);
  });

  it("a contract server refuses target/card beside the contract", async () => {
    const c = contracts[0];
    if (c === undefined) throw new Error("no contract");
    await expect(startA2aServer({ bus: await bus("refused"), auth: "none", contract: c, target: "x" })).rejects.toThrow(/target.*given with contract/s);
  });
});
