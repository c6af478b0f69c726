/**
 * Renders the validation plans of the schema model (generator/ir/validation-plan.ts) as plain
 * boolean Python functions (`_checks.py`): each answers exactly what the generated validator
 * (validator.ts, `_validators.py`) answers — valid or not — without building a defect. The
 * bus's hot paths ask them first and run the validator only to report a defect
 * (spec/python.md "Wire"). The same type tests (validator.ts `PY_TYPE_TESTS`, `PY_GUARDS`),
 * translated patterns (`re.ASCII`; `match` for a pattern anchored at the start, which
 * answers as the validator's `search`), `len` (code points), `json_equal` and number tests
 * (a bool is not a number) as the validator; only the order of the tests differs, which a
 * yes/no answer does not see.
 *
 * A node's plan becomes one function, or is written out where it is used when it is short
 * (the envelope's if/then rules become one test each). What earlier tests established
 * drops later ones: a value's type (no guard), a required property's presence (no `in`
 * test; read once into a local), a property's type.
 */
import type { JsonType } from "../ir/keywords.js";
import type { NodeId, SchemaModel, SchemaNode } from "../ir/schema-model.js";
import type { Json } from "../ir/types.js";
import type { Check, Step } from "../ir/validation-plan.js";
import { codeWriter, type CodeWriter } from "../render/code-writer.js";
import { Scope, snakeCase } from "./names.js";
import { FALSE, TRUE, and, atom, compare, cond, flat, lines, not, or, type Expr } from "./py-expr.js";
import { docstring, pyCollection, pyLiteral } from "./pyfmt.js";
import { startAnchored } from "./regex.js";
import { PY_GUARDS, PY_TYPE_TESTS, patternConstant } from "./validator.js";

/** The comparison that holds for a valid value, and its negation. */
const HOLDS: Readonly<Record<string, [string, string]>> = {
  maximum: ["<=", ">"],
  minimum: [">=", "<"],
  exclusiveMaximum: ["<", ">="],
  exclusiveMinimum: [">", "<="],
};

/** Inline a node where it is used up to this depth and this many characters (else: a function). */
const INLINE_DEPTH = 6;
const INLINE_CHARS = 300;

/** One check the module exports. */
export interface CheckEntry {
  /** Public Python name, e.g. `is_envelope`. */
  readonly name: string;
  readonly node: SchemaNode;
  /** The validator it answers for, e.g. `validate_envelope`. */
  readonly validator: string;
  /**
   * Properties of the node's value the caller made itself and vouches for (present, and
   * valid by construction): left untested. The check then answers as the validator for
   * values whose trusted properties are valid.
   */
  readonly trusted?: readonly string[];
}

/** The compiled Python source pieces of `_checks.py`. */
export interface CompiledChecks {
  /** Module constants: compiled patterns and enum sets. */
  readonly constants: string[];
  /** The public checks, then the private node functions. */
  readonly functions: string[];
  /** Python name of the check of each entry node (and each `also` node), or `_always_valid`. */
  readonly byNode: ReadonlyMap<NodeId, string>;
  /** Which of `_json`'s helpers the checks call. */
  readonly uses: readonly string[];
  /** Whether the module needs `re`. */
  readonly usesRe: boolean;
}

/** What is known of a value where a test runs: its type, properties it has, locals holding them. */
interface Facts {
  readonly type?: JsonType;
  readonly present: ReadonlySet<string>;
  /** The type of a present property, where an earlier test fixed it. */
  readonly types: ReadonlyMap<string, JsonType>;
  readonly alias: ReadonlyMap<string, string>;
  /** Present properties whose values are valid (CheckEntry.trusted). */
  readonly trusted: ReadonlySet<string>;
}

const NOTHING_KNOWN: Facts = { present: new Set(), types: new Map(), alias: new Map(), trusted: new Set() };

/** A node function to write: its name, docstring and what is known of its value. */
interface Pending {
  readonly node: SchemaNode;
  readonly fn: string;
  readonly facts: Facts;
  readonly doc?: string;
}

