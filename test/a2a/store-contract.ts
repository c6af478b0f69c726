/**
 * The A2A store contract: one suite every TaskStore / PushConfigStore pair passes
 * (memory and JetStream KV, test/a2a/kv-store.test.ts). Semantics of runtime/a2a/task-store.ts.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type AcpError, BackpressureDropError, InvalidRequestError } from "../../generated/ts/errors.js";
import type { Task, TaskStateName } from "../../generated/a2a/index.js";
import type { PushConfigStore, StoredPushConfig, TaskStore } from "../../runtime/a2a/task-store.js";

/** Bounds the factory must apply. */
export interface StoreBounds {
  maxTasksPerTenant?: number;
  maxTasks?: number;
  maxConfigsPerTask?: number;
}

export interface StorePair {
  tasks: TaskStore;
  push: PushConfigStore;
  close(): Promise<void>;
}

/** Opens a fresh, empty pair of stores (its own bucket for KV). */
export type StoreFactory = (bounds: StoreBounds) => Promise<StorePair>;

export const task = (id: string, state: TaskStateName = "TASK_STATE_WORKING", extra: Partial<Task> = {}): Task => ({
  id,
  contextId: "ctx",
  status: { state, timestamp: "2026-01-01T00:00:00Z" },
  ...extra,
});

export const config = (taskId: string, id: string, url = "https://example.com/hook"): StoredPushConfig => ({ taskId, id, url }) as StoredPushConfig;

/** Tenants and ids a caller controls: each must stay a separate key. */
export const HOSTILE = ["", "a", "a.b", "a.*", "a.>", ">", "*", "a b", "ä/ü", "a\u0000b", "$KV.x.>", "k"];

