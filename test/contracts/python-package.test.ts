/**
 * The Python contract output as a consumer ships it: `python/` of `oaio generate --contracts`
 * is installed from its pyproject.toml into a fresh virtual environment (offline; the SDK
 * `openagentio` comes from this checkout), and its typed client and handlers run on the
 * SDK's runtime Bus over a real nats-server against the generated TypeScript ones, both
 * ways, contract checks included.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { InvalidRequestError } from "../../runtime/errors.js";
import { connectNats } from "../../runtime/transport/index.js";
import { TranslatorClient, registerTranslatorHandlers, translatorContract } from "../../examples/contracts/generated/ts/translator.js";
import { REPO_ROOT, runProcess } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { installContractPackage } from "./python-install.js";
import { waitFor } from "../transport/wait.js";

const PEER = join(REPO_ROOT, "test/contracts/fixtures/contract_peer.py");
const work = mkdtempSync(join(tmpdir(), "oaio-contracts-pkg-"));
const venv = join(work, "venv");
const python = join(venv, "bin/python");
/** This checkout's SDK; the contract package itself comes from the venv only. */
const env = { ...process.env, PYTHONPATH: join(REPO_ROOT, "generated/python/src"), PYTHONDONTWRITEBYTECODE: "1" };

let nats: NatsServer;
let ts: Bus;

function py(args: readonly string[], cwd = work): string {
  return execFileSync(python, args, { cwd, env, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] });
}

beforeAll(async () => {
  const installed = installContractPackage(work);
  if (installed.python !== python) throw new Error(`the package went to ${installed.python}`);
  nats = await startNatsServer();
  ts = createBus({ agentId: "ts", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
}, 300_000);

afterAll(async () => {
  await ts?.close();
  await nats?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `contract_peer.py serve`: resolves once its handlers are registered; close() ends it. */
async function servePython(): Promise<{ close(): Promise<void> }> {
  const child: ChildProcessWithoutNullStreams = spawn(python, ["-u", PEER, "serve", nats.url], { cwd: work, env, stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    if (err.length < 64_000) err += d;
  });
  let ready = false;
  createInterface({ input: child.stdout }).on("line", (line) => {
    if ((JSON.parse(line) as { event?: string }).event === "ready") ready = true;
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor("the Python contract handlers", () => gone || ready, { timeoutMs: 20_000 });
  if (gone) throw new Error(`the Python peer exited:\n${err}`);
  return {
    async close() {
      child.stdin.end();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(kill);
    },
  };
}

describe("the Python contract package", () => {
  it("installs from its pyproject.toml, depending on the generated SDK, and imports from the environment", () => {
    const out = py([
      "-c",
      "import json, importlib.metadata as m, pathlib, openagentio_contracts as c\n" +
        "print(json.dumps({'requires': m.requires('openagentio-contracts'), 'file': c.__file__, 'typed': (pathlib.Path(c.__file__).parent / 'py.typed').exists()}))",
    ]);
    const info = JSON.parse(out) as { requires: string[]; file: string; typed: boolean };
    expect(info.requires).toEqual(["openagentio==0.1.0", 'openagentio[nats]==0.1.0; extra == "nats"']);
    expect(info.file.startsWith(venv)).toBe(true);
    expect(info.typed).toBe(true);
    expect(existsSync(join(REPO_ROOT, "examples/contracts/generated/python/build"))).toBe(false);
  });

  it("serves the Python handlers on NATS, called by the TypeScript contract client: invoke, stream, refusals", async () => {
    const peer = await servePython();
    try {
      const client = new TranslatorClient(ts);
      await expect(client.detectLanguage({ text: "bonjour" })).resolves.toEqual({ language: "fr", confidence: 0.5, alternatives: ["it"] });
      const deltas: string[] = [];
      const out = await client.translateStream({ text: "good morning", target: "fr" }).output((d) => void deltas.push(d));
      expect(deltas).toEqual(["good-fr-py", " morning-fr-py"]);
      expect(out).toEqual({ text: "good-fr-py morning-fr-py", source: "en", characters: 12 });
      // the Python handler refuses bad input before its user code, with TypeScript's code and message
      const refused: unknown = await ts.invoke(translatorContract.skills.detectLanguage.target, { text: "" }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidRequestError);
      expect((refused as InvalidRequestError).message).toBe("translator detect-language.input /text: expected a non-empty string (minLength)");
      // and its own bad output
      const bad: unknown = await client.detectLanguage({ text: "overconfident" }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(InvalidRequestError);
      expect((bad as InvalidRequestError).message).toBe("translator detect-language.output /confidence: expected a number <= 1 (maximum)");
    } finally {
      await peer.close();
    }
  }, 60_000);

  it("calls the TypeScript handlers on NATS with the Python contract client: invoke, stream, refusals", async () => {
    const reg = registerTranslatorHandlers(ts, {
      async translate(input, stream) {
        const words = input.text.split(" ").map((w) => `${w}-${input.target}-ts`);
        for (const [i, w] of words.entries()) await stream.delta(i === 0 ? w : ` ${w}`);
        return { text: words.join(" "), source: "en", characters: input.text.length };
      },
      detectLanguage(input) {
        return input.text === "overconfident" ? { language: "fr", confidence: 2 } : { language: "de", confidence: 0.75 };
      },
    });
    try {
      await ts.transport.flush();
      // asynchronously: the TypeScript handlers answer on this event loop
      const res = await runProcess(python, ["-u", PEER, "call", nats.url], { cwd: work, env });
      expect(res.code, res.stderr).toBe(0);
      const out = JSON.parse(res.stdout) as Record<string, unknown>;
      const refusal = (schema: string, pointer: string, keyword: string, expected: string) => ({
        code: "INVALID_REQUEST",
        message: `translator ${schema} ${pointer}: expected ${expected} (${keyword})`,
        cause: { schema, pointer, keyword, expected },
      });
      expect(out).toEqual({
        detect: { language: "de", confidence: 0.75 },
        deltas: ["good-fr-ts", " morning-fr-ts"],
        translate: { text: "good-fr-ts morning-fr-ts", source: "en", characters: 12 },
        // refused by the Python client before sending
        client_refusal: refusal("detect-language.input", "/text", "minLength", "a non-empty string"),
        // refused by the TypeScript handler before its user code: same code, message and cause
        handler_refusal: refusal("detect-language.input", "/text", "minLength", "a non-empty string"),
        output_refusal: refusal("detect-language.output", "/confidence", "maximum", "a number <= 1"),
      });
    } finally {
      await reg.unsubscribe();
    }
  }, 60_000);
});
