/**
 * The tasks of one A2A server (spec: Life of a Task): each message runs as one bus stream
 * call to the target; its frames become A2A events (generated mapping), applied to the task,
 * fanned out in one order to every subscriber and queued for webhooks.
 *
 * Every task belongs to the tenant of the caller that created it: every lookup is scoped by
 * the caller's tenant, and another tenant's task id answers "task not found".
 *
 * Cost per event is proportional to the event: artifact chunks append to the live task in
 * memory, the store is written at creation and at status changes only (coalesced), and a
 * subscriber's queue above its high-water mark pauses reading from the bus (backpressure)
 * instead of growing.
 */
import type { Bus, BusLogger, StreamCall, StreamFrame } from "../bus/types.js";
import { toErrorPayload } from "../errors.js";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { uuidv7 } from "../envelope/ids.js";
import { nowRfc3339 } from "../envelope/time.js";
import {
  A2aMetadataKey,
  PHASE_TO_TASK_STATE,
  CANCEL_PHASE,
  ERROR_PHASE,
  INITIAL_PHASE,
  PARTS_BOUNDS,
  checkParts,
  RUNNING_PHASE,
  envelopeToStreamEvents,
  errorToParts,
  isInterruptedTaskState,
  isTerminalTaskState,
  partsToPayload,
  requestMetadata,
  type ArtifactCursor,
  type Message,
  type PartsBounds,
  type SendMessageRequest,
  type SendMessageResponse,
  type StreamResponse,
  type Task,
  type TaskStatus,
} from "../../generated/a2a/index.js";
import type { A2aCaller } from "./auth.js";
import { a2aErrors } from "./errors.js";
import { EventQueue } from "./event-queue.js";
import { SkillRoutes, type SkillRoute } from "./skill-routes.js";
import type { PushDelivery } from "./push-delivery.js";
import type { PushConfigStore, TaskPage, TaskQuery, TaskStore } from "./task-store.js";

/** Defaults of {@link TaskManagerOptions}. */
export const TASK_MANAGER_DEFAULTS = Object.freeze({ maxHistory: 100, subscriberHighWater: 256 });

export interface TaskManagerOptions {
  bus: Bus;
  /** The bus target of a task when `skills` is empty. */
  target: string;
  /**
   * The card's skills and their targets: a message names one in Message.metadata
   * `skillId` (PARTS.skillMetadataKey), else runs the first; an unknown id is INVALID_PARAMS.
   * When they name more than one target, a task records its skill (Task.metadata.skillId) and
   * a message continuing it runs the same one. Default: none (every message runs `target`).
   */
  skills?: readonly SkillRoute[];
  /** Bounds on the parts of a client's message and of the agent's replies. Default PARTS_BOUNDS (schema/a2a/mapping.json). */
  partsBounds?: PartsBounds;
  store: TaskStore;
  /** Webhook delivery and its config store; undefined when push notifications are off. */
  push: { delivery: PushDelivery; store: PushConfigStore } | undefined;
  /** Overall time of one run (one message), ms. Default: the bus default. */
  timeoutMs?: number;
  /** Messages kept in a task's history (the oldest are dropped). Default 100. */
  maxHistory?: number;
  /** Events one subscriber may have queued before the task stops reading from the bus until it catches up. Default 256. */
  subscriberHighWater?: number;
  /** Where store write failures are logged (error level). Default: not logged, only counted. */
  logger?: BusLogger;
  /**
   * A new task's stream waits for the handler's first frame, so that a Message answer can be the
   * whole stream (A2A's Message-only stream). Default false: the Task and WORKING are streamed at
   * once, and a Message answer arrives as the message of the COMPLETED status.
   */
  messageStreams?: boolean;
}

/** What {@link TaskManager.send} returns. */
export interface SendOutcome {
  readonly taskId: string;
  /** The Task first, then every event until the task settles (only when subscribing). */
  readonly events: EventQueue<StreamResponse> | undefined;
  /** Waits for this message's run to settle: `{ message }` when the agent answered with a Message, else `{ task }`. */
  readonly answer: () => Promise<SendMessageResponse>;
}

