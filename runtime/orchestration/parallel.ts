/**
 * Fan-out / fan-in on the bus (spec/orchestration.md "Parallel execution"): invoke many targets
 * at once, at most `concurrency` in flight, under one deadline, and aggregate their outcomes by
 * mode (all, any, quorum). Calls that lose, or that the deadline or the caller's signal cuts,
 * are canceled through the AbortSignal of their invoke or stream; parallel() resolves only
 * once every call it started has settled, so nothing it started is still waiting afterwards.
 */
import { AgentTimeoutError, AgentUnavailableError, CanceledError, type AcpError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import { checked, type PayloadCheck } from "../bus/checks.js";
import { toAcpError } from "../bus/replies.js";
import type { Bus } from "../bus/types.js";
import { DEFAULT_DEADLINE_MS, MAX_CALLS, checkCalls, checkInt, checkMs } from "./args.js";
import type { CallOutcome, CanceledCall, ParallelCall, ParallelMode, ParallelOptions, ParallelResult } from "./types.js";

const API = "parallel";
/** How far past the overall deadline a call's own bus timeout is set (the deadline timer fires first). */
const DEADLINE_MARGIN_MS = 1_000;

/** The checked options. */
interface Plan {
  readonly mode: ParallelMode;
  /** Successes needed (all: every call). */
  readonly need: number;
  readonly concurrency: number;
  readonly deadlineMs: number;
}

function plan(calls: readonly ParallelCall<unknown>[], opts: ParallelOptions<unknown>): Plan {
  checkCalls(API, calls);
  const mode = opts.mode ?? "all";
  if (mode !== "all" && mode !== "any" && mode !== "quorum") throw invalidArgument(API, "opts.mode", mode, '"all", "any" or "quorum"');
  if (mode !== "quorum" && opts.quorum !== undefined) throw invalidArgument(API, "opts.quorum", opts.quorum, 'absent unless mode is "quorum"');
  if (mode === "quorum" && opts.quorum === undefined)
    throw invalidArgument(API, "opts.quorum", undefined, `an integer from 1 to calls.length (${calls.length}) with mode "quorum"`);
  const need = mode === "all" ? calls.length : mode === "any" ? 1 : checkInt(API, "opts.quorum", opts.quorum, 1, calls.length, 1);
  const concurrency = checkInt(API, "opts.concurrency", opts.concurrency, 1, MAX_CALLS, calls.length);
  const deadlineMs = checkMs(API, "opts.timeoutMs", opts.timeoutMs, DEFAULT_DEADLINE_MS);
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i]!;
    if (call.via !== undefined && call.via !== "invoke" && call.via !== "stream")
      throw invalidArgument(API, `calls[${i}].via`, call.via, '"invoke" or "stream"');
    checkMs(API, `calls[${i}].timeoutMs`, call.timeoutMs, 1);
  }
  return { mode, need, concurrency, deadlineMs };
}

/** One call over a stream request: the final frame's result is its value. */
async function viaStream<Res>(
  bus: Bus,
  call: ParallelCall<Res>,
  signal: AbortSignal,
  timeoutMs: number,
  validate: PayloadCheck<Res> | undefined,
): Promise<Res> {
  const stream = bus.streamInvoke(call.target, call.request, { signal, timeoutMs, context: call.context, metadata: call.metadata });
  try {
    for await (const frame of stream) {
      if (frame.type !== "final") continue;
      if (validate === undefined) return frame.result as Res;
      return checked(
        validate,
        frame.result,
        `the result of the stream of ${JSON.stringify(call.target)}`,
        "the handler answered a value of another shape than the caller expects",
      );
    }
  } finally {
    await stream.close();
  }
  throw new AgentUnavailableError(`the stream of ${JSON.stringify(call.target)} ended without a final frame`, { details: { target: call.target } });
}

