/**
 * A remote A2A agent as a bus target: `registerRemoteAgent(bus, "weather", { url })` reads the
 * agent's card and serves `weather` on the bus. invoke and streamInvoke map onto
 * SendStreamingMessage (SendMessage when the card says streaming false): artifact chunks
 * become deltas, the terminal status the final frame (its result: the whole artifact content)
 * or an error frame; INPUT_REQUIRED / AUTH_REQUIRED become a final with that `phase` and
 * metadata a2a.task_id, and a request carrying a2a.task_id continues that remote task. A data
 * part tagged as a non-terminal tool event (agent.tool.call) becomes that event frame.
 * Canceling the bus stream cancels the remote task.
 */
import type { Bus, HandlerContext, StreamWriter, Subscription } from "../bus/types.js";
import { errorFromPayload } from "../errors.js";
import { AgentUnavailableError, CanceledError } from "../../generated/ts/errors.js";
import { EVENT_TYPES } from "../../generated/ts/constants.js";
import { validatePayload } from "../../generated/ts/validators.js";
import {
  A2aMetadataKey,
  EVENT_MAPPINGS,
  PARTS,
  PHASE_TO_TASK_STATE,
  TASK_STATE_TO_PHASE,
  isInterruptedTaskState,
  isTerminalTaskState,
  partsToError,
  partsToPayload,
  payloadToParts,
  taskResultParts,
  type AgentCard,
  type Message,
  type Part,
  type SendMessageRequest,
  type StreamResponse,
  type Task,
} from "../../generated/a2a/index.js";
import { A2aClient, type A2aClientOptions } from "./client.js";

export interface RemoteAgentOptions extends A2aClientOptions {
  /** Base URL of the agent (its card is at the well-known path below it). */
  url: string;
}

export interface RemoteAgent extends AsyncDisposable {
  readonly target: string;
  readonly card: AgentCard;
  readonly client: A2aClient;
  /** Stops serving the target (in-flight calls finish). */
  close(): Promise<void>;
}

/** Text parts joined, else the generic parts payload. */
export function resultFromParts(parts: readonly Part[]): unknown {
  if (parts.length > 0 && parts.every((p) => typeof p.text === "string")) return parts.map((p) => p.text).join("");
  return partsToPayload(parts);
}

/**
 * The event type of a data part tagged with a non-terminal tool event (it can ride in a bus
 * stream) whose data is a valid payload of it, else undefined.
 */
function toolEventOf(part: Part): string | undefined {
  const type = part.metadata?.[PARTS.eventTypeMetadataKey];
  if (typeof type !== "string" || !Object.hasOwn(EVENT_MAPPINGS, type)) return undefined;
  const known = type as keyof typeof EVENT_MAPPINGS;
  if (EVENT_MAPPINGS[known].parts !== "tool" || EVENT_TYPES[known].terminal) return undefined;
  return validatePayload[type]?.(part.data) === true ? type : undefined;
}

/** Writes status-message parts of a working task: tagged tool parts as event frames, the rest as deltas. */
async function writeWorkingParts(w: StreamWriter, parts: readonly Part[]): Promise<void> {
  for (const p of parts) {
    const toolEvent = toolEventOf(p);
    if (toolEvent !== undefined) await w.event(toolEvent, p.data);
    else for (const d of deltaOf([p])) await w.delta(d);
  }
}

function deltaOf(parts: readonly Part[]): { delta?: string; data?: Record<string, unknown> }[] {
  const out: { delta?: string; data?: Record<string, unknown> }[] = [];
  for (const p of parts) {
    if (typeof p.text === "string") out.push({ delta: p.text });
    else if (typeof p.data === "object" && p.data !== null && !Array.isArray(p.data)) out.push({ data: p.data as Record<string, unknown> });
    else out.push({ data: { part: { ...p } } });
  }
  return out;
}

