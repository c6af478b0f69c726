/**
 * Known interop defects the matrix found, each with the cells it breaks (`scenario|peer|peer…`).
 * matrix.test.ts runs those cells as `it.fails`: a fix makes the cell fail until its entry goes.
 * Each description says what was sent on which subject and field, by whom, and what is expected.
 */

/** A defect and the cells it breaks. */
interface Defect {
  readonly id: string;
  readonly what: string;
  readonly cells: readonly string[];
}

/**
 * Empty: the defects the matrix found are fixed — the Python runtime's v1 error codes (D1, D2),
 * Kotlin's concurrent flush (K1) and Kotlin's v1 error codes both ways (K2, K3).
 */
const DEFECTS: readonly Defect[] = [];

/** `scenario|peer…` → "<id>: <what>", for every cell a known defect breaks. */
export const KNOWN_DEFECTS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(DEFECTS.flatMap((d) => d.cells.map((cell) => [cell, `${d.id}: ${d.what}`]))),
);
