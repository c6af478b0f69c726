/**
 * The CLI without the generator tooling (ts-morph, json-schema-to-typescript, handlebars:
 * optional peer dependencies): test/cli/block-tooling.mjs makes them unresolvable, as when not
 * installed. --help, serve and invoke must work; generate must say what to install (exit 2).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { runOaio, startOaio } from "./child.js";

const BLOCK = ["--import", fileURLToPath(new URL("./block-tooling.mjs", import.meta.url))];

let nats: NatsServer;
let agent: Bus;
beforeAll(async () => {
  nats = await startNatsServer();
  agent = createBus({ agentId: "echo", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  agent.handleInvoke("echo", (req) => req);
  await agent.transport.flush();
}, 60_000);
afterAll(async () => {
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
