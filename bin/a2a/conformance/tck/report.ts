/**
 * TCK results per requirement id and binding: counts per level (MUST/SHOULD/MAY) and binding,
 * a plain-text table for the terminal, and the deterministic form the scorecard keeps (ports,
 * UUIDs and timestamps masked). A level's figure is pass / measured, where measured = pass +
 * fail + blocked (a requirement that could not be measured is not a pass); not-applicable,
 * not-served and manual results are listed, never counted.
 */
import { LEVELS, loadTckRequirements, type Level, type TckRequirements } from "./requirements.js";
import type { TckResult, TckRun, TckStatus } from "./run.js";
import { BINDINGS, type Scope } from "./types.js";

export const SCOPES: readonly Scope[] = ["CARD", ...BINDINGS];

export interface TckTally {
  readonly pass: number;
  readonly fail: number;
  readonly blocked: number;
  readonly not_applicable: number;
  readonly not_served: number;
  readonly manual: number;
}

export type TckSummary = Record<Scope, Record<Level, TckTally>>;

export interface TckScoreRequirement {
  readonly id: string;
  readonly level: Level;
  readonly section: string;
  readonly title: string;
  readonly results: Partial<Record<Scope, { readonly status: TckStatus; readonly detail?: string }>>;
}

/** The TCK part of the scorecard. */
export interface TckScore {
  readonly source: string;
  readonly served: readonly Scope[];
  readonly summary: TckSummary;
  readonly requirements: readonly TckScoreRequirement[];
}

/** Masks what changes from run to run (ports, UUIDs, timestamps, the run token). */
export function maskDetail(s: string): string {
  return s
    .replace(/\b(127\.0\.0\.1|localhost|\[::1\]):\d+/g, "$1:PORT")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "UUID")
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, "TIMESTAMP")
    .replace(/-RUN-\d+/g, "-RUN-N");
}

const empty = (): TckTally => ({ pass: 0, fail: 0, blocked: 0, not_applicable: 0, not_served: 0, manual: 0 });
const key: Record<TckStatus, keyof TckTally> = {
  pass: "pass",
  fail: "fail",
  blocked: "blocked",
  "not-applicable": "not_applicable",
  "not-served": "not_served",
  manual: "manual",
};

/** Counts per binding and level. */
export function summarize(results: readonly TckResult[]): TckSummary {
  const out = Object.fromEntries(SCOPES.map((s) => [s, Object.fromEntries(LEVELS.map((l) => [l, empty()]))])) as Record<
    Scope,
    Record<Level, Record<keyof TckTally, number>>
  >;
  for (const r of results) out[r.scope][r.level][key[r.status]] += 1;
  return out;
}

export const measured = (t: TckTally): number => t.pass + t.fail + t.blocked;

/** "pass/measured", or what the binding is when nothing was measured. */
export function figure(t: TckTally): string {
  if (measured(t) > 0) return `${t.pass}/${measured(t)}`;
  if (t.not_served > 0) return "not served";
  return "-";
}

/** The scorecard's TCK part for a run. */
export function tckScore(run: TckRun, reqs: TckRequirements = loadTckRequirements()): TckScore {
  const byId = new Map<string, TckResult[]>();
  for (const r of run.results) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return {
    source: `${reqs.tck.repository} (branch ${reqs.tck.branch})`,
    served: ["CARD", ...BINDINGS.filter((b) => run.served[b] !== undefined)],
    summary: summarize(run.results),
    requirements: reqs.requirements.map((q) => ({
      id: q.id,
      level: q.level,
      section: q.section,
      title: q.title,
      results: Object.fromEntries(
        (byId.get(q.id) ?? []).map((r) => [
          r.scope,
          { status: r.status, ...(r.detail !== undefined && r.status !== "pass" ? { detail: maskDetail(r.detail).slice(0, 240) } : {}) },
        ]),
      ),
    })),
  };
}

/** The table `oaio scorecard --url` prints: figures per binding and level, then every failure. */
export function renderTckText(run: TckRun, reqs: TckRequirements = loadTckRequirements()): string {
  const s = summarize(run.results);
  const pad = (x: string, n: number): string => x.padEnd(n);
  const lines = [
    `A2A TCK requirements (${reqs.tck.repository}, ${reqs.tck.branch}) measured at ${run.url}`,
    `${pad("binding", 11)}${LEVELS.map((l) => pad(l, 12)).join("")}`,
    ...SCOPES.map((sc) => `${pad(sc, 11)}${LEVELS.map((l) => pad(figure(s[sc][l]), 12)).join("")}`),
    "(pass/measured; blocked = a precondition failed, counted as not passing)",
  ];
  const bad = run.results.filter((r) => r.status === "fail" || r.status === "blocked");
  if (bad.length > 0) lines.push("", ...bad.map((r) => `${r.status === "fail" ? "FAIL" : "BLOCKED"} ${r.scope} ${r.id} (${r.level}): ${r.detail ?? ""}`));
  return `${lines.join("\n")}\n`;
}

/** True when some MUST requirement failed or was blocked on a served binding. */
export function mustFailed(results: readonly TckResult[]): boolean {
  return results.some((r) => r.level === "MUST" && (r.status === "fail" || r.status === "blocked"));
}
