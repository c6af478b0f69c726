/**
 * Emits `ts/checks.ts`: the validation plans of the schema model (generator/ir/validation-plan.ts)
 * rendered as plain boolean TypeScript functions, one per schema node. They answer exactly what
 * the ajv validators (validators-emitter.ts) answer — valid or not — without building ajv's error
 * objects, which ajv allocates for every `if` whose condition fails (an envelope has twenty):
 * the runtime's decoder asks them first and runs ajv only to report a defect (spec/bus.md
 * "Inbound validation and errors"). test/envelope/checks.test.ts holds the two to the same
 * answer on the golden corpus and on generated documents.
 *
 * JavaScript semantics follow ajv's generated code: `required` and `properties` read members
 * with `o[name]` (undefined is absent), `additionalProperties` iterates with `for…in`, string
 * lengths count code points, patterns are `u` regular expressions, numbers are finite.
 */
import type { Ir, Json } from "../ir/types.js";
import type { NodeId, SchemaModel, SchemaNode } from "../ir/schema-model.js";
import type { Check, GroupType, Step } from "../ir/validation-plan.js";
import { codeWriter, type CodeWriter } from "../render/code-writer.js";
import { generatedHeader, type GeneratedFile } from "../emitter.js";

const TYPE_TESTS: Readonly<Record<string, (v: string) => string>> = {
  object: (v) => `isObject(${v})`,
  array: (v) => `Array.isArray(${v})`,
  string: (v) => `typeof ${v} === "string"`,
  boolean: (v) => `typeof ${v} === "boolean"`,
  null: (v) => `${v} === null`,
  number: (v) => `(typeof ${v} === "number" && Number.isFinite(${v}))`,
  integer: (v) => `Number.isInteger(${v})`,
};

/** The type test guarding each keyword group (as ajv guards it), and the variable type inside. */
const GUARDS: Readonly<Record<GroupType, { test: (v: string) => string; cast: string }>> = {
  number: { test: (v) => `typeof ${v} === "number" && Number.isFinite(${v})`, cast: "number" },
  string: { test: (v) => `typeof ${v} === "string"`, cast: "string" },
  array: { test: (v) => `Array.isArray(${v})`, cast: "readonly unknown[]" },
  object: { test: (v) => `isObject(${v})`, cast: "Obj" },
};

/** The comparison that holds for a valid value. */
const COMPARE_HOLDS: Readonly<Record<string, string>> = { maximum: "<=", minimum: ">=", exclusiveMaximum: "<", exclusiveMinimum: ">" };

function isPrimitive(v: Json): v is string | number | boolean | null {
  return v === null || typeof v !== "object";
}

class CheckCompiler {
  private readonly fnById = new Map<NodeId, string>();
  private readonly queue: SchemaNode[] = [];
  private readonly counters = new Map<string, number>();
  private readonly patterns = new Map<string, string>();
  readonly functions: string[] = [];
  usesEqual = false;
  usesCodePoints = false;

  constructor(private readonly model: SchemaModel) {}

  /** Function name checking node `id`; undefined when no value can fail it. */
  fnFor(id: NodeId): string | undefined {
    const node = this.model.node(id);
    if (node.alwaysValid) return undefined;
    let fn = this.fnById.get(node.id);
    if (fn === undefined) {
      const slug = (node.file.split("/").pop() ?? node.file)
        .replace(/\.schema\.json$|\.json$/u, "")
        .replace(/[^A-Za-z0-9]+(.)?/gu, (_m, c: string | undefined) => (c ?? "").toUpperCase());
      const n = this.counters.get(slug) ?? 0;
      this.counters.set(slug, n + 1);
      fn = n === 0 && node.pointer === "" ? slug : `${slug}${n}`;
      this.fnById.set(node.id, fn);
      this.queue.push(node);
    }
    return fn;
  }

  /** Renders every queued node (and what they reach). */
  drain(): void {
    while (this.queue.length > 0) this.emitNode(this.queue.shift()!);
  }

  get patternConstants(): string[] {
    return [...this.patterns].map(([source, name]) => `const ${name} = new RegExp(${JSON.stringify(source)}, "u");`);
  }

