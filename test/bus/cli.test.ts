/** `oaio serve` and the bus client commands, as separate processes against a real nats-server. */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, killOnTestEnd, runCli } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { waitFor } from "./fixtures.js";

let nats: NatsServer;
let serve: ChildProcess;
let serveOut = "";

beforeAll(async () => {
  nats = await startNatsServer();
  serve = spawn(process.execPath, ["--import", "tsx", `${REPO_ROOT}bin/oaio.ts`, "serve", "--nats", nats.url], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  serve.stdout!.setEncoding("utf8").on("data", (d: string) => (serveOut += d));
  serve.stderr!.setEncoding("utf8").on("data", (d: string) => (serveOut += d));
  await waitFor("oaio serve to be ready", () => serveOut.includes("Ctrl-C stops."), 25_000);
}, 30_000);

afterAll(async () => {
  if (serve.exitCode === null) {
    const exited = new Promise((resolve) => serve.once("exit", resolve));
    serve.kill("SIGINT");
    await exited;
  }
  await nats.stop();
});

describe("oaio serve + client commands over NATS", () => {
  it("serve prints its agents and the exact commands to try", () => {
    expect(serveOut).toContain(`oaio serve: ready on ${nats.url}`);
    expect(serveOut).toMatch(/invoke echo '\{"hello":"world"\}' --nats nats:\/\/127\.0\.0\.1:\d+/);
    expect(serveOut).toMatch(/stream writer '\{"text":"one two three"\}' --nats/);
  });

  it("invoke, stream and publish/subscribe work, readable and --json", async () => {
    const n = ["--nats", nats.url];
    const subscriber = spawn(process.execPath, ["--import", "tsx", `${REPO_ROOT}bin/oaio.ts`, "subscribe", "demo.greeting", "--count", "1", "--json", ...n], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    killOnTestEnd(subscriber);
    let subOut = "";
    let subErr = "";
    subscriber.stdout.setEncoding("utf8").on("data", (d: string) => (subOut += d));
    subscriber.stderr.setEncoding("utf8").on("data", (d: string) => (subErr += d));
    const subExit = new Promise<number | null>((resolve) => subscriber.once("exit", (code) => resolve(code)));
    const [invoke, stream, streamJson, streamDefault] = await Promise.all([
      runCli(["invoke", "echo", '{"hello":"world"}', "--session", "s-1", ...n]),
      runCli(["stream", "writer", '{"text":"one two three"}', ...n]),
      runCli(["stream", "writer", '{"text":"a b"}', "--json", ...n]),
      runCli(["stream", "writer", ...n]), // the default text: more tokens than AbortSignal's 10 listeners before a leak warning
    ]);
    expect(streamDefault.code, streamDefault.stderr).toBe(0);
    expect(streamDefault.stderr).toContain("[final, 13 frames]");
    expect(invoke.code, invoke.stderr).toBe(0);
    expect(JSON.parse(invoke.stdout)).toEqual({ echo: { hello: "world" }, from: "oaio-cli", session_id: "s-1" });
    expect(stream.code, stream.stderr).toBe(0);
    expect(stream.stdout).toContain("one two three\n");
    expect(stream.stderr).toContain("[final, 5 frames]");
    const lines = streamJson.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event_type: string; seq: number });
    expect(lines.map((l) => l.event_type)).toEqual(["agent.response.started", "agent.response.delta", "agent.response.delta", "agent.response.final"]);
    expect(lines.map((l) => l.seq)).toEqual([0, 1, 2, 3]);
    await waitFor("the subscriber to listen", () => subErr.includes("listening on") || subOut.length > 0, 25_000);
    const pub = await runCli(["publish", "demo.greeting", '{"hi":1}', ...n]);
    expect(pub.code).toBe(0);
    expect(pub.stdout).toMatch(/^published demo\.greeting to acp\.v1\.events\.demo\.greeting \(event_id [0-9a-f-]{36}\)/);
    expect(await subExit).toBe(0);
    expect(JSON.parse(subOut.trim().split("\n")[0]!)).toMatchObject({ event_type: "demo.greeting", payload: { hi: 1 }, from: "oaio-cli" });
    await waitFor("the listener to log the greeting", () => serveOut.includes("[listener] demo.greeting from=oaio-cli"));
    expect(serveOut).not.toContain("MaxListenersExceededWarning");
  }, 60_000);

  it("exits 1 for an error answer and 2 for usage or connection errors", async () => {
    const n = ["--nats", nats.url];
    const [noHandler, badJson, noServer] = await Promise.all([
      runCli(["invoke", "nobody", "{}", ...n]),
      runCli(["invoke", "a.b", "{bad", ...n]),
      runCli(["invoke", "echo", "{}", "--nats", "nats://127.0.0.1:1"]),
    ]);
    expect(noHandler.code).toBe(1);
    expect(noHandler.stderr).toContain("NO_HANDLER");
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain("not JSON");
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toContain("cannot connect");
  }, 60_000);

  it("examples/quickstart.ts runs on the memory transport and over NATS", async () => {
    const run = (env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", `${REPO_ROOT}examples/quickstart.ts`], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        killOnTestEnd(child);
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code, out }));
      });
    // its own server: `oaio serve` above also serves a "writer" agent, which would share the queue group
    await using own = await startNatsServer();
    const [memory, overNats] = await Promise.all([run({}), run({ NATS_URL: own.url })]);
    for (const r of [memory, overNats]) {
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain("invoke billing → { balance: 1042.5, currency: 'EUR' }");
      expect(r.out).toContain('stream writer → "agents talk in streams too" { done: true }');
      expect(r.out).toContain("event billing.balance_checked (session sess-1)");
      expect(r.out).toContain("invoke nobody → NoHandlerError");
    }
  }, 60_000);

  it("serve stops cleanly on SIGINT", async () => {
    const exited = new Promise<number | null>((resolve) => serve.once("exit", (code) => resolve(code)));
    serve.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(serveOut).toContain("oaio serve: stopping");
  });
});
