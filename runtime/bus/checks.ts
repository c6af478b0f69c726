/**
 * Checked generics (spec/bus.md "Typed payloads"): a type parameter of `invoke`,
 * `subscribe`, `handleInvoke` and `handleStream` is checked at run time when the call is given
 * a `validate` option — a type guard such as a generated validator (`validatePayload[type]`
 * from generated/ts/validators.ts, or any `(value: unknown) => value is T`); without one it is
 * an assertion the bus does not check.
 */
import { InvalidRequestError } from "../../generated/ts/errors.js";

/** A run-time check of a value's type: a type guard; a generated validator is one (its `errors` are reported). */
export type PayloadCheck<T> = ((value: unknown) => value is T) & { errors?: ReadonlyArray<{ instancePath?: string; message?: string }> | null };

/** What the check said about the value, for an error message and its details. */
function findings(check: PayloadCheck<unknown>): { pointer: string; message: string }[] {
  return (check.errors ?? []).slice(0, 5).map((e) => ({ pointer: e.instancePath ?? "", message: e.message ?? "is invalid" }));
}

/**
 * `value` when `check` passes; else throws INVALID_REQUEST naming `what` (e.g. "the result of
 * invoke of x"), the failed check's findings and what to do.
 */
export function checked<T>(check: PayloadCheck<T>, value: unknown, what: string, remedy: string): T {
  if (check(value)) return value;
  const found = findings(check);
  const first = found[0] === undefined ? "" : `: ${found[0].pointer === "" ? "" : `${found[0].pointer} `}${found[0].message}`;
  throw new InvalidRequestError(`${what} does not pass the validate option${first}; ${remedy}`, { details: { what, findings: found } });
}

/** Wraps a handler so its payload is checked first (a failure is the handler's INVALID_REQUEST error). */
export function checkedHandler<Args extends unknown[], R>(
  check: PayloadCheck<unknown> | undefined,
  what: string,
  fn: (payload: unknown, ...rest: Args) => R,
): (payload: unknown, ...rest: Args) => R {
  if (check === undefined) return fn;
  return (payload, ...rest) => fn(checked(check, payload, what, "send a payload of the shape this handler declares"), ...rest);
}
