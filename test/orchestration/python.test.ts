/**
 * A Python agent from the generated SDK (generated/python, test/python/peer/bus_peer.py in a
 * separate process) in the fan-out next to TypeScript agents, on a real nats-server: its
 * outcomes and typed errors in parallel(), the cancel of a Python stream loser reaching its
 * handler, and its stream merged with a TypeScript one. Run with OAIO_VENV set (a venv of your
 * own; see spec/python.md).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { mergeStreams, parallel } from "../../runtime/orchestration/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { startPeerProcess, type PeerProcess } from "../helpers/bus-peer.js";
import { waitFor } from "../bus/fixtures.js";
import { ensureVenv } from "../python/helpers.js";

const PEER = join(REPO_ROOT, "test", "python", "peer", "bus_peer.py");

let nats: NatsServer;
let ts: Bus;
let agents: Bus;
let py: PeerProcess;

beforeAll(async () => {
  const venv = await ensureVenv();
  nats = await startNatsServer();
  ts = createBus({ agentId: "fan-client", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  agents = createBus({ agentId: "ts-agents", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  agents.handleInvoke<{ n: number }>("ts.double", (req) => ({ doubled: req.n * 2 }));
  agents.handleStream<string>("ts.story", async (req, w) => {
    for (const word of req.split(" ")) await w.delta(word);
    return { words: req.split(" ").length };
  });
  await agents.transport.flush();
  // this worktree's generated package, whichever tree the venv's editable install points at
  py = await startPeerProcess("Python", venv.python, ["-u", PEER, "serve", "--nats", nats.url], {
    ...venv.env,
    PYTHONPATH: join(REPO_ROOT, "generated", "python", "src"),
  });
}, 300_000);

afterAll(async () => {
  await py?.close();
  await ts?.close();
  await agents?.close();
  await nats?.stop();
});

describe("a Python agent in the fan-out", () => {
  it("all: the Python agent's value and its typed error next to a TypeScript agent's, in input order", async () => {
    const r = await parallel(ts, [
      { target: "py.echo", request: { hello: "py" } },
      { target: "py.fail", request: { code: "PERMISSION_DENIED", message: "not yours", retryable: false } },
      { target: "ts.double", request: { n: 21 } },
    ]);
    expect(r.outcomes.map((o) => (o.ok ? "ok" : o.error.code))).toEqual(["ok", "PERMISSION_DENIED", "ok"]);
    const echo = r.outcomes[0]!;
    expect(echo.ok && (echo.value as { payload: unknown }).payload).toEqual({ hello: "py" });
    const fail = r.outcomes[1]!;
    expect(!fail.ok && fail.error.message).toBe("not yours");
    const doubled = r.outcomes[2]!;
    expect(doubled.ok && doubled.value).toEqual({ doubled: 42 });
  }, 30_000);

  it("any: the TypeScript agent wins and the Python stream loser's handler is canceled", async () => {
    const canceledBefore = py.events.filter((e) => e["event"] === "canceled").length;
    const r = await parallel(
      ts,
      [
        { target: "py.endless", request: null, via: "stream" },
        { target: "ts.double", request: { n: 1 } },
      ],
      { mode: "any" },
    );
    expect(r.ok).toBe(true);
    expect(r.outcomes.map((o) => (o.ok ? "ok" : o.error.code))).toEqual(["CANCELED", "ok"]);
    await waitFor("the Python handler reports its cancel", () => py.events.filter((e) => e["event"] === "canceled").length === canceledBefore + 1);
  }, 30_000);

  it("mergeStreams: a Python stream and a TypeScript stream merged, each in order", async () => {
    const byTarget: Record<string, string[]> = { "py.story": [], "ts.story": [] };
    let finals = 0;
    for await (const { target, frame } of mergeStreams(ts, [
      { target: "py.story", request: "one two three" },
      { target: "ts.story", request: "four five" },
    ])) {
      if (frame.type === "delta" && frame.delta !== undefined) byTarget[target]!.push(frame.delta);
      if (frame.type === "final") finals++;
    }
    expect(byTarget).toEqual({ "py.story": ["one", "two", "three"], "ts.story": ["four", "five"] });
    expect(finals).toBe(2);
  }, 30_000);
});
