/**
 * Renders the validation plans of the schema model (generator/ir/validation-plan.ts) as plain
 * Python functions that report the defect ajv reports (ARCHITECTURE.md "Fixed contracts /
 * Decode errors"): the plan fixes the order, the error code, the pointer and the expected
 * text; this module only writes them in Python.
 *
 * Each schema node becomes one function `(d, p) -> SchemaDefect | None`, named after its
 * place in the schema and introduced by a comment with the schema location.
 */
import type { SchemaModel, SchemaNode } from "../ir/schema-model.js";
import type { Check, Failure, GroupType, Step } from "../ir/validation-plan.js";
import { pyCall, pyCollection, pyLiteral, type Arg } from "./pyfmt.js";
import { toPythonPattern } from "./regex.js";
import { codeWriter, type CodeWriter } from "../render/code-writer.js";

export { pyLiteral };
import { Scope } from "./names.js";

/** The Python test of each JSON type on value expression `v` (shared with checks.ts: one definition). */
export const PY_TYPE_TESTS: Readonly<Record<string, (v: string) => string>> = {
  object: (v) => `isinstance(${v}, dict)`,
  array: (v) => `isinstance(${v}, list)`,
  string: (v) => `isinstance(${v}, str)`,
  boolean: (v) => `isinstance(${v}, bool)`,
  null: (v) => `${v} is None`,
  number: (v) => `is_number(${v})`,
  integer: (v) => `is_integer(${v})`,
};

/** The type test that guards each keyword group (shared with checks.ts). */
export const PY_GUARDS: Readonly<Record<GroupType, (v: string) => string>> = {
  number: (v) => `is_number(${v})`,
  string: (v) => `isinstance(${v}, str)`,
  array: (v) => `isinstance(${v}, list)`,
  object: (v) => `isinstance(${v}, dict)`,
};

const TYPE_CHECKS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(PY_TYPE_TESTS).map(([t, f]) => [t, f("d")]));
const GUARDS = Object.fromEntries(Object.entries(PY_GUARDS).map(([t, f]) => [t, f("d")])) as Readonly<Record<GroupType, string>>;

const COMPARE_FAILS: Readonly<Record<string, string>> = {
  maximum: ">",
  minimum: "<",
  exclusiveMaximum: ">=",
  exclusiveMinimum: "<=",
};

/** `name = re.compile(…)`: the schema pattern `source` as Python matches it (`search`), shared with checks.ts. */
export function patternConstant(name: string, source: string): string[] {
  return pyCall(0, `${name} = re.compile(`, [{ text: toPythonPattern(source) }, "re.ASCII"]);
}

/** One validator the generated module exports. */
export interface ValidatorEntry {
  /** Public Python function name, e.g. `validate_envelope`. */
  readonly name: string;
  readonly node: SchemaNode;
  readonly doc: string;
}

/** The compiled Python source pieces. */
export interface CompiledValidators {
  /** Module constants: compiled patterns and enum sets. */
  readonly constants: string[];
  /** Private node functions followed by the public entry points. */
  readonly functions: string[];
}

export class ValidatorCompiler {
  private readonly names = new Scope(["is_number", "is_integer", "json_equal", "render", "_defect", "_missing", "_always_valid"]);
  private readonly counters = new Map<string, number>();
  private readonly fnById = new Map<string, string>();
  private readonly queue: SchemaNode[] = [];
  private readonly constants: string[] = [];
  private readonly constantIds = new Map<string, string>();
  private readonly functions: string[] = [];

  constructor(private readonly model: SchemaModel) {}

  /** Compiles every entry and everything reachable from it. */
  compile(entries: readonly ValidatorEntry[]): CompiledValidators {
    const publics = entries.map((e) => ({ e, fn: this.fnFor(e.node.id) }));
    while (this.queue.length > 0) this.emitNode(this.queue.shift()!);
    for (const { e, fn } of publics) {
      this.functions.push(
        [
          `def ${e.name}(value: JsonValue, pointer: str = "") -> SchemaDefect | None:`,
          `    """${e.doc}`,
          "",
          "    Returns the first defect in ajv's order (the one every OpenAgentIO decoder",
          "    reports), or None when the value is valid. `pointer` prefixes the reported pointer.",
          '    """',
          `    return ${fn ?? "_always_valid"}(value, pointer)`,
        ].join("\n"),
      );
    }
    return { constants: this.constants, functions: this.functions };
  }

