/**
 * Renders the validation plans of a contract's schema model (generator/ir/validation-plan.ts)
 * as plain TypeScript functions, one per schema node: `(d, p) => SchemaFailure | undefined`,
 * the first failure in ajv's order (the plan fixes order, keyword, pointer and expected text;
 * the Python and Kotlin contract output render the same plans). A value's property whose
 * value is `undefined` counts as absent, as it is once serialised to JSON.
 */
import type { SchemaModel } from "../../ir/schema-model.js";
import type { Check, Failure, GroupType, Step } from "../../ir/validation-plan.js";
import type { ValidationSite } from "../sites.js";

const TYPE_TESTS: Readonly<Record<string, string>> = {
  object: "isJsonObject(d)",
  array: "isJsonArray(d)",
  string: 'typeof d === "string"',
  boolean: 'typeof d === "boolean"',
  null: "d === null",
  number: "isJsonNumber(d)",
  integer: "Number.isInteger(d)",
};

const GUARDS: Readonly<Record<GroupType, string>> = {
  number: "isJsonNumber(d)",
  string: 'typeof d === "string"',
  array: "isJsonArray(d)",
  object: "isJsonObject(d)",
};

/** The local each group binds the narrowed value to. */
const LOCALS: Readonly<Record<GroupType, string>> = { number: "n", string: "s", array: "a", object: "o" };

/** The comparison that FAILS each keyword. */
const COMPARE_FAILS: Readonly<Record<string, string>> = { maximum: ">", minimum: "<", exclusiveMaximum: ">=", exclusiveMinimum: "<=" };

const str = (s: string): string => JSON.stringify(s);

function fail(f: Failure, pointer = "p"): string {
  return `return schemaFailure(${pointer}, ${str(f.keyword)}, ${str(f.expected)});`;
}

/** The support helpers the rendered code calls (imported from support.ts). */
export const TS_VALIDATION_HELPERS = ["codePoints", "isJsonArray", "isJsonNumber", "isJsonObject", "jsonEquals", "pointerToken", "schemaFailure"] as const;

/** Compiles the functions of the nodes reachable from some sites. */
class Compiler {
  readonly functions: string[] = [];
  readonly constants: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly constNames = new Map<string, string>();

  constructor(private readonly model: SchemaModel) {}

  fn(id: string): string {
    const known = this.names.get(id);
    if (known !== undefined) return known;
    const name = `_v${this.names.size}`;
    this.names.set(id, name);
    const node = this.model.node(id);
    const body = node.plan.flatMap((s) => this.step(s));
    this.functions.push(
      [
        `// ${id.replace(/\*\//gu, "* /").replace(/[^\x20-\x7e]/gu, "?")}`,
        `function ${name}(d: unknown, p: string): SchemaFailure | undefined {`,
        ...body.map((l) => `  ${l}`),
        "  return undefined;",
        "}",
      ].join("\n"),
    );
    return name;
  }

  private constant(kind: "json" | "regex", source: string): string {
    const key = `${kind}:${source}`;
    const known = this.constNames.get(key);
    if (known !== undefined) return known;
    const name = `${kind === "json" ? "_c" : "_re"}${this.constNames.size}`;
    this.constNames.set(key, name);
    this.constants.push(kind === "json" ? `const ${name}: unknown = ${source};` : `const ${name} = new RegExp(${str(source)}, "u");`);
    return name;
  }

  private call(fn: string, value = "d", pointer = "p"): string {
    return `{ const r = ${fn}(${value}, ${pointer}); if (r !== undefined) return r; }`;
  }

