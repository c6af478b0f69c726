/**
 * Issue 12 "CLI defects": the real CLI (child process) against a real nats-server, asserting
 * exit codes and output. A command that should exit but hangs is killed after a bound and
 * reported as `hung` (the NATS connection leak made them hang forever).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Command } from "commander";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/cli.js";
import { buildProgram } from "../../bin/oaio.js";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { startGateway, type Gateway } from "../../runtime/gateway/index.js";
import { connectNats, type Transport } from "../../runtime/transport/index.js";
import { freePort, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { runOaio, shellWords, startOaio } from "./child.js";

let nats: NatsServer;
let legacy: Transport;
let gateway: Gateway;
let gatewayBus: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  // A deployed v1 peer on a raw connection: answers with a final whose payload is {"result": value}
  // (the shape of golden/v1/go-stream-final-result-shaped.json).
  legacy = await connectNats({ servers: nats.url });
  legacy.subscribe("acp.v1.invoke.legacy", {}, (msg) => {
    const req = JSON.parse(new TextDecoder().decode(msg.data)) as { event_id: string; from?: string };
    const reply = {
      spec_version: "acp/1.0",
      schema_version: 1,
      event_id: "019ca8d7-6005-7a05-8f10-600000000005",
      event_type: "agent.response.final",
      frame_type: "response.final",
      occurred_at: "2026-03-01T10:07:00.160000001Z",
      correlation_id: req.event_id,
      from: "legacy",
      ...(req.from === undefined ? {} : { to: req.from }),
      is_final: true,
      payload: { result: { x: 1 } },
    };
    if (msg.reply !== undefined) legacy.publish(msg.reply, new TextEncoder().encode(JSON.stringify(reply)));
  });
  gatewayBus = createBus({ agentId: "gateway", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  gateway = await startGateway({ bus: gatewayBus });
  await legacy.flush();
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await gatewayBus?.close();
  await legacy?.close();
  await nats?.stop();
});

describe("a refused option closes the NATS connection: the process exits 2 with the error", () => {
  const bad: [string, string[], string][] = [
    ["invoke --tenant a.b", ["invoke", "echo", "{}", "--tenant", "a.b"], 'invalid tenant "a.b"'],
    ["stream --tenant a.b", ["stream", "writer", "{}", "--tenant", "a.b"], 'invalid tenant "a.b"'],
    ["publish --tenant a.b", ["publish", "demo.x", "{}", "--tenant", "a.b"], 'invalid tenant "a.b"'],
    ["subscribe --tenant a.b", ["subscribe", ">", "--tenant", "a.b"], 'invalid tenant "a.b"'],
    ["invoke --prefix acp..v1", ["invoke", "echo", "{}", "--prefix", "acp..v1"], "acp..v1"],
    ["subscribe --prefix 'acp.*'", ["subscribe", ">", "--prefix", "acp.*"], "acp.*"],
    ["serve --tenant a.b", ["serve", "--tenant", "a.b"], 'invalid tenant "a.b"'],
    ["serve --prefix acp..v1", ["serve", "--prefix", "acp..v1"], "acp..v1"],
  ];
  it("invoke, stream, publish, subscribe and serve with a bad --tenant or --prefix", async () => {
    // all at once: a hung process costs no CPU, so the bound is the slowest start-up, not the sum
    const results = await Promise.all(bad.map(([, args]) => runOaio([...args, "--nats", nats.url], { killAfterMs: 90_000 })));
    bad.forEach(([name, , message], i) => {
      const r = results[i]!;
      expect(r.hung, `${name}: still running after 90 s; stderr: ${r.stderr}`).toBe(false);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toContain(message);
    });
  }, 180_000);
});

describe("--nats", () => {
  it("refuses http:// (and any non-NATS scheme) naming the accepted schemes, exit 2, for clients and serve", async () => {
    const httpUrl = nats.url.replace("nats://", "http://");
    for (const args of [["invoke", "echo", "{}"], ["serve"], ["streams", "ls"]]) {
      const r = await runOaio([...args, "--nats", httpUrl]);
      expect(r.hung).toBe(false);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("nats://host:port or tls://host:port");
      expect(r.stderr).toContain(httpUrl);
    }
  }, 60_000);

  it("says a connect error once", async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const r = await runOaio(["invoke", "echo", "{}", "--nats", url]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("cannot connect to").length - 1, r.stderr).toBe(1);
    expect(r.stderr.split(url).length - 1, r.stderr).toBe(1);
  }, 30_000);
});

describe("serve's Try commands carry every option they need", () => {
  it("with --tenant and --prefix, each printed invoke/stream/publish command, run as printed, reaches the agents", async () => {
    const serve = startOaio(["serve", "--nats", nats.url, "--tenant", "acme", "--prefix", "demo.v2"]);
    try {
      const out = await serve.waitFor("Ctrl-C stops.");
      const tries = out.split("\n").filter((l) => /oaio(\.ts)? (invoke|stream|publish|subscribe) /.test(l));
      expect(tries).toHaveLength(4);
      for (const line of tries) {
        expect(line).toContain("--tenant acme");
        expect(line).toContain("--prefix demo.v2");
        expect(line).toContain(`--nats ${nats.url}`);
      }
      for (const line of tries.filter((l) => !/ subscribe /.test(l))) {
        const words = shellWords(line.trim());
        const at = words.findIndex((w) => w === "invoke" || w === "stream" || w === "publish");
        const r = await runOaio(words.slice(at));
        expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      }
    } finally {
      const stopped = await serve.stop();
      expect(stopped.hung).toBe(false);
    }
  }, 90_000);
});

describe("help", () => {
  it("shows each option's default once, in every command", () => {
    const seen: string[] = [];
    const walk = (cmd: Command): void => {
      const help = cmd.helpInformation();
      // one entry (option, argument, command) may wrap over several more-indented lines: split at entry starts
      for (const block of help.split(/\n(?= {2}\S)|\n\n/)) {
        const n = block.split("(default:").length - 1;
        if (n > 1) seen.push(`${cmd.name()}: ${block.replace(/\s+/g, " ")}`);
      }
      for (const sub of cmd.commands) walk(sub);
    };
    walk(buildProgram());
    expect(seen).toEqual([]);
  });

  it('generate --help (child process) shows the --lang default as "all" only', async () => {
    const r = await runOaio(["generate", "--help"]);
    expect(r.code).toBe(0);
    const lang = r.stdout.slice(r.stdout.indexOf("--lang"), r.stdout.indexOf("--check")).replace(/\s+/g, " ");
    expect(lang).toContain("(default: all)");
    expect(lang).not.toContain("(default: [])");
  });
});

describe("exit codes as the README says: usage and I/O errors are 2", () => {
  it.each([
    ["generate --contracts /nonexistent", ["generate", "--contracts", "/nonexistent/contracts"], "--contracts"],
    ["generate --contracts <a folder without contracts>", ["generate", "--contracts", "golden/valid"], "no *.agent.json files"],
    ["generate --schema /nonexistent", ["generate", "--schema", "/nonexistent/schema", "--check"], "--schema"],
    ["conformance --golden /nonexistent", ["conformance", "--golden", "/nonexistent/golden", "--lang", "ts"], "/nonexistent/golden"],
    ["an unknown option", ["invoke", "--bogus"], "--bogus"],
  ])(
    "%s",
    async (_name, args, message) => {
      const r = await runOaio(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
    },
    30_000,
  );
});

describe("oaio http invoke prints what oaio invoke prints", () => {
  it('the bare payload of a {"result": v} reply, in both', async () => {
    const bus = await runOaio(["invoke", "legacy", "{}", "--nats", nats.url]);
    const http = await runOaio(["http", "invoke", "legacy", "{}", "--url", gateway.url]);
    expect(bus.code).toBe(0);
    expect(http.code).toBe(0);
    expect(JSON.parse(bus.stdout)).toEqual({ x: 1 });
    expect(http.stdout).toBe(bus.stdout);
  }, 30_000);
});

describe("oaio validate golden: stream samples are validated as stream samples", () => {
  it("golden/streams/*.json: every frame is an envelope (exit 0); over golden/ only golden/invalid is invalid", async () => {
    const dir = join(REPO_ROOT, "golden", "streams");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    const frames = files.reduce((n, f) => n + (JSON.parse(readFileSync(join(dir, f), "utf8")) as { frames: unknown[] }).frames.length, 0);
    const r = await runOaio(["validate", "golden/streams"]);
    expect(r.stdout).toBe(`${frames} envelopes in ${files.length} files: ${frames} valid, 0 invalid\n`);
    expect(r.code).toBe(0);
    const all = await runOaio(["validate", "golden"]);
    const invalid = readdirSync(join(REPO_ROOT, "golden", "invalid")).filter((f) => f.endsWith(".json") && !f.endsWith(".expected.json")).length;
    expect(all.stdout).toMatch(new RegExp(`: \\d+ valid, ${invalid} invalid\\n$`));
    expect(all.stdout).not.toContain("golden/streams/");
  }, 30_000);

  it("a sample with a bad frame names the frame's pointer (exit 1)", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "oaio-cli-streams-"));
    try {
      const sample = JSON.parse(readFileSync(join(REPO_ROOT, "golden", "streams", "normal.json"), "utf8")) as { frames: { seq?: number }[] };
      sample.frames[2]!.seq = -1;
      writeFileSync(join(tmp, "bad.json"), JSON.stringify(sample));
      const r = await runOaio(["validate", join(tmp, "bad.json")]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`bad.json: INVALID_REQUEST /frames/2/seq: expected`);
      expect(r.stdout).toContain(`${sample.frames.length - 1} valid, 1 invalid`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 30_000);
});
