/**
 * Compiles the JSON Schemas into plain Python validation functions that report the defect
 * ajv reports (ARCHITECTURE.md "Fixed contracts / Decode errors"): ajv with
 * `allErrors: false` stops at the first failing keyword, and keywords run in ajv's order,
 * not the schema's: an eager `type` check (skipped when the schema has keywords for its one
 * type — then a wrong type is reported after the untyped keywords), then the untyped
 * keywords `$ref const enum not anyOf oneOf allOf if`, then per data type `maximum minimum
 * exclusive* | maxLength minLength pattern | maxItems minItems items | required properties`.
 * `then` failures report their own location; `not`, `anyOf`, `oneOf` report the location
 * of the value they apply to; `required` reports the missing property.
 *
 * Each schema node becomes one function `(d, p) -> SchemaDefect | None`, named after its
 * place in the schema and introduced by a comment with the schema location.
 */
import type { Json, JsonSchema } from "../ir/types.js";
import { pyCall, pyCollection, pyLiteral, type Arg } from "./pyfmt.js";
import { expectedFor, expectedForMissing } from "./expected.js";
import { toPythonPattern } from "./regex.js";
import { ANNOTATIONS, ASSERTIONS, SchemaIndex, alwaysValid, escapeToken, isObject, type Located } from "./schema-walk.js";

export { pyLiteral };
import { Scope } from "./names.js";

const TYPE_CHECKS: Readonly<Record<string, string>> = {
  object: "isinstance(d, dict)",
  array: "isinstance(d, list)",
  string: "isinstance(d, str)",
  boolean: "isinstance(d, bool)",
  null: "d is None",
  number: "is_number(d)",
  integer: "is_integer(d)",
};

