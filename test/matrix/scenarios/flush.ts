/**
 * Client only: many waits for the server at once. A peer answers `flush` once everything it
 * sent before is at the server (test/matrix/README.md); applications do the same from many
 * coroutines / tasks at once (publish, then flush).
 */
import { expect } from "vitest";
import { ask, PASS, targetOf, type Outcome, type Side } from "../cell.js";

/** Flushes in flight at once: well above jnats' default maxPingsOut (2). */
export const FLUSH_BURST = 64;

/** {@link FLUSH_BURST} `flush` commands at once all succeed, and the client still calls its own handler afterwards. */
export async function flushBurst(client: Side): Promise<Outcome> {
  const answers = await Promise.all(Array.from({ length: FLUSH_BURST }, () => client.peer.call("flush", {}, 20_000)));
  const failed = answers.filter((a) => !a.ok).map((a) => String(a["error"]));
  // the first failure is enough to read; all of them would be 60 copies of it
  expect({ failed: failed.length, first: failed[0] }, `${FLUSH_BURST} flushes at once`).toEqual({ failed: 0, first: undefined });
  const after = await ask(client, "invoke", { target: targetOf(client, "invoke"), payload: { do: "echo", value: "after" } });
  expect(after["error"]).toBeUndefined();
  return PASS;
}
