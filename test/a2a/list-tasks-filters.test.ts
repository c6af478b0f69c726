/**
 * ListTasks honours every field of ListTasksRequest, under the proto names the TCK sends
 * (context_id, page_size, …) as under the lowerCamel ones, and answers newest status first —
 * on the memory store and on the JetStream KV store of a real nats-server.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { startFixture, type Fixture } from "./a2a-fixture.js";

type Task = { id: string; contextId: string; status: { state: string; timestamp: string }; history?: unknown[]; artifacts?: unknown[] };
type Page = { tasks: Task[]; nextPageToken: string; pageSize: number; totalSize: number };

let nats: NatsServer;
let nc: NatsConnection;
beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

/** Waits (bounded) until the clock has moved on, so two status changes get distinct millisecond timestamps. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  for (let i = 0; i < 100 && Date.now() <= start + 1; i++) await new Promise((r) => setTimeout(r, 2));
}

describe.each(["memory", "kv"] as const)("ListTasks on the %s store", (kind) => {
  let f: Fixture;
  let ctx: string;
  let asked: Task;
  let answered: Task;
  beforeAll(async () => {
    f = await startFixture(kind === "kv" ? { kvStore: { nats: nc, bucket: `list_filters_${Date.now()}` } } : {});
    ctx = `ctx-${kind}-${Date.now()}`;
    // another context's task, which no filter on ctx may return
    await f.result("SendMessage", { message: f.text("elsewhere", { contextId: `${ctx}-other` }) });
    asked = (await f.result<{ task: Task }>("SendMessage", { message: f.text("ask", { contextId: ctx }) })).task;
    await nextMillisecond();
    answered = (await f.result<{ task: Task }>("SendMessage", { message: f.text("hello", { contextId: ctx }) })).task;
    expect(asked.status.state).toBe("TASK_STATE_INPUT_REQUIRED");
    expect(answered.status.state).toBe("TASK_STATE_COMPLETED");
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  it("CORE-LIST-001: context_id returns only that context's tasks", async () => {
    const page = await f.result<Page>("ListTasks", { context_id: ctx });
    expect(page.tasks.map((t) => t.id).sort()).toEqual([asked.id, answered.id].sort());
    expect(page.totalSize).toBe(2);
    expect((await f.result<Page>("ListTasks", { contextId: ctx })).totalSize).toBe(2);
  });

  it("CORE-LIST-002: page_size and page_token page through the tasks", async () => {
    const p1 = await f.result<Page>("ListTasks", { context_id: ctx, page_size: 1 });
    expect(p1.tasks).toHaveLength(1);
    expect(p1.pageSize).toBe(1);
    expect(p1.nextPageToken).not.toBe("");
    const p2 = await f.result<Page>("ListTasks", { context_id: ctx, page_size: 1, page_token: p1.nextPageToken });
    expect(p2.tasks).toHaveLength(1);
    expect(p2.tasks[0]?.id).not.toBe(p1.tasks[0]?.id);
    expect(p2.nextPageToken).toBe("");
  });

  it("CORE-LIST-003: newest status first, not newest created first", async () => {
    // the first task is continued after the second completed: its status is now the most recent
    await nextMillisecond();
    const done = await f.result<{ task: Task }>("SendMessage", { message: f.text("Ada", { taskId: asked.id }) });
    expect(done.task.status.state).toBe("TASK_STATE_COMPLETED");
    const page = await f.result<Page>("ListTasks", { context_id: ctx });
    expect(page.tasks.map((t) => t.id)).toEqual([asked.id, answered.id]);
    const times = page.tasks.map((t) => Date.parse(t.status.timestamp));
    expect(times[0]).toBeGreaterThan(times[1] ?? Number.POSITIVE_INFINITY);
  });

  it("CORE-LIST-004: nextPageToken is present and empty on the final page", async () => {
    const page = await f.result<Page>("ListTasks", { context_id: ctx, page_size: 100 });
    expect(page.tasks).toHaveLength(2);
    expect(page.nextPageToken).toBe("");
  });

  it("CORE-LIST-005: include_artifacts false (or absent) omits artifacts; true includes them", async () => {
    for (const params of [{ context_id: ctx, include_artifacts: false }, { context_id: ctx }]) {
      const page = await f.result<Page>("ListTasks", params);
      for (const t of page.tasks) expect(t).not.toHaveProperty("artifacts");
    }
    const withArtifacts = await f.result<Page>("ListTasks", { context_id: ctx, include_artifacts: true });
    expect(withArtifacts.tasks.find((t) => t.id === answered.id)?.artifacts).toHaveLength(1);
  });

  it("status filters by task state", async () => {
    const completed = await f.result<Page>("ListTasks", { context_id: ctx, status: "TASK_STATE_COMPLETED" });
    expect(completed.tasks.every((t) => t.status.state === "TASK_STATE_COMPLETED")).toBe(true);
    expect(completed.tasks.map((t) => t.id)).toContain(answered.id);
    const failed = await f.result<Page>("ListTasks", { contextId: ctx, status: "TASK_STATE_FAILED" });
    expect(failed.tasks).toEqual([]);
  });

  it("status_timestamp_after keeps tasks whose status changed at or after it", async () => {
    const page = await f.result<Page>("ListTasks", { context_id: ctx });
    const newest = page.tasks[0]?.status.timestamp ?? "";
    const after = await f.result<Page>("ListTasks", { context_id: ctx, status_timestamp_after: newest });
    expect(after.tasks.map((t) => t.id)).toEqual([page.tasks[0]?.id]);
    const all = await f.result<Page>("ListTasks", { context_id: ctx, statusTimestampAfter: "2000-01-01T00:00:00Z" });
    expect(all.totalSize).toBe(2);
    const none = await f.result<Page>("ListTasks", { context_id: ctx, status_timestamp_after: "2999-01-01T00:00:00Z" });
    expect(none.tasks).toEqual([]);
  });

  it("history_length bounds each task's history", async () => {
    const zero = await f.result<Page>("ListTasks", { context_id: ctx, history_length: 0 });
    for (const t of zero.tasks) expect(t).not.toHaveProperty("history");
    const one = await f.result<Page>("ListTasks", { context_id: ctx, history_length: 1 });
    for (const t of one.tasks) expect(t.history).toHaveLength(1);
  });
});