/** The typed keyword groups in ajv's order, with the guard that selects their data type. */
const GROUPS: readonly { type: string; guard: string; keywords: readonly string[] }[] = [
  { type: "number", guard: "is_number(d)", keywords: ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"] },
  { type: "string", guard: "isinstance(d, str)", keywords: ["maxLength", "minLength", "pattern"] },
  { type: "array", guard: "isinstance(d, list)", keywords: ["maxItems", "minItems", "items"] },
  { type: "object", guard: "isinstance(d, dict)", keywords: ["required", "properties"] },
];

const COMPARE_FAILS: Readonly<Record<string, string>> = {
  maximum: ">",
  minimum: "<",
  exclusiveMaximum: ">=",
  exclusiveMinimum: "<=",
};

/** One validator the generated module exports. */
export interface ValidatorEntry {
  /** Public Python function name, e.g. `validate_envelope`. */
  readonly name: string;
  readonly node: Located;
  readonly doc: string;
}

/** The compiled Python source pieces. */
export interface CompiledValidators {
  /** Module constants: compiled patterns and enum sets. */
  readonly constants: string[];
  /** Private node functions followed by the public entry points. */
  readonly functions: string[];
}

/** Lines of one function body, with the current indentation. */
class Body {
  readonly lines: string[] = [];
  depth = 1;

  get col(): number {
    return this.depth * 4;
  }

  line(text: string): void {
    this.lines.push(`${" ".repeat(this.col)}${text}`);
  }

  raw(lines: readonly string[]): void {
    this.lines.push(...lines);
  }

  block(head: string, inner: () => void): void {
    this.line(head);
    this.depth++;
    inner();
    this.depth--;
  }
}

export class ValidatorCompiler {
  private readonly names = new Scope(["is_number", "is_integer", "json_equal", "render", "_defect", "_missing", "_always_valid"]);
  private readonly counters = new Map<string, number>();
  private readonly fnByUri = new Map<string, string>();
  private readonly queue: Located[] = [];
  private readonly constants: string[] = [];
  private readonly constantIds = new Map<string, string>();
  private readonly functions: string[] = [];

  /** `label` turns a node URI into the location shown in comments (`envelope.schema.json#/seq`). */
  constructor(private readonly index: SchemaIndex, private readonly label: (uri: string) => string) {}

  /** Compiles every entry and everything reachable from it. */
  compile(entries: readonly ValidatorEntry[]): CompiledValidators {
    const publics = entries.map((e) => ({ e, fn: this.fnFor(e.node) }));
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

  /** Function name validating `node` (`_envelope`, `_envelope_3`); undefined when it can never fail. */
  private fnFor(node: Located): string | undefined {
    if (alwaysValid(node.schema as Json)) return undefined;
    let fn = this.fnByUri.get(node.uri);
    if (fn === undefined) {
      const file = this.label(node.uri).split("#")[0] ?? "";
      const slug = (file.split("/").pop() ?? file).replace(/\.schema\.json$|\.json$/u, "").replace(/[^A-Za-z0-9]+/gu, "_").toLowerCase();
      const n = this.counters.get(slug) ?? 0;
      this.counters.set(slug, n + 1);
      fn = this.names.claim(n === 0 && node.uri.endsWith("#") ? `_${slug}` : `_${slug}_${n}`);
      this.fnByUri.set(node.uri, fn);
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
    return this.constant("RE", (id) => pyCall(0, `${id} = re.compile(`, [{ text: toPythonPattern(source) }, "re.ASCII"]), source);
  }

  private enumSet(values: readonly string[]): string {
    return this.constant("ENUM", (id) => pyCollection(0, `${id} = frozenset(`, values.map((v) => pyLiteral(v)), "{", "})"), JSON.stringify(values));
  }

  private emitNode(node: Located): void {
    const fn = this.fnByUri.get(node.uri)!;
    const body = new Body();
    body.line(`# ${this.label(node.uri)}`);
    if (node.schema === false) this.fail(body, "false schema", "nothing (no value is allowed here)");
    else if (node.schema !== true) this.emitKeywords(node, node.schema, body);
    body.line("return None");
    this.functions.push([`def ${fn}(d: JsonValue, p: str) -> SchemaDefect | None:`, ...body.lines].join("\n"));
  }

  private sub(node: Located, ...keys: (string | number)[]): string | undefined {
    return this.fnFor(this.index.child(node, ...keys));
  }

  private fail(body: Body, keyword: string, expected: string): void {
    body.raw(pyCall(body.col, "return _defect(", ["p", JSON.stringify(keyword), { text: expected }, "d"]));
  }

  /** `r = fn(value, pointer)` and `return r` when it found a defect. */
  private call(body: Body, fn: string, value = "d", pointer = "p"): void {
    body.raw(pyCall(body.col, `r = ${fn}(`, [value, pointer]));
    body.block("if r is not None:", () => body.line("return r"));
  }

  private emitKeywords(node: Located, s: JsonSchema, body: Body): void {
    for (const k of Object.keys(s)) {
      if (!ASSERTIONS.has(k) && !ANNOTATIONS.has(k) && !k.startsWith("x-")) {
        throw new Error(`${this.label(node.uri)}: keyword "${k}" is not supported by the Python validator compiler`);
      }
    }
    const fail = (keyword: string): void => this.fail(body, keyword, expectedFor(keyword, s));
    const rawType = s["type"];
    const types = rawType === undefined ? [] : Array.isArray(rawType) ? rawType.map(String) : [String(rawType)];
    for (const t of types) if (!(t in TYPE_CHECKS)) throw new Error(`${this.label(node.uri)}: unknown type ${t}`);
    const deferred = types.length === 1 ? GROUPS.find((g) => g.type === types[0] && g.keywords.some((k) => k in s)) : undefined;
    if (types.length > 0 && deferred === undefined) {
      body.block(`if not (${types.map((t) => TYPE_CHECKS[t]!).join(" or ")}):`, () => fail("type"));
    }

    if (typeof s["$ref"] === "string") {
      const fn = this.fnFor(this.index.resolve(node, s["$ref"]));
      if (fn !== undefined) this.call(body, fn);
    }
    if ("const" in s) body.block(`if not json_equal(d, ${pyLiteral(s["const"]!)}):`, () => fail("const"));
    if (Array.isArray(s["enum"])) {
      const values = s["enum"];
      const cond = values.every((v) => typeof v === "string")
        ? `isinstance(d, str) and d in ${this.enumSet(values as string[])}`
        : `any(json_equal(d, v) for v in (${values.map(pyLiteral).join(", ")},))`;
      body.block(`if not (${cond}):`, () => fail("enum"));
    }
    if ("not" in s) {
      const inner = this.sub(node, "not");
      if (inner === undefined) fail("not");
      else body.block(`if ${inner}(d, p) is None:`, () => fail("not"));
    }
    for (const kw of ["anyOf", "oneOf"] as const) {
      const list = s[kw];
      if (!Array.isArray(list)) continue;
      const fns = list.map((_, i) => this.sub(node, kw, i));
      const always = fns.filter((f) => f === undefined).length;
      const checked = fns.filter((f): f is string => f !== undefined);
      const tuple = `(${checked.join(", ")}${checked.length === 1 ? "," : ""})`;
      if (kw === "anyOf") {
        if (always > 0) continue;
        body.block(`if all(f(d, p) is not None for f in ${tuple}):`, () => fail(kw));
      } else if (always > 1) fail(kw);
      else {
        const passed = checked.length === 0 ? "0" : `sum(f(d, p) is None for f in ${tuple})`;
        body.block(`if ${always} + ${passed} != 1:`.replace("0 + ", ""), () => fail(kw));
      }
    }
    if (Array.isArray(s["allOf"])) {
      s["allOf"].forEach((_, i) => {
        const fn = this.sub(node, "allOf", i);
        if (fn !== undefined) this.call(body, fn);
      });
    }
    if ("if" in s) this.emitIf(node, s, body);

    for (const g of GROUPS) {
      const present = g.keywords.filter((k) => k in s);
      if (present.length === 0) continue;
      const checks = present.flatMap((k) => this.typedChecks(node, s, k, fail));
      if (checks.length === 0) {
        if (deferred === g) body.block(`if not ${g.guard}:`, () => fail("type"));
        continue;
      }
      const only = checks[0]!;
      if (checks.length === 1 && deferred !== g && only.cond !== undefined) {
        // One check: `if guard and check:` (ruff SIM102 rejects the nested form).
        body.block(`if ${g.guard} and ${only.cond}:`, () => only.act(body));
        continue;
      }
      body.block(`if ${g.guard}:`, () => {
        for (const c of checks) {
          if (c.cond === undefined) c.act(body);
          else body.block(`if ${c.cond}:`, () => c.act(body));
        }
      });
      if (deferred === g) body.block("else:", () => fail("type"));
    }
  }

  private emitIf(node: Located, s: JsonSchema, body: Body): void {
    const cond = this.sub(node, "if");
    const then = "then" in s ? this.sub(node, "then") : undefined;
    const otherwise = "else" in s ? this.sub(node, "else") : undefined;
    if (then === undefined && otherwise === undefined) return;
    const test = cond === undefined ? "True" : `${cond}(d, p) is None`;
    if (then !== undefined) {
      body.block(`if ${test}:`, () => this.call(body, then));
      if (otherwise !== undefined) body.block("else:", () => this.call(body, otherwise));
    } else if (otherwise !== undefined) {
      body.block(`if not (${test}):`, () => this.call(body, otherwise));
    }
  }

  /** The checks of one typed keyword: a condition (None = unconditional) and what to emit under it. */
  private typedChecks(node: Located, s: JsonSchema, k: string, fail: (kw: string) => void): Check[] {
    const v = s[k];
    const where = this.label(node.uri);
    const failing = (cond: string): Check[] => [{ cond, act: () => fail(k) }];
    switch (k) {
      case "maximum":
      case "minimum":
      case "exclusiveMaximum":
      case "exclusiveMinimum":
        if (typeof v !== "number") throw new Error(`${where}: ${k} must be a number`);
        return failing(`d ${COMPARE_FAILS[k]!} ${pyLiteral(v)}`);
      case "maxLength":
      case "minLength":
      case "maxItems":
      case "minItems":
        if (typeof v !== "number") throw new Error(`${where}: ${k} must be a number`);
        return failing(`len(d) ${k.startsWith("max") ? ">" : "<"} ${pyLiteral(v)}`);
      case "pattern":
        return failing(`${this.pattern(String(v))}.search(d) is None`);
      case "items": {
        const f = this.sub(node, "items");
        if (f === undefined) return [];
        return [{ cond: undefined, act: (b) => b.block("for i, item in enumerate(d):", () => this.call(b, f, "item", 'f"{p}/{i}"')) }];
      }
      case "required":
        if (!Array.isArray(v)) throw new Error(`${where}: required must be an array`);
        // ajv never reports a missing property named "" (its generated `missing = ""` is falsy),
        // so neither does this compiler: TypeScript is the reference.
        return v.map(String).filter((name) => name !== "").map((name) => {
          const args: Arg[] = [`p + ${JSON.stringify(`/${escapeToken(name)}`)}`, { text: expectedForMissing(name, s) }];
          return { cond: `${JSON.stringify(name)} not in d`, act: (b: Body) => b.raw(pyCall(b.col, "return _missing(", args)) };
        });
      case "properties":
        if (!isObject(v)) throw new Error(`${where}: properties must be an object`);
        return Object.keys(v).flatMap((name) => {
          const f = this.sub(node, "properties", name);
          if (f === undefined) return [];
          const key = JSON.stringify(name);
          const ptr = `p + ${JSON.stringify(`/${escapeToken(name)}`)}`;
          return [{ cond: `${key} in d`, act: (b: Body) => this.call(b, f, `d[${key}]`, ptr) }];
        });
      default:
        throw new Error(`${where}: keyword ${k} has no typed emitter`);
    }
  }
}

/** One typed check: emit `act` under `if cond:` (or directly when cond is undefined). */
interface Check {
  readonly cond: string | undefined;
  readonly act: (body: Body) => void;
}
