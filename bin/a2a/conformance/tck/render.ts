/** The TCK part of the scorecard as Markdown and HTML (one row per requirement id). */
import { LEVELS } from "./requirements.js";
import { figure, SCOPES, type TckScore, type TckScoreRequirement } from "./report.js";
import type { TckStatus } from "./run.js";

/** Where each requirement runs as a test against our server. */
export const TCK_TEST_FILE = "test/a2a/tck-server.test.ts";

const label: Record<TckStatus, string> = {
  pass: "pass",
  fail: "FAIL",
  blocked: "blocked",
  "not-applicable": "n/a",
  "not-served": "not served",
  manual: "manual",
};

const mdCell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function cell(r: TckScoreRequirement, scope: (typeof SCOPES)[number]): { status?: TckStatus; text: string } {
  const x = r.results[scope];
  if (x === undefined) return { text: "" };
  return { status: x.status, text: label[x.status] };
}

export function tckMarkdown(t: TckScore): string[] {
  const problems = t.requirements.flatMap((r) =>
    SCOPES.flatMap((s) => {
      const x = r.results[s];
      return x !== undefined && (x.status === "fail" || x.status === "blocked") ? [`- \`${r.id}\` ${s} (${x.status}): ${mdCell(x.detail ?? "")}`] : [];
    }),
  );
  return [
    "## Official A2A TCK requirements",
    "",
    `Every requirement id of ${t.source}, checked per binding by \`bin/a2a/conformance/tck\` against the live server (\`${TCK_TEST_FILE}\` runs each as a test named by its id). Figures are pass / measured (measured = pass + fail + blocked); n/a, not served and manual are not counted.`,
    "",
    `| Binding | ${LEVELS.join(" | ")} |`,
    `|---|${LEVELS.map(() => "---").join("|")}|`,
    ...SCOPES.map((s) => `| ${s} | ${LEVELS.map((l) => figure(t.summary[s][l])).join(" | ")} |`),
    "",
    ...(problems.length > 0 ? ["Failing or blocked:", "", ...problems, ""] : []),
    `| Requirement | Level | Section | ${SCOPES.join(" | ")} |`,
    `|---|---|---|${SCOPES.map(() => "---").join("|")}|`,
    ...t.requirements.map((r) => `| \`${r.id}\` ${mdCell(r.title)} | ${r.level} | ${r.section} | ${SCOPES.map((s) => cell(r, s).text).join(" | ")} |`),
    "",
  ];
}

export function tckHtml(t: TckScore, esc: (s: string) => string): string[] {
  const statusClass = (s: TckStatus | undefined): string => (s === "pass" ? "pass" : s === "fail" || s === "blocked" ? "fail" : "not-supported");
  return [
    "<h2>Official A2A TCK requirements</h2>",
    `<p class="sub">Every requirement id of ${esc(t.source)}, per binding; figures are pass / measured. Each id is a test in <code>${TCK_TEST_FILE}</code>.</p>`,
    "<table>",
    `<thead><tr><th>Binding</th>${LEVELS.map((l) => `<th>${l}</th>`).join("")}</tr></thead>`,
    "<tbody>",
    ...SCOPES.map((s) => `<tr><td>${s}</td>${LEVELS.map((l) => `<td>${esc(figure(t.summary[s][l]))}</td>`).join("")}</tr>`),
    "</tbody>",
    "</table>",
    "<table>",
    `<thead><tr><th>Requirement</th><th>Level</th><th>Section</th>${SCOPES.map((s) => `<th>${esc(s)}</th>`).join("")}</tr></thead>`,
    "<tbody>",
    ...t.requirements.map(
      (r) =>
        `<tr><td><code>${esc(r.id)}</code> ${esc(r.title)}</td><td>${r.level}</td><td>${esc(r.section)}</td>${SCOPES.map((s) => {
          const c = cell(r, s);
          const detail = r.results[s]?.detail;
          return `<td>${c.status ? `<span class="st ${statusClass(c.status)}"${detail ? ` title="${esc(detail)}"` : ""}>${esc(c.text)}</span>` : ""}</td>`;
        }).join("")}</tr>`,
    ),
    "</tbody>",
    "</table>",
  ];
}
