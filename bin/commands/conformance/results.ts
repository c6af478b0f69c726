/**
 * The result format every language's golden-corpus runner writes (TypeScript in-process,
 * Python through pytest, Kotlin through JUnit), and its validation when read back.
 */

/** The corpus sections a case can come from. */
export const CASE_KINDS = ["valid", "invalid", "stream", "v1"] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** One golden case as one language ran it. `id` is `<section>/<file name without .json>`. */
export interface CaseResult {
  readonly id: string;
  readonly kind: CaseKind;
  readonly ok: boolean;
  /** What went wrong (or what was checked), one line. */
  readonly detail?: string;
}

/** One language's run over the corpus. */
export interface LanguageResult {
  readonly language: string;
  readonly passed: number;
  readonly failed: number;
  readonly cases: readonly CaseResult[];
  /** Set when the runner could not run at all (toolchain missing, build failure). */
  readonly error?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks a parsed results file; throws an Error naming the first bad field. */
export function parseLanguageResult(value: unknown, source: string): LanguageResult {
  if (!isRecord(value)) throw new Error(`${source}: expected a JSON object`);
  const { language, cases } = value;
  if (typeof language !== "string" || language === "") throw new Error(`${source}: /language must be a non-empty string`);
  if (!Array.isArray(cases)) throw new Error(`${source}: /cases must be an array`);
  const parsed: CaseResult[] = cases.map((c: unknown, i) => {
    if (!isRecord(c)) throw new Error(`${source}: /cases/${i} must be an object`);
    if (typeof c.id !== "string") throw new Error(`${source}: /cases/${i}/id must be a string`);
    if (typeof c.kind !== "string" || !(CASE_KINDS as readonly string[]).includes(c.kind)) {
      throw new Error(`${source}: /cases/${i}/kind must be one of ${CASE_KINDS.join(", ")}`);
    }
    if (typeof c.ok !== "boolean") throw new Error(`${source}: /cases/${i}/ok must be a boolean`);
    const detail = typeof c.detail === "string" && c.detail !== "" ? c.detail : undefined;
    return { id: c.id, kind: c.kind as CaseKind, ok: c.ok, ...(detail === undefined ? {} : { detail }) };
  });
  return summarize(language, parsed);
}

/** Builds a LanguageResult with counts derived from the cases (never trusted from the runner). */
export function summarize(language: string, cases: readonly CaseResult[], error?: string): LanguageResult {
  const sorted = [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const passed = sorted.filter((c) => c.ok).length;
  return { language, passed, failed: sorted.length - passed, cases: sorted, ...(error === undefined ? {} : { error }) };
}
