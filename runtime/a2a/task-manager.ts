/**
 * Runs A2A tasks on the bus (spec: Life of a Task). A message starts (or, after INPUT_REQUIRED,
 * continues) a task: the bridge stream-invokes the bus target and maps every frame through the
 * generated mapping (envelopeToStreamEvents) into task events. Events are applied to the task,
 * persisted, fanned out in one order to every subscriber and queued for webhooks.
 */
import type { Bus, StreamCall, StreamFrame } from "../bus/types.js";
import { toErrorPayload } from "../errors.js";
import { uuidv7 } from "../envelope/ids.js";
import { nowRfc3339 } from "../envelope/time.js";
import {
  A2aMetadataKey, PHASE_TO_TASK_STATE, CANCEL_PHASE, ERROR_PHASE, INITIAL_PHASE, RUNNING_PHASE, envelopeToStreamEvents, errorToParts,
  isInterruptedTaskState, isTerminalTaskState, partsToPayload, requestMetadata,
  type ArtifactCursor, type Message, type SendMessageRequest, type StreamResponse, type Task, type TaskStatus,
} from "../../generated/a2a/index.js";
import { rpcErrors } from "./errors.js";
import { EventQueue } from "./event-queue.js";
import type { PushDelivery } from "./push-delivery.js";
import type { PushConfigStore, TaskStore } from "./task-store.js";

export interface TaskManagerOptions {
  bus: Bus;
  /** The bus target every task runs on. */
  target: string;
  store: TaskStore;
  /** Webhook delivery and its config store; undefined when push notifications are off. */
  push: { delivery: PushDelivery; store: PushConfigStore } | undefined;
  /** Overall time of one run (one message), ms. Default: the bus default. */
  timeoutMs?: number;
}

interface Entry {
  task: Task;
  readonly subscribers: Set<EventQueue<StreamResponse>>;
  run: { call: StreamCall | undefined; canceled: boolean; done: Promise<void> } | undefined;
  /** Serializes store writes so they land in event order. */
  persisted: Promise<void>;
}

const settledState = (s: string): boolean => isTerminalTaskState(s) || isInterruptedTaskState(s);

/** Owns the tasks of one A2A server. */
export class TaskManager {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(private readonly opts: TaskManagerOptions) {}

  /** The latest state of a task (memory first, then the store). */
  async get(id: string): Promise<Task | undefined> {
    const e = this.entries.get(id);
    return e ? structuredClone(e.task) : this.opts.store.get(id);
  }

  /**
   * Starts or continues a task for `req`. Returns the entry's task id and, when `subscribe`,
   * a queue that receives the Task first and then every event until the task settles.
   */
  async send(req: SendMessageRequest, subscribe: boolean): Promise<{ taskId: string; events: EventQueue<StreamResponse> | undefined }> {
    if (this.closed) throw rpcErrors.unsupported("the server is closing");
    const msg = req.message;
    let entry: Entry | undefined;
    if (msg.taskId) {
      entry = await this.entryOf(msg.taskId);
      if (entry === undefined) throw rpcErrors.taskNotFound(msg.taskId);
      const state = entry.task.status.state;
      if (!isInterruptedTaskState(state)) throw rpcErrors.unsupported(`task ${msg.taskId} is ${state}; only an interrupted task takes another message`);
      if (msg.contextId && msg.contextId !== entry.task.contextId) throw rpcErrors.invalidParams(`message.contextId does not match task ${msg.taskId}`);
    }
    const contextId = entry?.task.contextId ?? msg.contextId ?? uuidv7();
    const continuing = entry !== undefined;
    const taskIdKnown = entry?.task.id ?? "";
    const call = this.opts.bus.streamInvoke(this.opts.target, partsToPayload(msg.parts), {
      context: { session_id: contextId, ...(req.tenant ? { tenant_id: req.tenant } : {}) },
      metadata: requestMetadata(msg, { taskId: taskIdKnown, contextId }),
      yieldErrors: true,
      ...(this.opts.timeoutMs === undefined ? {} : { timeoutMs: this.opts.timeoutMs }),
    });
    const taskId = continuing ? taskIdKnown : call.requestId;
    const userMsg: Message = { ...msg, taskId, contextId };
    const now = nowRfc3339();
    if (entry === undefined) {
      const task: Task = { id: taskId, contextId, status: { state: PHASE_TO_TASK_STATE[INITIAL_PHASE], timestamp: now }, history: [userMsg] };
      entry = { task, subscribers: new Set(), run: undefined, persisted: Promise.resolve() };
      this.entries.set(taskId, entry);
    } else {
      entry.task.history = [...(entry.task.history ?? []), userMsg];
    }
    const cfg = req.configuration?.taskPushNotificationConfig;
    if (cfg !== undefined && this.opts.push !== undefined) await this.opts.push.store.set({ ...cfg, id: cfg.id || uuidv7(), taskId });
    // A new task's stream starts with the Task itself; a continued one with a snapshot already working.
    let events: EventQueue<StreamResponse> | undefined;
    if (!continuing) {
      events = subscribe ? this.subscribeEntry(entry, false) : undefined;
      this.emit(entry, { task: structuredClone(entry.task) });
    }
    this.emit(entry, this.status(entry, { state: PHASE_TO_TASK_STATE[RUNNING_PHASE], timestamp: nowRfc3339() }));
    if (continuing && subscribe) events = this.subscribeEntry(entry, true);
    const run: Entry["run"] = { call, canceled: false, done: Promise.resolve() };
    entry.run = run;
    run.done = this.drive(entry, run, call);
    return { taskId, events };
  }

