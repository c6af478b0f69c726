/**
 * Argument checks of the orchestration scenes: a programmer mistake is the codebase's one
 * invalid-argument error (`invalidArgument` in runtime/errors.ts) naming the field, what was
 * expected and what was got (spec/orchestration.md "Bounds").
 */
import { invalidArgument } from "../errors.js";

/** Most calls of one fan-out or merge: the queue of calls waiting their turn is bounded by it. */
export const MAX_CALLS = 10_000;
/** Default overall deadline of a fan-out or merge, ms. */
export const DEFAULT_DEADLINE_MS = 30_000;
/** Default number of merged frames held for a slow consumer. */
export const DEFAULT_MERGE_BUFFER = 256;
/** Largest `maxBuffered` a merge accepts. */
export const MAX_MERGE_BUFFER = 65_536;

/** The calls list: an array of 1..{@link MAX_CALLS} entries, each with a string `target`. */
export function checkCalls(api: string, calls: readonly { readonly target: string }[]): void {
  if (!Array.isArray(calls) || calls.length === 0)
    throw invalidArgument(api, "calls", calls, `a non-empty array of { target, request } (at most ${MAX_CALLS})`);
  if (calls.length > MAX_CALLS) throw invalidArgument(api, "calls.length", calls.length, `at most ${MAX_CALLS}: split the fan-out`);
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    if (call === null || typeof call !== "object" || typeof call.target !== "string" || call.target === "") {
      throw invalidArgument(api, `calls[${i}].target`, call?.target, "a non-empty target string");
    }
  }
}

/** An integer in [min, max], or the fallback when undefined. */
export function checkInt(api: string, field: string, value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidArgument(api, field, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** A positive finite number of ms, or the fallback when undefined. */
export function checkMs(api: string, field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw invalidArgument(api, field, value, "a positive number of ms");
  return value;
}