  private pattern(source: string): string {
    let name = this.patterns.get(source);
    if (name === undefined) {
      name = `PATTERN_${this.patterns.size}`;
      this.patterns.set(source, name);
    }
    return name;
  }

  private emitNode(node: SchemaNode): void {
    const fn = this.fnById.get(node.id)!;
    const body = codeWriter(2, 1);
    for (const step of node.plan) this.emitStep(step, body);
    body.line("return true;");
    this.functions.push([`/** ${node.id} */`, `function ${fn}(d: unknown): boolean {`, ...body.lines, "}"].join("\n"));
  }

  private equal(value: Json, v = "d"): string {
    if (isPrimitive(value)) return `${v} === ${JSON.stringify(value)}`;
    this.usesEqual = true;
    return `jsonEqual(${v}, ${JSON.stringify(value)})`;
  }

  /** `fn(v)`, the node's checks written out when they are short, or `true` when it can never fail. */
  test(id: NodeId, v = "d"): string {
    const node = this.model.node(id);
    if (node.alwaysValid) return "true";
    const inline = this.fnById.has(node.id) ? undefined : this.expression(node, v, 0);
    if (inline !== undefined) return inline;
    return `${this.fnFor(id)!}(${v})`;
  }

  /**
   * The node's plan as one boolean expression over `v` (a name or a member read), when every
   * step has one and the result is short; undefined otherwise (the node gets a function).
   */
  private expression(node: SchemaNode, v: string, depth: number): string | undefined {
    if (depth > 3) return undefined;
    const parts: string[] = [];
    const sub = (id: NodeId, at: string): string | undefined => {
      const n = this.model.node(id);
      if (n.alwaysValid) return "true";
      return this.fnById.has(n.id) ? `${this.fnById.get(n.id)!}(${at})` : (this.expression(n, at, depth + 1) ?? `${this.fnFor(id)!}(${at})`);
    };
    for (const step of node.plan) {
      switch (step.kind) {
        case "false":
          return "false";
        case "type":
          parts.push(`(${step.types.map((t) => TYPE_TESTS[t]!(v)).join(" || ")})`);
          break;
        case "ref":
          parts.push(sub(step.node, v)!);
          break;
        case "const":
          parts.push(this.equal(step.value, v));
          break;
        case "enum":
          parts.push(`(${step.values.map((x) => this.equal(x, v)).join(" || ")})`);
          break;
        case "not":
          parts.push(`!(${sub(step.node, v)!})`);
          break;
        case "allOf":
          for (const n of step.nodes) parts.push(sub(n, v)!);
          break;
        case "if": {
          const cond = sub(step.cond, v)!;
          const then = step.then === undefined ? "true" : sub(step.then, v)!;
          const otherwise = step.else === undefined ? "true" : sub(step.else, v)!;
          parts.push(`(${cond} ? ${then} : ${otherwise})`);
          break;
        }
        case "group": {
          const guard = GUARDS[step.type];
          const checks: string[] = [];
          for (const c of step.checks) {
            const e = this.checkExpression(c, step.type, `(${v} as ${guard.cast})`, sub);
            if (e === undefined) return undefined;
            if (e !== "true") checks.push(e);
          }
          const test = guard.test(v);
          if (step.typeFail !== undefined) parts.push(`(${[test, ...checks].join(" && ")})`);
          else if (checks.length > 0) parts.push(`(!(${test}) || (${checks.join(" && ")}))`);
          break;
        }
        default:
          return undefined;
      }
    }
    const out = parts.filter((p) => p !== "true").join(" && ") || "true";
    return out.length > 400 ? undefined : out;
  }