  /** Resolves with the task once it is terminal or interrupted. */
  async settled(taskId: string): Promise<Task> {
    const e = this.entries.get(taskId);
    if (e === undefined) {
      const t = await this.opts.store.get(taskId);
      if (t === undefined) throw rpcErrors.taskNotFound(taskId);
      return t;
    }
    await e.run?.done;
    await e.persisted;
    return structuredClone(e.task);
  }

  /** Cancels a task that is not terminal: the running handler gets agent.stream.cancel. */
  async cancel(taskId: string): Promise<Task> {
    const e = await this.entryOf(taskId);
    if (e === undefined) throw rpcErrors.taskNotFound(taskId);
    const state = e.task.status.state;
    if (isTerminalTaskState(state)) throw rpcErrors.notCancelable(taskId, state);
    const run = e.run;
    if (run !== undefined && !settledState(state)) {
      run.canceled = true;
      await run.call?.close("canceled by the A2A client (CancelTask)");
      await run.done;
    } else {
      this.emit(e, this.status(e, { state: PHASE_TO_TASK_STATE[CANCEL_PHASE], timestamp: nowRfc3339() }));
    }
    await e.persisted;
    return structuredClone(e.task);
  }

  /** The Task now, then every event until it settles. @throws UnsupportedOperation for a terminal task. */
  async subscribe(taskId: string): Promise<EventQueue<StreamResponse>> {
    const e = await this.entryOf(taskId);
    if (e === undefined) throw rpcErrors.taskNotFound(taskId);
    if (isTerminalTaskState(e.task.status.state)) throw rpcErrors.unsupported(`task ${taskId} is ${e.task.status.state}`);
    return this.subscribeEntry(e, true);
  }

