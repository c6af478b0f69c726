/**
 * The TypeScript runtime's Bus as a matrix peer, in-process: the same commands, answers and
 * events as the peer programs (test/matrix/README.md), on a NATS connection of its own.
 * Commands and answers go through JSON, as they would over a pipe.
 */
import { createBus, type Bus, type HandlerContext, type StreamWriter } from "../../../runtime/bus/index.js";
import { AcpError } from "../../../runtime/errors.js";
import { connectNats } from "../../../runtime/transport/index.js";
import type { Answer, InvokeAnswer, Json, MatrixPeer, Seen, StreamAnswer, WireContext, WireError, WireFrame } from "../protocol.js";

/** Longest an `endless` stream handler writes when nobody cancels it. */
const ENDLESS_MAX = 600;
const ENDLESS_PAUSE_MS = 5;
/** Longest a `silent` stream handler waits for a cancel. */
const SILENT_MAX_MS = 4000;

function seenOf(ctx: HandlerContext): Seen {
  const e = ctx.envelope;
  const s = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
  return {
    from: s(e.from),
    session_id: s(e.session_id),
    conversation_id: s(e.conversation_id),
    channel: s(e.channel),
    tenant_id: s(e.tenant_id),
    user_id: s(e.user_id),
    traceparent: s(e.traceparent),
    schema_version: typeof e.schema_version === "number" ? e.schema_version : null,
    phase: s(e.phase),
    metadata: appMetadata(e.metadata),
  };
}

/** Metadata without the runtime's `acp.*` keys, `null` when nothing is left. */
function appMetadata(m: unknown): Json | null {
  if (m === null || typeof m !== "object" || Array.isArray(m)) return null;
  const out = Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith("acp.")));
  return Object.keys(out).length === 0 ? null : out;
}