  private checkExpression(c: Check, type: GroupType, v: string, sub: (id: NodeId, at: string) => string | undefined): string | undefined {
    switch (c.kind) {
      case "compare":
        return `${v} ${COMPARE_HOLDS[c.keyword]!} ${String(c.limit)}`;
      case "size":
        if (type !== "string")
          return `${type === "array" ? `${v}.length` : `Object.keys(${v}).length`} ${c.keyword.startsWith("max") ? "<=" : ">="} ${c.limit}`;
        this.usesCodePoints = true;
        return c.keyword.startsWith("max")
          ? `(${v}.length <= ${c.limit} || codePoints(${v}) <= ${c.limit})`
          : `(${v}.length >= ${c.limit} && (${v}.length >= ${2 * c.limit} || codePoints(${v}) >= ${c.limit}))`;
      case "pattern":
        return `${this.pattern(c.pattern)}.test(${v})`;
      case "required":
        return `${v}[${JSON.stringify(c.name)}] !== undefined`;
      case "property": {
        const at = `${v}[${JSON.stringify(c.name)}]`;
        const e = sub(c.node, at);
        return e === undefined || e === "true" ? e : `(${at} === undefined || ${e})`;
      }
      default:
        return undefined;
    }
  }

  private emitStep(step: Step, body: CodeWriter): void {
    switch (step.kind) {
      case "false":
        body.line("return false;");
        return;
      case "type":
        body.line(`if (!(${step.types.map((t) => TYPE_TESTS[t]!("d")).join(" || ")})) return false;`);
        return;
      case "ref": {
        const t = this.test(step.node);
        if (t !== "true") body.line(`if (!(${t})) return false;`);
        return;
      }
      case "const":
        body.line(`if (!(${this.equal(step.value)})) return false;`);
        return;
      case "enum":
        body.line(`if (!(${step.values.map((v) => this.equal(v)).join(" || ")})) return false;`);
        return;
      case "not":
        body.line(`if (${this.test(step.node)}) return false;`);
        return;
      case "anyOf": {
        const tests = step.nodes.map((n) => this.test(n));
        if (!tests.includes("true")) body.line(`if (!(${tests.join(" || ")})) return false;`);
        return;
      }
      case "oneOf": {
        const tests = step.nodes.map((n) => this.test(n));
        body.line(`if (${tests.map((t) => `(${t} ? 1 : 0)`).join(" + ")} !== 1) return false;`);
        return;
      }
      case "allOf":
        for (const n of step.nodes) {
          const t = this.test(n);
          if (t !== "true") body.line(`if (!(${t})) return false;`);
        }
        return;
      case "if": {
        const then = step.then === undefined ? "true" : this.test(step.then);
        const otherwise = step.else === undefined ? "true" : this.test(step.else);
        if (then === "true" && otherwise === "true") return;
        const cond = this.test(step.cond);
        if (otherwise === "true") body.line(`if (${cond} && !(${then})) return false;`);
        else if (then === "true") body.line(`if (!(${cond}) && !(${otherwise})) return false;`);
        else body.line(`if (${cond} ? !(${then}) : !(${otherwise})) return false;`);
        return;
      }
      case "group":
        this.emitGroup(step, body);
        return;
    }
  }

  private emitGroup(step: Extract<Step, { kind: "group" }>, body: CodeWriter): void {
    const guard = GUARDS[step.type];
    const lines = codeWriter(2, 0);
    for (const c of step.checks) this.emitCheck(c, step.type, lines);
    if (lines.lines.length === 0) {
      if (step.typeFail !== undefined) body.line(`if (!(${guard.test("d")})) return false;`);
      return;
    }
    body.block(`if (${guard.test("d")}) {`, () => {
      body.line(`const v = d as ${guard.cast};`);
      for (const l of lines.lines) body.line(l);
    });
    body.line(step.typeFail !== undefined ? "} else return false;" : "}");
  }

