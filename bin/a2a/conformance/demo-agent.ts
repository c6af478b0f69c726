/**
 * The demo agent the conformance checks and `oaio scorecard` run against: a stream handler
 * whose behaviour is picked by the request text.
 * - any text: streams it back as two deltas, then completes;
 * - "count": deltas "1 " and "2 ", then completes with the result "3" (the artifact's last chunk);
 * - "hold": one delta, then waits for {@link DemoAgent.release} (or cancel), one more delta, completes;
 * - "fail": fails with AGENT_UNAVAILABLE;
 * - "ask": asks for a name (final with phase input_required); the next message on the task gets "Hello, <name>";
 * - "login": asks for credentials (final with phase auth_required); the next message on the task gets "Hello, <text>";
 * - "tool": a tool call (agent.tool.call event frame, call_id "call-1", name "lookup"), one delta, then completes;
 * - an object: completes with { echo: object }.
 */
import type { Bus, HandlerContext, StreamWriter, Subscription } from "../../../runtime/bus/types.js";
import { AgentUnavailableError, CanceledError } from "../../../generated/ts/errors.js";
import type { ToolCallPayload } from "../../../generated/ts/types.js";
import { A2aMetadataKey } from "../../../generated/a2a/index.js";

export interface DemoAgent extends AsyncDisposable {
  readonly target: string;
  /** Streams waiting in "hold" now. */
  readonly holding: number;
  /** "hold" streams whose handler saw the cancel (agent.stream.cancel reached it). */
  readonly canceled: number;
  /** Resolves once `n` streams are holding. */
  waitHolding(n: number): Promise<void>;
  /** Lets every holding stream finish. */
  release(): void;
  close(): Promise<void>;
}

/** The tool call the demo agent makes for "tool". */
export const DEMO_TOOL_CALL: ToolCallPayload = { call_id: "call-1", name: "lookup", arguments: { q: "tool" } };

/** Serves the demo agent as `target` on `bus`, on the untenanted subject and on each of `tenants`. */
export function serveDemoAgent(bus: Bus, target = "demo", tenants: readonly string[] = []): DemoAgent {
  const held = new Set<() => void>();
  let canceled = 0;
  const watchers = new Set<() => void>();
  const notify = (): void =>
    watchers.forEach((w) => {
      w();
    });
  const hold = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const done = (): void => {
        held.delete(done);
        signal.removeEventListener("abort", aborted);
        resolve();
      };
      const aborted = (): void => {
        held.delete(done);
        canceled += 1;
        reject(signal.reason instanceof Error ? signal.reason : new CanceledError("canceled"));
      };
      held.add(done);
      signal.addEventListener("abort", aborted, { once: true });
      notify();
    });

  const handler = async (req: unknown, w: StreamWriter, ctx: HandlerContext): Promise<void> => {
    const meta = ctx.envelope.metadata ?? {};
    if (typeof meta[A2aMetadataKey.TASK_ID] === "string") {
      await w.final(`Hello, ${String(req)}`);
      return;
    }
    if (typeof req === "object" && req !== null) {
      await w.final({ echo: req });
      return;
    }
    const text = String(req);
    await w.started();
    if (text === "fail") throw new AgentUnavailableError("demo failure");
    if (text === "ask") {
      await w.final("What is your name?", { phase: "input_required" });
      return;
    }
    if (text === "login") {
      await w.final("Sign in first: send your token.", { phase: "auth_required" });
      return;
    }
    if (text === "tool") {
      await w.event("agent.tool.call", DEMO_TOOL_CALL);
      await w.delta("looked up");
      await w.final();
      return;
    }
    if (text === "count") {
      await w.delta("1 ");
      await w.delta("2 ");
      await w.final("3");
      return;
    }
    if (text === "hold") {
      await w.delta("first ");
      await hold(w.signal);
      await w.delta("second");
      await w.final();
      return;
    }
    const half = Math.ceil(text.length / 2);
    await w.delta(text.slice(0, half));
    await w.delta(text.slice(half));
    await w.final();
  };
  const subs: Subscription[] = [null, ...tenants].map((tenant) => bus.handleStream(target, handler, { tenant }));
  const close = async (): Promise<void> => {
    for (const r of [...held]) r();
    for (const sub of subs) await sub.unsubscribe();
  };
  return {
    target,
    get holding() {
      return held.size;
    },
    get canceled() {
      return canceled;
    },
    waitHolding: (n) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (held.size >= n) {
            watchers.delete(check);
            resolve();
          }
        };
        watchers.add(check);
        check();
      }),
    release: () =>
      [...held].forEach((r) => {
        r();
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
