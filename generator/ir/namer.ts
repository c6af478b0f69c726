/**
 * The one collision rule of every language's namer: a scope of taken names in which a
 * candidate gets the first free `candidate`, `candidate<sep>2`, `candidate<sep>3`, ... Each
 * language supplies its separator, its reserved words (as initially taken names), and how a
 * name is compared (Kotlin compares names without backticks) and written back.
 */

/** How one language spells suffixed names. */
export interface NamerStyle {
  /** Between the base and the number: `_` in Python (`name_2`), "" in Kotlin and contracts (`Name2`). */
  readonly separator: string;
  /** The form names are compared in (default: as is). */
  readonly key?: (name: string) => string;
  /** Turns a suffixed base into a legal name (default: as is), e.g. Kotlin's backtick quoting. */
  readonly spell?: (name: string) => string;
}

/** A scope of taken names: claim each name once, in order; collisions get numbered. */
export class NameScope {
  private readonly taken = new Set<string>();
  private readonly key: (name: string) => string;

  constructor(
    private readonly style: NamerStyle,
    reserved: Iterable<string> = [],
  ) {
    this.key = style.key ?? ((n) => n);
    for (const name of reserved) this.taken.add(this.key(name));
  }

  /** True when `name` is taken (reserved or claimed). */
  has(name: string): boolean {
    return this.taken.has(this.key(name));
  }

  /** Returns `candidate`, or the first free numbered form of it, and marks it taken. */
  claim(candidate: string): string {
    let name = candidate;
    const base = this.key(candidate);
    for (let i = 2; this.has(name); i++) name = (this.style.spell ?? ((n) => n))(`${base}${this.style.separator}${i}`);
    this.taken.add(this.key(name));
    return name;
  }
}