/** The state of one fan-out, from the first call started to the result. */
class FanOut<Res> {
  readonly #bus: Bus;
  readonly #calls: readonly ParallelCall<Res>[];
  readonly #plan: Plan;
  readonly #validate: PayloadCheck<Res> | undefined;
  readonly #onOutcome: ((outcome: CallOutcome<Res>) => void) | undefined;
  readonly #outer: AbortSignal | undefined;
  readonly #deadline: number;
  readonly #outcomes: (CallOutcome<Res> | undefined)[];
  /** AbortControllers of the calls in flight, by index. */
  readonly #running = new Map<number, AbortController>();
  /** Settles once each started call has settled (never rejects). */
  readonly #settling: Promise<void>[] = [];
  readonly #canceled: CanceledCall[] = [];
  readonly #resolve: (result: ParallelResult<Res>) => void;
  #next = 0;
  #succeeded = 0;
  #failed = 0;
  #maxInFlight = 0;
  #decided = false;
  #error: AcpError | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(bus: Bus, calls: readonly ParallelCall<Res>[], p: Plan, opts: ParallelOptions<Res>, resolve: (result: ParallelResult<Res>) => void) {
    this.#bus = bus;
    this.#calls = calls;
    this.#plan = p;
    this.#validate = opts.validate;
    this.#onOutcome = opts.onOutcome;
    this.#outer = opts.signal;
    this.#resolve = resolve;
    this.#outcomes = new Array<CallOutcome<Res> | undefined>(calls.length).fill(undefined);
    this.#deadline = Date.now() + p.deadlineMs;
  }

  start(): void {
    if (this.#outer?.aborted) {
      this.#cut(new CanceledError("parallel: canceled by the caller's signal before any call started", { cause: this.#outer.reason }));
      return;
    }
    this.#timer = setTimeout(() => this.#cut(this.#deadlineError()), this.#plan.deadlineMs);
    this.#outer?.addEventListener("abort", this);
    this.#fill();
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.#cut(new CanceledError("parallel: canceled by the caller's signal", { cause: this.#outer?.reason }));
  }

  #deadlineError(): AcpError {
    return new AgentTimeoutError(`parallel: the deadline of ${this.#plan.deadlineMs} ms passed`, { details: { timeoutMs: this.#plan.deadlineMs } });
  }

  /** Starts queued calls while there is room. */
  #fill(): void {
    while (!this.#decided && this.#running.size < this.#plan.concurrency && this.#next < this.#calls.length) this.#launch(this.#next++);
  }

  #launch(index: number): void {
    const call = this.#calls[index]!;
    const controller = new AbortController();
    this.#running.set(index, controller);
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#running.size);
    // the overall deadline cuts the call (AGENT_TIMEOUT, and its cancel): the bus' own timer of
    // the call runs past it so that it never frees the slot first; a shorter own limit is kept
    const remaining = Math.max(1, this.#deadline - Date.now());
    const timeoutMs = call.timeoutMs !== undefined && call.timeoutMs < remaining ? call.timeoutMs : remaining + DEADLINE_MARGIN_MS;
    const validate = call.validate ?? this.#validate;
    let pending: Promise<Res>;
    try {
      pending =
        call.via === "stream"
          ? viaStream(this.#bus, call, controller.signal, timeoutMs, validate)
          : this.#bus.invoke<Res>(call.target, call.request, {
              signal: controller.signal,
              timeoutMs,
              context: call.context,
              metadata: call.metadata,
              validate,
            });
    } catch (err: unknown) {
      pending = Promise.reject(err);
    }
    this.#settling.push(
      pending.then(
        (value) => this.#settle(index, { index, target: call.target, ok: true, value }),
        (err: unknown) => this.#settle(index, { index, target: call.target, ok: false, error: toAcpError(err) }),
      ),
    );
  }

  #settle(index: number, outcome: CallOutcome<Res>): void {
    if (!this.#running.delete(index)) return; // already canceled: its outcome says so
    this.#outcomes[index] = outcome;
    this.#report(outcome);
    if (outcome.ok) this.#succeeded++;
    else this.#failed++;
    const { mode, need } = this.#plan;
    const total = this.#calls.length;
    if (!this.#decided) {
      // all: the first failure is the error; any / quorum: the failure that made the goal unreachable
      if (!outcome.ok && (mode !== "all" || this.#error === undefined)) this.#error = outcome.error;
      if (mode !== "all" && this.#succeeded >= need)
        this.#decide(undefined, mode === "any" ? "another call succeeded first" : `the quorum of ${need} was reached`);
      else if (mode !== "all" && this.#failed > total - need) {
        this.#decide(
          this.#error,
          mode === "any" ? "every call failed" : `${this.#failed} of ${total} calls failed: the quorum of ${need} can no longer be reached`,
        );
      } else this.#fill();
    }
    if (this.#succeeded + this.#failed + this.#canceled.length === total) void this.#finish();
  }

  /** The deadline or the caller's signal: every call still running or queued is cut with `error`. */
  #cut(error: AcpError): void {
    if (this.#decided) return;
    this.#decided = true;
    this.#error = error;
    this.#cancelRest(() => error);
    void this.#finish();
  }

  /** any / quorum reached or unreachable: the rest are canceled. */
  #decide(error: AcpError | undefined, why: string): void {
    this.#decided = true;
    this.#error = error;
    this.#cancelRest((target, started) =>
      started
        ? new CanceledError(`parallel: call of ${JSON.stringify(target)} canceled: ${why}`, { details: { target, reason: why } })
        : new CanceledError(`parallel: call of ${JSON.stringify(target)} not started: ${why}`, { details: { target, reason: why } }),
    );
  }

  #cancelRest(errorOf: (target: string, started: boolean) => AcpError): void {
    for (let i = 0; i < this.#calls.length; i++) {
      if (this.#outcomes[i] !== undefined) continue;
      const target = this.#calls[i]!.target;
      const controller = this.#running.get(i);
      const started = controller !== undefined;
      this.#running.delete(i);
      const error = errorOf(target, started);
      const outcome: CallOutcome<Res> = { index: i, target, ok: false, error };
      this.#outcomes[i] = outcome;
      this.#canceled.push({ index: i, target, started });
      controller?.abort(error);
      this.#report(outcome);
    }
    this.#next = this.#calls.length;
  }

  #report(outcome: CallOutcome<Res>): void {
    try {
      this.#onOutcome?.(outcome);
    } catch {
      // progress output only: a throw must not stop the fan-out or leave a call running
    }
  }

  #finishing = false;

  /** Waits for every started call to settle (a canceled one settles at once), then resolves. */
  async #finish(): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    clearTimeout(this.#timer);
    this.#outer?.removeEventListener("abort", this);
    // the calls started so far; none starts after the decision or once all have settled
    await Promise.all(this.#settling);
    const met = this.#plan.mode === "all" ? this.#succeeded === this.#calls.length : this.#succeeded >= this.#plan.need;
    this.#resolve({
      ok: met,
      error: met ? undefined : this.#error,
      outcomes: this.#outcomes as CallOutcome<Res>[],
      canceled: [...this.#canceled].sort((a, b) => a.index - b.index),
      succeeded: this.#succeeded,
      maxInFlight: this.#maxInFlight,
    });
  }
}