/** The locals a node function reads its required properties into (see `conjuncts`). */
interface Binding {
  at: number;
  names: ReadonlyMap<string, string>;
  readonly scope: Scope;
}

/** Whether a value known to pass the type test of `known` passes `t`'s (undefined: not known). */
function typeHolds(known: JsonType | undefined, t: JsonType): boolean | undefined {
  if (known === undefined) return undefined;
  if (known === t || (known === "integer" && t === "number")) return true;
  if (known === "number" && t === "integer") return undefined;
  return false;
}

export class CheckCompiler {
  private readonly names = new Scope(["is_number", "is_integer", "json_equal", "re", "_always_valid"]);
  private readonly counters = new Map<string, number>();
  private readonly fnById = new Map<NodeId, string>();
  private readonly queue: Pending[] = [];
  private readonly constants: string[] = [];
  private readonly constantIds = new Map<string, string>();
  private readonly functions: string[] = [];

  constructor(private readonly model: SchemaModel) {}

  /** Compiles every entry and everything reachable from it. */
  compile(entries: readonly CheckEntry[], also: readonly NodeId[] = []): CompiledChecks {
    const byNode = new Map<NodeId, string>();
    const aliases: string[] = [];
    for (const e of entries) {
      const taken = byNode.get(e.node.id);
      const doc = `True when \`${e.validator}\` finds no defect in \`d\` (the same answer, no report).`;
      if (e.trusted !== undefined && e.trusted.length > 0) {
        const trusted = new Set(e.trusted);
        const types = new Map(
          e.node.properties
            .flatMap((p) => (trusted.has(p.name) ? [[p.name, this.fixedType(p.node)] as const] : []))
            .filter((t): t is readonly [string, JsonType] => t[1] !== undefined),
        );
        const facts: Facts = { ...NOTHING_KNOWN, present: trusted, trusted, types };
        const vouched = `${doc.slice(0, -1)} for a \`d\` whose ${e.trusted.join(", ")} are there and valid (not tested).`;
        this.queue.push({ node: e.node, fn: this.names.claim(e.name), facts, doc: vouched });
      } else if (e.node.alwaysValid) {
        aliases.push(`${this.names.claim(e.name)} = _always_valid`);
        byNode.set(e.node.id, "_always_valid");
      } else if (taken !== undefined) aliases.push(`${this.names.claim(e.name)} = ${taken}`);
      else {
        const fn = this.names.claim(e.name);
        this.fnById.set(e.node.id, fn);
        this.queue.push({ node: e.node, fn, facts: NOTHING_KNOWN, doc });
        byNode.set(e.node.id, fn);
      }
    }
    for (const id of also) if (!byNode.has(id)) byNode.set(id, this.fnFor(id) ?? "_always_valid");
    while (this.queue.length > 0) this.emitNode(this.queue.shift()!);
    const functions = [...this.functions, ...aliases];
    const text = [...this.constants, ...functions].join("\n");
    const uses = ["is_integer", "is_number", "json_equal"].filter((n) => new RegExp(`\\b${n}\\(`, "u").test(text));
    return { constants: this.constants, functions, byNode, uses, usesRe: this.constants.some((c) => c.includes("re.compile(")) };
  }

  /** Function name checking node `id` (`_envelope_3`); undefined when it can never fail. */
  private fnFor(id: NodeId): string | undefined {
    const node = this.model.node(id);
    if (node.alwaysValid) return undefined;
    let fn = this.fnById.get(node.id);
    if (fn === undefined) {
      const slug = (node.file.split("/").pop() ?? node.file)
        .replace(/\.schema\.json$|\.json$/u, "")
        .replace(/[^A-Za-z0-9]+/gu, "_")
        .toLowerCase();
      const n = this.counters.get(slug) ?? 0;
      this.counters.set(slug, n + 1);
      fn = this.names.claim(`_${slug}_${n}`);
      this.fnById.set(node.id, fn);
      this.queue.push({ node, fn, facts: NOTHING_KNOWN });
    }
    return fn;
  }

