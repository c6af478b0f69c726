import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIr } from "../../generator/ir/load.js";
import { SchemaLoadError } from "../../generator/ir/errors.js";
import { checkFiles, emitAll } from "../../generator/generate.js";
import { emittersFor } from "../../generator/targets.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { ERROR_CODES, PHASES } from "../../generated/ts/constants.js";
import type { Envelope } from "../../generated/ts/types.js";
import {
  A2A_ERRORS,
  A2A_FEATURES,
  PHASE_TO_TASK_STATE,
  TASK_STATE_TO_PHASE,
  acpCodeToJsonRpc,
  envelopeToStreamEvents,
  jsonRpcError,
  jsonRpcToAcpCode,
  messageFromV03,
  messageToV03,
  partsToPayload,
  payloadToParts,
  resolveMethod,
  sendParamsFromV03,
  streamResponseToV03,
  taskStateFromV03,
  taskStateToV03,
  type ArtifactCursor,
  type StreamResponse,
} from "../../generated/a2a/index.js";

const schemaDir = join(REPO_ROOT, "schema");

function env(event_type: string, payload: unknown, extra: Partial<Envelope> = {}): Envelope {
  return {
    spec_version: "acp/1.0",
    schema_version: 2,
    event_id: "0190b3c8-0000-7000-8000-000000000001",
    event_type,
    occurred_at: "2025-01-01T00:00:00Z",
    ...(payload === undefined ? {} : { payload: payload as Envelope["payload"] }),
    ...extra,
  };
}

