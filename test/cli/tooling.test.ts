/**
 * The CLI without its optional peer dependencies. test/cli/block-tooling.mjs makes the generator
 * tooling (ts-morph, json-schema-to-typescript, handlebars) unresolvable, as when not installed;
 * test/cli/block-peers.mjs makes every optional peer unresolvable (also fastify, jose,
 * @nats-io/jetstream, @nats-io/kv). --help and the plain bus commands must work; a command
 * that needs a missing peer must exit 2 naming it and the npm install line (spec/cli.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { startGateway, type Gateway } from "../../runtime/gateway/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { runOaio, startOaio } from "./child.js";

const BLOCK = ["--import", fileURLToPath(new URL("./block-tooling.mjs", import.meta.url))];
const BLOCK_ALL = ["--import", fileURLToPath(new URL("./block-peers.mjs", import.meta.url))];

/** `name@version` as package.json's devDependencies pin it (what the install line must name). */
function pinned(name: string): string {
  const pkg = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, "utf8")) as { devDependencies: Record<string, string> };
  const version = pkg.devDependencies[name];
  if (version === undefined) throw new Error(`${name} is not in package.json devDependencies`);
  return `${name}@${version}`;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

let nats: NatsServer;
let agent: Bus;
let gatewayBus: Bus;
let gateway: Gateway;
const received: unknown[] = [];
beforeAll(async () => {
  nats = await startNatsServer();
  agent = createBus({ agentId: "echo", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  agent.handleInvoke("echo", (req) => req);
  agent.subscribe("peers.check", (payload) => void received.push(payload));
  agent.handleStream("words", async (_p, w) => {
    await w.delta("one two");
    return { n: 2 };
  });
  await agent.transport.flush();
  gatewayBus = createBus({ agentId: "gateway", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  gateway = await startGateway({ bus: gatewayBus });
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await gatewayBus?.close();
  await agent?.close();
  await nats?.stop();
});

describe("bin/ without the generator tooling", () => {
  it("the hook does block the tooling: generate exits 2 naming the packages and the install command", async () => {
    const r = await runOaio(["generate", "--check"], { nodeArgs: BLOCK });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("is not installed");
    expect(r.stderr).toMatch(/npm install --save-dev ts-morph@\S+ json-schema-to-typescript@\S+ handlebars@\S+/);
  }, 90_000);

  it("--help and invoke work", async () => {
    const help = await runOaio(["--help"], { nodeArgs: BLOCK });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("generate");
    const invoke = await runOaio(["invoke", "echo", '{"a":1}', "--nats", nats.url], { nodeArgs: BLOCK });
    expect(invoke.code, invoke.stderr).toBe(0);
    expect(JSON.parse(invoke.stdout)).toEqual({ a: 1 });
  }, 90_000);

  it("serve works (memory transport demo)", async () => {
    const serve = startOaio(["serve"], BLOCK);
    try {
      const out = await serve.waitFor("Ctrl-C stops.", 60_000);
      expect(out).toContain('demo: invoke echo {"hello":"world"}');
    } finally {
      expect((await serve.stop()).hung).toBe(false);
    }
  }, 90_000);
});

describe("bin/ without any optional peer (fastify, jose, @nats-io/jetstream, @nats-io/kv, generator tooling)", () => {
  it("--help lists every command", async () => {
    const help = await runOaio(["--help"], { nodeArgs: BLOCK_ALL });
    expect(help.code, help.stderr).toBe(0);
    for (const cmd of ["serve", "invoke", "publish", "subscribe", "http", "streams", "replay", "dlq", "scorecard", "generate"]) {
      expect(help.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, "m"));
    }
    const sub = await runOaio(["streams", "--help"], { nodeArgs: BLOCK_ALL });
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toContain("ensure");
  }, 90_000);

  it("invoke, stream and publish work against nats-server", async () => {
    const invoke = await runOaio(["invoke", "echo", '{"a":1}', "--nats", nats.url], { nodeArgs: BLOCK_ALL });
    expect(invoke.code, invoke.stderr).toBe(0);
    expect(JSON.parse(invoke.stdout)).toEqual({ a: 1 });
    const stream = await runOaio(["stream", "words", "{}", "--nats", nats.url], { nodeArgs: BLOCK_ALL });
    expect(stream.code, stream.stderr).toBe(0);
    expect(stream.stdout).toContain("one two");
    const publish = await runOaio(["publish", "peers.check", '{"n":7}', "--nats", nats.url], { nodeArgs: BLOCK_ALL });
    expect(publish.code, publish.stderr).toBe(0);
    await agent.transport.flush();
    expect(received).toEqual([{ n: 7 }]);
  }, 90_000);

  it("serve works (memory transport demo)", async () => {
    const serve = startOaio(["serve"], BLOCK_ALL);
    try {
      const out = await serve.waitFor("Ctrl-C stops.", 60_000);
      expect(out).toContain('demo: invoke echo {"hello":"world"}');
    } finally {
      expect((await serve.stop()).hung).toBe(false);
    }
  }, 90_000);

  it("the http client commands need no server packages: http invoke reaches an agent through a gateway", async () => {
    const r = await runOaio(["http", "invoke", "echo", '{"b":2}', "--url", gateway.url, "--json"], { nodeArgs: BLOCK_ALL });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ b: 2 });
  }, 90_000);

  it("validate, conformance (TypeScript) and breaking need none of them", async () => {
    const validate = await runOaio(["validate", "golden/v1"], { nodeArgs: BLOCK_ALL });
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/(\d+) valid, 0 invalid/);
    const out = mkdtempSync(join(tmpdir(), "oaio-peers-"));
    try {
      const conformance = await runOaio(["conformance", "--lang", "ts", "--out", out], { nodeArgs: BLOCK_ALL });
      expect(conformance.code, conformance.stderr).toBe(0);
      expect(readFileSync(join(out, "conformance.json"), "utf8")).toContain('"typescript"');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const breaking = await runOaio(["breaking", "--against", "."], { nodeArgs: BLOCK_ALL });
    expect(breaking.code, breaking.stderr).toBe(0);
    expect(breaking.stdout).toContain("no breaking changes against .");
  }, 120_000);

  // [what stderr starts with, args ("" stands for the nats URL), the packages the install line names]
  const needs: [string, string[], string[]][] = [
    ["oaio serve: --http needs", ["serve", "--http", "0"], ["fastify", "jose"]],
    ["oaio streams ls: needs", ["streams", "ls", "--nats", ""], ["@nats-io/jetstream"]],
    ["oaio streams ensure: needs", ["streams", "ensure", "--nats", ""], ["@nats-io/jetstream"]],
    ["oaio subscribe: --durable needs", ["subscribe", ">", "--durable", "g1", "--nats", ""], ["@nats-io/jetstream"]],
    ["oaio publish: --durable needs", ["publish", "peers.check", "{}", "--durable", "--nats", ""], ["@nats-io/jetstream"]],
    ["oaio replay: needs", ["replay", "--from-seq", "1", "--nats", ""], ["@nats-io/jetstream"]],
    ["oaio dlq ls: needs", ["dlq", "ls", "--nats", ""], ["@nats-io/jetstream"]],
    ["oaio scorecard: needs", ["scorecard", "--check"], ["fastify", "jose", "@nats-io/jetstream", "@nats-io/kv"]],
  ];
  it.each(needs)(
    "%s … exits 2 naming the missing package and the npm install line",
    async (prefix, args, packages) => {
      const r = await runOaio(
        args.map((a) => (a === "" ? nats.url : a)),
        { nodeArgs: BLOCK_ALL },
      );
      expect(r.hung).toBe(false);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.startsWith(`${prefix} `), r.stderr).toBe(true);
      expect(r.stderr).toMatch(new RegExp(`(${packages.map(escapeRegExp).join("|")}) is not installed`));
      expect(r.stderr).toContain(`Install with: npm install ${packages.map(pinned).join(" ")}\n`);
      expect(received.filter((p) => JSON.stringify(p) === "{}")).toEqual([]);
    },
    90_000,
  );
});