  private constant(prefix: string, key: string, build: (name: string) => string[]): string {
    let id = this.constantIds.get(`${prefix}:${key}`);
    if (id === undefined) {
      id = `_${prefix}_${this.constantIds.size}`;
      this.constantIds.set(`${prefix}:${key}`, id);
      this.constants.push(build(id).join("\n"));
    }
    return id;
  }

  /** `node`'s verdict on value `v`: a call of its function, or its tests written out. */
  private test(id: NodeId, v: string, facts: Facts, depth: number): Expr {
    const node = this.model.node(id);
    if (node.alwaysValid) return TRUE;
    const fn = this.fnById.get(node.id);
    if (fn === undefined && depth < INLINE_DEPTH) {
      const e = and(...this.conjuncts(node, v, facts, depth + 1));
      if (flat(e).length <= INLINE_CHARS) return e;
    }
    return atom(`${fn ?? this.fnFor(id)!}(${v})`);
  }

  /**
   * What must all hold for `v` to pass `node`, the type test first, then the keyword groups
   * (required and properties tell rules apart cheaply; order does not change a yes/no
   * answer), then the other steps knowing what the groups established. With `bind` (a node
   * function's own value), the properties the node requires are read once into locals after
   * the required tests: `bind.at` is how many of the returned tests come before the locals.
   */
  private conjuncts(node: SchemaNode, v: string, facts: Facts, depth: number, bind?: Binding): Expr[] {
    const out: Expr[] = [];
    let f = facts;
    const typeStep = node.plan.find((s) => s.kind === "type");
    const fixed = node.plan.find((s) => s.kind === "group" && s.typeFail !== undefined);
    if (typeStep?.kind === "type") {
      out.push(this.typeTest(typeStep.types, v, f.type));
      if (typeStep.types.length === 1) f = { ...f, type: typeStep.types[0]! };
    } else if (fixed?.kind === "group") {
      out.push(this.typeTest([fixed.type], v, f.type));
      f = { ...f, type: fixed.type };
    }
    for (const step of node.plan) {
      if (step.kind !== "group") continue;
      const holds = typeHolds(f.type, step.type);
      if (holds === false) continue; // the type test (first) fails, or the group does not apply
      if (holds === undefined) {
        const guard = atom(PY_GUARDS[step.type](v));
        const inside: Facts = { ...f, type: step.type };
        out.push(...this.groupChecks(step.checks, v, inside, depth).map((c) => or(not(guard), c)));
        continue;
      }
      // the value has the group's type: properties known to be there are tested first (no
      // `in` test: a rule's discriminating property), then what it requires is there for
      // every later test
      const early = step.checks.filter((c) => c.kind === "property" && f.present.has(c.name));
      out.push(...early.map((c) => this.check(c, v, f, depth)));
      const required = step.checks.flatMap((c) => (c.kind === "required" && !f.present.has(c.name) ? [c] : []));
      out.push(...required.map((c) => this.check(c, v, f, depth)));
      f = { ...f, present: new Set([...f.present, ...required.map((c) => c.name)]) };
      if (bind !== undefined && step.type === "object") {
        bind.at = out.length;
        const alias = new Map(f.alias);
        for (const c of required) if (!alias.has(c.name)) alias.set(c.name, bind.scope.claim(`d_${snakeCase(c.name)}`));
        bind.names = alias;
        f = { ...f, alias };
      }
      out.push(
        ...this.groupChecks(
          step.checks.filter((c) => c.kind !== "required" && !early.includes(c)),
          v,
          f,
          depth,
        ),
      );
      // later tests know the type of a present property these checks fixed
      const types = new Map(f.types);
      for (const c of step.checks) {
        const t = c.kind === "property" && f.present.has(c.name) ? this.fixedType(c.node) : undefined;
        if (c.kind === "property" && t !== undefined) types.set(c.name, t);
      }
      f = { ...f, types };
    }
    for (const step of node.plan) if (step.kind !== "group") out.push(...this.step(step, v, f, depth));
    return out;
  }

