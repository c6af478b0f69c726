/**
 * Bounded waits for the matrix: on events a peer reported, and probes that repeat a send until
 * the receiving side reports it (a subscription is live once it has received something, not
 * once its SUB was flushed).
 */
import type { Json, MatrixPeer } from "./protocol.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the events of `peer` matching `pred` once there are `count`; rejects after `timeoutMs`. */
export async function eventsOf(peer: MatrixPeer, what: string, pred: (e: Json) => boolean, count = 1, timeoutMs = 15_000): Promise<Json[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = peer.events.filter(pred);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (peer ${peer.name} has ${found.length} of ${count}):\n${peer.stderr().slice(-3000)}`,
      );
    }
    await sleep(5);
  }
}

/** Resolves once `cond()` holds; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Calls `send` until `done()` holds, waiting up to `roundMs` after each send; rejects after
 * `timeoutMs` in all. For subscriptions: `send` publishes a probe, `done` checks it arrived.
 */
export async function probeUntil(
  what: string | (() => string),
  send: () => Promise<void>,
  done: () => boolean,
  opts: { roundMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const roundMs = opts.roundMs ?? 300;
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let rounds = 0;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`probe: ${typeof what === "string" ? what : what()} not live after ${rounds} rounds`);
    await send();
    rounds++;
    const roundEnd = Date.now() + roundMs;
    while (!done() && Date.now() < roundEnd) await sleep(5);
  }
}