/** Counters of one {@link TaskManager}. */
export interface TaskManagerStats {
  /** Tasks held in memory now (running or watched; the rest live in the store only). */
  activeTasks: number;
  /** The longest subscriber queue, events. */
  longestQueue: number;
  /** Task store writes that failed (each is logged); see spec/a2a.md "When the store fails". */
  storeErrors: number;
  /** Tasks failed because their state could not be stored. */
  storeFailedTasks: number;
}

interface Run {
  call: StreamCall | undefined;
  canceled: boolean;
  done: Promise<void>;
}

interface Entry {
  readonly tenant: string;
  readonly owner: string;
  task: Task;
  readonly subscribers: Set<EventQueue<StreamResponse>>;
  run: Run | undefined;
  /** Serializes store writes so they land in event order. */
  persisted: Promise<void>;
  /** A store write is queued and has not started: later changes ride on it. */
  writeQueued: boolean;
  /** A message continuing the task is being admitted (its run is not set yet). */
  claimed: boolean;
  /** Store writes of this task that failed. */
  storeFailures: number;
  /** The last-resort write (FAILED, without artifacts) is queued: no further writes of the live task. */
  stubQueued: boolean;
  /** The agent answered with a Message (A2A content with the message answer): SendMessage returns it. */
  answer: Message | undefined;
  /**
   * The stream of the message that created the task, until the run's first frame: its events
   * are held (the Task, WORKING, at most a store failure) so that a first frame that is a
   * Message answer makes the whole stream that Message; any other frame shows them.
   */
  pending: { queue: EventQueue<StreamResponse>; held: StreamResponse[] } | undefined;
}

/** A live entry for `task`, with nothing running, watching or queued yet. */
function newEntry(tenant: string, owner: string, task: Task): Entry {
  return {
    tenant,
    owner,
    task,
    subscribers: new Set(),
    run: undefined,
    persisted: Promise.resolve(),
    writeQueued: false,
    claimed: false,
    storeFailures: 0,
    stubQueued: false,
    answer: undefined,
    pending: undefined,
  };
}

const settledState = (s: string): boolean => isTerminalTaskState(s) || isInterruptedTaskState(s);

/** Owns the tasks of one A2A server. */
export class TaskManager {
  /** Tasks that can change now (running, or watched by a subscriber), by id. */
  private readonly entries = new Map<string, Entry>();
  private readonly maxHistory: number;
  private readonly highWater: number;
  private readonly bounds: PartsBounds;
  private readonly routes: SkillRoutes;
  private closed = false;
  private storeErrors = 0;
  private storeFailedTasks = 0;

  constructor(private readonly opts: TaskManagerOptions) {
    this.maxHistory = opts.maxHistory ?? TASK_MANAGER_DEFAULTS.maxHistory;
    this.highWater = opts.subscriberHighWater ?? TASK_MANAGER_DEFAULTS.subscriberHighWater;
    this.bounds = opts.partsBounds ?? PARTS_BOUNDS;
    this.routes = new SkillRoutes(opts.skills ?? [], opts.target);
  }

  /** The latest state of the caller's task (memory first, then the store). */
  async get(caller: A2aCaller, id: string): Promise<Task | undefined> {
    const e = this.entries.get(id);
    if (e !== undefined) return e.tenant === caller.tenant ? structuredClone(e.task) : undefined;
    return (await this.opts.store.get(caller.tenant, id))?.task;
  }

  /** The caller's tasks (store order and filters; tasks that are changing now in their latest state). */
  async list(caller: A2aCaller, query: TaskQuery): Promise<TaskPage> {
    const page = await this.opts.store.list(caller.tenant, query);
    const tasks = page.tasks.map((t) => {
      const e = this.entries.get(t.id);
      return e !== undefined && e.tenant === caller.tenant ? structuredClone(e.task) : t;
    });
    return { ...page, tasks };
  }

