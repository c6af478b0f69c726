/**
 * Python boolean expressions as a small tree, simplified as they are built (`True`/`False`
 * absorbed, `not` pushed into comparisons) and written within the line length: flat when it
 * fits, else each `and`/`or` operand on its own line inside parentheses. checks.ts builds the
 * generated boolean checks with it.
 */
import { WIDTH } from "./pyfmt.js";

/** A Python boolean expression. */
export type Expr =
  /** A comparison (`prec` 4) or a call, name or literal (`prec` 5); `neg` is the text of its negation. */
  | { readonly kind: "leaf"; readonly text: string; readonly prec: 4 | 5; readonly neg?: string }
  | { readonly kind: "and" | "or"; readonly parts: readonly Expr[] }
  | { readonly kind: "not"; readonly inner: Expr }
  | { readonly kind: "cond"; readonly test: Expr; readonly then: Expr; readonly else: Expr };

/** A call, name or literal. */
export const atom = (text: string): Expr => ({ kind: "leaf", text, prec: 5 });
/** A comparison and the text of its negation (`a in b` / `a not in b`). */
export const compare = (text: string, neg: string): Expr => ({ kind: "leaf", text, prec: 4, neg });

export const TRUE = atom("True");
export const FALSE = atom("False");

const isTrue = (e: Expr): boolean => e.kind === "leaf" && e.text === "True";
const isFalse = (e: Expr): boolean => e.kind === "leaf" && e.text === "False";

function chain(kind: "and" | "or", parts: readonly Expr[]): Expr {
  const unit = kind === "and" ? isTrue : isFalse;
  const zero = kind === "and" ? isFalse : isTrue;
  const seen = new Set<string>();
  // a test repeated in one chain (`"phase" in d` of a rule's condition and of its consequence) is written once
  const flat = parts
    .flatMap((p) => (p.kind === kind ? p.parts : [p]))
    .filter((p) => !unit(p))
    .filter((p) => {
      const text = render(p);
      if (seen.has(text)) return false;
      seen.add(text);
      return true;
    });
  if (flat.some(zero)) return kind === "and" ? FALSE : TRUE;
  if (flat.length === 0) return kind === "and" ? TRUE : FALSE;
  return flat.length === 1 ? flat[0]! : { kind, parts: flat };
}

/** Every part holds. */
export const and = (...parts: Expr[]): Expr => chain("and", parts);
/** Some part holds. */
export const or = (...parts: Expr[]): Expr => chain("or", parts);

/** The negation, pushed into comparisons that have one and through `or`. */
export function not(e: Expr): Expr {
  if (isTrue(e)) return FALSE;
  if (isFalse(e)) return TRUE;
  if (e.kind === "not") return e.inner;
  if (e.kind === "or") return and(...e.parts.map(not)); // `if a and not b:` reads better than `if not (not a or b):`
  if (e.kind === "leaf" && e.neg !== undefined) return { kind: "leaf", text: e.neg, prec: 4, neg: e.text };
  return { kind: "not", inner: e };
}

/** `then` when `test` holds, else `otherwise`. */
export function cond(test: Expr, then: Expr, otherwise: Expr): Expr {
  if (isTrue(otherwise)) return or(not(test), then);
  if (isTrue(then)) return or(test, otherwise);
  return { kind: "cond", test, then, else: otherwise };
}

/** Python precedence: conditional 0, or 1, and 2, not 3, comparison 4, atom 5. */
function prec(e: Expr): number {
  switch (e.kind) {
    case "leaf":
      return e.prec;
    case "or":
      return 1;
    case "and":
      return 2;
    case "not":
      return 3;
    case "cond":
      return 0;
  }
}

/** One line; parenthesized when its precedence is below `ctx`. */
export function flat(e: Expr, ctx = 0): string {
  return render(e, ctx);
}

function render(e: Expr, ctx = 0): string {
  let s: string;
  switch (e.kind) {
    case "leaf":
      s = e.text;
      break;
    case "and":
    case "or":
      // operands of `or` that are `and` chains get parentheses too (read without precedence rules)
      s = e.parts.map((p) => flat(p, 3)).join(` ${e.kind} `);
      break;
    case "not":
      s = `not ${flat(e.inner, 3)}`;
      break;
    case "cond":
      s = `${flat(e.then, 1)} if ${flat(e.test, 1)} else ${flat(e.else, 0)}`;
      break;
  }
  return prec(e) < ctx ? `(${s})` : s;
}

/**
 * `prefix` + `e` + `suffix` as lines within the line length: `prefix` starts at column `col`
 * (it includes the indentation); a chain that does not fit goes one operand per line.
 */
export function lines(prefix: string, e: Expr, suffix: string, col: number, ctx = 0): string[] {
  const one = `${prefix}${flat(e, ctx)}${suffix}`;
  if (one.length <= WIDTH) return [one];
  const pad = " ".repeat(col);
  const inner = " ".repeat(col + 4);
  switch (e.kind) {
    case "and":
    case "or":
      return [`${prefix}(`, ...e.parts.flatMap((p, i) => lines(`${inner}${i === 0 ? "" : `${e.kind} `}`, p, "", col + 4, 3)), `${pad})${suffix}`];
    case "not":
      return lines(`${prefix}not `, e.inner, suffix, col, 3);
    case "cond":
      return [
        `${prefix}(`,
        ...lines(inner, e.then, "", col + 4, 1),
        ...lines(`${inner}if `, e.test, "", col + 4, 1),
        ...lines(`${inner}else `, e.else, "", col + 4, 0),
        `${pad})${suffix}`,
      ];
    case "leaf":
      return [one];
  }
}
