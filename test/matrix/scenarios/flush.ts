/**
 * Client only: many waits for the server at once. A peer answers `flush` once everything it
 * sent before is at the server (test/matrix/README.md); applications do the same from many
 * coroutines / tasks at once (publish, then flush).
 */
import { expect } from "vitest";
import { ask, PASS, targetOf, type Outcome, type Side } from "../cell.js";

/** Flushes in flight at once: well above jnats' default maxPingsOut (2). */
export const FLUSH_BURST = 64;

/** Bursts one after the other (how many flushes overlap depends on scheduling; each burst is another chance to show a limit). */
export const FLUSH_ROUNDS = 3;

/** {@link FLUSH_ROUNDS} times {@link FLUSH_BURST} `flush` commands at once all succeed, and the client still calls its own handler afterwards. */
export async function flushBurst(client: Side): Promise<Outcome> {
  for (let round = 1; round <= FLUSH_ROUNDS; round++) {
    const answers = await Promise.all(Array.from({ length: FLUSH_BURST }, () => client.peer.call("flush", {}, 20_000)));
    const failed = answers.filter((a) => !a.ok).map((a) => String(a["error"]));
    // the first failure is enough to read
    expect({ failed: failed.length, first: failed[0] }, `round ${round}: ${FLUSH_BURST} flushes at once`).toEqual({ failed: 0, first: undefined });
  }
  const after = await ask(client, "invoke", { target: targetOf(client, "invoke"), payload: { do: "echo", value: "after" } });
  expect(after["error"]).toBeUndefined();
  return PASS;
}