  /**
   * Starts or continues a task for `req`. Returns the task id, `answer` (what SendMessage
   * answers once the task settles: `{ message }` when the agent answered with a Message, else
   * `{ task }`) and, when `subscribe`, a queue that receives the Task first and then every event
   * until the task settles.
   */
  async send(caller: A2aCaller, req: SendMessageRequest, subscribe: boolean): Promise<SendOutcome> {
    if (this.closed) throw a2aErrors.unsupported("the server is closing");
    const msg = req.message;
    const partsProblem = checkParts(msg.parts, "message.parts", this.bounds);
    if (partsProblem !== undefined) throw a2aErrors.invalidParams(partsProblem);
    const named = this.routes.named(msg);
    const cfg = req.configuration?.taskPushNotificationConfig;
    let entry: Entry | undefined;
    if (msg.taskId) {
      entry = await this.entryOf(caller, msg.taskId);
      // The run that interrupted the task may still be finishing (store write): wait for it once.
      if (entry?.run !== undefined && isInterruptedTaskState(entry.task.status.state)) {
        await entry.run.done;
        entry = await this.entryOf(caller, msg.taskId);
      }
      if (entry === undefined) throw a2aErrors.taskNotFound(msg.taskId);
      const state = entry.task.status.state;
      const busy = entry.run !== undefined || entry.claimed;
      if (!isInterruptedTaskState(state) || busy) {
        this.release(entry);
        throw a2aErrors.unsupported(`task ${msg.taskId} is ${busy ? "taking another message" : state}; only an interrupted task takes another message`);
      }
      if (msg.contextId && msg.contextId !== entry.task.contextId) {
        this.release(entry);
        throw a2aErrors.invalidParams(`message.contextId does not match task ${msg.taskId}`);
      }
      try {
        this.routes.checkContinues(entry.task, named);
      } catch (err: unknown) {
        this.release(entry);
        throw err;
      }
      // Claims the task before the next await, so a concurrent message is refused above.
      entry.claimed = true;
      try {
        if (cfg !== undefined && this.opts.push !== undefined) await this.opts.push.store.set({ ...cfg, id: cfg.id || uuidv7(), taskId: msg.taskId });
      } catch (err: unknown) {
        entry.claimed = false;
        this.release(entry);
        throw err;
      }
    }
    const contextId = entry?.task.contextId ?? msg.contextId ?? uuidv7();
    const continuing = entry !== undefined;
    const { skill, target } = this.routes.route(entry?.task, named);
    // the request's metadata reaches the handler too; the message's wins a key both carry
    const metadata = requestMetadata(req.metadata ? { ...msg, metadata: { ...req.metadata, ...msg.metadata } } : msg, {
      taskId: entry?.task.id ?? "",
      contextId,
    });
    if (skill !== undefined) metadata[A2aMetadataKey.SKILL_ID] = skill;
    const call = this.opts.bus.streamInvoke(target, partsToPayload(msg.parts), {
      context: { ...caller.context, session_id: contextId, ...(caller.tenant ? { tenant_id: caller.tenant } : {}) },
      metadata,
      yieldErrors: true,
      ...(this.opts.timeoutMs === undefined ? {} : { timeoutMs: this.opts.timeoutMs }),
    });
    const taskId = entry?.task.id ?? call.requestId;
    const userMsg: Message = { ...msg, taskId, contextId };
    if (entry === undefined) {
      const task: Task = {
        id: taskId,
        contextId,
        status: { state: PHASE_TO_TASK_STATE[INITIAL_PHASE], timestamp: nowRfc3339() },
        history: [userMsg],
        ...this.routes.taskMetadata(skill),
      };
      let created = false;
      try {
        await this.opts.store.create({ tenant: caller.tenant, owner: caller.principal, task });
        created = true;
        if (cfg !== undefined && this.opts.push !== undefined) await this.opts.push.store.set({ ...cfg, id: cfg.id || uuidv7(), taskId });
      } catch (err: unknown) {
        // The store refused the task (full): its bus call ends at once. A task recorded whose
        // config was refused ends FAILED, so it expires like any terminal task.
        await call.close("the A2A server could not record the task").catch(() => undefined);
        if (created) {
          const failed = { ...task, status: failedStatus(false, errorToParts(toErrorPayload(err)), { taskId, contextId }) };
          await this.opts.store.update(caller.tenant, failed).catch((e: unknown) => this.storeError(caller.tenant, taskId, failed.status.state, e));
        }
        throw err;
      }
      entry = newEntry(caller.tenant, caller.principal, task);
      this.entries.set(taskId, entry);
    } else {
      this.appendHistory(entry.task, userMsg);
    }
    // A new task's stream starts with the Task itself; a continued one with a snapshot already working.
    let events: EventQueue<StreamResponse> | undefined;
    if (!continuing) {
      events = subscribe ? (this.opts.messageStreams === true ? this.pendingStream(entry) : this.subscribeEntry(entry, false)) : undefined;
      this.emit(entry, { task: structuredClone(entry.task) });
    }
    this.emit(entry, this.status(entry, { state: PHASE_TO_TASK_STATE[RUNNING_PHASE], timestamp: nowRfc3339() }));
    if (continuing && subscribe) events = this.subscribeEntry(entry, true);
    const run: Run = { call, canceled: false, done: Promise.resolve() };
    entry.run = run;
    entry.claimed = false;
    run.done = this.drive(entry, run, call);
    const settling = entry;
    const answer = async (): Promise<SendMessageResponse> => {
      await run.done;
      await settling.persisted;
      return settling.answer !== undefined ? { message: structuredClone(settling.answer) } : { task: structuredClone(settling.task) };
    };
    return { taskId, events, answer };
  }

