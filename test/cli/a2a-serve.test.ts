/**
 * `oaio a2a serve` (the real CLI, a child process) serving a bus agent that lives on a real
 * nats-server, with Bearer JWT auth from a PEM public key file; then `oaio a2a card | send |
 * stream` against it, and the official Python SDK's JSON-RPC client (a2a-sdk 1.3.0,
 * test/peers/a2a-python/jsonrpc_client.py) against it: card, send, stream, get task. Also: the
 * auth options refused without a key or with `--auth none` lacking `--dev`, the card from an
 * agent contract, tasks in a JetStream KV bucket surviving a restart, a clean stop on SIGINT.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, exportSPKI, generateKeyPair, type CryptoKey } from "jose";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { REPO_ROOT, runProcess } from "../helpers/cli.js";
import { a2aPython } from "../helpers/a2a-python-agent.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { fileURLToPath } from "node:url";
import { runOaio, startOaio, type ChildResult, type RunningOaio } from "./child.js";

// generous: each test spawns the CLI (tsx start-up takes 10 s and more on a loaded 2-core machine)
const CLI_TIMEOUT = 300_000;
const oaio = (args: readonly string[]): Promise<ChildResult> => runOaio(args, { killAfterMs: 90_000 });
const BLOCK_PEERS = ["--import", fileURLToPath(new URL("./block-peers.mjs", import.meta.url))];

let nats: NatsServer;
let agent: Bus;
let dir: string;
let keyFile: string;
let privateKey: CryptoKey;
let serve: RunningOaio;
let base = "";
let token = "";
/** Requests the bus agent saw, by text. */
const seen: string[] = [];

const sign = (tenant: string): Promise<string> =>
  new SignJWT({ sub: "ada", tenant_id: tenant })
    .setProtectedHeader({ alg: "ES256" })
    .setIssuer("cli-test")
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(privateKey);

/** The card URL serve printed, without the well-known path. */
const servedAt = (stdout: string): string => {
  const m = /agent card {2}(http:\/\/\S+)\/\.well-known\/agent-card\.json/.exec(stdout);
  if (!m?.[1]) throw new Error(`serve printed no card URL: ${stdout}`);
  return m[1];
};

