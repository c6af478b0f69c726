/**
 * Contract calls across languages (issue 12's matrix: "a generated contract client in each
 * language calling a generated contract handler in each other"): on one real nats-server, the
 * generated translator client of each of TypeScript, Python (the installed contract package)
 * and Kotlin (the contract sources on the SDK's coroutine Bus) calls the generated translator
 * handlers of each of the three: 9 pairs, each an invoke, a stream (started, deltas, output)
 * and refusals. Each language serves on its own tenant (ts, py, kt) and tags what its handlers
 * return, so a reply proves which handler answered. The peers (fixtures/cross_peer.py,
 * fixtures/kotlin-peer/CrossPeer.kt) serve until stdin closes and run the client calls on
 * command.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { AcpError, NoHandlerError } from "../../runtime/errors.js";
import { connectNats, type Transport } from "../../runtime/transport/index.js";
import { TranslatorClient, registerTranslatorHandlers, translatorContract } from "../../examples/contracts/generated/ts/translator.js";
import type { Registrations } from "../../examples/contracts/generated/ts/support.js";
import { KOTLIN_SOURCE_ROOT } from "../../generator/contracts/kotlin/emitter.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../transport/wait.js";
import { compileKotlin, hasMaven, spawnKotlin } from "./kotlin-build.js";
import { installContractPackage } from "./python-install.js";

const LANGS = ["ts", "py", "kt"] as const;
type Lang = (typeof LANGS)[number];

/** What one client run reports (the peers print the same shape). */
interface Report {
  detect?: unknown;
  kinds?: string[];
  deltas?: string[];
  output?: unknown;
  client_refusal?: unknown;
  handler_refusal?: { code: string; message: string; cause: unknown };
  failed?: string;
}

/** A peer process: its handlers serve until close(); call() runs its client against a tenant. */
interface Peer {
  call(tenant: Lang): Promise<Report>;
  close(): Promise<void>;
}

const work = mkdtempSync(join(tmpdir(), "oaio-contracts-cross-"));
const CALL_TIMEOUT_MS = 60_000;
let nats: NatsServer;
const transports: Transport[] = [];
let tsAgents: Bus | undefined;
let registration: Registrations | undefined;
const peers = new Map<Lang, Peer>();
let starting: ChildProcessWithoutNullStreams[] = [];

/** The TypeScript handlers, tagged "ts" (the peers' handlers do the same with their tag). */
function serveTypeScript(bus: Bus): Registrations {
  return registerTranslatorHandlers(bus, {
    async translate(input, stream) {
      await stream.started({ model: "ts" });
      const words = input.text.split(" ").map((w) => `${w}-${input.target}-ts`);
      for (const [i, w] of words.entries()) await stream.delta(i === 0 ? w : ` ${w}`);
      return { text: words.join(" "), source: "ts", characters: input.text.length };
    },
    detectLanguage() {
      return { language: "fr", confidence: 0.5, alternatives: ["ts"] };
    },
  });
}

function errorReport(err: unknown): { code: string; message: string; cause: unknown } {
  if (!(err instanceof AcpError)) throw err;
  return { code: err.code, message: err.message, cause: err.cause ?? null };
}

/** The TypeScript client against `bus`'s tenant: what cross_peer.py and CrossPeer.kt do. */
async function tsCalls(bus: Bus): Promise<Report> {
  const client = new TranslatorClient(bus);
  const out: Report = { kinds: [], deltas: [] };
  out.detect = await client.detectLanguage({ text: "bonjour" });
  for await (const frame of client.translateStream({ text: "good morning", target: "fr" })) {
    out.kinds?.push(frame.type);
    if (frame.type === "delta") out.deltas?.push(frame.delta);
    if (frame.type === "final") out.output = frame.output;
  }
  out.client_refusal = await client.translate({ text: "", target: "fr" }).then(() => null, errorReport);
  const raw = bus.streamInvoke(translatorContract.skills.translate.target, { text: "", to: "xx" });
  out.handler_refusal = await (async () => {
    for await (const _ of raw) {
      // frames before the error
    }
  })().then(() => undefined, errorReport);
  return out;
}