/** Reads the card at `opts.url` and serves `target` on `bus` by calling the remote agent. */
export async function registerRemoteAgent(bus: Bus, target: string, opts: RemoteAgentOptions): Promise<RemoteAgent> {
  const { client, card } = await A2aClient.connect(opts.url, opts);
  const streaming = card.capabilities.streaming === true;

  const handler = async (req: unknown, w: StreamWriter, ctx: HandlerContext): Promise<void> => {
    const meta = ctx.envelope.metadata ?? {};
    const remoteTask = typeof meta[A2aMetadataKey.TASK_ID] === "string" ? (meta[A2aMetadataKey.TASK_ID] as string) : undefined;
    const message: Message = {
      messageId: ctx.envelope.event_id,
      role: "ROLE_USER",
      parts: payloadToParts(req ?? ""),
      ...(ctx.envelope.session_id ? { contextId: ctx.envelope.session_id } : {}),
      ...(remoteTask ? { taskId: remoteTask } : {}),
    };
    const request: SendMessageRequest = { message };
    const state: StreamState = { task: undefined, parts: [], started: false, continuing: remoteTask !== undefined };
    // The remote request has its own signal: a cancel that arrives before the remote task's id is
    // known keeps reading (at most CANCEL_ID_WAIT_MS) until the first event names the task, then
    // cancels it; aborting at once would leave the remote task running with nobody to cancel it.
    const remote = new AbortController();
    let idWait: NodeJS.Timeout | undefined;
    const cancelRemote = (id: string): void => {
      void client.cancelTask(id).catch(() => undefined);
      remote.abort(w.signal.reason);
    };
    const onAbort = (): void => {
      if (state.task) {
        if (!isTerminalTaskState(state.task.status.state)) cancelRemote(state.task.id);
        else remote.abort(w.signal.reason);
        return;
      }
      idWait = setTimeout(() => remote.abort(w.signal.reason), CANCEL_ID_WAIT_MS);
    };
    w.signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (!streaming) {
        const r = await client.sendMessage(request, w.signal);
        if ("message" in r) return w.final(resultFromParts(r.message.parts));
        state.task = r.task;
        return finish(w, r.task, taskResultParts(r.task));
      }
      for await (const ev of client.sendStreamingMessage(request, remote.signal)) {
        if (w.signal.aborted) {
          const id = taskIdOf(ev);
          if (id !== undefined) return cancelRemote(id);
          if ("message" in ev) return;
          continue;
        }
        const done = await apply(w, ev, state);
        if (done) return;
      }
      if (w.signal.aborted) return;
      if (state.task) return finish(w, state.task, state.parts);
      throw new AgentUnavailableError(`remote agent ${card.name} ended its stream without a task`);
    } finally {
      w.signal.removeEventListener("abort", onAbort);
      clearTimeout(idWait);
      remote.abort();
    }
  };

  const sub: Subscription = bus.handleStream(target, handler);
  const close = (): Promise<void> => sub.unsubscribe();
  return { target, card, client, close, [Symbol.asyncDispose]: close };
}

interface StreamState {
  task: Task | undefined;
  /** Artifact parts received so far. */
  parts: Part[];
  /** A started frame was written (it tells the bus caller where to send a cancel). */
  started: boolean;
  /** The request continues a remote task: its first Task snapshot may still show the interruption. */
  continuing: boolean;
}

/** How long a cancel that came before the remote task's id waits for the id (then the request is dropped). */
const CANCEL_ID_WAIT_MS = 10_000;

/** The remote task id an event names, if any. */
function taskIdOf(ev: StreamResponse): string | undefined {
  if ("task" in ev) return ev.task.id;
  if ("statusUpdate" in ev) return ev.statusUpdate.taskId;
  if ("artifactUpdate" in ev) return ev.artifactUpdate.taskId;
  return undefined;
}

/** Applies one remote event to the bus stream; true once the stream is finished. */
async function apply(w: StreamWriter, ev: StreamResponse, state: StreamState): Promise<boolean> {
  if ("message" in ev) {
    await w.final(resultFromParts(ev.message.parts));
    return true;
  }
  if (!state.started) {
    state.started = true;
    const ref = "task" in ev ? ev.task : "statusUpdate" in ev ? ev.statusUpdate : ev.artifactUpdate;
    const meta = "task" in ev ? { taskId: ev.task.id, contextId: ev.task.contextId } : { taskId: (ref as { taskId: string }).taskId, contextId: ref.contextId };
    await w.started({ a2a: meta });
  }
  if ("task" in ev) {
    const first = state.task === undefined;
    state.task = ev.task;
    const interrupted = isInterruptedTaskState(ev.task.status.state) && !(first && state.continuing);
    if (isTerminalTaskState(ev.task.status.state) || interrupted) {
      await finish(w, ev.task, taskResultParts(ev.task));
      return true;
    }
    return false;
  }
  if ("artifactUpdate" in ev) {
    const parts = ev.artifactUpdate.artifact.parts;
    state.parts.push(...parts);
    for (const d of deltaOf(parts)) await w.delta(d);
    return false;
  }
  const status = ev.statusUpdate.status;
  if (state.task === undefined) state.task = { id: ev.statusUpdate.taskId, contextId: ev.statusUpdate.contextId, status };
  else state.task = { ...state.task, status };
  if (status.state === PHASE_TO_TASK_STATE.working) {
    if (status.message) await writeWorkingParts(w, status.message.parts);
    return false;
  }
  if (isTerminalTaskState(status.state) || isInterruptedTaskState(status.state)) {
    await finish(w, state.task, state.parts);
    return true;
  }
  return false;
}

/** Writes the terminal frame for a settled remote task. */
async function finish(w: StreamWriter, task: Task, artifactParts: readonly Part[]): Promise<void> {
  const phase = TASK_STATE_TO_PHASE[task.status.state];
  const statusParts = task.status.message?.parts ?? [];
  if (phase === "completed") return w.final(resultFromParts(artifactParts.length > 0 ? artifactParts : statusParts));
  if (phase === "input_required" || phase === "auth_required") {
    return w.final(resultFromParts(statusParts), { phase, metadata: { [A2aMetadataKey.TASK_ID]: task.id, [A2aMetadataKey.CONTEXT_ID]: task.contextId } });
  }
  if (phase === "canceled") return w.error(new CanceledError(`remote task ${task.id} was canceled`));
  const err = partsToError(statusParts);
  if (err) return w.error(errorFromPayload(err));
  const text = statusParts.map((p) => p.text ?? "").join("");
  throw new AgentUnavailableError(`remote task ${task.id} ended ${task.status.state}${text ? `: ${text}` : ""}`);
}