function withBrokenMapping(edit: (m: Record<string, unknown>) => void): SchemaLoadError {
  const dir = mkdtempSync(join(tmpdir(), "oaio-a2a-"));
  try {
    cpSync(schemaDir, dir, { recursive: true });
    const file = join(dir, "a2a/mapping.json");
    const m = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    edit(m);
    writeFileSync(file, JSON.stringify(m));
    try {
      loadIr(dir);
    } catch (err) {
      if (err instanceof SchemaLoadError) return err;
      throw err;
    }
    throw new Error("loadIr accepted a broken mapping");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("a2a mapping data and generator", () => {
  it("committed generated/a2a is exactly what schema/a2a produces, twice over", async () => {
    const a2a = emittersFor(["a2a"]);
    const first = await emitAll(loadIr(schemaDir), a2a);
    const second = await emitAll(loadIr(schemaDir), a2a);
    expect(first.map((f) => f.content)).toEqual(second.map((f) => f.content));
    expect(checkFiles(join(REPO_ROOT, "generated"), first, ["a2a"])).toEqual([]);
  });

  it("reports an unknown phase, event type and ACP code with file and pointer", () => {
    const err = withBrokenMapping((m) => {
      (m["task_states"] as Record<string, unknown>)["interrupted_phases"] = ["input_required", "completed"];
      (m["event_types"] as { event_type: string }[])[0]!.event_type = "agent.nope";
      (m["errors"] as { acp_code: string }[])[0]!.acp_code = "NOT_A_CODE";
    });
    expect(err.problems).toContainEqual(expect.objectContaining({ file: "a2a/mapping.json", pointer: "/task_states/interrupted_phases/1" }));
    expect(err.problems).toContainEqual(expect.objectContaining({ file: "a2a/mapping.json", pointer: "/event_types/0/event_type" }));
    expect(err.problems).toContainEqual(expect.objectContaining({ file: "a2a/mapping.json", pointer: "/errors/0/acp_code" }));
  });

  it("reports a catalogue JSON-RPC code the mapping does not define, and schema violations", () => {
    const err = withBrokenMapping((m) => {
      const errors = m["errors"] as { code: number }[];
      m["errors"] = errors.filter((e) => e.code !== -32602 && e.code !== -32005);
    });
    expect(err.problems).toContainEqual(expect.objectContaining({ file: "catalog/error-codes.json", pointer: "/error_codes/6/a2a_jsonrpc_code" }));
    expect(err.problems).toContainEqual(expect.objectContaining({ file: "a2a/mapping.json", pointer: "/errors", message: "A2A error code -32005 is missing" }));
    const shape = withBrokenMapping((m) => {
      (m["protocol"] as Record<string, unknown>)["jsonrpc_version"] = "1.0";
    });
    expect(shape.problems).toContainEqual(expect.objectContaining({ file: "a2a/mapping.json", pointer: "/protocol/jsonrpc_version" }));
  });

  it("agrees with the phase and error catalogues", () => {
    for (const p of Object.values(PHASES)) {
      expect(PHASE_TO_TASK_STATE[p.name]).toBe(p.a2aTaskState);
      expect(TASK_STATE_TO_PHASE[p.a2aTaskState]).toBe(p.name);
      expect(taskStateToV03(PHASE_TO_TASK_STATE[p.name])).toBe(p.a2aV03State);
      expect(taskStateFromV03(p.a2aV03State)).toBe(p.a2aTaskState);
    }
    for (const e of Object.values(ERROR_CODES)) {
      expect(acpCodeToJsonRpc(e.code)).toBe(e.a2aJsonRpcCode);
      expect(A2A_ERRORS[e.a2aJsonRpcCode]).toBeDefined();
    }
    expect(jsonRpcToAcpCode(-32001)).toBe("INVALID_REQUEST");
    expect(jsonRpcToAcpCode(-32700)).toBe("CODEC_FAILURE");
    expect(jsonRpcToAcpCode(12345)).toBe("AGENT_UNAVAILABLE");
    expect(jsonRpcError(-32001)).toEqual({
      code: -32001,
      message: "Task not found",
      data: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "TASK_NOT_FOUND", domain: "a2a-protocol.org" }],
    });
    expect(jsonRpcError(-32601, "no")).toEqual({ code: -32601, message: "no" });
    expect(resolveMethod("message/send", true)).toBe("SendMessage");
    expect(resolveMethod("message/send", false)).toBeUndefined();
    expect(resolveMethod("toString", false)).toBeUndefined();
    expect(A2A_FEATURES.filter((f) => f.supported).every((f) => f.checks.length > 0)).toBe(true);
  });

  it("maps payloads to parts and back", () => {
    for (const v of ["hello", { a: 1 }, [1, 2], 3, null]) expect(partsToPayload(payloadToParts(v))).toEqual(v);
    expect(payloadToParts(undefined)).toEqual([]);
    expect(partsToPayload([{ text: "a" }, { data: { b: 1 } }])).toEqual({ "a2a.parts": [{ text: "a" }, { data: { b: 1 } }] });
  });

  it("turns a delta stream and its final into ordered artifact chunks and a terminal status", () => {
    const ref = { taskId: "t1", contextId: "c1" };
    const cursor: ArtifactCursor = { artifactId: "a1", chunks: 0 };
    const events: StreamResponse[] = [
      ...envelopeToStreamEvents(env("agent.response.started", {}), ref, cursor),
      ...envelopeToStreamEvents(env("agent.response.delta", { delta: "he" }), ref, cursor),
      ...envelopeToStreamEvents(env("agent.response.delta", { delta: "llo", data: { n: 1 } }), ref, cursor),
      ...envelopeToStreamEvents(env("agent.response.final", { result: "!" }, { is_final: true, phase: "completed" }), ref, cursor),
    ];
    expect(events.map((e) => Object.keys(e)[0])).toEqual(["statusUpdate", "artifactUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"]);
    const chunks = events.flatMap((e) => ("artifactUpdate" in e ? [e.artifactUpdate] : []));
    expect(chunks.map((c) => [c.append, c.lastChunk])).toEqual([
      [false, false],
      [true, false],
      [true, true],
    ]);
    expect(chunks[1]?.artifact.parts).toEqual([{ text: "llo" }, { data: { n: 1 } }]);
    const last = events[4];
    expect(last && "statusUpdate" in last ? last.statusUpdate.status.state : undefined).toBe("TASK_STATE_COMPLETED");
  });

  it("interrupts a task when the final carries input_required (phase or metadata), and fails or cancels on errors", () => {
    const ref = { taskId: "t", contextId: "c" };
    const ask = envelopeToStreamEvents(
      env("agent.response.final", { result: "name?" }, { phase: "completed", metadata: { "a2a.phase": "input_required" } }),
      ref,
      { artifactId: "a", chunks: 0 },
    );
    expect(ask).toHaveLength(1);
    const s = ask[0] && "statusUpdate" in ask[0] ? ask[0].statusUpdate.status : undefined;
    expect(s?.state).toBe("TASK_STATE_INPUT_REQUIRED");
    expect(s?.message?.parts).toEqual([{ text: "name?" }]);
    const fail = envelopeToStreamEvents(env("agent.response.error", { code: "AGENT_TIMEOUT", message: "slow", retryable: true }), ref, {
      artifactId: "a",
      chunks: 0,
    });
    const cancel = envelopeToStreamEvents(env("agent.response.error", { code: "CANCELED", message: "stop", retryable: false }), ref, {
      artifactId: "a",
      chunks: 0,
    });
    const state = (e: StreamResponse[]): string | undefined => (e[0] && "statusUpdate" in e[0] ? e[0].statusUpdate.status.state : undefined);
    expect(state(fail)).toBe("TASK_STATE_FAILED");
    expect(state(cancel)).toBe("TASK_STATE_CANCELED");
    const tool = envelopeToStreamEvents(env("agent.tool.call", { name: "search" }), ref, { artifactId: "a", chunks: 0 });
    expect(tool[0] && "statusUpdate" in tool[0] ? tool[0].statusUpdate.status.message?.parts : undefined).toEqual([
      { data: { name: "search" }, metadata: { "acp.event_type": "agent.tool.call" } },
    ]);
  });

  it("converts 0.3 messages, params and stream events", () => {
    const v03 = {
      kind: "message",
      messageId: "m1",
      role: "user",
      parts: [
        { kind: "text", text: "hi" },
        { kind: "data", data: { value: 3 }, metadata: { data_part_compat: true } },
        { kind: "file", file: { uri: "https://x/y", mimeType: "text/plain" } },
      ],
    };
    const m = messageFromV03(v03);
    expect(m).toEqual({ messageId: "m1", role: "ROLE_USER", parts: [{ text: "hi" }, { data: 3 }, { url: "https://x/y", mediaType: "text/plain" }] });
    expect(messageToV03(m)).toEqual(v03);
    expect(() => messageFromV03({ messageId: "m", role: "robot", parts: [] })).toThrow(/role/);
    expect(sendParamsFromV03({ message: v03, configuration: { blocking: false, historyLength: 2 } }).configuration).toEqual({
      historyLength: 2,
      returnImmediately: true,
    });
    expect(streamResponseToV03({ statusUpdate: { taskId: "t", contextId: "c", status: { state: "TASK_STATE_INPUT_REQUIRED" } } })).toEqual({
      kind: "status-update",
      taskId: "t",
      contextId: "c",
      status: { state: "input-required" },
      final: true,
    });
  });
});
