/** Bounded polling for tests: wait on a condition, never on a fixed sleep. */

export interface WaitOptions {
  /** Give up after this long. Default 10,000 ms. */
  timeoutMs?: number;
  /** Poll interval. Default 5 ms. */
  intervalMs?: number;
}

/** Resolves once `cond()` is true; rejects naming `what` (and `detail()`) after the timeout. */
export async function waitFor(what: string, cond: () => boolean, opts: WaitOptions = {}, detail?: () => string): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail === undefined ? "" : `: ${detail()}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Lets pending microtasks and one event-loop turn run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
