/** TCK checks of the data model and its JSON serialization (DM-*) on a JSON binding. */
import { describe, expect, type TckCheck, type TckContext } from "./framework.js";
import { messagesIn, send, userMessage } from "./scenario.js";
import type { Obj } from "./types.js";

const TASK_STATES = new Set([
  "TASK_STATE_SUBMITTED",
  "TASK_STATE_WORKING",
  "TASK_STATE_INPUT_REQUIRED",
  "TASK_STATE_AUTH_REQUIRED",
  "TASK_STATE_COMPLETED",
  "TASK_STATE_FAILED",
  "TASK_STATE_CANCELED",
  "TASK_STATE_REJECTED",
]);
const SNAKE = /^[a-z]+(_[a-z]+)+$/;
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TIMESTAMP_KEYS = new Set(["timestamp", "createdAt", "updatedAt", "statusTimestamp"]);

/** One SendMessage answer per run and binding (the TCK sends one and checks it for every DM id). */
const answers = new WeakMap<object, Promise<Obj>>();
function answer(ctx: TckContext): Promise<Obj> {
  let p = answers.get(ctx.client);
  if (p === undefined) {
    p = send(ctx, userMessage(ctx, "dm-test-001", "Hello from TCK data model test")).then((r) => {
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      return r.value ?? {};
    });
    answers.set(ctx.client, p);
  }
  return p;
}

/** Every value under `key` anywhere in `v`. */
function valuesOf(v: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const x of v) valuesOf(x, key, out);
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v as Obj)) {
      if (k === key) out.push(x);
      valuesOf(x, key, out);
    }
  }
  return out;
}

function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keysOf(x, out);
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v as Obj)) {
      out.add(k);
      keysOf(x, out);
    }
  }
  return out;
}

const tasksIn = (v: Obj): Obj[] => (v["task"] ? [v["task"] as Obj] : []);
const artifactsIn = (v: Obj): Obj[] => tasksIn(v).flatMap((t) => (t["artifacts"] ?? []) as Obj[]);
const partsIn = (v: Obj): Obj[] => [...messagesIn(v), ...artifactsIn(v)].flatMap((m) => (m["parts"] ?? []) as Obj[]);

export const dataChecks: readonly TckCheck[] = [
  {
    id: "DM-TASK-001",
    async run(ctx) {
      for (const t of tasksIn(await answer(ctx))) {
        for (const k of ["id", "contextId", "status"]) expect(t[k] !== undefined && t[k] !== "", `the task lacks ${k}`);
      }
    },
  },
  {
    id: "DM-TASK-002",
    async run(ctx) {
      for (const s of valuesOf(await answer(ctx), "state")) expect(TASK_STATES.has(String(s)), `state ${JSON.stringify(s)} is not a TaskState`);
    },
  },
  {
    id: "DM-MSG-001",
    async run(ctx) {
      for (const m of messagesIn(await answer(ctx))) {
        expect(
          typeof m["role"] === "string" && typeof m["messageId"] === "string" && m["messageId"] !== "",
          `a message lacks role or messageId: ${JSON.stringify(m).slice(0, 160)}`,
        );
        expect(Array.isArray(m["parts"]) && m["parts"].length > 0, `message ${m["messageId"]} has no parts`);
      }
    },
  },
  {
    id: "DM-MSG-002",
    async run(ctx) {
      for (const m of messagesIn(await answer(ctx))) expect(m["role"] === "ROLE_USER" || m["role"] === "ROLE_AGENT", `role ${JSON.stringify(m["role"])}`);
    },
  },
  {
    id: "DM-PART-001",
    async run(ctx) {
      for (const p of partsIn(await answer(ctx))) {
        const set = ["text", "raw", "url", "data"].filter((k) => p[k] !== undefined);
        expect(set.length === 1, `a part sets ${set.join("+") || "none"} of text/raw/url/data`);
      }
    },
  },
  {
    id: "DM-ART-001",
    async run(ctx) {
      for (const a of artifactsIn(await answer(ctx))) {
        expect(typeof a["artifactId"] === "string" && a["artifactId"] !== "", "an artifact has no artifactId");
        expect(Array.isArray(a["parts"]) && a["parts"].length > 0, `artifact ${a["artifactId"]} has no parts`);
      }
    },
  },
  {
    id: "DM-STATUS-001",
    async run(ctx) {
      for (const t of tasksIn(await answer(ctx))) expect(typeof t["status"]?.["state"] === "string", "a task status has no state");
    },
  },
  {
    id: "DM-SERIAL-001",
    async run(ctx) {
      const snake = [...keysOf(await answer(ctx))].filter((k) => SNAKE.test(k));
      expect(snake.length === 0, `snake_case field names: ${snake.join(", ")}`);
    },
  },
  {
    id: "DM-SERIAL-002",
    async run(ctx) {
      const v = await answer(ctx);
      for (const k of ["state", "role"]) for (const x of valuesOf(v, k)) expect(typeof x === "string", `enum ${k} is ${typeof x}: ${JSON.stringify(x)}`);
    },
  },
  {
    id: "DM-SERIAL-003",
    async run(ctx) {
      const v = await answer(ctx);
      for (const k of TIMESTAMP_KEYS)
        for (const x of valuesOf(v, k)) expect(typeof x === "string" && ISO_Z.test(x), `timestamp ${k} ${JSON.stringify(x)} is not ISO 8601 UTC with Z`);
    },
  },
  {
    id: "DM-SERIAL-004",
    async run(ctx) {
      const problems = ctx.proto.check("SendMessageResponse", await answer(ctx));
      expect(problems.length === 0, problems.join("; "));
    },
  },
  {
    id: "DM-SERIAL-005",
    async run(ctx) {
      const message = { ...userMessage(ctx, "dm-serial-005", "unrecognized field test"), tckUnknownField: "should-be-ignored" };
      const r = await ctx.client.call("SendMessage", { message, tckExtraParam: 42 });
      expect(r.ok, `a request with unknown fields was rejected: ${describe(r)}`);
    },
  },
];
