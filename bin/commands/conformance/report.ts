/**
 * Renders generated/scorecard/conformance.{json,md} from the runners' results. Output is
 * deterministic (sorted, no timestamps or timings) so an unchanged result gives unchanged files.
 */
import type { CorpusCase } from "./corpus.js";
import type { LanguageResult } from "./results.js";

/** One row of the cross-language matrix. */
export interface MatrixRow {
  readonly id: string;
  readonly kind: string;
  /** language → "pass" | "fail" | "missing" */
  readonly results: Readonly<Record<string, "pass" | "fail" | "missing">>;
  readonly details: Readonly<Record<string, string>>;
}

/** The whole report as data (what conformance.json holds). */
export interface ConformanceReport {
  readonly corpus: { readonly cases: number; readonly byKind: Readonly<Record<string, number>> };
  readonly languages: readonly {
    readonly language: string;
    readonly passed: number;
    readonly failed: number;
    readonly missing: number;
    readonly error?: string;
  }[];
  /** True when every language passed every corpus case. */
  readonly allAgree: boolean;
  readonly rows: readonly MatrixRow[];
}

/** Joins the corpus with each language's results; a case a runner did not report is "missing". */
export function buildReport(corpus: readonly CorpusCase[], results: readonly LanguageResult[]): ConformanceReport {
  const byKind: Record<string, number> = {};
  for (const c of corpus) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const lookup = results.map((r) => ({ r, cases: new Map(r.cases.map((c) => [c.id, c])) }));
  const rows: MatrixRow[] = corpus.map((c) => {
    const res: Record<string, "pass" | "fail" | "missing"> = {};
    const details: Record<string, string> = {};
    for (const { r, cases } of lookup) {
      const got = cases.get(c.id);
      res[r.language] = got === undefined ? "missing" : got.ok ? "pass" : "fail";
      if (got !== undefined && !got.ok && got.detail !== undefined) details[r.language] = got.detail;
    }
    return { id: c.id, kind: c.kind, results: res, details };
  });
  const languages = lookup.map(({ r }) => {
    const missing = rows.filter((row) => row.results[r.language] === "missing").length;
    const passed = rows.filter((row) => row.results[r.language] === "pass").length;
    const failed = rows.filter((row) => row.results[r.language] === "fail").length;
    return { language: r.language, passed, failed, missing, ...(r.error === undefined ? {} : { error: r.error }) };
  });
  const allAgree = corpus.length > 0 && languages.every((l) => l.failed === 0 && l.missing === 0 && l.error === undefined);
  return { corpus: { cases: corpus.length, byKind }, languages, allAgree, rows };
}

function cell(value: string): string {
  return value.replace(/\|/gu, "\\|").replace(/\n/gu, " ");
}

/** conformance.md: summary per language, then every case that is not a pass everywhere, then the full matrix. */
export function renderMarkdown(report: ConformanceReport): string {
  const langs = report.languages.map((l) => l.language);
  const out: string[] = [
    "<!-- Written by `oaio conformance` from the runners' results. Do not edit. -->",
    "# Cross-language conformance",
    "",
    `Golden corpus: ${report.corpus.cases} cases (${Object.entries(report.corpus.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}).`,
    `Verdict: ${report.allAgree ? "**every language agrees on every case**" : "**languages disagree or fail** (see below)"}.`,
    "",
    "| language | passed | failed | missing | runner error |",
    "|---|---:|---:|---:|---|",
    ...report.languages.map((l) => `| ${l.language} | ${l.passed} | ${l.failed} | ${l.missing} | ${cell(l.error ?? "")} |`),
    "",
  ];
  const problems = report.rows.filter((r) => langs.some((l) => r.results[l] !== "pass"));
  out.push("## Cases not passing everywhere", "");
  if (problems.length === 0) out.push("None.", "");
  else {
    out.push(`| case | ${langs.join(" | ")} | detail |`, `|---|${langs.map(() => "---").join("|")}|---|`);
    for (const r of problems) {
      const detail = Object.entries(r.details)
        .map(([l, d]) => `${l}: ${d}`)
        .join("; ");
      out.push(`| ${cell(r.id)} | ${langs.map((l) => r.results[l] ?? "missing").join(" | ")} | ${cell(detail)} |`);
    }
    out.push("");
  }
  out.push("## Every case", "", `| case | ${langs.join(" | ")} |`, `|---|${langs.map(() => ":-:").join("|")}|`);
  for (const r of report.rows)
    out.push(`| ${cell(r.id)} | ${langs.map((l) => (r.results[l] === "pass" ? "pass" : (r.results[l] ?? "missing"))).join(" | ")} |`);
  out.push("");
  return out.join("\n");
}

/** conformance.json: the report, pretty-printed with a trailing newline. */
export function renderJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
