/**
 * vitest `setupFiles` entry (vitest.config.ts): runs in every test file. Its `beforeAll` runs
 * before the file's own hooks and its `afterAll` after them (vitest runs after-hooks in reverse
 * order), so the file fails when anything it opened is still open once its hooks are done.
 */
import { afterAll, beforeAll } from "vitest";
import { expectNoLeaks, snapshotHandles, type HandleSnapshot } from "../helpers/leaks.js";

let before: HandleSnapshot | undefined;

beforeAll(() => {
  before = snapshotHandles();
});

afterAll(async () => {
  if (before !== undefined) await expectNoLeaks(before);
});
