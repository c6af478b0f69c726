/**
 * The two StreamWriter frames the A2A bridge relies on (runtime/bus/stream-writer.ts):
 * `final(result, { phase })` for interrupted responses and `event(type, payload)` for extra
 * event frames such as agent.tool.call, as a stream client receives them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBus } from "../../runtime/bus/index.js";
import type { Bus, StreamFrame, StreamWriter } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { EVENT_TYPES } from "../../generated/ts/constants.js";
import type { FinalPhase } from "../../runtime/bus/index.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

function pair(serverSchemaVersion: 1 | 2 = 2): { client: Bus; server: Bus } {
  const transport = createMemoryTransport();
  const client = createBus({ agentId: "client", transport });
  const server = createBus({ agentId: "server", transport, schemaVersion: serverSchemaVersion });
  cleanup.push(
    () => transport.close(),
    () => client.close(),
    () => server.close(),
  );
  return { client, server };
}

async function frames(bus: Bus, target: string, req: unknown): Promise<StreamFrame[]> {
  const out: StreamFrame[] = [];
  for await (const f of bus.streamInvoke(target, req, { yieldErrors: true })) out.push(f);
  return out;
}

describe("StreamWriter.final phase", () => {
  it("covers exactly the phases the catalogue allows on agent.response.final", () => {
    const all: Record<FinalPhase, true> = { completed: true, input_required: true, auth_required: true };
    expect(Object.keys(all)).toEqual([...EVENT_TYPES["agent.response.final"].allowedPhases]);
  });

  it("writes input_required / auth_required on the final frame; the stream ends normally", async () => {
    const { client, server } = pair();
    server.handleStream("asker", async (req, w) => {
      await w.started();
      await w.final(`need ${String(req)}`, { phase: req === "token" ? "auth_required" : "input_required" });
    });
    const asked = await frames(client, "asker", "name");
    expect(asked.map((f) => f.type)).toEqual(["started", "final"]);
    expect(asked[1]).toMatchObject({
      type: "final",
      result: "need name",
      envelope: { phase: "input_required", is_final: true, event_type: "agent.response.final" },
    });
    const auth = await frames(client, "asker", "token");
    expect(auth[1]?.envelope?.phase).toBe("auth_required");
    const env = await client.invokeEnvelope("asker", "x");
    expect(env.phase).toBe("input_required");
  });

  it("defaults to completed, and a schemaVersion 1 bus writes no phase", async () => {
    const { client, server } = pair(1);
    server.handleStream("v1", async (_req, w) => {
      await w.final("ok", { phase: "input_required" });
    });
    const got = await frames(client, "v1", null);
    expect(got[0]?.envelope?.schema_version).toBe(1);
    expect(got[0]?.envelope?.phase).toBeUndefined();
    const v2 = pair();
    v2.server.handleStream("plain", (_req, w) => w.final("ok"));
    expect((await frames(v2.client, "plain", null))[0]?.envelope?.phase).toBe("completed");
  });

  it("rejects a phase agent.response.final does not allow with INVALID_REQUEST (the stream then ends with that error)", async () => {
    const { client, server } = pair();
    let rejected: unknown;
    server.handleStream("bad", async (_req, w: StreamWriter) => {
      rejected = await w.final("x", { phase: "failed" as FinalPhase }).catch((e: unknown) => e);
      throw rejected;
    });
    const got = await frames(client, "bad", null);
    expect(rejected).toBeInstanceOf(InvalidRequestError);
    expect(got).toMatchObject([{ type: "error", error: { code: "INVALID_REQUEST" } }]);
  });
});

describe("StreamWriter.event", () => {
  it("sends agent.tool.call as an event frame in seq order, with its catalogue frame type and phase", async () => {
    const { client, server } = pair();
    server.handleStream("tooler", async (_req, w) => {
      await w.started();
      await w.event("agent.tool.call", { call_id: "c1", name: "search", arguments: { q: "nats" } }, { metadata: { step: 1 } });
      await w.event("custom.progress", { pct: 50 });
      await w.delta("found it");
      await w.final("done");
    });
    const got = await frames(client, "tooler", "go");
    expect(got.map((f) => f.type)).toEqual(["started", "event", "event", "delta", "final"]);
    expect(got.map((f) => f.envelope?.seq)).toEqual([0, 1, 2, 3, 4]);
    const call = got[1]?.envelope;
    expect(call).toMatchObject({
      event_type: "agent.tool.call",
      frame_type: "tool.call",
      phase: "working",
      payload: { call_id: "c1", name: "search", arguments: { q: "nats" } },
      metadata: { step: 1 },
    });
    expect(call?.is_final).toBeUndefined();
    expect(got[2]?.envelope).toMatchObject({ event_type: "custom.progress", payload: { pct: 50 } });
    expect(got[2]?.envelope?.phase).toBeUndefined();
  });

  it("refuses terminal and empty event types (they would end or break the stream)", async () => {
    const { client, server } = pair();
    const errors: unknown[] = [];
    server.handleStream("strict", async (_req, w) => {
      for (const t of ["agent.tool.result", "agent.task.completed", "agent.response.final", ""]) {
        errors.push(await w.event(t, { call_id: "c", output: 1 }).catch((e: unknown) => e));
      }
      await w.final("still open");
    });
    const got = await frames(client, "strict", null);
    expect(errors).toHaveLength(4);
    for (const e of errors) expect(e).toBeInstanceOf(InvalidRequestError);
    expect(got).toMatchObject([{ type: "final", result: "still open" }]);
  });
});