function wireError(err: unknown): WireError {
  if (err instanceof AcpError) return { code: err.code, message: err.message, retryable: err.retryable };
  throw err;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the in-process TypeScript peer `name` on `natsUrl`, writing envelopes of `schemaVersion`. */
export async function startTsPeer(name: string, natsUrl: string, schemaVersion: 1 | 2 = 2): Promise<MatrixPeer> {
  const bus: Bus = createBus({ agentId: name, transport: await connectNats({ servers: natsUrl }), ownsTransport: true, schemaVersion });
  const events: Json[] = [];
  const emit = (e: Json): void => {
    events.push(JSON.parse(JSON.stringify(e)) as Json);
  };

  async function runInvoke(payload: unknown, ctx: HandlerContext, marker: string | undefined): Promise<unknown> {
    const p = (payload ?? {}) as Json;
    switch (p["do"]) {
      case "echo":
        return { value: p["value"], seen: seenOf(ctx), by: name, marker: marker ?? null };
      case "return":
        return p["value"];
      case "raise":
        throw new AcpError(String(p["code"]), String(p["message"]), { retryable: p["retryable"] === true });
      case "raise_plain":
        throw new Error(String(p["message"]));
      case "call":
        // No explicit context: what the nested call carries is what the bus propagates.
        return {
          by: name,
          seen: seenOf(ctx),
          inner:
            p["kind"] === "stream"
              ? await streamAnswer({ target: p["target"], payload: p["payload"] })
              : await invokeAnswer(String(p["target"]), p["payload"], {}),
        };
      default:
        throw new Error(`ts peer: unknown invoke instruction ${JSON.stringify(p["do"])}`);
    }
  }

  async function runStream(payload: unknown, w: StreamWriter, ctx: HandlerContext): Promise<unknown> {
    const p = (payload ?? {}) as Json;
    if (p["do"] === "story") {
      const words = p["words"] as string[];
      await w.started({ by: name });
      for (const word of words) await w.delta(word);
      return { count: words.length, seen: seenOf(ctx) };
    }
    if (p["do"] === "fail") {
      await w.started({ by: name });
      await w.delta("partial");
      throw new AcpError(String(p["code"]), String(p["message"]), { retryable: p["retryable"] === true });
    }
    if (p["do"] === "endless") {
      let written = 0;
      while (written < ENDLESS_MAX && !w.signal.aborted) {
        await w.delta(String(written));
        written++;
        await sleep(ENDLESS_PAUSE_MS);
      }
      emit({ event: "stream_end", tag: p["tag"], how: w.signal.aborted ? "canceled" : "finished", written });
      return undefined;
    }
    if (p["do"] === "silent") {
      // Writes nothing: only an early cancel (the client gave up before any frame) stops it early.
      const how = await new Promise<"canceled" | "finished">((resolve) => {
        const timer = setTimeout(() => resolve("finished"), SILENT_MAX_MS);
        const onAbort = (): void => {
          clearTimeout(timer);
          resolve("canceled");
        };
        if (w.signal.aborted) onAbort();
        else w.signal.addEventListener("abort", onAbort, { once: true });
      });
      emit({ event: "stream_end", tag: p["tag"], how, written: 0 });
      return undefined;
    }
    throw new Error(`ts peer: unknown stream instruction ${JSON.stringify(p["do"])}`);
  }

  function contextOf(args: Json): WireContext & { tenant_id?: string } {
    const ctx = { ...((args["context"] as WireContext | undefined) ?? {}) } as WireContext & { tenant_id?: string };
    if (typeof args["tenant"] === "string") ctx.tenant_id = args["tenant"];
    return ctx;
  }

  function metadataOf(args: Json): { metadata?: Record<string, unknown> } {
    const m = args["metadata"];
    return m !== null && typeof m === "object" && !Array.isArray(m) ? { metadata: m as Record<string, unknown> } : {};
  }

  async function invokeAnswer(target: string, payload: unknown, args: Json): Promise<InvokeAnswer> {
    try {
      const result = await bus.invoke(target, payload, { context: contextOf(args), timeoutMs: Number(args["timeout_ms"] ?? 8000), ...metadataOf(args) });
      return { result: result === undefined ? null : result };
    } catch (err) {
      return { error: wireError(err) };
    }
  }

  async function streamAnswer(args: Json): Promise<StreamAnswer> {
    const frames: WireFrame[] = [];
    const cancelAfter = typeof args["cancel_after"] === "number" ? args["cancel_after"] : undefined;
    let deltas = 0;
    try {
      for await (const f of bus.streamInvoke(String(args["target"]), args["payload"], {
        context: contextOf(args),
        timeoutMs: Number(args["timeout_ms"] ?? 8000),
      })) {
        const seq = f.envelope?.seq ?? 0;
        if (f.type === "started") frames.push({ type: "started", seq, meta: f.meta ?? null });
        else if (f.type === "delta") frames.push({ type: "delta", seq, delta: f.delta ?? f.data ?? null });
        else if (f.type === "final") frames.push({ type: "final", seq, result: f.result ?? null });
        if (f.type === "delta" && cancelAfter !== undefined && ++deltas >= cancelAfter) break;
      }
      return { frames };
    } catch (err) {
      return { frames, error: wireError(err) };
    }
  }

  const ops: Record<string, (args: Json) => Promise<Json>> = {
    async serve(args) {
      const target = String(args["target"]);
      const tenant = typeof args["tenant"] === "string" ? args["tenant"] : null;
      const marker = typeof args["marker"] === "string" ? args["marker"] : undefined;
      if (args["kind"] === "stream") bus.handleStream(target, runStream, { tenant });
      else bus.handleInvoke(target, (payload, ctx) => runInvoke(payload, ctx, marker), { tenant });
      await bus.transport.flush();
      return {};
    },
    async subscribe(args) {
      const sub = String(args["name"]);
      const opts = {
        tenant: typeof args["tenant"] === "string" ? args["tenant"] : null,
        ...(typeof args["queue"] === "string" ? { queue: args["queue"] } : {}),
      };
      bus.subscribe(
        String(args["event_type"]),
        (payload, ctx) => {
          emit({ event: "received", sub, payload: payload ?? null, seen: seenOf(ctx) });
        },
        opts,
      );
      await bus.transport.flush();
      return {};
    },
    async invoke(args) {
      return { ...(await invokeAnswer(String(args["target"]), args["payload"], args)) };
    },
    async stream(args) {
      return { ...(await streamAnswer(args)) };
    },
    async publish(args) {
      await bus.publish(String(args["event_type"]), args["payload"], { context: contextOf(args), confirm: true, ...metadataOf(args) });
      return {};
    },
    async flush() {
      await bus.transport.flush();
      return {};
    },
  };

  let closing: Promise<void> | undefined;
  const peer: MatrixPeer = {
    name,
    events,
    stderr: () => "",
    async call(op, args = {}, timeoutMs = 15_000): Promise<Answer> {
      const cmd = JSON.parse(JSON.stringify(args)) as Json;
      const fn = ops[op];
      if (fn === undefined) return { ok: false, error: `unknown op ${op}` };
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`peer ${name} did not answer ${op} within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const out = await Promise.race([fn(cmd), limit]);
        return JSON.parse(JSON.stringify({ ok: true, ...out })) as Answer;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith(`peer ${name} did not answer`)) throw err;
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= bus.close();
      return closing;
    },
    [Symbol.asyncDispose]: () => peer.close(),
  };
  return peer;
}