  /** Function name validating node `id` (`_envelope`, `_envelope_3`); undefined when it can never fail. */
  private fnFor(id: string): string | undefined {
    const node = this.model.node(id);
    if (node.alwaysValid) return undefined;
    let fn = this.fnById.get(node.id);
    if (fn === undefined) {
      const file = node.file;
      const slug = (file.split("/").pop() ?? file)
        .replace(/\.schema\.json$|\.json$/u, "")
        .replace(/[^A-Za-z0-9]+/gu, "_")
        .toLowerCase();
      const n = this.counters.get(slug) ?? 0;
      this.counters.set(slug, n + 1);
      fn = this.names.claim(n === 0 && node.pointer === "" ? `_${slug}` : `_${slug}_${n}`);
      this.fnById.set(node.id, fn);
      this.queue.push(node);
    }
    return fn;
  }

  /** A module constant holding `source`'s value, shared by equal sources. */
  private constant(prefix: string, build: (name: string) => string[], key: string): string {
    let id = this.constantIds.get(`${prefix}:${key}`);
    if (id === undefined) {
      id = `_${prefix}_${this.constantIds.size}`;
      this.constantIds.set(`${prefix}:${key}`, id);
      this.constants.push(build(id).join("\n"));
    }
    return id;
  }

  private pattern(source: string): string {
    return this.constant("RE", (id) => patternConstant(id, source), source);
  }

  private enumSet(values: readonly string[]): string {
    return this.constant(
      "ENUM",
      (id) =>
        pyCollection(
          0,
          `${id} = frozenset(`,
          values.map((v) => pyLiteral(v)),
          "{",
          "})",
        ),
      JSON.stringify(values),
    );
  }

  private emitNode(node: SchemaNode): void {
    const fn = this.fnById.get(node.id)!;
    const body = codeWriter(4, 1);
    body.line(`# ${node.id}`);
    for (const step of node.plan) this.emitStep(step, body);
    body.line("return None");
    this.functions.push([`def ${fn}(d: JsonValue, p: str) -> SchemaDefect | None:`, ...body.lines].join("\n"));
  }

  private fail(body: CodeWriter, f: Failure): void {
    body.raw(pyCall(body.col, "return _defect(", ["p", JSON.stringify(f.keyword), { text: f.expected }, "d"]));
  }

  /** `r = fn(value, pointer)` and `return r` when it found a defect. */
  private call(body: CodeWriter, fn: string, value = "d", pointer = "p"): void {
    body.raw(pyCall(body.col, `r = ${fn}(`, [value, pointer]));
    body.block("if r is not None:", () => body.line("return r"));
  }

  private emitStep(step: Step, body: CodeWriter): void {
    switch (step.kind) {
      case "false":
        this.fail(body, step.fail);
        return;
      case "type":
        body.block(`if not (${step.types.map((t) => TYPE_CHECKS[t]!).join(" or ")}):`, () => this.fail(body, step.fail));
        return;
      case "ref": {
        const fn = this.fnFor(step.node);
        if (fn !== undefined) this.call(body, fn);
        return;
      }
      case "const":
        body.block(`if not json_equal(d, ${pyLiteral(step.value)}):`, () => this.fail(body, step.fail));
        return;
      case "enum": {
        const values = step.values;
        const cond = values.every((v) => typeof v === "string")
          ? `isinstance(d, str) and d in ${this.enumSet(values as string[])}`
          : `any(json_equal(d, v) for v in (${values.map(pyLiteral).join(", ")},))`;
        body.block(`if not (${cond}):`, () => this.fail(body, step.fail));
        return;
      }
      case "not": {
        const inner = this.fnFor(step.node);
        if (inner === undefined) this.fail(body, step.fail);
        else body.block(`if ${inner}(d, p) is None:`, () => this.fail(body, step.fail));
        return;
      }
      case "anyOf":
      case "oneOf": {
        const fns = step.nodes.map((n) => this.fnFor(n));
        const always = fns.filter((f) => f === undefined).length;
        const checked = fns.filter((f): f is string => f !== undefined);
        const tuple = `(${checked.join(", ")}${checked.length === 1 ? "," : ""})`;
        if (step.kind === "anyOf") {
          if (always === 0) body.block(`if all(f(d, p) is not None for f in ${tuple}):`, () => this.fail(body, step.fail));
        } else if (always > 1) this.fail(body, step.fail);
        else {
          const passed = checked.length === 0 ? "0" : `sum(f(d, p) is None for f in ${tuple})`;
          body.block(`if ${always} + ${passed} != 1:`.replace("0 + ", ""), () => this.fail(body, step.fail));
        }
        return;
      }
      case "allOf":
        for (const n of step.nodes) {
          const fn = this.fnFor(n);
          if (fn !== undefined) this.call(body, fn);
        }
        return;
      case "if":
        this.emitIf(step, body);
        return;
      case "group":
        this.emitGroup(step, body);
        return;
    }
  }

