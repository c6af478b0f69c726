/**
 * The A2A scorecard: every feature of schema/a2a/features.json (through generated/a2a) with
 * pass / fail / not-supported and the checks (test ids) that prove it, rendered as JSON,
 * Markdown and a standalone HTML page. Deterministic: no timestamps, no timings, features in
 * catalogue order, checks in feature order, volatile bits (ports, UUIDs) masked in messages.
 */
import { A2A_FEATURES, A2A_FEATURES_VERSION, type A2aFeatureInfo } from "../../../generated/a2a/index.js";
import type { CheckResult } from "./index.js";
import type { TckScore } from "./tck/report.js";
import { tckHtml, tckMarkdown } from "./tck/render.js";

export type FeatureStatus = "pass" | "fail" | "not-supported";

export interface ScorecardFeature {
  readonly id: string;
  readonly title: string;
  readonly spec: string;
  readonly level: A2aFeatureInfo["level"];
  readonly status: FeatureStatus;
  /** Why it is not supported. */
  readonly reason?: string;
  readonly checks: readonly { readonly id: string; readonly test: string; readonly status: "pass" | "fail" | "missing"; readonly error?: string }[];
}

export interface Scorecard {
  readonly protocol: string;
  readonly produced_by: string;
  readonly summary: {
    readonly total: number;
    readonly pass: number;
    readonly fail: number;
    readonly not_supported: number;
    readonly must_total: number;
    readonly must_pass: number;
  };
  readonly features: readonly ScorecardFeature[];
  /** The official TCK's requirement ids, measured per binding (bin/a2a/conformance/tck). */
  readonly tck?: TckScore;
}

/** Where each check runs as a test. */
export const CHECK_TEST_FILE = "test/a2a/conformance.test.ts";

const mask = (s: string): string =>
  s.replace(/\b(127\.0\.0\.1|localhost|\[::1\]):\d+/g, "$1:PORT").replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "UUID");

/** The scorecard for check results (features from the generated feature list). */
export function buildScorecard(results: readonly CheckResult[], tck?: TckScore): Scorecard {
  const byId = new Map(results.map((r) => [r.id, r]));
  const features: ScorecardFeature[] = A2A_FEATURES.map((f) => {
    const base = { id: f.id, title: f.title, spec: f.spec, level: f.level };
    if (!f.supported) return { ...base, status: "not-supported" as const, reason: f.reason ?? "not implemented", checks: [] };
    const checks = f.checks.map((id) => {
      const r = byId.get(id);
      const test = `${CHECK_TEST_FILE} > A2A conformance > ${id}`;
      if (r === undefined) return { id, test, status: "missing" as const };
      return r.status === "pass" ? { id, test, status: "pass" as const } : { id, test, status: "fail" as const, error: mask(r.error ?? "failed") };
    });
    return { ...base, status: checks.every((c) => c.status === "pass") ? ("pass" as const) : ("fail" as const), checks };
  });
  const count = (s: FeatureStatus): number => features.filter((f) => f.status === s).length;
  const must = features.filter((f) => f.level === "MUST");
  return {
    protocol: `A2A ${A2A_FEATURES_VERSION}`,
    produced_by: "oaio scorecard (bin/a2a/conformance against a live server)",
    summary: {
      total: features.length,
      pass: count("pass"),
      fail: count("fail"),
      not_supported: count("not-supported"),
      must_total: must.length,
      must_pass: must.filter((f) => f.status === "pass").length,
    },
    features,
    ...(tck !== undefined ? { tck } : {}),
  };
}

export function renderJson(card: Scorecard): string {
  return `${JSON.stringify(card, null, 2)}\n`;
}

