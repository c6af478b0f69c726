/**
 * Problems found in agent contracts: each names the file, the JSON pointer (RFC 6901) of the
 * defect inside it, what is wrong and how to fix it. Loading reports every problem, not just
 * the first.
 */

/** One defect in one contract file. */
export interface ContractProblem {
  /** The contract file as the loader was given it (dir joined with the file name). */
  readonly file: string;
  /** RFC 6901 pointer of the defect in that file ("" = the whole document). */
  readonly pointer: string;
  /** What is wrong. */
  readonly message: string;
  /** What to change to fix it. */
  readonly fix: string;
}

/** Renders one problem as `file#/pointer: message` plus an indented `fix:` line. */
export function formatProblem(p: ContractProblem): string {
  return `${p.file}${p.pointer === "" ? "" : `#${p.pointer}`}: ${p.message}\n    fix: ${p.fix}`;
}

/** Thrown by the contract loader; {@link problems} lists every defect found. */
export class ContractLoadError extends Error {
  /** Catalogue code: a bad contract is an invalid request to the generator. */
  readonly code = "INVALID_REQUEST" as const;
  readonly problems: readonly ContractProblem[];

  constructor(problems: readonly ContractProblem[]) {
    super(`${problems.length} problem(s) in agent contracts:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
    this.name = "ContractLoadError";
    this.problems = problems;
  }
}

/** Escapes one reference token of a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Joins a base pointer and tokens. */
export function pointerJoin(base: string, ...tokens: readonly (string | number)[]): string {
  return base + tokens.map((t) => `/${pointerToken(t)}`).join("");
}
