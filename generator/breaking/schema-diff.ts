/**
 * Compares two JSON Schemas (draft 2020-12) at the same place and lists the changes that make
 * the new one accept less than the old one, or read differently: pure, no I/O.
 */
import type { BreakingChange, BreakingRule } from "./rules.js";

/** Any parsed JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: Json | undefined): string => (v === undefined ? "none" : JSON.stringify(v));
const esc = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** Where a comparison reports to. */
export interface DiffSink {
  readonly file: string;
  readonly out: BreakingChange[];
}

function report(sink: DiffSink, rule: BreakingRule, pointer: string, message: string): void {
  sink.out.push({ rule, file: sink.file, pointer, message });
}

/** JSON types a schema admits, or undefined for "any" (no `type` keyword). `integer` is a subset of `number`. */
function typesOf(s: Obj): Set<string> | undefined {
  const t = s["type"];
  if (typeof t === "string") return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === "string"));
  return undefined;
}

function admits(types: Set<string>, t: string): boolean {
  return types.has(t) || (t === "integer" && types.has("number"));
}

const LOWER_BOUNDS = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"] as const;
const UPPER_BOUNDS = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"] as const;

function compareBounds(sink: DiffSink, at: string, b: Obj, a: Obj): void {
  for (const k of LOWER_BOUNDS) {
    const was = b[k];
    const now = a[k];
    if (typeof now === "number" && (typeof was !== "number" || now > was)) report(sink, "bounds-tightened", `${at}/${k}`, `${k} ${show(was)} -> ${show(now)}`);
  }
  for (const k of UPPER_BOUNDS) {
    const was = b[k];
    const now = a[k];
    if (typeof now === "number" && (typeof was !== "number" || now < was)) report(sink, "bounds-tightened", `${at}/${k}`, `${k} ${show(was)} -> ${show(now)}`);
  }
  const wasM = b["multipleOf"];
  const nowM = a["multipleOf"];
  if (typeof nowM === "number" && (typeof wasM !== "number" || !Number.isInteger(wasM / nowM)))
    report(sink, "bounds-tightened", `${at}/multipleOf`, `multipleOf ${show(wasM)} -> ${show(nowM)}`);
  for (const k of ["pattern", "format"] as const) {
    if (a[k] !== undefined && a[k] !== b[k]) report(sink, "bounds-tightened", `${at}/${k}`, `${k} ${show(b[k])} -> ${show(a[k])}`);
  }
  if (a["uniqueItems"] === true && b["uniqueItems"] !== true) report(sink, "bounds-tightened", `${at}/uniqueItems`, "uniqueItems added");
}

function compareValues(sink: DiffSink, at: string, b: Obj, a: Obj): void {
  if (a["const"] !== undefined && JSON.stringify(a["const"]) !== JSON.stringify(b["const"])) {
    report(sink, "const-changed", `${at}/const`, `const ${show(b["const"])} -> ${show(a["const"])}`);
  }
  const now = a["enum"];
  if (Array.isArray(now)) {
    const was = b["enum"];
    if (!Array.isArray(was)) {
      if (b["const"] === undefined) report(sink, "enum-value-removed", `${at}/enum`, `enum ${show(now)} added where any value was allowed`);
    } else {
      const keep = new Set(now.map((v) => JSON.stringify(v)));
      for (const v of was) if (!keep.has(JSON.stringify(v))) report(sink, "enum-value-removed", `${at}/enum`, `enum value ${show(v)} removed`);
    }
  }
}

function compareTypes(sink: DiffSink, at: string, b: Obj, a: Obj): void {
  const was = typesOf(b);
  const now = typesOf(a);
  if (now === undefined) return;
  if (was === undefined) {
    report(sink, "type-narrowed", `${at}/type`, `type ${show(a["type"])} added where any type was allowed`);
    return;
  }
  for (const t of was) {
    if (admits(now, t)) continue;
    report(
      sink,
      "type-narrowed",
      `${at}/type`,
      t === "number" && now.has("integer") ? "type number -> integer" : `type ${t} no longer accepted (${show(b["type"])} -> ${show(a["type"])})`,
    );
  }
}

function compareObject(sink: DiffSink, at: string, b: Obj, a: Obj): void {
  const bp = isObj(b["properties"]) ? b["properties"] : {};
  const ap = isObj(a["properties"]) ? a["properties"] : {};
  for (const key of Object.keys(bp)) {
    if (!(key in ap)) report(sink, "field-removed", `${at}/properties/${esc(key)}`, `property "${key}" removed`);
    else compareSchema(sink, `${at}/properties/${esc(key)}`, bp[key], ap[key]);
  }
  const wasReq = new Set(Array.isArray(b["required"]) ? b["required"].filter((x): x is string => typeof x === "string") : []);
  const nowReq = Array.isArray(a["required"]) ? a["required"].filter((x): x is string => typeof x === "string") : [];
  for (const key of nowReq) {
    if (!wasReq.has(key)) report(sink, "field-required", `${at}/required`, key in bp ? `property "${key}" is now required` : `new required property "${key}"`);
  }
  const wasAp = b["additionalProperties"];
  const nowAp = a["additionalProperties"];
  const wasOpen = wasAp === undefined || wasAp === true;
  if (wasOpen && nowAp !== undefined && nowAp !== true)
    report(sink, "properties-closed", `${at}/additionalProperties`, `additionalProperties ${show(wasAp)} -> ${show(nowAp)}`);
  else if (isObj(wasAp) || wasAp === false) compareSchema(sink, `${at}/additionalProperties`, wasAp, nowAp ?? true);
}