  /** Resolves with the caller's task once it is terminal or interrupted. */
  async settled(caller: A2aCaller, taskId: string): Promise<Task> {
    const e = this.entries.get(taskId);
    if (e === undefined || e.tenant !== caller.tenant) {
      const t = await this.get(caller, taskId);
      if (t === undefined) throw a2aErrors.taskNotFound(taskId);
      return t;
    }
    await e.run?.done;
    await e.persisted;
    return structuredClone(e.task);
  }

  /** Cancels the caller's task that is not terminal: the running handler gets agent.stream.cancel. */
  async cancel(caller: A2aCaller, taskId: string): Promise<Task> {
    const e = await this.entryOf(caller, taskId);
    if (e === undefined) throw a2aErrors.taskNotFound(taskId);
    const state = e.task.status.state;
    if (isTerminalTaskState(state)) {
      this.release(e);
      throw a2aErrors.notCancelable(taskId, state);
    }
    const run = e.run;
    if (run !== undefined && !settledState(state)) {
      run.canceled = true;
      const closing = run.call?.close("canceled by the A2A client (CancelTask)");
      for (const s of e.subscribers) s.wake(); // a drive waiting for a slow subscriber sees the cancel
      await closing;
      await run.done;
    } else {
      this.emit(e, this.status(e, { state: PHASE_TO_TASK_STATE[CANCEL_PHASE], timestamp: nowRfc3339() }));
    }
    await e.persisted;
    const out = structuredClone(e.task);
    this.release(e);
    return out;
  }

  /** The caller's Task now, then every event until it settles. @throws UnsupportedOperation for a terminal task. */
  async subscribe(caller: A2aCaller, taskId: string): Promise<EventQueue<StreamResponse>> {
    const e = await this.entryOf(caller, taskId);
    if (e === undefined) throw a2aErrors.taskNotFound(taskId);
    if (isTerminalTaskState(e.task.status.state)) {
      this.release(e);
      throw a2aErrors.unsupported(`task ${taskId} is ${e.task.status.state}`);
    }
    return this.subscribeEntry(e, true);
  }

  /** Tasks in memory, the longest subscriber queue, store write failures. */
  stats(): TaskManagerStats {
    let longestQueue = 0;
    for (const e of this.entries.values()) for (const s of e.subscribers) longestQueue = Math.max(longestQueue, s.size);
    return { activeTasks: this.entries.size, longestQueue, storeErrors: this.storeErrors, storeFailedTasks: this.storeFailedTasks };
  }

