/**
 * NATS subject rules, checked the same way by every transport.
 *
 * A subject is dot-separated tokens. No token may be empty; no white space or control
 * characters anywhere. `*` (one token) and `>` (one or more trailing tokens) are
 * wildcards: allowed only when subscribing, only as a whole token, `>` only last.
 * A literal token never contains `*` or `>` (schema/catalog/subjects.json).
 */
import { SUBJECTS } from "../../generated/ts/constants.js";
import { TransportError, TransportErrorCode } from "./errors.js";

/** Default prefix of inbox (reply) subjects, as nats.js, nats.go and nats-py use (schema/catalog/subjects.json). */
export const DEFAULT_INBOX_PREFIX = SUBJECTS.inboxPrefix;

/** `publish`: a literal subject; `subscribe`: wildcards allowed. */
export type SubjectKind = "publish" | "subscribe";

const DOT = 0x2e;
const STAR = 0x2a;
const GT = 0x3e;

/** White space (as `\s`) or an ASCII control character. */
function isSpaceOrControl(c: number): boolean {
  if (c <= 0x20 || c === 0x7f) return true;
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function describeChar(s: string, i: number): string {
  const c = s.charCodeAt(i);
  return c === 0x20 ? "a space" : `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * What is wrong with `subject`, or `undefined` when it is valid.
 * Validation as data: the message names the defect and where it is.
 */
export function subjectProblem(subject: unknown, kind: SubjectKind): string | undefined {
  if (typeof subject !== "string") return `must be a string, got ${typeof subject}`;
  if (subject.length === 0) return "is empty";
  let tokenStart = 0;
  let tokenIndex = 0;
  for (let i = 0; i <= subject.length; i++) {
    const c = i === subject.length ? DOT : subject.charCodeAt(i);
    if (c === DOT) {
      const len = i - tokenStart;
      if (len === 0) return `token ${tokenIndex + 1} is empty`;
      const first = subject.charCodeAt(tokenStart);
      if (len === 1 && (first === STAR || first === GT)) {
        if (kind === "publish") return `wildcard "${subject[tokenStart]}" not allowed when publishing`;
        if (first === GT && i !== subject.length) return `">" must be the last token`;
      }
      tokenStart = i + 1;
      tokenIndex++;
      continue;
    }
    if (isSpaceOrControl(c)) return `contains ${describeChar(subject, i)} at index ${i}`;
    if ((c === STAR || c === GT) && !(i === tokenStart && (i + 1 === subject.length || subject.charCodeAt(i + 1) === DOT))) {
      return `"${subject[i]}" is only allowed as a whole token (index ${i})`;
    }
  }
  return undefined;
}

/** What is wrong with a single subject token (no dots, wildcards or white space), or `undefined`. */
export function tokenProblem(token: unknown): string | undefined {
  if (typeof token !== "string") return `must be a string, got ${typeof token}`;
  if (token.length === 0) return "is empty";
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === DOT) return `contains "." at index ${i}`;
    if (c === STAR || c === GT) return `contains wildcard "${token[i]}" at index ${i}`;
    if (isSpaceOrControl(c)) return `contains ${describeChar(token, i)} at index ${i}`;
  }
  return undefined;
}

/**
 * True when `s` from index `start` to its end is one valid subject token (what
 * {@link tokenProblem} accepts), without slicing it out.
 */
export function isTokenAt(s: string, start: number): boolean {
  if (start >= s.length) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT || c === STAR || c === GT || isSpaceOrControl(c)) return false;
  }
  return true;
}

/**
 * Checks literal (publish) subjects, remembering the prefix (through the last dot) of the last
 * one that passed: reply subjects of one caller differ only in their last token, which alone
 * is then checked. Same verdict as `subjectProblem(subject, "publish") === undefined`.
 */
export class LiteralSubjectCheck {
  #prefix = "";

  /** True when `subject` is a valid literal subject. */
  valid(subject: string): boolean {
    const dot = subject.lastIndexOf(".");
    if (dot > 0 && dot === this.#prefix.length - 1 && subject.startsWith(this.#prefix)) return isTokenAt(subject, dot + 1);
    if (subjectProblem(subject, "publish") !== undefined) return false;
    if (dot > 0) this.#prefix = subject.slice(0, dot + 1);
    return true;
  }
}

/** What is wrong with a queue group name (non-empty, no white space, no wildcards), or `undefined`. */
export function queueProblem(queue: unknown): string | undefined {
  if (typeof queue !== "string") return `must be a string, got ${typeof queue}`;
  if (queue.length === 0) return "is empty";
  for (let i = 0; i < queue.length; i++) {
    const c = queue.charCodeAt(i);
    if (c === STAR || c === GT) return `contains wildcard "${queue[i]}" at index ${i}`;
    if (isSpaceOrControl(c)) return `contains ${describeChar(queue, i)} at index ${i}`;
  }
  return undefined;
}

function invalid(what: string, value: unknown, problem: string): TransportError {
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  return new TransportError(TransportErrorCode.InvalidRequest, `invalid ${what} ${shown}: ${problem}`, {
    subject: typeof value === "string" ? value : undefined,
  });
}

/** Throws an `INVALID_REQUEST` {@link TransportError} naming the subject and its defect. */
export function assertSubject(subject: unknown, kind: SubjectKind, what = "subject"): asserts subject is string {
  const problem = subjectProblem(subject, kind);
  if (problem !== undefined) throw invalid(what, subject, problem);
}

/** Throws an `INVALID_REQUEST` {@link TransportError} unless `token` is one valid subject token. */
export function assertToken(token: unknown, what = "subject token"): asserts token is string {
  const problem = tokenProblem(token);
  if (problem !== undefined) throw invalid(what, token, problem);
}

/** Throws an `INVALID_REQUEST` {@link TransportError} unless `queue` is a valid queue group name. */
export function assertQueue(queue: unknown): asserts queue is string {
  const problem = queueProblem(queue);
  if (problem !== undefined) throw invalid("queue group", queue, problem);
}

/** True when `pattern` has a `*` or `>` token. Assumes a valid subject. */
export function hasWildcard(pattern: string): boolean {
  return pattern === "*" || pattern === ">" || pattern.startsWith("*.") || pattern.includes(".*.") || pattern.endsWith(".*") || pattern.endsWith(".>");
}

/** True when the literal `subject` matches the (possibly wildcard) `pattern`. Both assumed valid. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    const t = p[i];
    if (t === ">") return s.length > i;
    if (i >= s.length) return false;
    if (t !== "*" && t !== s[i]) return false;
  }
  return p.length === s.length;
}