  private emitCheck(c: Check, type: GroupType, out: CodeWriter): void {
    switch (c.kind) {
      case "compare":
        out.line(`if (!(v ${COMPARE_HOLDS[c.keyword]!} ${String(c.limit)})) return false;`);
        return;
      case "size": {
        const max = c.keyword.startsWith("max");
        if (type === "string") {
          this.usesCodePoints = true;
          // code points: at most v.length, at least half of it
          out.line(
            max
              ? `if (v.length > ${c.limit} && codePoints(v) > ${c.limit}) return false;`
              : `if (v.length < ${c.limit} || (v.length < ${2 * c.limit} && codePoints(v) < ${c.limit})) return false;`,
          );
        } else {
          const size = type === "array" ? "v.length" : "Object.keys(v).length";
          out.line(`if (${size} ${max ? ">" : "<"} ${c.limit}) return false;`);
        }
        return;
      }
      case "pattern":
        out.line(`if (!${this.pattern(c.pattern)}.test(v)) return false;`);
        return;
      case "items": {
        const t = this.test(c.node, "item");
        if (t !== "true") out.line(`for (const item of v) if (!(${t})) return false;`);
        return;
      }
      case "required":
        out.line(`if (v[${JSON.stringify(c.name)}] === undefined) return false;`);
        return;
      case "additionalProperties": {
        const other = c.known.length === 0 ? "true" : c.known.map((k) => `k !== ${JSON.stringify(k)}`).join(" && ");
        if (c.node === undefined) {
          out.line(`for (const k in v) if (${other}) return false;`);
          return;
        }
        const fn = this.fnFor(c.node);
        if (fn !== undefined) out.line(`for (const k in v) if (${other} && !${fn}(v[k])) return false;`);
        return;
      }
      case "property": {
        const key = JSON.stringify(c.name);
        const t = this.test(c.node, `v[${key}]`);
        if (t !== "true") out.line(`if (v[${key}] !== undefined && !(${t})) return false;`);
        return;
      }
    }
  }
}

/** Emits ts/checks.ts: `isEnvelope` and `isPayload` (by standard event type). */
export function emitChecks(ir: Ir): GeneratedFile {
  const model = ir.schemas;
  const compiler = new CheckCompiler(model);
  const envelope = compiler.fnFor(model.at(ir.envelope.file).id);
  const payloads = ir.eventTypes.map((e) => [e.name, compiler.fnFor(model.at(e.payload.file).id)] as const);
  compiler.drain();
  const helpers: string[] = [
    "type Obj = Readonly<Record<string, unknown>>;",
    "",
    "function isObject(d: unknown): d is Obj {",
    '  return d !== null && typeof d === "object" && !Array.isArray(d);',
    "}",
  ];
  if (compiler.usesCodePoints) {
    helpers.push(
      "",
      "/** Length in code points (a surrogate pair counts one), as JSON Schema and ajv count it. */",
      "function codePoints(s: string): number {",
      "  let n = 0;",
      "  for (let i = 0; i < s.length; i++) {",
      "    const c = s.charCodeAt(i);",
      "    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;",
      "    n++;",
      "  }",
      "  return n;",
      "}",
    );
  }
  if (compiler.usesEqual) {
    helpers.push(
      "",
      "/** Structural equality of JSON values (object key order ignored). */",
      "function jsonEqual(a: unknown, b: unknown): boolean {",
      "  if (a === b) return true;",
      '  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;',
      "  if (Array.isArray(a) !== Array.isArray(b)) return false;",
      "  const ka = Object.keys(a);",
      "  if (ka.length !== Object.keys(b).length) return false;",
      "  for (const k of ka) if (!Object.hasOwn(b, k) || !jsonEqual((a as Obj)[k], (b as Obj)[k])) return false;",
      "  return true;",
      "}",
    );
  }
  const content = [
    generatedHeader("//", "schema/"),
    "// Boolean checks rendered from the schema model's validation plans: the same answer as the",
    "// ajv validators in validators.ts, without error reports (ask those for the defect).",
    'import type { Envelope } from "./types.js";',
    "",
    ...helpers,
    "",
    ...compiler.patternConstants,
    "",
    "/** True when `d` is a valid envelope (what `validateEnvelope` answers, without its error report). */",
    "export function isEnvelope(d: unknown): d is Envelope {",
    `  return ${envelope === undefined ? "true" : `${envelope}(d)`};`,
    "}",
    "",
    '/** Payload checks keyed by standard event type (no prototype: "constructor" or "__proto__" finds nothing); what `validatePayload` answers. */',
    "export const isPayload: Readonly<Record<string, (payload: unknown) => boolean>> = Object.freeze(",
    "  Object.assign(Object.create(null) as Record<string, (payload: unknown) => boolean>, {",
    ...payloads.map(([name, fn]) => `    ${JSON.stringify(name)}: ${fn ?? "(): boolean => true"},`),
    "  }),",
    ");",
    "",
    ...compiler.functions.flatMap((f) => [f, ""]),
  ];
  return { path: "ts/checks.ts", content: content.join("\n") };
}