  /** Cancels every run, ends every subscriber, waits for store writes. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    await Promise.all(entries.map(async (e) => {
      if (e.run && !settledState(e.task.status.state)) {
        e.run.canceled = true;
        await e.run.call?.close("A2A server closing");
      }
      await e.run?.done;
      for (const s of e.subscribers) s.end();
      await e.persisted;
    }));
    this.entries.clear();
  }

  private async entryOf(taskId: string): Promise<Entry | undefined> {
    const known = this.entries.get(taskId);
    if (known !== undefined) return known;
    const task = await this.opts.store.get(taskId);
    if (task === undefined) return undefined;
    const e: Entry = { task, subscribers: new Set(), run: undefined, persisted: Promise.resolve() };
    if (!isTerminalTaskState(task.status.state)) this.entries.set(taskId, e);
    return e;
  }

  private subscribeEntry(e: Entry, withSnapshot: boolean): EventQueue<StreamResponse> {
    const q = new EventQueue<StreamResponse>(() => e.subscribers.delete(q));
    if (withSnapshot) q.push({ task: structuredClone(e.task) });
    e.subscribers.add(q);
    return q;
  }

  private status(e: Entry, status: TaskStatus): StreamResponse {
    return { statusUpdate: { taskId: e.task.id, contextId: e.task.contextId, status } };
  }

  private async drive(e: Entry, run: NonNullable<Entry["run"]>, call: StreamCall): Promise<void> {
    const ref = { taskId: e.task.id, contextId: e.task.contextId };
    const cursor: ArtifactCursor = { artifactId: uuidv7(), chunks: 0 };
    try {
      for await (const frame of call) {
        for (const ev of this.frameEvents(e, frame, ref, cursor)) this.emit(e, ev);
        if (settledState(e.task.status.state)) break;
      }
    } catch (err: unknown) {
      if (!run.canceled) this.fail(e, err);
    }
    if (run.canceled && !isTerminalTaskState(e.task.status.state)) {
      this.emit(e, this.status(e, { state: PHASE_TO_TASK_STATE[CANCEL_PHASE], timestamp: nowRfc3339() }));
    } else if (!settledState(e.task.status.state)) {
      this.fail(e, new Error("the agent's stream ended without a terminal frame"));
    }
    await call.close().catch(() => undefined);
    // A terminal task lives on in the store only; memory keeps tasks that can still change.
    if (isTerminalTaskState(e.task.status.state)) {
      await e.persisted;
      if (this.entries.get(e.task.id) === e && e.subscribers.size === 0) this.entries.delete(e.task.id);
    }
  }

  private frameEvents(e: Entry, frame: StreamFrame, ref: { taskId: string; contextId: string }, cursor: ArtifactCursor): StreamResponse[] {
    if (frame.envelope === undefined) {
      const payload = toErrorPayload(frame.type === "error" ? frame.error : new Error(`frame ${frame.type} without an envelope`));
      return [this.status(e, failedStatus(payload.code === "CANCELED", errorToParts(payload), ref))];
    }
    return envelopeToStreamEvents(frame.envelope, ref, cursor);
  }

  private fail(e: Entry, err: unknown): void {
    const payload = toErrorPayload(err);
    this.emit(e, this.status(e, failedStatus(false, errorToParts(payload), { taskId: e.task.id, contextId: e.task.contextId })));
  }

  /** Applies one event to the task, persists it, fans it out, queues it for webhooks. */
  private emit(e: Entry, ev: StreamResponse): void {
    const t = e.task;
    if ("statusUpdate" in ev) {
      const s = ev.statusUpdate.status;
      if (s.message === undefined && s.state === t.status.state) return;
      t.status = s;
      if (s.message) t.history = [...(t.history ?? []), s.message];
    } else if ("artifactUpdate" in ev) {
      const u = ev.artifactUpdate;
      const arts = (t.artifacts ??= []);
      const i = arts.findIndex((a) => a.artifactId === u.artifact.artifactId);
      const prev = i >= 0 ? arts[i] : undefined;
      if (prev !== undefined && u.append) prev.parts = [...prev.parts, ...structuredClone(u.artifact.parts)];
      else if (i >= 0) arts[i] = structuredClone(u.artifact);
      else arts.push(structuredClone(u.artifact));
    }
    const snapshot = structuredClone(t);
    e.persisted = e.persisted.then(() => this.opts.store.put(snapshot)).catch(() => undefined);
    for (const s of e.subscribers) s.push(ev);
    if (settledState(t.status.state)) for (const s of e.subscribers) s.end();
    if (this.opts.push !== undefined) void this.opts.push.delivery.notify(t.id, ev).catch(() => undefined);
  }
}

function failedStatus(canceled: boolean, parts: Message["parts"], ref: { taskId: string; contextId: string }): TaskStatus {
  const state = PHASE_TO_TASK_STATE[canceled ? CANCEL_PHASE : ERROR_PHASE];
  const message: Message = { messageId: uuidv7(), role: "ROLE_AGENT", parts, taskId: ref.taskId, contextId: ref.contextId };
  return { state, timestamp: nowRfc3339(), message };
}

/** Metadata key handlers read to know which task a continuing request belongs to. */
export const TASK_ID_METADATA_KEY = A2aMetadataKey.TASK_ID;