  /** Cancels every run, ends every subscriber, waits for store writes. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    await Promise.all(
      entries.map(async (e) => {
        if (e.run && !settledState(e.task.status.state)) {
          e.run.canceled = true;
          const closing = e.run.call?.close("A2A server closing");
          for (const s of e.subscribers) s.wake();
          await closing;
        }
        await e.run?.done;
        e.pending?.queue.end();
        for (const s of e.subscribers) s.end();
        await e.persisted;
      }),
    );
    this.entries.clear();
  }

  /** The caller's task as a live entry (loaded from the store when not in memory). */
  private async entryOf(caller: A2aCaller, taskId: string): Promise<Entry | undefined> {
    const known = this.entries.get(taskId);
    if (known !== undefined) return known.tenant === caller.tenant ? known : undefined;
    const rec = await this.opts.store.get(caller.tenant, taskId);
    if (rec === undefined) return undefined;
    const again = this.entries.get(taskId);
    if (again !== undefined) return again.tenant === caller.tenant ? again : undefined;
    const e = newEntry(rec.tenant, rec.owner, rec.task);
    this.entries.set(taskId, e);
    return e;
  }

  /** Drops an entry from memory once nothing can change it (no run, no subscriber). */
  private release(e: Entry): void {
    if (e.run === undefined && !e.claimed && e.pending === undefined && e.subscribers.size === 0 && this.entries.get(e.task.id) === e)
      this.entries.delete(e.task.id);
  }

  /** The stream of a new task's first message, held until the run's first frame (see Entry.pending). */
  private pendingStream(e: Entry): EventQueue<StreamResponse> {
    const queue = new EventQueue<StreamResponse>(() => {
      if (e.pending?.queue === queue) e.pending = undefined;
      e.subscribers.delete(queue);
      this.release(e);
    });
    e.pending = { queue, held: [] };
    return queue;
  }

  /**
   * Ends the hold of a pending stream: a first frame that is a Message answer (`first`) is the
   * whole stream; otherwise the held events are shown and the stream subscribes.
   */
  private showPending(e: Entry, first: StreamResponse | undefined): void {
    const p = e.pending;
    if (p === undefined) return;
    e.pending = undefined;
    if (first !== undefined && "message" in first) {
      p.queue.push({ message: structuredClone(first.message) });
      p.queue.end();
      return;
    }
    for (const ev of p.held) p.queue.push(ev);
    if (settledState(e.task.status.state)) p.queue.end();
    else e.subscribers.add(p.queue);
  }

  private subscribeEntry(e: Entry, withSnapshot: boolean): EventQueue<StreamResponse> {
    const q = new EventQueue<StreamResponse>(() => {
      e.subscribers.delete(q);
      this.release(e);
    });
    if (withSnapshot) q.push({ task: structuredClone(e.task) });
    e.subscribers.add(q);
    return q;
  }

  private status(e: Entry, status: TaskStatus): StreamResponse {
    return { statusUpdate: { taskId: e.task.id, contextId: e.task.contextId, status } };
  }

  private async drive(e: Entry, run: Run, call: StreamCall): Promise<void> {
    const ref = { taskId: e.task.id, contextId: e.task.contextId };
    const cursor: ArtifactCursor = { artifactId: uuidv7(), chunks: 0 };
    try {
      for await (const frame of call) {
        const events = this.frameEvents(e, frame, ref, cursor);
        this.showPending(e, events[0]);
        for (const ev of events) this.emit(e, ev);
        if (settledState(e.task.status.state)) break;
        await this.backpressure(e, run);
        if (run.canceled) break;
      }
    } catch (err: unknown) {
      this.showPending(e, undefined);
      if (!run.canceled) this.fail(e, err);
    }
    this.showPending(e, undefined);
    if (run.canceled && !isTerminalTaskState(e.task.status.state)) {
      this.emit(e, this.status(e, { state: PHASE_TO_TASK_STATE[CANCEL_PHASE], timestamp: nowRfc3339() }));
    } else if (!settledState(e.task.status.state)) {
      this.fail(e, new Error("the agent's stream ended without a terminal frame"));
    }
    await call.close().catch(() => undefined);
    await e.persisted;
    if (e.run === run) e.run = undefined;
    this.release(e);
  }