  private emitIf(step: Extract<Step, { kind: "if" }>, body: CodeWriter): void {
    const cond = this.fnFor(step.cond);
    const then = step.then === undefined ? undefined : this.fnFor(step.then);
    const otherwise = step.else === undefined ? undefined : this.fnFor(step.else);
    if (then === undefined && otherwise === undefined) return;
    const test = cond === undefined ? "True" : `${cond}(d, p) is None`;
    if (then !== undefined) {
      body.block(`if ${test}:`, () => this.call(body, then));
      if (otherwise !== undefined) body.block("else:", () => this.call(body, otherwise));
    } else if (otherwise !== undefined) {
      body.block(`if not (${test}):`, () => this.call(body, otherwise));
    }
  }

  private emitGroup(step: Extract<Step, { kind: "group" }>, body: CodeWriter): void {
    const guard = GUARDS[step.type];
    const typeFail = step.typeFail;
    const checks = step.checks.flatMap((c) => this.typedChecks(c));
    if (checks.length === 0) {
      if (typeFail !== undefined) body.block(`if not ${guard}:`, () => this.fail(body, typeFail));
      return;
    }
    const only = checks[0]!;
    if (checks.length === 1 && typeFail === undefined && only.cond !== undefined) {
      // One check: `if guard and check:` (ruff SIM102 rejects the nested form).
      body.block(`if ${guard} and ${only.cond}:`, () => only.act(body));
      return;
    }
    body.block(`if ${guard}:`, () => {
      for (const c of checks) {
        if (c.cond === undefined) c.act(body);
        else body.block(`if ${c.cond}:`, () => c.act(body));
      }
    });
    if (typeFail !== undefined) body.block("else:", () => this.fail(body, typeFail));
  }

  /** One plan check as Python: a condition (None = unconditional) and what to emit under it. */
  private typedChecks(c: Check): PyCheck[] {
    const failing = (cond: string, f: Failure): PyCheck[] => [{ cond, act: (b) => this.fail(b, f) }];
    switch (c.kind) {
      case "compare":
        return failing(`d ${COMPARE_FAILS[c.keyword]!} ${pyLiteral(c.limit)}`, c.fail);
      case "size":
        return failing(`len(d) ${c.keyword.startsWith("max") ? ">" : "<"} ${pyLiteral(c.limit)}`, c.fail);
      case "pattern":
        return failing(`${this.pattern(c.pattern)}.search(d) is None`, c.fail);
      case "items": {
        const f = this.fnFor(c.node);
        if (f === undefined) return [];
        return [{ cond: undefined, act: (b) => b.block("for i, item in enumerate(d):", () => this.call(b, f, "item", 'f"{p}/{i}"')) }];
      }
      case "required": {
        const args: Arg[] = [`p + ${JSON.stringify(`/${c.token}`)}`, { text: c.fail.expected }];
        return [{ cond: `${JSON.stringify(c.name)} not in d`, act: (b: CodeWriter) => b.raw(pyCall(b.col, "return _missing(", args)) }];
      }
      case "additionalProperties": {
        const known = `(${c.known.map((k) => pyLiteral(k)).join(", ")}${c.known.length === 1 ? "," : ""})`;
        const other = c.known.length === 0 ? "True" : `k not in ${known}`;
        if (c.node === undefined) return failing(`any(${other} for k in d)`, c.fail);
        const f = this.fnFor(c.node);
        if (f === undefined) return [];
        const ptr = 'p + "/" + k.replace("~", "~0").replace("/", "~1")';
        const each = (b: CodeWriter): void => this.call(b, f, "v", ptr);
        return [
          { cond: undefined, act: (b) => b.block("for k, v in d.items():", () => (c.known.length === 0 ? each(b) : b.block(`if ${other}:`, () => each(b)))) },
        ];
      }
      case "property": {
        const f = this.fnFor(c.node);
        if (f === undefined) return [];
        const key = JSON.stringify(c.name);
        const ptr = `p + ${JSON.stringify(`/${c.token}`)}`;
        return [{ cond: `${key} in d`, act: (b: CodeWriter) => this.call(b, f, `d[${key}]`, ptr) }];
      }
    }
  }
}

/** One rendered check: emit `act` under `if cond:` (or directly when cond is undefined). */
interface PyCheck {
  readonly cond: string | undefined;
  readonly act: (body: CodeWriter) => void;
}
