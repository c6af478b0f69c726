/**
 * Loads a folder of agent contracts (`*.agent.json`) into the {@link ContractIr}: parse,
 * check the shape against schema/agent-contract.schema.json, check the embedded schemas and
 * the cross-references (names, targets, events), fill in defaults. Every problem names the
 * file, the JSON pointer and the fix; all of them are reported at once in a
 * {@link ContractLoadError}.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.js";
import { ContractLoadError, type ContractProblem } from "./errors.js";
import { compileShapeCheck, type ShapeCheck } from "./shape.js";
import { createSchemaChecker } from "./schemas.js";
import { checkContract } from "./semantics.js";
import type { AgentContractIr, ContractIr, Json, JsonSchema, StandardEvent } from "./types.js";
import { isObject } from "../ir/types.js";

/** Options of {@link loadContracts}. */
export interface LoadContractsOptions {
  /** The standard event types (schema/catalog/event-types.json, via the schema IR). */
  readonly standardEvents: readonly StandardEvent[];
  /** The parsed contract schema. Default: the package's schema/agent-contract.schema.json. */
  readonly contractSchema?: JsonSchema;
}

/** File name suffix of a contract. */
export const CONTRACT_SUFFIX = ".agent.json";

/** Reads the package's schema/agent-contract.schema.json. */
export function readContractSchema(): JsonSchema {
  return JSON.parse(readFileSync(join(packageRoot(), "schema", "agent-contract.schema.json"), "utf8")) as JsonSchema;
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

function parse(file: string, text: string, problems: ContractProblem[]): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch (err: unknown) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos?.[1] !== undefined ? ` at ${lineColumn(text, Number(pos[1]))}` : "";
    problems.push({
      file,
      pointer: "",
      message: `not valid JSON${where}: ${msg}`,
      fix: `correct the JSON syntax${where} (a missing comma or quote, or a trailing comma?)`,
    });
    return undefined;
  }
}

function listContracts(dir: string, problems: ContractProblem[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(CONTRACT_SUFFIX))
      .map((e) => e.name);
  } catch (err: unknown) {
    problems.push({
      file: dir,
      pointer: "",
      message: `cannot read the contracts folder: ${(err as Error).message}`,
      fix: "pass --contracts a folder holding <agent>.agent.json files",
    });
    return [];
  }
  if (names.length === 0) {
    problems.push({
      file: dir,
      pointer: "",
      message: `no *${CONTRACT_SUFFIX} files`,
      fix: "put one contract per agent in it, named <agent>.agent.json (see spec/agent-contract.md)",
    });
  }
  return names.sort();
}

function crossCheck(loaded: readonly { path: string; ir: AgentContractIr }[], problems: ContractProblem[]): void {
  const names = new Map<string, string>();
  const targets = new Map<string, string>();
  for (const { path, ir } of loaded) {
    const first = names.get(ir.name);
    if (first !== undefined) {
      problems.push({
        file: path,
        pointer: "/name",
        message: `agent name "${ir.name}" is also used by ${first}`,
        fix: "give every contract a distinct name (it names the generated files and types)",
      });
      continue; // its default targets collide too: one report is enough
    }
    names.set(ir.name, path);
    ir.skills.forEach((s, i) => {
      const where = `${path}#/skills/${i}`;
      const owner = targets.get(s.target);
      if (owner !== undefined && !owner.startsWith(`${path}#`)) {
        const key = s.target === `${ir.name}:${s.id}` ? "id" : "target";
        problems.push({
          file: path,
          pointer: `/skills/${i}/${key}`,
          message: `target "${s.target}" is also served by ${owner}`,
          fix: 'set a distinct "target" (or leave it out to use "{agent}:{skill}")',
        });
      } else if (owner === undefined) targets.set(s.target, where);
    });
  }
}

/** True when `doc` has the skeleton {@link checkContract} walks (names, skill ids and schemas, event lists), even if its shape check failed. */
function checkable(doc: Json): boolean {
  const schema = (v: Json | undefined): boolean => typeof v === "boolean" || isObject(v);
  const list = (v: Json | undefined, key: string): boolean =>
    v === undefined || (Array.isArray(v) && v.every((e) => isObject(e) && typeof e[key] === "string" && (e["payload"] === undefined || schema(e["payload"]))));
  if (!isObject(doc) || typeof doc["name"] !== "string" || !Array.isArray(doc["skills"])) return false;
  if (doc["$defs"] !== undefined && !isObject(doc["$defs"])) return false;
  const events = doc["events"];
  if (events !== undefined && (!isObject(events) || !list(events["publishes"], "type") || !list(events["subscribes"], "type"))) return false;
  return doc["skills"].every(
    (s) =>
      isObject(s) &&
      typeof s["id"] === "string" &&
      schema(s["input"]) &&
      schema(s["output"]) &&
      (s["delta"] === undefined || schema(s["delta"])) &&
      (s["target"] === undefined || typeof s["target"] === "string"),
  );
}

/**
 * Loads every `*.agent.json` directly in `dir` (not in subfolders), sorted by agent name.
 * Problem file names are `dir` joined with the file name, as given.
 * @throws ContractLoadError listing every problem found.
 */
export function loadContracts(dir: string, opts: LoadContractsOptions): ContractIr {
  const problems: ContractProblem[] = [];
  const shapeCheck: ShapeCheck = compileShapeCheck(opts.contractSchema ?? readContractSchema());
  const schemaCheck = createSchemaChecker();
  const loaded: { path: string; ir: AgentContractIr }[] = [];
  for (const name of listContracts(dir, problems)) {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err: unknown) {
      problems.push({ file: path, pointer: "", message: `cannot read: ${(err as Error).message}`, fix: "make the file readable" });
      continue;
    }
    const doc = parse(path, text, problems);
    if (doc === undefined) continue;
    // One pass: the shape problems, then (when the skeleton the checks walk is there) the
    // semantic ones, then the cross-file ones over every contract with a name and skills.
    problems.push(...shapeCheck(path, doc));
    if (!checkable(doc)) continue;
    const result = checkContract({ path, file: name, doc, standardEvents: opts.standardEvents, schemaCheck });
    problems.push(...result.problems);
    loaded.push({ path, ir: result.ir });
  }
  crossCheck(loaded, problems);
  if (problems.length > 0) throw new ContractLoadError(problems);
  const contracts = loaded.map((l) => l.ir).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { contracts };
}
