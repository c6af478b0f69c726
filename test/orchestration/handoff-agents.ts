/**
 * The agents of the handoff tests (test/orchestration/handoff.test.ts). Two roles, so that
 * every handoff crosses processes on NATS: `front` (the agents callers invoke, which hand
 * off) and `back` (the agents they hand off to). Each handler reports what it saw (its
 * request's context fields, `acp.deadline` and the `acp.handoff` payload) through `report`.
 *
 * Run as a process: `node --import tsx test/orchestration/handoff-agents.ts --role front|back
 * --nats URL`: one JSON line per report on stdout, `{"event":"ready"}` first; closes its bus
 * and exits when stdin ends. The memory-transport tests register the same handlers in-process.
 */
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { MetadataKey } from "../../generated/ts/constants.js";
import { createBus, type Bus, type HandlerContext } from "../../runtime/bus/index.js";
import { handoff, handoffOf, handoffStream } from "../../runtime/orchestration/index.js";

export type Report = (event: Record<string, unknown>) => void;
export type Role = "front" | "back";

/** The tenants every agent serves: the untenanted subjects and `acme`. */
const TENANTS = [null, "acme"] as const;

function see(report: Report, target: string, ctx: HandlerContext): void {
  const e = ctx.envelope;
  let handoffSeen: unknown;
  try {
    handoffSeen = handoffOf(ctx) ?? null;
  } catch (err: unknown) {
    handoffSeen = { refused: err instanceof Error ? err.message : String(err) };
  }
  report({
    event: "seen",
    target,
    from: e.from ?? null,
    session_id: e.session_id ?? null,
    conversation_id: e.conversation_id ?? null,
    tenant_id: e.tenant_id ?? null,
    user_id: e.user_id ?? null,
    traceparent: e.traceparent ?? null,
    deadline: e.metadata?.[MetadataKey.DEADLINE] ?? null,
    note: e.metadata?.["note"] ?? null,
    handoff: handoffSeen,
  });
}

interface Invoice {
  invoice?: string;
}

function registerFront(bus: Bus, report: Report): void {
  for (const tenant of TENANTS) {
    bus.handleInvoke<Invoice>(
      "ho.triage",
      (req, ctx) => {
        see(report, "ho.triage", ctx);
        return handoff(bus, ctx, "ho.billing", { state: { invoice: req?.invoice ?? null }, reason: "invoice question" });
      },
      { tenant },
    );
    bus.handleStream<Invoice>(
      "ho.triage-stream",
      async (req, w, ctx) => {
        see(report, "ho.triage-stream", ctx);
        await w.started({ agent: "triage" });
        await w.delta("triage here; ");
        await handoffStream(bus, w, ctx, "ho.billing-stream", { state: { invoice: req?.invoice ?? null }, reason: "invoice question" });
      },
      { tenant },
    );
  }
  bus.handleInvoke("ho.loop-a", (_req, ctx) => {
    see(report, "ho.loop-a", ctx);
    return handoff(bus, ctx, "ho.loop-b", { reason: "loop" });
  });
  bus.handleInvoke("ho.to-missing", (_req, ctx) => handoff(bus, ctx, "ho.nobody"));
  bus.handleStream("ho.to-missing-stream", (_req, w, ctx) => handoffStream(bus, w, ctx, "ho.nobody"));
  bus.handleInvoke("ho.hop1", (_req, ctx) => {
    see(report, "ho.hop1", ctx);
    return handoff(bus, ctx, "ho.hop2", { maxHops: 2 });
  });
  bus.handleInvoke("ho.hop3", (_req, ctx) => {
    see(report, "ho.hop3", ctx);
    return handoff(bus, ctx, "ho.hop4");
  });
  endless(bus, report, "ho.endless-front");
  // two hops, each crossing processes: front -> back (ho.mid) -> front (ho.endless-front)
  bus.handleStream("ho.relay2", (_req, w, ctx) => handoffStream(bus, w, ctx, "ho.mid", { reason: "first hop" }));
  bus.handleStream("ho.relay-endless", (_req, w, ctx) => handoffStream(bus, w, ctx, "ho.endless", { reason: "the endless agent takes over" }));
  bus.handleInvoke("ho.to-python", (req, ctx) => handoff(bus, ctx, "py.echo", { state: { from: "ts" }, request: { handed: req } }));
  bus.handleStream("ho.to-python-stream", (_req, w, ctx) => handoffStream(bus, w, ctx, "py.story", { request: "handed off to python" }));
}

function registerBack(bus: Bus, report: Report): void {
  for (const tenant of TENANTS) {
    bus.handleInvoke<Invoice>(
      "ho.billing",
      (req, ctx) => {
        see(report, "ho.billing", ctx);
        ctx.replyMetadata["billing.desk"] = "7";
        const state = handoffOf(ctx)?.state as Invoice | undefined;
        return { answeredBy: "ho.billing", invoice: state?.invoice ?? null, request: req ?? null };
      },
      { tenant },
    );
    bus.handleStream<Invoice>(
      "ho.billing-stream",
      async (_req, w, ctx) => {
        see(report, "ho.billing-stream", ctx);
        const state = handoffOf(ctx)?.state as Invoice | undefined;
        await w.started({ agent: "billing" });
        await w.delta("invoice ");
        await w.delta(String(state?.invoice ?? "?"));
        await w.final({ total: 42 });
      },
      { tenant },
    );
  }
  bus.handleInvoke("ho.loop-b", (_req, ctx) => {
    see(report, "ho.loop-b", ctx);
    return handoff(bus, ctx, "ho.loop-a", { reason: "back to a" });
  });
  bus.handleInvoke("ho.hop2", (_req, ctx) => {
    see(report, "ho.hop2", ctx);
    return handoff(bus, ctx, "ho.hop3");
  });
  bus.handleInvoke("ho.hop4", (_req, ctx) => {
    see(report, "ho.hop4", ctx);
    return { answeredBy: "ho.hop4" };
  });
  endless(bus, report, "ho.endless");
  bus.handleStream("ho.mid", (_req, w, ctx) => handoffStream(bus, w, ctx, "ho.endless-front", { reason: "second hop" }));
}

/** A stream that writes until its cancel comes: at most 3,000 deltas, one every 10 ms (bounded). */
function endless(bus: Bus, report: Report, target: string): void {
  bus.handleStream(target, async (_req, w, ctx) => {
    see(report, target, ctx);
    await w.started();
    for (let i = 0; i < 3_000 && !w.signal.aborted; i++) {
      await w.delta(`d${i} `);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    report({ event: w.signal.aborted ? "canceled" : "ran-out", target });
  });
}

/** Registers the handlers of `role` on `bus`. */
export function registerRole(bus: Bus, role: Role, report: Report): void {
  if (role === "front") registerFront(bus, report);
  else registerBack(bus, report);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string): string => {
    const i = args.indexOf(name);
    const v = i < 0 ? undefined : args[i + 1];
    if (v === undefined) throw new Error(`handoff-agents: ${name} is required`);
    return v;
  };
  const role = arg("--role");
  if (role !== "front" && role !== "back") throw new Error(`handoff-agents: --role front|back, got ${role}`);
  const { connectNats } = await import("../../runtime/transport/index.js");
  const bus = createBus({ agentId: `ho-${role}`, transport: await connectNats({ servers: arg("--nats") }), ownsTransport: true });
  const report: Report = (e) => process.stdout.write(`${JSON.stringify(e)}\n`);
  registerRole(bus, role, report);
  await bus.transport.flush();
  report({ event: "ready", role });
  const input = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => input.once("close", resolve));
  await bus.close();
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
