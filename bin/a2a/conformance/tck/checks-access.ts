/** TCK checks of version negotiation (VER-*), the extended card (CARD-EXT-*) and authentication and authorization (AUTH-*) on one binding. */
import { capability, describe, expect, expectA2aError, notApplicable, type TckCheck } from "./framework.js";
import { completedTask, inputRequiredTask, send, sendWith, taskOf, TERMINAL, userMessage } from "./scenario.js";
import type { Obj } from "./types.js";

export const accessChecks: readonly TckCheck[] = [
  // --- versioning (JSON-RPC, HTTP+JSON) ---
  {
    id: "VER-CLIENT-001",
    async run(ctx) {
      const r = await sendWith(ctx, { "A2A-Version": "1.0" }, "ver-client-001");
      expect(r.ok, `a request with A2A-Version 1.0 failed: ${describe(r)}`);
    },
  },
  {
    id: "VER-CLIENT-002",
    async run(ctx) {
      const r = await sendWith(ctx, { "A2A-Version": "1.0.1" }, "ver-client-002");
      expect(r.ok, `A2A-Version 1.0.1 (a patch of 1.0) was not served as 1.0: ${describe(r)}`);
    },
  },
  {
    id: "VER-SERVER-001",
    async run(ctx) {
      const r = await sendWith(ctx, { "A2A-Version": "1.0" }, "ver-server-001");
      expect(r.ok, `SendMessage failed: ${describe(r)}`);
      const inner = (r.value?.["task"] ?? r.value?.["message"]) as Obj | undefined;
      expect(inner !== undefined, `no task/message wrapper (0.3 shape?): ${describe(r)}`);
      expect(!("kind" in inner), "the answer carries the 0.3 kind field");
      if (r.value?.["task"]) expect(String(inner["status"]?.["state"]).startsWith("TASK_STATE_"), `state ${inner["status"]?.["state"]} is not a 1.0 enum name`);
    },
  },
  {
    id: "VER-SERVER-002",
    async run(ctx) {
      const r = await sendWith(ctx, { "A2A-Version": "99.0" }, "ver-002");
      expect(!r.ok, `A2A-Version 99.0 was served: ${describe(r)}`);
      if (ctx.scope === "HTTP+JSON") expect((r.status ?? 0) >= 400, `status ${r.status}`);
    },
  },
  {
    id: "VER-SERVER-003",
    async run(ctx) {
      const r = await sendWith(ctx, { "A2A-Version": "" }, "ver-003");
      expect(r.ok || (r.error !== undefined && (r.status ?? 0) < 500), `an empty A2A-Version answered ${describe(r)} (HTTP ${r.status})`);
    },
  },
  // --- extended card ---
  {
    id: "CARD-EXT-001",
    async run(ctx) {
      if (!capability(ctx, "extendedAgentCard")) notApplicable("the card does not declare extendedAgentCard");
      const r = await ctx.client.call("GetExtendedAgentCard", {});
      expect(r.ok, `GetExtendedAgentCard failed: ${describe(r)}`);
      const problems = ctx.proto.check("AgentCard", r.value);
      expect(problems.length === 0, `not an AgentCard: ${problems.join("; ")}`);
    },
  },
  {
    id: "CARD-EXT-002",
    async run(ctx) {
      if (!capability(ctx, "extendedAgentCard")) notApplicable("the card does not declare extendedAgentCard");
      const r = await ctx.client.call("GetExtendedAgentCard", {});
      if (r.ok) return;
      expectA2aError(ctx, r, "ExtendedAgentCardNotConfiguredError");
    },
  },
  // --- authentication and authorization ---
  {
    id: "AUTH-SERVER-002",
    async run(ctx) {
      const reqs = ctx.card["securityRequirements"];
      if (!Array.isArray(reqs) || reqs.length === 0) notApplicable("the card declares no security requirements");
      const r = await ctx.client.call("GetTask", { id: ctx.messageId("anon") }, { anonymous: true });
      expect(!r.ok, `a request without credentials succeeded: ${describe(r)}`);
      const refused =
        ctx.scope === "GRPC"
          ? r.error?.code === "UNAUTHENTICATED" || r.error?.code === "PERMISSION_DENIED"
          : r.status === 401 || r.status === 403 || (ctx.scope === "JSONRPC" && typeof r.error?.code === "number" && r.error.code !== -32001);
      expect(refused, `a request without credentials was not refused as unauthenticated: ${describe(r)} (HTTP ${r.status})`);
    },
  },
  {
    id: "AUTH-INTASK-001",
    async run(ctx) {
      const task = taskOf(await send(ctx, userMessage(ctx, "auth-required", "login")), "auth-required task");
      const r = await ctx.client.call("GetTask", { id: task["id"] });
      expect(r.ok, `the task tracking the authorization request cannot be read: ${describe(r)}`);
      expect(typeof r.value?.["status"]?.["state"] === "string", "the task carries no status.state");
    },
  },
  {
    id: "AUTH-INTASK-002",
    async run(ctx) {
      const task = taskOf(await send(ctx, userMessage(ctx, "auth-required", "login")), "auth-required task");
      const r = await ctx.client.call("GetTask", { id: task["id"] });
      const state = String(r.value?.["status"]?.["state"]);
      expect(!TERMINAL.has(state), `the task reached ${state} while awaiting authorization`);
      expect(state === "TASK_STATE_AUTH_REQUIRED", `the task is ${state}, expected TASK_STATE_AUTH_REQUIRED`);
    },
  },
  {
    id: "AUTH-SCOPE-001",
    async run(ctx) {
      const other = ctx.other;
      if (other === undefined) notApplicable("the run has no second principal");
      const task = await inputRequiredTask(ctx);
      for (const [m, p] of [
        ["GetTask", { id: task["id"] }],
        ["CancelTask", { id: task["id"] }],
      ] as const) {
        const r = await other.call(m, p);
        expect(!r.ok, `${m} of another principal's task succeeded: ${describe(r)}`);
      }
      const still = await ctx.client.call("GetTask", { id: task["id"] });
      expect(still.value?.["status"]?.["state"] === "TASK_STATE_INPUT_REQUIRED", "another principal's CancelTask changed the task");
    },
  },
  {
    id: "AUTH-SCOPE-002",
    async run(ctx) {
      const other = ctx.other;
      if (other === undefined) notApplicable("the run has no second principal");
      const task = await completedTask(ctx);
      const r = await other.call("ListTasks", { context_id: task["contextId"] });
      const ids = ((r.value?.["tasks"] ?? []) as Obj[]).map((t) => t["id"]);
      expect(!ids.includes(task["id"]), "another principal's ListTasks holds the first principal's task");
    },
  },
  {
    id: "AUTH-SCOPE-003",
    async run(ctx) {
      const other = ctx.other;
      if (other === undefined) notApplicable("the run has no second principal");
      const task = await completedTask(ctx);
      const theirs = await other.call("GetTask", { id: task["id"] });
      const unknown = await other.call("GetTask", { id: ctx.messageId("nonexistent-scope") });
      expect(!theirs.ok, `another principal read the task: ${describe(theirs)}`);
      expect(
        theirs.error?.code === unknown.error?.code && theirs.status === unknown.status,
        `another principal's task answers ${theirs.error?.code}, an unknown id ${unknown.error?.code}: existence is revealed`,
      );
    },
  },
];