/** Starts a peer process and resolves once it printed {"event": "ready"} (bounded). */
async function startPeer(name: string, child: ChildProcessWithoutNullStreams): Promise<Peer> {
  starting.push(child);
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    if (err.length < 64_000) err += d;
  });
  let ready = false;
  const pending = new Map<number, (r: Report) => void>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    const msg = JSON.parse(line) as { event?: string; id?: number; result?: Report };
    if (msg.event === "ready") ready = true;
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result ?? { failed: "no result" });
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const resolve of pending.values()) resolve({ failed: `the ${name} peer exited:\n${err}` });
  });
  await waitFor(`the ${name} contract handlers`, () => gone || ready, { timeoutMs: 60_000 });
  if (gone) throw new Error(`the ${name} peer exited:\n${err}`);
  let ids = 0;
  return {
    call(tenant) {
      const id = ids++;
      return new Promise<Report>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ failed: `the ${name} peer did not answer within ${CALL_TIMEOUT_MS} ms:\n${err}` });
        }, CALL_TIMEOUT_MS);
        pending.set(id, (r) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(r);
        });
        child.stdin.write(`${JSON.stringify({ id, tenant })}\n`);
      });
    },
    async close() {
      child.stdin.end();
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** Waits (bounded) until the handlers of `tenant` answer an invoke; NO_HANDLER means not subscribed yet. */
async function probe(tenant: Lang): Promise<void> {
  const bus = createBus({ agentId: "probe", transport: transports[1]!, tenant });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const err: unknown = await bus.invoke(translatorContract.skills.detectLanguage.target, { text: "probe" }, { timeoutMs: 5000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (err === undefined) return;
      if (!(err instanceof NoHandlerError) || Date.now() > deadline) throw new Error(`the ${tenant} handlers do not answer: ${String(err)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await bus.close();
  }
}

async function runOn(client: Lang, handler: Lang): Promise<Report> {
  if (client === "ts") {
    const bus = createBus({ agentId: "ts-caller", transport: transports[1]!, tenant: handler });
    try {
      return await tsCalls(bus);
    } finally {
      await bus.close();
    }
  }
  const peer = peers.get(client);
  if (peer === undefined) throw new Error(`the ${client} peer did not start`);
  return await peer.call(handler);
}

describe.skipIf(!hasMaven())("generated contract clients and handlers across TypeScript, Python and Kotlin on one nats-server", () => {
  beforeAll(async () => {
    // compile and install once
    const built = compileKotlin(join(work, "kt"), [
      join(REPO_ROOT, "examples/contracts/generated", KOTLIN_SOURCE_ROOT),
      join(REPO_ROOT, "test/contracts/fixtures/kotlin-peer"),
    ]);
    if (built.code !== 0) throw new Error(`the Kotlin peer did not compile:\n${built.output.join("\n")}`);
    const { python, env } = installContractPackage(work);
    nats = await startNatsServer();
    transports.push(await connectNats({ servers: nats.url }), await connectNats({ servers: nats.url }));
    tsAgents = createBus({ agentId: "ts-agents", transport: transports[0]!, tenant: "ts" });
    registration = serveTypeScript(tsAgents);
    await transports[0]!.flush();
    const [py, kt] = await Promise.all([
      startPeer(
        "Python",
        spawn(python, ["-u", join(REPO_ROOT, "test/contracts/fixtures/cross_peer.py"), nats.url], { cwd: work, env, stdio: ["pipe", "pipe", "pipe"] }),
      ),
      startPeer("Kotlin", spawnKotlin(join(work, "kt"), "dev.openagentio.contracts.crosspeer.CrossPeerKt", [nats.url])),
    ]);
    peers.set("py", py);
    peers.set("kt", kt);
    starting = [];
    await Promise.all(LANGS.map(probe));
  }, 900_000);

  afterAll(async () => {
    await Promise.all([...peers.values()].map((p) => p.close()));
    for (const child of starting) child.kill("SIGKILL"); // a peer that never got ready
    await Promise.all(starting.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("close", r)) : undefined)));
    await registration?.unsubscribe();
    await tsAgents?.close();
    await Promise.all(transports.map((t) => t.close()));
    await nats?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const refusal = (schema: string, pointer: string, keyword: string, expected: string) => ({
    code: "INVALID_REQUEST",
    message: `translator ${schema} ${pointer || "(root)"}: expected ${expected} (${keyword})`,
    cause: { schema, pointer, keyword, expected },
  });

  for (const client of LANGS) {
    for (const handler of LANGS) {
      it(`${client} client -> ${handler} handlers: invoke, stream, refusals with the same code and pointer`, async () => {
        const r = await runOn(client, handler);
        expect(r.failed).toBeUndefined();
        expect(r.detect).toEqual({ language: "fr", confidence: 0.5, alternatives: [handler] });
        expect(r.kinds).toEqual(["started", "delta", "delta", "final"]);
        expect(r.deltas).toEqual([`good-fr-${handler}`, ` morning-fr-${handler}`]);
        expect(r.output).toEqual({ text: `good-fr-${handler} morning-fr-${handler}`, source: handler, characters: 12 });
        // the client refuses before sending
        expect(r.client_refusal).toEqual(refusal("translate.input", "/text", "minLength", "a non-empty string"));
        // issue 12's translate({text: "", to: "xx"}), sent raw: the handler refuses it before its user code
        const want = refusal("translate.input", "/target", "required", 'property "target"');
        expect({ code: r.handler_refusal?.code, message: r.handler_refusal?.message }).toEqual({ code: want.code, message: want.message });
        expect(r.handler_refusal?.cause).toEqual(want.cause);
      }, 120_000);
    }
  }

  it("a tenant nobody serves fails NO_HANDLER for the TypeScript client (the tenants keep the pairs apart)", async () => {
    const bus = createBus({ agentId: "lonely", transport: transports[1]!, tenant: "nobody" });
    try {
      const err: unknown = await new TranslatorClient(bus).detectLanguage({ text: "x" }, { timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoHandlerError);
    } finally {
      await bus.close();
    }
  }, 15_000);
});
