/**
 * `oaio parallel` (bin/commands/parallel.ts) as a separate process against agents on a real
 * nats-server, and examples/scenes/parallel.ts on memory and over NATS.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats, type Transport } from "../../runtime/transport/index.js";
import { createBus, type Bus, type Subscription } from "../../runtime/bus/index.js";
import { REPO_ROOT, killOnTestEnd, runCli } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../bus/fixtures.js";
import { latch, registerAgents, seen, type Latch, type Seen } from "./agents.js";

let nats: NatsServer;
let transport: Transport;
let server: Bus;
let subs: Subscription[] = [];
const fast: Seen = seen();
const slow: Seen = seen();
const open: Latch = latch();
const closed: Latch = latch();

beforeAll(async () => {
  nats = await startNatsServer();
  transport = await connectNats({ servers: nats.url });
  server = createBus({ agentId: "cli-agents", transport });
  open.open();
  subs = [...registerAgents(server, "fast", fast, open), ...registerAgents(server, "slow", slow, closed)];
  await transport.flush();
});
afterAll(async () => {
  closed.open();
  await Promise.all(subs.map((s) => s.unsubscribe()));
  await server.close();
  await transport.close();
  await nats.stop();
});

describe("oaio parallel", () => {
  it("--mode all prints every outcome as it settles and exits 1 when one failed", async () => {
    const r = await runCli(["parallel", "--nats", nats.url, "--targets", "fast-ok,fast-fail,nobody", '{"n":3}']);
    expect(r.code, r.stderr).toBe(1);
    // one line per outcome (a value prints as indented JSON over several lines)
    expect(r.stdout).toContain('[0] fast-ok ok {\n  "from": "fast-ok",\n  "n": 3\n}\n');
    expect(r.stdout).toContain("[1] fast-fail PERMISSION_DENIED: fast-fail refuses\n");
    expect(r.stdout).toMatch(/^\[2\] nobody NO_HANDLER: .*$/m);
    expect(r.stderr).toContain("all: failed (");
    expect(r.stderr).toContain("1 of 3 succeeded, 0 canceled");
  }, 60_000);

  it("--mode any --json: the first success wins, the streamed loser is canceled and its handler sees it; exit 0", async () => {
    const before = slow.cancels;
    const r = await runCli(["parallel", "--nats", nats.url, "--targets", "slow-block,fast-ok", "--mode", "any", "--via", "stream", "--json", "{}"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ index: 1, target: "fast-ok", ok: true, value: { from: "fast-ok", n: 0 } });
    expect(lines[1]).toMatchObject({ index: 0, target: "slow-block", ok: false, error: { code: "CANCELED" } });
    expect(lines[2]).toMatchObject({ ok: true, mode: "any", succeeded: 1, canceled: [{ index: 0, target: "slow-block", started: true }] });
    await waitFor("the canceled handler sees the cancel", () => slow.cancels === before + 1);
  }, 60_000);

  it("--timeout is the one deadline: the blocked call ends AGENT_TIMEOUT, exit 1", async () => {
    const r = await runCli(["parallel", "--nats", nats.url, "--targets", "fast-ok,slow-block", "--via", "stream", "--timeout", "500", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ ok: false, error: "AGENT_TIMEOUT", succeeded: 1 });
  }, 60_000);

  it.each([
    ["--mode quorum without --quorum", ["--targets", "a,b", "--mode", "quorum"], "--quorum"],
    ["--quorum above the targets", ["--targets", "a,b", "--mode", "quorum", "--quorum", "3"], "more than the 2 targets"],
    ["an unknown --mode", ["--targets", "a", "--mode", "most"], "--mode takes all, any, quorum"],
    ["an empty target", ["--targets", "a,,b"], "--targets"],
    ["--concurrency 0", ["--targets", "a", "--concurrency", "0"], "--concurrency"],
  ])(
    "usage error, exit 2: %s",
    async (_name, args, message) => {
      const r = await runCli(["parallel", "--nats", nats.url, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    },
    60_000,
  );
});

describe("examples/scenes/parallel.ts", () => {
  const run = (env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", `${REPO_ROOT}examples/scenes/parallel.ts`], {
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

  it("runs on the memory transport and over NATS", async () => {
    // its own server: the agents above serve other targets, but the example's must be alone
    await using own = await startNatsServer();
    const [memory, overNats] = await Promise.all([run({ NATS_URL: "" }), run({ NATS_URL: own.url })]);
    for (const r of [memory, overNats]) {
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('any → ok=true winner={"seller":"fast","price":40} canceled=quote-slow');
      expect(r.out).toContain("quorum(2) → ok=true");
      expect(r.out).toContain("all → ok=false outcomes=ok,ok,AGENT_UNAVAILABLE maxInFlight=2");
      expect(r.out).toContain("merged → [0] fan out · [1] and merge back");
      expect(r.out).toContain("slow handler saw 1 cancel");
    }
  }, 60_000);
});