function compareLists(sink: DiffSink, at: string, b: Obj, a: Obj): void {
  for (const k of ["allOf", "anyOf", "oneOf", "prefixItems"] as const) {
    const was = b[k];
    const now = a[k];
    if (!Array.isArray(was)) {
      if (Array.isArray(now) && k !== "prefixItems" && k !== "allOf") report(sink, "type-narrowed", `${at}/${k}`, `${k} added`);
      if (Array.isArray(now) && k === "allOf")
        now.forEach((s, i) => {
          compareSchema(sink, `${at}/${k}/${i}`, true, s);
        });
      continue;
    }
    const after = Array.isArray(now) ? now : [];
    if ((k === "anyOf" || k === "oneOf") && after.length < was.length) {
      report(sink, "type-narrowed", `${at}/${k}`, `${k} has ${after.length} branch(es), had ${was.length}`);
    }
    was.forEach((s, i) => {
      if (i < after.length) compareSchema(sink, `${at}/${k}/${i}`, s, after[i]);
    });
    if (k === "allOf")
      after.slice(was.length).forEach((s, i) => {
        compareSchema(sink, `${at}/${k}/${was.length + i}`, true, s);
      });
  }
  for (const k of ["items", "contains", "propertyNames", "then", "else"] as const) {
    if (b[k] !== undefined || a[k] !== undefined) compareSchema(sink, `${at}/${k}`, b[k] ?? true, a[k] ?? true);
  }
  compareNegations(sink, at, b, a);
  for (const k of ["$defs", "definitions", "patternProperties", "dependentSchemas"] as const) {
    const was = b[k];
    const now = a[k];
    if (!isObj(was)) continue;
    const after = isObj(now) ? now : {};
    for (const name of Object.keys(was)) {
      if (!(name in after)) report(sink, k === "patternProperties" ? "field-removed" : "schema-removed", `${at}/${k}/${esc(name)}`, `${k} "${name}" removed`);
      else compareSchema(sink, `${at}/${k}/${esc(name)}`, was[name], after[name]);
    }
  }
}

/** True when `narrower` accepts less than `wider` somewhere (compareSchema finds a change). */
function acceptsLess(wider: Json, narrower: Json): boolean {
  const probe: DiffSink = { file: "", out: [] };
  compareSchema(probe, "", wider, narrower);
  return probe.out.length > 0;
}

/**
 * `not` and `if`, where the direction flips: a `not` that matches more (added, or widened)
 * refuses more; an `if` that matches more applies its `then` to more values (and its `else` to
 * fewer, so with an `else` any change of `if` counts). A narrower `if` without `else`, or a
 * removed `not`, accepts more: not a break.
 */
function compareNegations(sink: DiffSink, at: string, b: Obj, a: Obj): void {
  const wasNot = b["not"];
  const nowNot = a["not"];
  if (nowNot !== undefined && (wasNot === undefined || acceptsLess(nowNot, wasNot))) {
    report(sink, "type-narrowed", `${at}/not`, wasNot === undefined ? "not added" : "not matches more values");
  }
  const wasIf = b["if"];
  const nowIf = a["if"];
  if ((wasIf === undefined && nowIf === undefined) || JSON.stringify(wasIf) === JSON.stringify(nowIf)) return;
  const widened = nowIf === undefined || (wasIf !== undefined && acceptsLess(nowIf, wasIf));
  const narrowed = wasIf === undefined || (nowIf !== undefined && acceptsLess(wasIf, nowIf));
  const hasElse = b["else"] !== undefined || a["else"] !== undefined;
  if (widened || (hasElse && narrowed))
    report(sink, "type-narrowed", `${at}/if`, widened ? "if matches more values (its then applies to more)" : "if changed (its else applies to more)");
}

/**
 * Compares schema `before` with `after` at pointer `at` and appends each breaking change to
 * `sink.out`. `undefined` stands for an absent subschema (accepts everything).
 */
export function compareSchema(sink: DiffSink, at: string, before: Json | undefined, after: Json | undefined): void {
  const b: Json = before ?? true;
  const a: Json = after ?? true;
  if (a === true) return; // accepts everything: nothing narrower
  if (b === false) return; // accepted nothing before
  if (a === false) {
    report(sink, "type-narrowed", at, "the schema now refuses every value");
    return;
  }
  if (!isObj(a)) return;
  const bo: Obj = isObj(b) ? b : {};
  if (typeof a["$ref"] === "string" && a["$ref"] !== bo["$ref"]) {
    // another schema: what it accepts is not compared here (the target is compared where it is defined)
    report(sink, "ref-changed", `${at}/$ref`, `$ref ${show(bo["$ref"])} -> ${show(a["$ref"])}`);
    return;
  }
  compareTypes(sink, at, bo, a);
  compareValues(sink, at, bo, a);
  compareBounds(sink, at, bo, a);
  compareObject(sink, at, bo, a);
  compareLists(sink, at, bo, a);
}