async function rejectsWith(p: Promise<unknown>, cls: abstract new (...a: never[]) => AcpError, re: RegExp): Promise<AcpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${cls.name}`).toBeInstanceOf(cls);
  expect((err as Error).message).toMatch(re);
  return err as AcpError;
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`A2A store contract: ${name}`, () => {
    const open: StorePair[] = [];
    afterEach(async () => {
      while (open.length > 0) await open.pop()?.close();
    });
    const make = async (bounds: StoreBounds = {}): Promise<StorePair> => {
      const p = await factory(bounds);
      open.push(p);
      return p;
    };

    it("create / get round-trip values by copy; a second create of the same id is refused", async () => {
      const { tasks } = await make();
      const t = task("t1", "TASK_STATE_WORKING", { metadata: { n: 1 } });
      await tasks.create({ tenant: "acme", owner: "alice", task: t });
      (t.metadata as Record<string, unknown>)["n"] = 2;
      const got = await tasks.get("acme", "t1");
      expect(got).toEqual({ tenant: "acme", owner: "alice", task: task("t1", "TASK_STATE_WORKING", { metadata: { n: 1 } }) });
      got!.task.status.state = "TASK_STATE_FAILED";
      expect((await tasks.get("acme", "t1"))?.task.status.state).toBe("TASK_STATE_WORKING");
      await rejectsWith(tasks.create({ tenant: "acme", owner: "bob", task: task("t1") }), InvalidRequestError, /t1 exists already/);
      expect((await tasks.get("acme", "t1"))?.owner).toBe("alice");
      expect(await tasks.get("acme", "nope")).toBeUndefined();
    });

    it("a terminal task keeps its state: an update to another state is refused (INVALID_REQUEST), the same state is fine", async () => {
      const { tasks } = await make();
      await tasks.create({ tenant: "acme", owner: "alice", task: task("t1") });
      await tasks.update("acme", task("t1", "TASK_STATE_COMPLETED"));
      for (const next of ["TASK_STATE_WORKING", "TASK_STATE_FAILED", "TASK_STATE_INPUT_REQUIRED"] as const) {
        const err = await rejectsWith(tasks.update("acme", task("t1", next)), InvalidRequestError, /already TASK_STATE_COMPLETED \(a terminal state/);
        expect(err.code).toBe("INVALID_REQUEST");
      }
      expect((await tasks.get("acme", "t1"))?.task.status.state).toBe("TASK_STATE_COMPLETED");
      await tasks.update("acme", task("t1", "TASK_STATE_COMPLETED", { metadata: { late: true } }));
      expect((await tasks.get("acme", "t1"))?.task.metadata).toEqual({ late: true });
    });

    it("update replaces the task; an unknown task or another tenant's is left alone", async () => {
      const { tasks } = await make();
      await tasks.create({ tenant: "acme", owner: "alice", task: task("t1") });
      await tasks.update("acme", task("t1", "TASK_STATE_INPUT_REQUIRED", { artifacts: [{ artifactId: "a", parts: [{ text: "x" }] }] }));
      const got = await tasks.get("acme", "t1");
      expect(got?.task.status.state).toBe("TASK_STATE_INPUT_REQUIRED");
      expect(got?.task.artifacts).toHaveLength(1);
      expect(got?.owner, "the owner survives an update").toBe("alice");
      await tasks.update("acme", task("ghost", "TASK_STATE_COMPLETED"));
      expect(await tasks.get("acme", "ghost")).toBeUndefined();
      await tasks.update("other", task("t1", "TASK_STATE_FAILED"));
      expect(await tasks.get("other", "t1")).toBeUndefined();
      expect((await tasks.get("acme", "t1"))?.task.status.state).toBe("TASK_STATE_INPUT_REQUIRED");
    });

    it("tenants are isolated, whatever characters tenants and ids hold", async () => {
      const { tasks } = await make();
      for (const tenant of HOSTILE)
        for (const id of HOSTILE) await tasks.create({ tenant, owner: `o:${tenant}`, task: task(id, "TASK_STATE_WORKING", { contextId: tenant }) });
      for (const tenant of HOSTILE) {
        const page = await tasks.list(tenant, { pageSize: 100 });
        expect(page.totalSize, `tenant ${JSON.stringify(tenant)} sees its own tasks only`).toBe(HOSTILE.length);
        expect(new Set(page.tasks.map((t) => t.contextId))).toEqual(new Set([tenant]));
        expect(new Set(page.tasks.map((t) => t.id))).toEqual(new Set(HOSTILE));
        for (const id of HOSTILE) expect((await tasks.get(tenant, id))?.owner).toBe(`o:${tenant}`);
      }
      expect(await tasks.get("nobody", "a")).toBeUndefined();
      expect((await tasks.list("nobody", { pageSize: 10 })).totalSize).toBe(0);
    });

    it("list: most recently updated first (status timestamp, A2A 1.0 / TCK CORE-LIST-003), filters, pages with tokens, totalSize", async () => {
      const { tasks } = await make();
      for (let i = 0; i < 5; i++) {
        await tasks.create({
          tenant: "t",
          owner: "p",
          task: task(`id${i}`, "TASK_STATE_WORKING", {
            contextId: i % 2 === 0 ? "even" : "odd",
            status: { state: "TASK_STATE_WORKING", timestamp: `2026-01-0${i + 1}T00:00:00Z` },
          }),
        });
      }
      await tasks.update(
        "t",
        task("id0", "TASK_STATE_COMPLETED", { contextId: "even", status: { state: "TASK_STATE_COMPLETED", timestamp: "2026-02-01T00:00:00Z" } }),
      );
      const ids = (ts: readonly Task[]): string[] => ts.map((t) => t.id);
      const p1 = await tasks.list("t", { pageSize: 2 });
      // id0's update (the latest status timestamp) moves it first
      expect(ids(p1.tasks)).toEqual(["id0", "id4"]);
      expect(p1.totalSize).toBe(5);
      expect(p1.nextPageToken).not.toBe("");
      const p2 = await tasks.list("t", { pageSize: 2, pageToken: p1.nextPageToken });
      expect(ids(p2.tasks)).toEqual(["id3", "id2"]);
      const p3 = await tasks.list("t", { pageSize: 2, pageToken: p2.nextPageToken });
      expect(ids(p3.tasks)).toEqual(["id1"]);
      expect(p3.nextPageToken).toBe("");
      expect(ids((await tasks.list("t", { pageSize: 10, contextId: "even" })).tasks)).toEqual(["id0", "id4", "id2"]);
      expect(ids((await tasks.list("t", { pageSize: 10, state: "TASK_STATE_COMPLETED" })).tasks)).toEqual(["id0"]);
      const since = await tasks.list("t", { pageSize: 10, statusTimestampAfter: "2026-01-04T00:00:00Z" });
      expect(ids(since.tasks)).toEqual(["id0", "id4", "id3"]);
      expect(since.totalSize).toBe(3);
      const bad = await rejectsWith(tasks.list("t", { pageSize: 2, pageToken: "bm90LWEtdG9rZW4" }), InvalidRequestError, /not issued by this server/);
      expect(bad.code).toBe("INVALID_REQUEST");
    });

    it("list pages by cursor (TCK CORE-LIST-002): a task updated between two pages is neither listed twice nor shifts the next page", async () => {
      const { tasks } = await make();
      const at = (d: number): string => `2026-03-0${d}T00:00:00Z`;
      for (const [i, id] of ["x", "y", "z"].entries()) {
        await tasks.create({
          tenant: "t",
          owner: "p",
          task: task(id, "TASK_STATE_INPUT_REQUIRED", { status: { state: "TASK_STATE_INPUT_REQUIRED", timestamp: at(i + 1) } }),
        });
      }
      const p1 = await tasks.list("t", { pageSize: 1 });
      expect(p1.tasks.map((t) => t.id)).toEqual(["z"]);
      // y is answered: its status is now the most recent, ahead of the cursor
      await tasks.update("t", task("y", "TASK_STATE_COMPLETED", { status: { state: "TASK_STATE_COMPLETED", timestamp: at(9) } }));
      const p2 = await tasks.list("t", { pageSize: 1, pageToken: p1.nextPageToken });
      expect(p2.tasks.map((t) => t.id)).toEqual(["x"]);
      expect(p2.nextPageToken).toBe("");
      expect((await tasks.list("t", { pageSize: 10 })).tasks.map((t) => t.id)).toEqual(["y", "z", "x"]);
    });

    it("maxTasksPerTenant refuses a full tenant with BACKPRESSURE_DROP; other tenants still create", async () => {
      const { tasks } = await make({ maxTasksPerTenant: 2 });
      await tasks.create({ tenant: "a", owner: "p", task: task("1") });
      await tasks.create({ tenant: "a", owner: "p", task: task("2", "TASK_STATE_COMPLETED") });
      const err = await rejectsWith(
        tasks.create({ tenant: "a", owner: "p", task: task("3") }),
        BackpressureDropError,
        /tenant "a" holds 2 tasks \(maxTasksPerTenant\)/,
      );
      expect(err.code).toBe("BACKPRESSURE_DROP");
      expect(await tasks.get("a", "3")).toBeUndefined();
      await tasks.create({ tenant: "b", owner: "p", task: task("3") });
      expect((await tasks.list("a", { pageSize: 10 })).totalSize).toBe(2);
    });

    it("maxTasks bounds the store across tenants", async () => {
      const { tasks } = await make({ maxTasks: 2 });
      await tasks.create({ tenant: "a", owner: "p", task: task("1") });
      await tasks.create({ tenant: "b", owner: "p", task: task("2") });
      await rejectsWith(tasks.create({ tenant: "c", owner: "p", task: task("3") }), BackpressureDropError, /the server holds 2 tasks \(maxTasks\)/);
    });

    it("push configs: set / get / list in first-set order (a replace keeps its place), delete, deleteTask", async () => {
      const { push } = await make();
      await push.set(config("t1", "c1", "https://one.example/h"));
      await push.set(config("t1", "c2"));
      await push.set(config("t1", "c1", "https://uno.example/h"));
      await push.set(config("t2", "c1"));
      expect((await push.get("t1", "c1"))?.url).toBe("https://uno.example/h");
      expect((await push.list("t1")).map((c) => [c.id, c.url])).toEqual([
        ["c1", "https://uno.example/h"],
        ["c2", "https://example.com/hook"],
      ]);
      const got = await push.get("t1", "c2");
      got!.url = "https://changed.example/";
      expect((await push.get("t1", "c2"))?.url).toBe("https://example.com/hook");
      expect(await push.delete("t1", "c2")).toBe(true);
      expect(await push.delete("t1", "c2")).toBe(false);
      expect(await push.get("t1", "c2")).toBeUndefined();
      await push.deleteTask("t1");
      expect(await push.list("t1")).toEqual([]);
      expect(
        (await push.list("t2")).map((c) => c.id),
        "another task's configs stay",
      ).toEqual(["c1"]);
      expect(await push.list("none")).toEqual([]);
    });

    it("push configs: hostile task and config ids stay separate keys", async () => {
      const { push } = await make({ maxConfigsPerTask: HOSTILE.length });
      for (const t of HOSTILE) for (const c of HOSTILE) await push.set(config(t, c, `https://h.example/${encodeURIComponent(t)}/${encodeURIComponent(c)}`));
      for (const t of HOSTILE) {
        const list = await push.list(t);
        expect(list.map((c) => c.id)).toEqual(HOSTILE);
        expect(list.every((c) => c.taskId === t)).toBe(true);
      }
      await push.deleteTask("a.*");
      expect(await push.list("a.*")).toEqual([]);
      expect(await push.list("a.b"), "deleteTask of a.* touches no other task").toHaveLength(HOSTILE.length);
    });

    it("maxConfigsPerTask refuses a new config with BACKPRESSURE_DROP; replacing one still works", async () => {
      const { push } = await make({ maxConfigsPerTask: 2 });
      await push.set(config("t", "a"));
      await push.set(config("t", "b"));
      await rejectsWith(push.set(config("t", "c")), BackpressureDropError, /task t has 2 push notification configs.*maxConfigsPerTask/);
      await push.set(config("t", "b", "https://replaced.example/"));
      expect((await push.get("t", "b"))?.url).toBe("https://replaced.example/");
      await push.set(config("other", "c"));
      expect(await push.delete("t", "a")).toBe(true);
      await push.set(config("t", "c"));
      expect((await push.list("t")).map((c) => c.id)).toEqual(["b", "c"]);
    });
  });
}

/** A fresh id for buckets and tasks. */
export const fresh = (): string => randomUUID().replaceAll("-", "");
