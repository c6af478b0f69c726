/**
 * The generated Python runtime (generated/python, `openagentio.runtime`) and the TypeScript
 * bus on one real nats-server: the Python contract suite over NATS; a Python handler invoked
 * and streamed from TypeScript; TypeScript handlers invoked and streamed from Python —
 * payloads, errors (code, message, retryable), context and the stream cancel extension.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { describePeerClientToTs, describeRestart, describeTsClientToPeer, startPeerProcess, type BusPeerSuite } from "../helpers/bus-peer.js";
import { ensureVenv, explain, run, type PythonEnv } from "./helpers.js";

const PKG = join(REPO_ROOT, "generated", "python");
const PEER = join(REPO_ROOT, "test", "python", "peer", "bus_peer.py");

let py: PythonEnv;
let env: NodeJS.ProcessEnv;
let nats: NatsServer;
let ts: Bus;

beforeAll(async () => {
  py = await ensureVenv();
  // this worktree's package, whichever tree the shared venv's editable install points at
  env = { ...py.env, PYTHONPATH: join(PKG, "src") };
  nats = await startNatsServer();
  ts = createBus({ agentId: "ts", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
}, 300_000);

afterAll(async () => {
  await ts?.close();
  await nats?.stop();
});

describe("Python runtime on NATS", () => {
  it("passes its contract suite (with the outbound middleware suite) against the real nats-server, nothing skipped", async () => {
    const res = await run(py.python, ["-m", "pytest", "-v", "-p", "no:cacheprovider", "tests/test_bus_contract.py", "tests/test_bus_outbound.py"], {
      cwd: PKG,
      env: { ...env, OAIO_NATS_URL: nats.url },
    });
    expect(res.code, explain(res)).toBe(0);
    expect(res.stdout, explain(res)).not.toMatch(/SKIPPED|skipped/u);
    const onNats = (res.stdout.match(/\[nats\] PASSED/gu) ?? []).length;
    const inMemory = (res.stdout.match(/\[memory\] PASSED/gu) ?? []).length;
    expect(onNats).toBeGreaterThanOrEqual(15);
    expect(onNats).toBe(inMemory);
  }, 120_000);
});

const suite: BusPeerSuite = {
  lang: "Python",
  prefix: "py",
  contextHome: "its contextvars",
  ts: () => ts,
  natsUrl: () => nats.url,
  start: (args) => startPeerProcess("Python", py.python, ["-u", PEER, ...args], env),
  async runClient(url) {
    const res = await run(py.python, ["-u", PEER, "client", "--nats", url], { env });
    return { code: res.code, stdout: res.stdout, explain: explain(res) };
  },
  clientCallsTenants: false,
};
describeTsClientToPeer(suite);
describePeerClientToTs(suite);
describeRestart(suite);