  /** The one type every value passing `id` has (following bare `$ref`s), if there is one. */
  private fixedType(id: NodeId): JsonType | undefined {
    const node = this.model.target(this.model.node(id));
    for (const step of node.plan) {
      if (step.kind === "type" && step.types.length === 1) return step.types[0];
      if (step.kind === "group" && step.typeFail !== undefined) return step.type;
    }
    return undefined;
  }

  /** A group's checks on `v` (of the group's type): properties already there first, then in plan order. */
  private groupChecks(checks: readonly Check[], v: string, f: Facts, depth: number): Expr[] {
    const there = (c: Check): boolean => c.kind === "property" && f.present.has(c.name);
    return [...checks.filter(there), ...checks.filter((c) => !there(c))].map((c) => this.check(c, v, f, depth));
  }

  private typeTest(types: readonly JsonType[], v: string, known: JsonType | undefined): Expr {
    return or(
      ...types.map((t) => {
        const holds = typeHolds(known, t);
        if (holds !== undefined) return holds ? TRUE : FALSE;
        return t === "null" ? compare(`${v} is None`, `${v} is not None`) : atom(PY_TYPE_TESTS[t]!(v));
      }),
    );
  }

  /** `json_equal(v, value)`, written out for a string, null, boolean or number. */
  private equal(value: Json, v: string, known: JsonType | undefined): Expr {
    if (typeof value === "string") return compare(`${v} == ${pyLiteral(value)}`, `${v} != ${pyLiteral(value)}`);
    if (value === null) return compare(`${v} is None`, `${v} is not None`);
    if (typeof value === "boolean") return compare(`${v} is ${pyLiteral(value)}`, `${v} is not ${pyLiteral(value)}`);
    // `==` first: it cannot raise, and is false for most values
    if (typeof value === "number") return and(compare(`${v} == ${pyLiteral(value)}`, `${v} != ${pyLiteral(value)}`), this.typeTest(["number"], v, known));
    return atom(`json_equal(${v}, ${pyLiteral(value)})`);
  }

  private step(step: Step, v: string, f: Facts, depth: number): Expr[] {
    const sub = (id: NodeId): Expr => this.test(id, v, f, depth);
    switch (step.kind) {
      case "false":
        return [FALSE];
      case "type":
        return []; // tested first (conjuncts)
      case "ref":
        return [sub(step.node)];
      case "const":
        return [this.equal(step.value, v, f.type)];
      case "enum": {
        if (!step.values.every((x) => typeof x === "string")) return [or(...step.values.map((x) => this.equal(x, v, f.type)))];
        const values = step.values as string[];
        const set = this.constant("ENUM", JSON.stringify(values), (id) =>
          pyCollection(
            0,
            `${id} = frozenset(`,
            values.map((x) => pyLiteral(x)),
            "{",
            "})",
          ),
        );
        return [this.typeTest(["string"], v, f.type), compare(`${v} in ${set}`, `${v} not in ${set}`)];
      }
      case "not":
        return [not(sub(step.node))];
      case "anyOf":
        return [or(...step.nodes.map(sub))];
      case "oneOf": {
        const tests = step.nodes.map(sub);
        const always = tests.filter((t) => flat(t) === "True").length;
        const rest = tests.filter((t) => flat(t) !== "True");
        if (always > 1) return [FALSE];
        if (always === 1) return rest.map(not);
        if (rest.length === 1) return rest;
        const sum = rest.map((t) => flat(t, 5)).join(" + ");
        return [compare(`${sum} == 1`, `${sum} != 1`)];
      }
      case "allOf":
        return step.nodes.map(sub);
      case "if":
        return [cond(sub(step.cond), step.then === undefined ? TRUE : sub(step.then), step.else === undefined ? TRUE : sub(step.else))];
      case "group":
        return []; // conjuncts
    }
  }

