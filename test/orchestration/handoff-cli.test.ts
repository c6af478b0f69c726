/**
 * The handoff on the command line: `oaio invoke` / `oaio stream` (separate processes) against
 * the handoff agents (test/orchestration/handoff-agents.ts, two more processes) on a real
 * nats-server print who answered and the handoff frame; examples/scenes/handoff.ts runs on
 * memory and over NATS.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, killOnTestEnd, runCli } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { startPeerProcess, type PeerProcess } from "../helpers/bus-peer.js";

const AGENTS = join(REPO_ROOT, "test", "orchestration", "handoff-agents.ts");
let nats: NatsServer;
const peers: PeerProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  for (const role of ["front", "back"])
    peers.push(await startPeerProcess(`handoff ${role}`, process.execPath, ["--import", "tsx", AGENTS, "--role", role, "--nats", nats.url]));
}, 60_000);

afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await nats?.stop();
});

describe("oaio invoke and oaio stream show the handoff", () => {
  it("invoke prints the new agent's answer, and on stderr who answered after which handoffs", async () => {
    const r = await runCli(["invoke", "ho.triage", '{"invoice":"INV-1"}', "--nats", nats.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ answeredBy: "ho.billing", invoice: "INV-1" });
    expect(r.stderr).toContain("[answered by ho.billing after a handoff: ho.triage -> ho.billing]");
  }, 30_000);

  it("stream prints the handoff frame on stderr between the two agents' text, and who answered with the final", async () => {
    const r = await runCli(["stream", "ho.triage-stream", '{"invoice":"INV-2"}', "--nats", nats.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("triage here; \ninvoice INV-2\n"); // each agent's text on its own line
    expect(r.stderr).toContain("[handoff ho.triage-stream -> ho.billing-stream: invoice question]");
    expect(r.stderr).toContain("[final, 7 frames, answered by ho.billing-stream after a handoff: ho.triage-stream -> ho.billing-stream]");
  }, 30_000);

  it("a refused cycle exits 1 with the typed error", async () => {
    const r = await runCli(["invoke", "ho.loop-a", "--nats", nats.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("INVALID_REQUEST");
    expect(r.stderr).toContain("ho.loop-a -> ho.loop-b -> ho.loop-a");
  }, 30_000);
});

describe("examples/scenes/handoff.ts", () => {
  const run = (env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", `${REPO_ROOT}examples/scenes/handoff.ts`], {
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
    await using own = await startNatsServer();
    const [memory, overNats] = await Promise.all([run({ NATS_URL: "" }), run({ NATS_URL: own.url })]);
    for (const r of [memory, overNats]) {
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('invoke → {"answer":"invoice INV-7 is paid","session":"sess-42","from":"triage"} answeredBy=billing chain=triage -> billing');
      expect(r.out).toContain(
        "stream → Let me get billing for you. [handoff triage-chat -> billing-chat: invoice question] Billing here: invoice INV-8 is paid.",
      );
      expect(r.out).toContain('cycle → cycle: handoff: "loop-a" already had this conversation (chain loop-a -> loop-b -> loop-a)');
    }
  }, 60_000);
});