  private step(step: Step): string[] {
    switch (step.kind) {
      case "false":
        return [fail(step.fail)];
      case "type":
        return [`if (!(${step.types.map((t) => TYPE_TESTS[t]!).join(" || ")})) ${fail(step.fail)}`];
      case "ref":
        return [this.call(this.fn(step.node))];
      case "const":
        return [`if (!jsonEquals(d, ${this.constant("json", JSON.stringify(step.value))})) ${fail(step.fail)}`];
      case "enum":
        return [`if (!(${this.constant("json", JSON.stringify(step.values))} as unknown[]).some((v) => jsonEquals(d, v))) ${fail(step.fail)}`];
      case "not":
        return [`if (${this.fn(step.node)}(d, p) === undefined) ${fail(step.fail)}`];
      case "anyOf":
        return [`if (${step.nodes.map((n) => `${this.fn(n)}(d, p) !== undefined`).join(" && ")}) ${fail(step.fail)}`];
      case "oneOf":
        return [`if ([${step.nodes.map((n) => this.fn(n)).join(", ")}].filter((f) => f(d, p) === undefined).length !== 1) ${fail(step.fail)}`];
      case "allOf":
        return step.nodes.map((n) => this.call(this.fn(n)));
      case "if": {
        const lines = [`if (${this.fn(step.cond)}(d, p) === undefined) {`];
        if (step.then !== undefined) lines.push(`  ${this.call(this.fn(step.then))}`);
        if (step.else !== undefined) lines.push("} else {", `  ${this.call(this.fn(step.else))}`);
        lines.push("}");
        return lines;
      }
      case "group": {
        const inner = step.checks.flatMap((c) => this.check(c));
        // A const of the narrowed value, so the callbacks below keep its type.
        const local = inner.length === 0 ? [] : [`const ${LOCALS[step.type]} = d;`];
        return [
          `if (${GUARDS[step.type]}) {`,
          ...[...local, ...inner].map((l) => `  ${l}`),
          step.typeFail !== undefined ? `} else ${fail(step.typeFail)}` : "}",
        ];
      }
    }
  }

  private check(c: Check): string[] {
    switch (c.kind) {
      case "compare":
        return [`if (n ${COMPARE_FAILS[c.keyword]!} ${JSON.stringify(c.limit)}) ${fail(c.fail)}`];
      case "size": {
        const size = c.keyword.endsWith("Length")
          ? "codePoints(s)"
          : c.keyword.endsWith("Items")
            ? "a.length"
            : "Object.keys(o).filter((k) => o[k] !== undefined).length";
        return [`if (${size} ${c.keyword.startsWith("max") ? ">" : "<"} ${c.limit}) ${fail(c.fail)}`];
      }
      case "pattern":
        return [`if (!${this.constant("regex", c.pattern)}.test(s)) ${fail(c.fail)}`];
      case "items":
        return [`for (let i = 0; i < a.length; i++) ${this.call(this.fn(c.node), "a[i]", 'p + "/" + i')}`];
      case "required":
        return [`if (o[${str(c.name)}] === undefined) ${fail(c.fail, `p + ${str(`/${c.token}`)}`)}`];
      case "additionalProperties": {
        const known = c.known.length === 0 ? undefined : `[${c.known.map(str).join(", ")}]`;
        const other = (k: string): string => (known === undefined ? "true" : `!${known}.includes(${k})`);
        if (c.node === undefined) return [`if (Object.keys(o).some((k) => o[k] !== undefined && ${other("k")})) ${fail(c.fail)}`];
        const each = this.call(this.fn(c.node), "v", 'p + "/" + pointerToken(k)');
        return [`for (const [k, v] of Object.entries(o)) if (v !== undefined && ${other("k")}) ${each}`];
      }
      case "property":
        return [`if (o[${str(c.name)}] !== undefined) ${this.call(this.fn(c.node), `o[${str(c.name)}]`, `p + ${str(`/${c.token}`)}`)}`];
    }
  }
}

/** The rendered validators of one contract: constants, node functions and the exported table. */
export function tsValidators(model: SchemaModel, sites: readonly ValidationSite[], tableName: string, agent: string): string {
  const c = new Compiler(model);
  const entries = sites.map((s) => `  ${str(s.label)}: (value) => ${c.fn(s.node.id)}(value, ""),`);
  return [
    ...c.constants,
    "",
    c.functions.join("\n\n"),
    "",
    `/** The schemas of ${agent} by site (\`<skill>.input\`, \`.output\`, \`.delta\`, \`<event>.payload\`): each returns the first failure, in the order every language reports it, or undefined. */`,
    `export const ${tableName}: Readonly<Record<string, (value: unknown) => SchemaFailure | undefined>> = {`,
    ...entries,
    "};",
  ].join("\n");
}
