/**
 * The matrix summary: every cell's status (pass, fail, unsupported, partial, defect) with its
 * reason, written as Markdown and JSON to a directory and returned as text.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type CellStatus = "pass" | "fail" | "unsupported" | "partial" | "defect";

export interface Cell {
  /** Scenario name. */
  readonly scenario: string;
  /** Peers in order: client, server (pairs); A, B, C (chain); client (client-only scenarios). */
  readonly peers: readonly string[];
  readonly status: CellStatus;
  readonly reason?: string;
}

export interface Summary {
  record(cell: Cell): void;
  readonly cells: readonly Cell[];
  /** Writes matrix-summary.md and matrix-summary.json under `dir`; returns the Markdown. */
  write(dir: string, peers: readonly { name: string; label: string }[]): string;
}

const MARK: Record<CellStatus, string> = { pass: "pass", fail: "FAIL", unsupported: "unsup", partial: "partial", defect: "DEFECT" };

export function createSummary(): Summary {
  const cells: Cell[] = [];
  return {
    cells,
    record(cell) {
      cells.push(cell);
    },
    write(dir, peers) {
      const notes: string[] = [];
      const note = (c: Cell): string => {
        if (c.reason === undefined) return MARK[c.status];
        let i = notes.indexOf(c.reason);
        if (i < 0) i = notes.push(c.reason) - 1;
        return `${MARK[c.status]} [${i + 1}]`;
      };
      const byShape = (n: number): Cell[] => cells.filter((c) => c.peers.length === n);
      const table = (rows: Cell[], head: string): string[] => {
        if (rows.length === 0) return [];
        const scenarios = [...new Set(rows.map((c) => c.scenario))];
        const keys = [...new Set(rows.map((c) => c.peers.join(" → ")))];
        const lines = [`| ${head} | ${scenarios.join(" | ")} |`, `|${" --- |".repeat(scenarios.length + 1)}`];
        for (const k of keys) {
          const row = scenarios.map((s) => {
            const c = rows.find((x) => x.scenario === s && x.peers.join(" → ") === k);
            return c === undefined ? "-" : note(c);
          });
          lines.push(`| ${k} | ${row.join(" | ")} |`);
        }
        return lines;
      };
      /** Three-peer cells as rows "A → B" by columns C. */
      const chains = (rows: Cell[]): string[] => {
        if (rows.length === 0) return [];
        const scenario = rows[0]!.scenario;
        const present = new Set(rows.map((c) => c.peers[2]!));
        const cs = peers.map((p) => p.name).filter((n) => present.has(n));
        const abs = [...new Set(rows.map((c) => `${c.peers[0]!} → ${c.peers[1]!}`))];
        const lines = [`| ${scenario}: A → B, then C = | ${cs.join(" | ")} |`, `|${" --- |".repeat(cs.length + 1)}`];
        for (const ab of abs) {
          const row = cs.map((c) => {
            const found = rows.find((x) => `${x.peers[0]!} → ${x.peers[1]!}` === ab && x.peers[2] === c);
            return found === undefined ? "-" : note(found);
          });
          lines.push(`| ${ab} | ${row.join(" | ")} |`);
        }
        return lines;
      };
      const counts = Object.fromEntries((Object.keys(MARK) as CellStatus[]).map((s) => [s, cells.filter((c) => c.status === s).length]));
      const md = [
        "# Cross-language matrix",
        "",
        `Peers: ${peers.map((p) => `\`${p.name}\` ${p.label}`).join("; ")}`,
        "",
        `Cells: ${cells.length} — ${Object.entries(counts)
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")}`,
        "",
        ...table(byShape(2), "client → server"),
        "",
        ...table(byShape(1), "client"),
        "",
        ...[...new Set(byShape(3).map((c) => c.scenario))].flatMap((s) => [...chains(byShape(3).filter((c) => c.scenario === s)), ""]),
        "",
        ...notes.map((n, i) => `[${i + 1}] ${n}`),
        "",
      ].join("\n");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "matrix-summary.md"), md);
      writeFileSync(join(dir, "matrix-summary.json"), `${JSON.stringify({ peers, cells }, null, 2)}\n`);
      return md;
    },
  };
}