beforeAll(async () => {
  nats = await startNatsServer();
  dir = mkdtempSync(join(tmpdir(), "oaio-a2a-serve-"));
  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey;
  keyFile = join(dir, "public.pem");
  writeFileSync(keyFile, await exportSPKI(pair.publicKey));
  token = await sign("acme");

  // The bus agent: upper-cases the text word by word; "ask" asks for a name (input_required) and
  // greets on the continued task; "data" answers JSON; "boom" fails.
  agent = createBus({ agentId: "shout-agent", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  for (const tenant of [null, "acme"]) {
    agent.handleStream(
      "shout",
      async (req, w, ctx) => {
        const text = typeof req === "string" ? req : JSON.stringify(req);
        seen.push(text);
        if (ctx.envelope.metadata?.["a2a.task_id"] !== undefined) return w.final(`Hello, ${text}`);
        if (text === "ask") return w.final("What is your name?", { phase: "input_required" });
        if (text === "data") return w.final({ answer: 42 });
        if (text === "boom") throw new Error("the agent broke");
        if (text === "slow") {
          // says nothing until canceled (the server's close cancels it)
          await new Promise<void>((resolve) => (w.signal.aborted ? resolve() : w.signal.addEventListener("abort", () => resolve(), { once: true })));
          return;
        }
        // a text ending in "!" ends with an empty result: the last artifact chunk is an empty text part
        const words = text
          .replace(/!$/, "")
          .toUpperCase()
          .split(/(?<= )/);
        for (const word of words) await w.delta(word);
        return text.endsWith("!") ? w.final("") : w.final();
      },
      { tenant },
    );
  }

  serve = startOaio(["a2a", "serve", "--nats", nats.url, "--target", "shout", "--port", "0", "--public-key", keyFile, "--issuer", "cli-test"]);
  base = servedAt(await serve.waitFor("Ctrl-C stops.", 90_000));
}, 180_000);

afterAll(async () => {
  await serve?.stop();
  await agent?.close();
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: wire JSON printed by the peers, indexed by path on purpose; a wrong shape fails the assertion
type Obj = Record<string, any>;
const lines = (text: string): Obj[] =>
  text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Obj);

describe("oaio a2a serve + oaio a2a card/send/stream", () => {
  it(
    "prints the card URL, the endpoint and the auth; the card is public and declares Bearer JWT",
    async () => {
      const started = await serve.waitFor("Ctrl-C stops.");
      expect(started).toContain(`JSON-RPC    ${base}/`);
      expect(started).toContain("auth        Bearer JWT (public key");
      expect(started).toContain("tasks       in memory");
      const card = await oaio(["a2a", "card", base]);
      expect(card.code, card.stderr).toBe(0);
      const parsed = JSON.parse(card.stdout) as Obj;
      expect(parsed["name"]).toBe("shout");
      expect(parsed["supportedInterfaces"][0]).toEqual({ url: `${base}/`, protocolBinding: "JSONRPC", protocolVersion: "1.0" });
      expect(Object.keys(parsed["securitySchemes"])).toEqual(["bearer"]);
      const help = await oaio(["a2a", "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("Exit codes (card, send, stream):");
      for (const cmd of ["card", "send", "stream", "serve"]) expect(help.stdout).toMatch(new RegExp(`^  ${cmd} `, "m"));
    },
    CLI_TIMEOUT,
  );

  it(
    "send with --token reaches the bus agent and prints its answer; --data sends JSON as a data part; without a token the call is refused (exit 1)",
    async () => {
      const [ok, anonymous, bearerHeader, data, notJson] = (await Promise.all([
        oaio(["a2a", "send", base, "hello bus", "--token", token]),
        oaio(["a2a", "send", base, "let me in"]),
        oaio(["a2a", "send", base, "via header", "--header", `Authorization=Bearer ${token}`]),
        oaio(["a2a", "send", base, '{"n":1}', "--data", "--token", token]),
        oaio(["a2a", "send", base, "{not json", "--data", "--token", token]),
      ])) as [ChildResult, ChildResult, ChildResult, ChildResult, ChildResult];
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toBe("HELLO BUS\n");
      expect(ok.stderr).toMatch(/^\[task \S+, context \S+: completed\]$/m);
      expect(anonymous.code).toBe(1);
      expect(anonymous.stderr).toMatch(/Bearer/);
      expect(seen).not.toContain("let me in");
      expect(bearerHeader.code, bearerHeader.stderr).toBe(0);
      expect(bearerHeader.stdout).toBe("VIA HEADER\n");
      // --data: one data part, which reaches the bus agent as the JSON object (it upper-cases its JSON text)
      expect(data.code, data.stderr).toBe(0);
      expect(data.stdout).toBe('{"N":1}\n');
      expect(seen).toContain('{"n":1}');
      expect(notJson.code).toBe(2);
      expect(notJson.stderr).toContain("the message (--data) is not JSON");
    },
    CLI_TIMEOUT,
  );

  it(
    "input_required over the bus: send asks, send --task-id --context-id continues; data answers print as JSON; a failing handler exits 1",
    async () => {
      const asked = await oaio(["a2a", "send", base, "ask", "--token", token]);
      expect(asked.code, asked.stderr).toBe(0);
      expect(asked.stdout).toBe("What is your name?\n");
      const [, taskId = "", contextId = ""] = /--task-id (\S+) --context-id (\S+)\]/.exec(asked.stderr) ?? [];
      const [done, data, boom] = (await Promise.all([
        oaio(["a2a", "send", base, "Ada", "--task-id", taskId, "--context-id", contextId, "--token", token]),
        oaio(["a2a", "send", base, "data", "--token", token]),
        oaio(["a2a", "send", base, "boom", "--token", token]),
      ])) as [ChildResult, ChildResult, ChildResult];
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toBe("Hello, Ada\n");
      expect(done.stderr).toContain(`[task ${taskId}, context ${contextId}: completed]`);
      expect(data.code, data.stderr).toBe(0);
      expect(JSON.parse(data.stdout)).toEqual({ answer: 42 });
      expect(boom.code).toBe(1);
      expect(boom.stderr).toContain(": failed]");
      expect(boom.stdout).toContain("the agent broke");
    },
    CLI_TIMEOUT,
  );

  it(
    "stream prints the deltas as artifact chunks (an empty last chunk ends the line too) and ends at COMPLETED; --json is one StreamResponse per line",
    async () => {
      const [text, json] = (await Promise.all([
        oaio(["a2a", "stream", base, "one two three!", "--token", token]),
        oaio(["a2a", "stream", base, "one two three!", "--token", token, "--json"]),
      ])) as [ChildResult, ChildResult];
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toBe("ONE TWO THREE\n");
      expect(text.stderr.trim().split("\n").at(-1)).toBe("[completed]");
      expect(json.code, json.stderr).toBe(0);
      const frames = lines(json.stdout);
      expect(Object.keys(frames[0] ?? {})).toEqual(["task"]);
      expect(frames.filter((f) => f["artifactUpdate"]).map((f) => f["artifactUpdate"]["artifact"]["parts"][0]["text"])).toEqual(["ONE ", "TWO ", "THREE", ""]);
      expect(frames.at(-1)?.["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    },
    CLI_TIMEOUT,
  );

  it(
    "the official Python SDK's JSON-RPC client (a2a-sdk 1.3.0): card, send, stream, get task",
    async () => {
      const r = await runProcess(a2aPython(), [`${REPO_ROOT}test/peers/a2a-python/jsonrpc_client.py`, base, "--token", token, "--text", "from python"]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const out = lines(r.stdout);
      expect(out.find((l) => l["step"] === "card")?.["card"]["name"]).toBe("shout");
      const sent = out.filter((l) => l["step"] === "send").map((l) => l["event"]);
      expect(sent).toHaveLength(1);
      const task = sent[0]["task"];
      expect(task["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect(task["artifacts"][0]["parts"].map((p: Obj) => p["text"]).join("")).toBe("FROM PYTHON");
      const streamed = out.filter((l) => l["step"] === "stream").map((l) => l["event"]);
      expect(Object.keys(streamed[0])).toEqual(["task"]);
      expect(streamed.filter((e) => e["artifactUpdate"]).map((e) => e["artifactUpdate"]["artifact"]["parts"][0]["text"])).toEqual(["FROM ", "PYTHON"]);
      expect(streamed.at(-1)["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      const got = out.find((l) => l["step"] === "get")?.["task"];
      expect(got["id"]).toBe(task["id"]);
      expect(got["status"]["state"]).toBe("TASK_STATE_COMPLETED");
    },
    CLI_TIMEOUT,
  );
});

describe("timeouts and optional peers", () => {
  it(
    "--timeout: send gives up on an answer, stream on a silent stream (exit 1, naming the bound)",
    async () => {
      const [send, stream] = (await Promise.all([
        oaio(["a2a", "send", base, "slow", "--token", token, "--timeout", "1500"]),
        oaio(["a2a", "stream", base, "slow", "--token", token, "--timeout", "1500"]),
      ])) as [ChildResult, ChildResult];
      expect(send.code, send.stderr).toBe(1);
      expect(send.stderr).toMatch(/^oaio a2a send: AGENT_TIMEOUT: SendMessage at \S+: no answer within 1500 ms/m);
      expect(stream.code, stream.stderr).toBe(1);
      expect(stream.stderr).toMatch(/\[working\]/);
      expect(stream.stderr).toMatch(/^oaio a2a stream: AGENT_TIMEOUT: no frame from \S+ within 1500 ms \(--timeout\)/m);
    },
    CLI_TIMEOUT,
  );

  it(
    "without the optional peers: a2a card/send still work, a2a serve exits 2 with the npm install line",
    async () => {
      const [card, send, serveBlocked] = (await Promise.all([
        runOaio(["a2a", "card", base], { nodeArgs: BLOCK_PEERS }),
        runOaio(["a2a", "send", base, "no peers", "--token", token], { nodeArgs: BLOCK_PEERS }),
        runOaio(["a2a", "serve", "--nats", nats.url, "--target", "shout", "--port", "0", "--public-key", keyFile], { nodeArgs: BLOCK_PEERS }),
      ])) as [ChildResult, ChildResult, ChildResult];
      expect(card.code, card.stderr).toBe(0);
      expect(send.code, send.stderr).toBe(0);
      expect(send.stdout).toBe("NO PEERS\n");
      expect(serveBlocked.code).toBe(2);
      expect(serveBlocked.stderr).toMatch(
        /^oaio a2a serve: a2a serve needs fastify, jose, @nats-io\/jetstream and @nats-io\/kv, optional peer dependencies of openagentio; \S+ is not installed\. Install with: npm install fastify@/m,
      );
    },
    CLI_TIMEOUT,
  );
});

describe("oaio a2a serve options", () => {
  it(
    "refuses to start without authentication, --auth none without --dev or on a non-loopback host (exit 2, naming what to pass)",
    async () => {
      const [noKey, noDev, both, open] = (await Promise.all([
        oaio(["a2a", "serve", "--nats", nats.url, "--target", "shout", "--port", "0"]),
        oaio(["a2a", "serve", "--nats", nats.url, "--target", "shout", "--port", "0", "--auth", "none"]),
        oaio(["a2a", "serve", "--nats", nats.url, "--target", "shout", "--port", "0", "--public-key", keyFile, "--jwks-url", "https://example.com/jwks"]),
        oaio(["a2a", "serve", "--nats", nats.url, "--target", "shout", "--port", "0", "--auth", "none", "--dev", "--host", "0.0.0.0"]),
      ])) as [ChildResult, ChildResult, ChildResult, ChildResult];
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toContain("no authentication configured: pass --jwks-url URL or --public-key FILE");
      expect(noDev.code).toBe(2);
      expect(noDev.stderr).toContain("--auth none turns authentication off; it needs --dev too");
      expect(both.code).toBe(2);
      expect(both.stderr).toContain("--jwks-url and --public-key both give the verification key; pass one");
      expect(open.code).toBe(2);
      expect(open.stderr).toContain("--auth none --dev listens on a loopback host only (127.0.0.1, ::1, localhost), got --host 0.0.0.0");
    },
    CLI_TIMEOUT,
  );

  it(
    "--contract: the card's name and skills come from the agent contract; several skill targets need --target, or the generated card, which routes each skill to its target",
    async () => {
      const contract = join(REPO_ROOT, "examples/contracts/translator.agent.json");
      const refused = await oaio(["a2a", "serve", "--nats", nats.url, "--contract", contract, "--auth", "none", "--dev", "--port", "0"]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("has 2 skill targets (translator:translate, translator:detect-language); pass --target");
      expect(refused.stderr).toContain("or pass the card oaio generate --contracts wrote for it");
      // the card oaio generate --contracts wrote carries each skill's target: one server routes them all
      const generated = join(REPO_ROOT, "examples/contracts/generated/cards/translator.agent-card.json");
      const routed = startOaio(["a2a", "serve", "--nats", nats.url, "--contract", generated, "--auth", "none", "--dev", "--port", "0"]);
      try {
        const banner = await routed.waitFor("Ctrl-C stops.", 90_000);
        expect(banner).toContain("bus targets of contract translator");
        expect(banner).toContain("translate -> translator:translate, detect-language -> translator:detect-language");
        const card = JSON.parse((await oaio(["a2a", "card", servedAt(banner), "--json"])).stdout) as Obj;
        expect(card["skills"].map((k: Obj) => k["id"])).toEqual(["translate", "detect-language"]);
        const ext = (card["capabilities"]["extensions"] as Obj[]).find((e) => String(e["uri"]).includes("agent-contract"));
        expect(ext?.["params"]["targets"]).toEqual({
          translate: { target: "translator:translate", mode: "stream" },
          "detect-language": { target: "translator:detect-language", mode: "invoke" },
        });
      } finally {
        expect((await routed.stop()).hung).toBe(false);
      }
      const s = startOaio(["a2a", "serve", "--nats", nats.url, "--contract", contract, "--target", "shout", "--auth", "none", "--dev", "--port", "0"]);
      try {
        const url = servedAt(await s.waitFor("Ctrl-C stops.", 90_000));
        const card = await oaio(["a2a", "card", url, "--json"]);
        expect(card.code, card.stderr).toBe(0);
        const parsed = JSON.parse(card.stdout) as Obj;
        expect(parsed["name"]).toBe("Translator");
        expect(parsed["skills"].map((k: Obj) => k["id"])).toEqual(["translate", "detect-language"]);
        expect(parsed["securitySchemes"]).toBeUndefined();
        const sent = await oaio(["a2a", "send", url, "no token needed"]);
        expect(sent.code, sent.stderr).toBe(0);
        expect(sent.stdout).toBe("NO TOKEN NEEDED\n");
      } finally {
        const stopped = await s.stop();
        expect(stopped.hung).toBe(false);
        expect(stopped.stderr).toContain("WARNING: oaio a2a serve --auth none --dev: NO AUTHENTICATION");
      }
    },
    CLI_TIMEOUT,
  );

  it(
    "--kv-bucket: tasks live in JetStream KV and survive a restart of the server; SIGINT stops it cleanly (exit 0)",
    async () => {
      const args = ["a2a", "serve", "--nats", nats.url, "--target", "shout", "--auth", "none", "--dev", "--port", "0", "--kv-bucket", "cli_test_tasks"];
      const first = startOaio(args);
      let taskId = "";
      try {
        const url = servedAt(await first.waitFor("Ctrl-C stops.", 90_000));
        expect(await first.waitFor("tasks       JetStream KV bucket cli_test_tasks")).toBeTruthy();
        const sent = await oaio(["a2a", "send", url, "kept", "--json"]);
        expect(sent.code, sent.stderr).toBe(0);
        taskId = lines(sent.stdout)[0]?.["task"]["id"];
      } finally {
        const stopped = await first.stop();
        expect(stopped.hung).toBe(false);
        expect(stopped.code).toBe(0);
        expect(stopped.stdout).toContain("oaio a2a serve: stopping");
      }
      const second = startOaio(args);
      try {
        const url = servedAt(await second.waitFor("Ctrl-C stops.", 90_000));
        const res = await fetch(`${url}/`, {
          method: "POST",
          headers: { "content-type": "application/json", "A2A-Version": "1.0" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: taskId } }),
        });
        const body = (await res.json()) as Obj;
        expect(body["result"]["id"]).toBe(taskId);
        expect(body["result"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
        expect(body["result"]["artifacts"][0]["parts"].map((p: Obj) => p["text"]).join("")).toBe("KEPT");
      } finally {
        expect((await second.stop()).code).toBe(0);
      }
    },
    CLI_TIMEOUT,
  );
});