  /** Waits while a subscriber holds `highWater` events or more (it is reading slower than the agent writes). */
  private async backpressure(e: Entry, run: Run): Promise<void> {
    for (const s of e.subscribers) {
      if (run.canceled) return;
      if (s.size >= this.highWater) await s.whenBelow(this.highWater);
    }
  }

  private frameEvents(e: Entry, frame: StreamFrame, ref: { taskId: string; contextId: string }, cursor: ArtifactCursor): StreamResponse[] {
    if (frame.envelope === undefined) {
      const payload = toErrorPayload(frame.type === "error" ? frame.error : new Error(`frame ${frame.type} without an envelope`));
      return [this.status(e, failedStatus(payload.code === "CANCELED", errorToParts(payload), ref))];
    }
    const events = envelopeToStreamEvents(frame.envelope, ref, cursor);
    for (const ev of events) {
      const problem = checkParts(eventParts(ev), "the agent's reply parts", this.bounds);
      if (problem !== undefined) {
        const payload = toErrorPayload(new InvalidRequestError(`${problem} (frame ${frame.envelope.event_type} of target ${frame.envelope.from ?? "?"})`));
        return [this.status(e, failedStatus(false, errorToParts(payload), ref))];
      }
    }
    return events;
  }

  private fail(e: Entry, err: unknown): void {
    const payload = toErrorPayload(err);
    this.emit(e, this.status(e, failedStatus(false, errorToParts(payload), { taskId: e.task.id, contextId: e.task.contextId })));
  }

  private appendHistory(t: Task, m: Message): void {
    const h = (t.history ??= []);
    h.push(m);
    if (h.length > this.maxHistory) h.splice(0, h.length - this.maxHistory);
  }

  /** Queues one store write of the live task (coalesced with writes queued and not started). */
  private persist(e: Entry): void {
    if (e.writeQueued) return;
    e.writeQueued = true;
    e.persisted = e.persisted.then(async () => {
      e.writeQueued = false;
      if (e.stubQueued) return;
      try {
        await this.opts.store.update(e.tenant, e.task);
      } catch (err: unknown) {
        this.storeFailed(e, err);
      }
    });
  }

  /** Counts and logs one failed store write. */
  private storeError(tenant: string, taskId: string, state: string, err: unknown): void {
    this.storeErrors += 1;
    const p = toErrorPayload(err);
    this.opts.logger?.error?.({ taskId, tenant, state, code: p.code, reason: p.message }, "a2a: the task store refused a write; the stored task is behind");
  }

  /**
   * A write of the live task failed (spec/a2a.md "When the store fails"). No blind retry: the KV
   * store already retries lost compare-and-sets, and an outage or a task over the store's size
   * limit fails again. Instead: a task not yet terminal fails (its run is canceled, subscribers
   * and webhooks get FAILED with the store's error), and that FAILED state is written; if a
   * write fails again, the task is written once more without its artifacts (what makes a task
   * too large), FAILED, so the stored copy is terminal and expires. At most two writes follow
   * the first failure (FAILED, then the one without artifacts).
   */
  private storeFailed(e: Entry, err: unknown): void {
    this.storeError(e.tenant, e.task.id, e.task.status.state, err);
    e.storeFailures += 1;
    const parts = storeFailureParts(e.task.id, err);
    const ref = { taskId: e.task.id, contextId: e.task.contextId };
    if (e.storeFailures === 1 && !isTerminalTaskState(e.task.status.state)) {
      this.storeFailedTasks += 1;
      const run = e.run;
      this.emit(e, this.status(e, failedStatus(false, parts, ref))); // queues the write of FAILED
      if (run !== undefined) {
        void run.call?.close("the A2A server could not store the task").catch(() => undefined);
        for (const s of e.subscribers) s.wake();
      }
      return;
    }
    if (e.stubQueued) return;
    if (e.storeFailures === 1) this.storeFailedTasks += 1;
    e.stubQueued = true;
    const { artifacts: _dropped, ...rest } = e.task;
    const status = e.task.status.state === PHASE_TO_TASK_STATE[ERROR_PHASE] ? e.task.status : failedStatus(false, parts, ref);
    const stub: Task = { ...rest, status };
    e.persisted = e.persisted
      .then(() => this.opts.store.update(e.tenant, stub))
      .catch((again: unknown) => {
        e.storeFailures += 1;
        this.storeError(e.tenant, e.task.id, stub.status.state, again); // given up: logged, counted
      });
  }

