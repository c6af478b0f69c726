/**
 * A Python agent from the generated SDK (test/python/peer/bus_peer.py) as the new agent of a
 * handoff, on a real nats-server, three processes: the caller (this one), the handing-off
 * TypeScript agent (test/orchestration/handoff-agents.ts, role front) and the Python agent,
 * which knows nothing of handoffs. Run with OAIO_VENV set (a venv of your own; spec/python.md).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, parseTraceparent, runWithContext, type Bus, type StreamFrame } from "../../runtime/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { answerChainOf, deadlineMetadata, handoffFrameOf, invokeWithHandoff } from "../../runtime/orchestration/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { startPeerProcess, type PeerProcess } from "../helpers/bus-peer.js";
import { ensureVenv } from "../python/helpers.js";

const PEER = join(REPO_ROOT, "test", "python", "peer", "bus_peer.py");
const AGENTS = join(REPO_ROOT, "test", "orchestration", "handoff-agents.ts");
const TRACE = "0af7651916cd43dd8448eb211c80319c";

let nats: NatsServer;
let client: Bus;
let py: PeerProcess;
let front: PeerProcess;

beforeAll(async () => {
  const venv = await ensureVenv();
  nats = await startNatsServer();
  client = createBus({ agentId: "web-client", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  front = await startPeerProcess("handoff front", process.execPath, ["--import", "tsx", AGENTS, "--role", "front", "--nats", nats.url]);
  py = await startPeerProcess("Python", venv.python, ["-u", PEER, "serve", "--nats", nats.url], {
    ...venv.env,
    PYTHONPATH: join(REPO_ROOT, "generated", "python", "src"),
  });
}, 300_000);

afterAll(async () => {
  await py?.close();
  await front?.close();
  await client?.close();
  await nats?.stop();
});

describe("a Python agent takes over the conversation", () => {
  it("invoke: the caller gets the Python agent's answer; the Python handler saw the caller's session, user and trace", async () => {
    const ctx = { session_id: "s-py-ho", user_id: "u-py", traceparent: `00-${TRACE}-b7ad6b7169203331-01` };
    const answer = await runWithContext(ctx, () =>
      invokeWithHandoff<{ payload: unknown; seen: Record<string, unknown> }>(client, "ho.to-python", { q: 1 }, { timeoutMs: 15_000 }),
    );
    expect(answer.chain).toEqual(["ho.to-python", "py.echo"]);
    expect(answer.answeredBy).toBe("py.echo");
    expect(answer.value.payload).toEqual({ handed: { q: 1 } });
    expect(answer.value.seen).toMatchObject({ session_id: "s-py-ho", user_id: "u-py", context_session: "s-py-ho" });
    const tp = parseTraceparent(answer.value.seen["traceparent"]);
    expect(tp?.traceId).toBe(TRACE);
    expect(tp?.spanId).not.toBe("b7ad6b7169203331");
  }, 30_000);

  it("stream: the handoff frame, then the Python agent's frames with seq going on, its final with the chain", async () => {
    const frames: StreamFrame[] = [];
    for await (const f of client.streamInvoke("ho.to-python-stream", null, { timeoutMs: 15_000, metadata: deadlineMetadata(15_000) })) frames.push(f);
    expect(frames.map((f) => f.type)).toEqual(["event", "started", "delta", "delta", "delta", "delta", "final"]);
    expect(frames.map((f) => f.envelope?.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(handoffFrameOf(frames[0]!)).toMatchObject({ from: "ho.to-python-stream", to: "py.story" });
    expect(frames.flatMap((f) => (f.type === "delta" ? [f.delta] : []))).toEqual(["handed", "off", "to", "python"]);
    const final = frames[6]!;
    expect(final.type === "final" && final.result).toMatchObject({ words: 4 });
    expect(answerChainOf(final)).toEqual(["ho.to-python-stream", "py.story"]);
  }, 30_000);
});
