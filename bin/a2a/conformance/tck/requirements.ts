/** The TCK requirement list (schema/a2a/tck-requirements.json), loaded from the package root. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../../../generator/paths.js";
import type { Scope } from "./types.js";

export type Level = "MUST" | "SHOULD" | "MAY";
export const LEVELS: readonly Level[] = ["MUST", "SHOULD", "MAY"];

export interface TckRequirement {
  readonly id: string;
  readonly level: Level;
  readonly section: string;
  readonly title: string;
  readonly operation?: string;
  readonly bindings: readonly Scope[];
  readonly checks: string;
  readonly source: string;
  /** Why no automated check exists (reported as manual, not counted). */
  readonly manual?: string;
}

export interface TckRequirements {
  readonly tck: { readonly repository: string; readonly branch: string };
  readonly requirements: readonly TckRequirement[];
}

export const TCK_REQUIREMENTS_FILE = "schema/a2a/tck-requirements.json";

/** Reads the requirement list (shape checked by test/a2a/tck-requirements.test.ts). */
export function loadTckRequirements(): TckRequirements {
  return JSON.parse(readFileSync(join(packageRoot(), TCK_REQUIREMENTS_FILE), "utf8")) as TckRequirements;
}