  /** Applies one event to the task (O(event)), persists status changes, fans it out, queues it for webhooks. */
  private emit(e: Entry, ev: StreamResponse): void {
    const t = e.task;
    if ("message" in ev) {
      // A Message answer: SendMessage returns it, so does a stream still held (showPending);
      // other streams and webhooks get it as the message of the COMPLETED status that follows.
      e.answer = ev.message;
      return;
    }
    if ("statusUpdate" in ev) {
      const s = ev.statusUpdate.status;
      if (s.message === undefined && s.state === t.status.state) return;
      t.status = s;
      if (s.message) this.appendHistory(t, s.message);
      this.persist(e);
    } else if ("artifactUpdate" in ev) {
      const u = ev.artifactUpdate;
      const arts = (t.artifacts ??= []);
      const last = arts.length - 1;
      const i = arts[last]?.artifactId === u.artifact.artifactId ? last : arts.findIndex((a) => a.artifactId === u.artifact.artifactId);
      const prev = i >= 0 ? arts[i] : undefined;
      // The event's parts are fresh objects of the mapping, never changed later: the task shares
      // them; only the parts array is the task's own (chunks are pushed onto it).
      if (prev !== undefined && u.append) for (const p of u.artifact.parts) prev.parts.push(p);
      else if (i >= 0) arts[i] = { ...u.artifact, parts: [...u.artifact.parts] };
      else arts.push({ ...u.artifact, parts: [...u.artifact.parts] });
    }
    for (const s of e.subscribers) s.push(ev);
    e.pending?.held.push(ev);
    if (settledState(t.status.state)) for (const s of e.subscribers) s.end();
    if (this.opts.push !== undefined) void this.opts.push.delivery.notify(t.id, ev).catch(() => undefined);
  }
}

/** The parts an event carries (artifact chunk, status message, message). */
function eventParts(ev: StreamResponse): Message["parts"] {
  if ("artifactUpdate" in ev) return ev.artifactUpdate.artifact.parts;
  if ("statusUpdate" in ev) return ev.statusUpdate.status.message?.parts ?? [];
  if ("message" in ev) return ev.message.parts;
  return [];
}

/** What a task failed with when its state could not be stored: the store's code, a message saying so. */
function storeFailureParts(taskId: string, cause: unknown): Message["parts"] {
  const p = toErrorPayload(cause);
  return errorToParts({
    ...p,
    message: `the A2A server could not store task ${taskId} (${p.code}: ${p.message}); the task was failed so its stored copy does not stay behind`,
  });
}

function failedStatus(canceled: boolean, parts: Message["parts"], ref: { taskId: string; contextId: string }): TaskStatus {
  const state = PHASE_TO_TASK_STATE[canceled ? CANCEL_PHASE : ERROR_PHASE];
  const message: Message = { messageId: uuidv7(), role: "ROLE_AGENT", parts, taskId: ref.taskId, contextId: ref.contextId };
  return { state, timestamp: nowRfc3339(), message };
}

/** Metadata key handlers read to know which task a continuing request belongs to. */
export const TASK_ID_METADATA_KEY = A2aMetadataKey.TASK_ID;