const icon: Record<FeatureStatus, string> = { pass: "pass", fail: "FAIL", "not-supported": "not supported" };
const mdCell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(card: Scorecard): string {
  const s = card.summary;
  const lines = [
    `# ${card.protocol} compatibility scorecard`,
    "",
    `Produced by ${card.produced_by}. Do not edit: run \`oaio scorecard\`.`,
    "",
    `**${s.pass} pass, ${s.fail} fail, ${s.not_supported} not supported** of ${s.total} features; MUST features: ${s.must_pass}/${s.must_total} pass.`,
    "",
    "| Feature | Level | Status | Proven by |",
    "|---|---|---|---|",
    ...card.features.map((f) => {
      const proof =
        f.status === "not-supported"
          ? mdCell(f.reason ?? "")
          : f.checks.map((c) => `\`${c.id}\`${c.status === "pass" ? "" : ` (${c.status}${c.error ? `: ${mdCell(c.error)}` : ""})`}`).join(", ");
      return `| ${mdCell(f.title)} (\`${f.id}\`, spec: ${mdCell(f.spec)}) | ${f.level} | ${icon[f.status]} | ${proof} |`;
    }),
    "",
    `Each check id is a test in \`${CHECK_TEST_FILE}\` (\`npx vitest run ${CHECK_TEST_FILE} -t <id>\`).`,
    "",
    ...(card.tck !== undefined ? tckMarkdown(card.tck) : []),
  ];
  return lines.join("\n");
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const CSS = [
  "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1f2328;background:#fff}",
  "h1{font-size:1.6rem;margin-bottom:.25rem}",
  "p.sub{color:#59636e;margin-top:0}",
  ".summary{display:flex;gap:1rem;margin:1.5rem 0;flex-wrap:wrap}",
  ".summary div{border:1px solid #d1d9e0;border-radius:.5rem;padding:.75rem 1rem;min-width:8rem}",
  ".summary b{display:block;font-size:1.5rem}",
  "table{border-collapse:collapse;width:100%}",
  "th,td{border-bottom:1px solid #d1d9e0;padding:.5rem;text-align:left;vertical-align:top}",
  "th{background:#f6f8fa}",
  "code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em}",
  ".st{font-weight:600;border-radius:1rem;padding:.1rem .6rem;white-space:nowrap}",
  ".pass{background:#dafbe1;color:#116329}",
  ".fail{background:#ffebe9;color:#a40e26}",
  ".not-supported{background:#eff2f5;color:#59636e}",
  "td.id{color:#59636e}",
  "ul{margin:0;padding-left:1.1rem}",
].join("\n");

export function renderHtml(card: Scorecard): string {
  const s = card.summary;
  const rows = card.features.map((f) => {
    const proof =
      f.status === "not-supported"
        ? `<span class="reason">${esc(f.reason ?? "")}</span>`
        : `<ul>${f.checks.map((c) => `<li><code>${esc(c.id)}</code>${c.status === "pass" ? "" : ` <span class="st fail">${esc(c.status)}</span>${c.error ? ` ${esc(c.error)}` : ""}`}</li>`).join("")}</ul>`;
    return `<tr><td>${esc(f.title)}<br><code class="id">${esc(f.id)}</code></td><td>${esc(f.spec)}</td><td>${f.level}</td><td><span class="st ${f.status}">${esc(icon[f.status])}</span></td><td>${proof}</td></tr>`;
  });
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(card.protocol)} compatibility scorecard</title>`,
    `<style>\n${CSS}\n</style>`,
    "</head>",
    "<body>",
    `<h1>${esc(card.protocol)} compatibility scorecard</h1>`,
    `<p class="sub">Produced by ${esc(card.produced_by)}. Each check id is a test in <code>${CHECK_TEST_FILE}</code>.</p>`,
    `<div class="summary"><div><b>${s.pass}</b>pass</div><div><b>${s.fail}</b>fail</div><div><b>${s.not_supported}</b>not supported</div><div><b>${s.must_pass}/${s.must_total}</b>MUST features pass</div></div>`,
    "<table>",
    "<thead><tr><th>Feature</th><th>Spec</th><th>Level</th><th>Status</th><th>Proven by</th></tr></thead>",
    "<tbody>",
    ...rows,
    "</tbody>",
    "</table>",
    ...(card.tck !== undefined ? tckHtml(card.tck, esc) : []),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