  /** One check of a group, on `v` of the group's type. */
  private check(c: Check, v: string, f: Facts, depth: number): Expr {
    switch (c.kind) {
      case "compare": {
        const [holds, fails] = HOLDS[c.keyword]!;
        return compare(`${v} ${holds} ${pyLiteral(c.limit)}`, `${v} ${fails} ${pyLiteral(c.limit)}`);
      }
      case "size": {
        const max = c.keyword.startsWith("max");
        return compare(`len(${v}) ${max ? "<=" : ">="} ${pyLiteral(c.limit)}`, `len(${v}) ${max ? ">" : "<"} ${pyLiteral(c.limit)}`);
      }
      case "pattern": {
        const re = this.constant("RE", c.pattern, (id) => patternConstant(id, c.pattern));
        const call = `${re}.${startAnchored(c.pattern) ? "match" : "search"}(${v})`;
        return compare(`${call} is not None`, `${call} is None`);
      }
      case "items": {
        const fn = this.fnFor(c.node);
        return fn === undefined ? TRUE : atom(`all(${fn}(x) for x in ${v})`);
      }
      case "required": {
        if (f.present.has(c.name)) return TRUE;
        const key = JSON.stringify(c.name);
        return compare(`${key} in ${v}`, `${key} not in ${v}`);
      }
      case "additionalProperties": {
        const known = `(${c.known.map((x) => pyLiteral(x)).join(", ")}${c.known.length === 1 ? "," : ""})`;
        if (c.node === undefined) return c.known.length === 0 ? compare(`len(${v}) == 0`, `len(${v}) != 0`) : atom(`all(k in ${known} for k in ${v})`);
        const fn = this.fnFor(c.node);
        if (fn === undefined) return TRUE;
        return atom(c.known.length === 0 ? `all(${fn}(x) for x in ${v}.values())` : `all(${fn}(x) for k, x in ${v}.items() if k not in ${known})`);
      }
      case "property": {
        if (f.trusted.has(c.name)) return TRUE;
        const key = JSON.stringify(c.name);
        const known = f.types.get(c.name);
        const e = this.test(c.node, f.alias.get(c.name) ?? `${v}[${key}]`, known === undefined ? NOTHING_KNOWN : { ...NOTHING_KNOWN, type: known }, depth);
        return f.present.has(c.name) ? e : or(compare(`${key} not in ${v}`, `${key} in ${v}`), e);
      }
    }
  }

  private emitNode({ node, fn, facts, doc }: Pending): void {
    const body = codeWriter(4, 1);
    if (doc !== undefined) body.raw([`${" ".repeat(body.col)}${docstring(doc, body.col)}`]);
    body.line(`# ${node.id}`);
    const bind: Binding = { at: 0, names: new Map(), scope: new Scope(["d", "x", "k"]) };
    const tests = this.conjuncts(node, "d", facts, 0, bind);
    const split = (part: readonly Expr[]): Expr[] => {
      const e = and(...part);
      return e.kind === "and" ? [...e.parts] : flat(e) === "True" ? [] : [e];
    };
    for (const t of split(tests.slice(0, bind.at))) this.failWhen(body, not(t));
    for (const [name, local] of bind.names) body.line(`${local} = d[${JSON.stringify(name)}]`);
    const rest = split(tests.slice(bind.at));
    const last = rest.pop() ?? TRUE;
    for (const t of rest) this.failWhen(body, not(t));
    body.raw(lines(`${" ".repeat(body.col)}return `, last, "", body.col));
    this.functions.push([`def ${fn}(d: JsonValue) -> bool:`, ...body.lines].join("\n"));
  }

  /** `if <failing>: return False` (nothing when it never fails). */
  private failWhen(body: CodeWriter, failing: Expr): void {
    if (flat(failing) === "False") return;
    body.raw([...lines(`${" ".repeat(body.col)}if `, failing, ":", body.col), `${" ".repeat(body.col + 4)}return False`]);
  }
}