/**
 * Invokes every call at once (at most `concurrency` in flight; the rest wait in input order) and
 * aggregates by `mode`: `all` waits for every outcome; `any` resolves at the first success and
 * cancels the others; `quorum` resolves at `quorum` successes, or as soon as that many can no
 * longer succeed, canceling the rest. Resolves with every call's outcome in input order (never
 * rejects for a call's failure: see {@link ParallelResult.ok} and `error`); rejects
 * INVALID_REQUEST naming the field for empty `calls`, a quorum above `calls.length`, a
 * concurrency below 1 and other bad options.
 *
 * @example
 * const r = await parallel<{ price: number }>(bus, [{ target: "quote-a", request: q }, { target: "quote-b", request: q }], { mode: "any", timeoutMs: 2_000 });
 * if (r.ok) console.log(r.outcomes.find((o) => o.ok));
 */
export async function parallel<Res = unknown>(bus: Bus, calls: readonly ParallelCall<Res>[], opts: ParallelOptions<Res> = {}): Promise<ParallelResult<Res>> {
  const p = plan(calls as readonly ParallelCall<unknown>[], opts as ParallelOptions<unknown>);
  return await new Promise<ParallelResult<Res>>((resolve) => new FanOut<Res>(bus, calls, p, opts, resolve).start());
}
