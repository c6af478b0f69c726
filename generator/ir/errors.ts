/** A problem found while loading schema/ into the IR: which file, where, and what is wrong. */
export interface IrProblem {
  readonly file: string;
  readonly pointer: string;
  readonly message: string;
}

/** Thrown when schema/ cannot be loaded; lists every problem found, not just the first. */
export class SchemaLoadError extends Error {
  readonly code = "INVALID_REQUEST" as const;
  readonly problems: readonly IrProblem[];

  constructor(problems: readonly IrProblem[]) {
    super(`schema/ has ${problems.length} problem(s):\n${problems.map((p) => `  ${p.file}${p.pointer ? `#${p.pointer}` : ""}: ${p.message}`).join("\n")}`);
    this.name = "SchemaLoadError";
    this.problems = problems;
  }
}
