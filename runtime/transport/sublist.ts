/**
 * A subscription index with NATS matching: a token trie (`*` one token, `>` one or more
 * trailing tokens) plus a bounded cache of match results per literal subject, the way
 * nats-server's sublist works. Queue members are merged by group name across patterns.
 *
 * The cache has two generations: new results go to the young one; when it is full it becomes
 * the old one (the previous old one is dropped) and a hit in the old one moves back to the
 * young one. Subjects used once (reply inboxes) age out in O(1) while hot subjects stay,
 * with their round-robin cursors. (Evicting a JS Map's oldest entry one by one costs a scan
 * over its deleted slots: ~3 µs per miss at 4,096 entries.)
 */
import { hasWildcard, isTokenAt, subjectMatches } from "./subject.js";

/** What the index stores: anything with a queue group name (or none). */
export interface Member {
  readonly queue: string | undefined;
}

/** One queue group in a match result; `next` drives round-robin selection. */
export interface QueueGroup<T extends Member> {
  readonly name: string;
  readonly members: T[];
  next: number;
}

/** Everything subscribed to a literal subject. Cached: do not mutate except `next`. */
export interface MatchResult<T extends Member> {
  readonly plain: T[];
  readonly groups: QueueGroup<T>[];
}

class TrieNode<T extends Member> {
  readonly children = new Map<string, TrieNode<T>>();
  star: TrieNode<T> | undefined;
  gt: TrieNode<T> | undefined;
  readonly plain: T[] = [];
  readonly queues = new Map<string, T[]>();

  isEmpty(): boolean {
    return this.plain.length === 0 && this.queues.size === 0 && this.children.size === 0 && this.star === undefined && this.gt === undefined;
  }
}

/** Default number of literal subjects whose match results are cached. */
export const DEFAULT_MATCH_CACHE_SIZE = 4096;

export class Sublist<T extends Member> {
  readonly #root = new TrieNode<T>();
  #young = new Map<string, MatchResult<T>>();
  #old = new Map<string, MatchResult<T>>();
  /** Entries per generation: at most `cacheSize` results are cached in all. */
  readonly #generation: number;
  /** The last result found not to depend on its subject's last token, by prefix (through the last dot). */
  #tail: { readonly prefix: string; readonly result: MatchResult<T> } | undefined;
  #count = 0;

  constructor(cacheSize = DEFAULT_MATCH_CACHE_SIZE) {
    this.#generation = Math.max(1, cacheSize >> 1);
  }

  /** Number of members stored. */
  get size(): number {
    return this.#count;
  }

  /** The cached result for a literal subject, if any (a hit also means it was validated). */
  cached(subject: string): MatchResult<T> | undefined {
    const hit = this.#young.get(subject);
    if (hit !== undefined) return hit;
    const old = this.#old.get(subject);
    if (old !== undefined) {
      this.#old.delete(subject);
      this.#store(subject, old);
    }
    return old;
  }

  insert(pattern: string, item: T): void {
    let node = this.#root;
    for (const token of pattern.split(".")) node = this.#ensureChild(node, token);
    if (item.queue === undefined) node.plain.push(item);
    else {
      const members = node.queues.get(item.queue);
      if (members === undefined) node.queues.set(item.queue, [item]);
      else members.push(item);
    }
    this.#count++;
    this.#invalidate(pattern);
  }

  /** Removes `item`; returns false when it was not there. Prunes empty trie nodes. */
  remove(pattern: string, item: T): boolean {
    const path: TrieNode<T>[] = [this.#root];
    const tokens = pattern.split(".");
    for (const token of tokens) {
      const next = this.#child(path[path.length - 1]!, token);
      if (next === undefined) return false;
      path.push(next);
    }
    const node = path[path.length - 1]!;
    if (!removeItem(node, item)) return false;
    this.#count--;
    for (let i = tokens.length; i > 0 && path[i]!.isEmpty(); i--) {
      const parent = path[i - 1]!;
      const token = tokens[i - 1]!;
      if (token === "*") parent.star = undefined;
      else if (token === ">") parent.gt = undefined;
      else parent.children.delete(token);
    }
    this.#invalidate(pattern);
    return true;
  }

  /** Everything subscribed to the literal `subject` (assumed valid), from cache when possible. */
  match(subject: string): MatchResult<T> {
    return this.tail(subject) ?? this.cached(subject) ?? this.compute(subject);
  }

  /**
   * Matches the literal `subject` (assumed valid) through the trie; for a {@link cached} miss.
   * A result that does not depend on the subject's last token (no literal subscription at that
   * level, no queue group: e.g. `<inbox>.*` for a reply) becomes the {@link tail} memo instead of
   * a cache entry, so unique reply subjects neither fill the cache nor walk the trie again.
   */
  compute(subject: string): MatchResult<T> {
    const walk: Walk<T> = { result: { plain: [], groups: [] }, lastTokenMatters: false };
    collect(this.#root, subject, 0, walk);
    const result = walk.result;
    const dot = subject.lastIndexOf(".");
    if (!walk.lastTokenMatters && result.groups.length === 0 && dot > 0) this.#tail = { prefix: subject.slice(0, dot + 1), result };
    else this.#store(subject, result);
    return result;
  }

  /**
   * The memoized result for `subject` when it is the memo's prefix plus one valid token (then
   * it is also a valid subject), else `undefined`.
   */
  tail(subject: string): MatchResult<T> | undefined {
    const memo = this.#tail;
    if (memo === undefined) return undefined;
    const prefix = memo.prefix;
    return subject.length > prefix.length && subject.startsWith(prefix) && isTokenAt(subject, prefix.length) ? memo.result : undefined;
  }

  #store(subject: string, result: MatchResult<T>): void {
    if (this.#young.size >= this.#generation) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(subject, result);
  }

  #child(node: TrieNode<T>, token: string): TrieNode<T> | undefined {
    if (token === "*") return node.star;
    if (token === ">") return node.gt;
    return node.children.get(token);
  }

  #ensureChild(node: TrieNode<T>, token: string): TrieNode<T> {
    if (token === "*") return (node.star ??= new TrieNode<T>());
    if (token === ">") return (node.gt ??= new TrieNode<T>());
    let child = node.children.get(token);
    if (child === undefined) {
      child = new TrieNode<T>();
      node.children.set(token, child);
    }
    return child;
  }

  #invalidate(pattern: string): void {
    this.#tail = undefined;
    if (!hasWildcard(pattern)) {
      this.#young.delete(pattern);
      this.#old.delete(pattern);
      return;
    }
    for (const cache of [this.#young, this.#old]) {
      for (const subject of cache.keys()) {
        if (subjectMatches(pattern, subject)) cache.delete(subject);
      }
    }
  }
}

function removeItem<T extends Member>(node: TrieNode<T>, item: T): boolean {
  const list = item.queue === undefined ? node.plain : node.queues.get(item.queue);
  if (list === undefined) return false;
  const i = list.indexOf(item);
  if (i < 0) return false;
  list.splice(i, 1);
  if (list.length === 0 && item.queue !== undefined) node.queues.delete(item.queue);
  return true;
}

function addAll<T extends Member>(node: TrieNode<T>, into: MatchResult<T>): void {
  for (const item of node.plain) into.plain.push(item);
  for (const [name, members] of node.queues) {
    const group = into.groups.find((g) => g.name === name);
    if (group === undefined) into.groups.push({ name, members: members.slice(), next: 0 });
    else for (const m of members) group.members.push(m);
  }
}

/** A trie walk: what matched, and whether a literal subscription was looked up for the last token. */
interface Walk<T extends Member> {
  readonly result: MatchResult<T>;
  lastTokenMatters: boolean;
}

/** Adds what matches `subject` from its token starting at `start` (no split: misses are frequent). */
function collect<T extends Member>(node: TrieNode<T>, subject: string, start: number, walk: Walk<T>): void {
  if (start > subject.length) {
    addAll(node, walk.result);
    return;
  }
  if (node.gt !== undefined) addAll(node.gt, walk.result);
  let end = subject.indexOf(".", start);
  if (end < 0) end = subject.length;
  if (node.star !== undefined) collect(node.star, subject, end + 1, walk);
  if (node.children.size === 0) return;
  if (end === subject.length) walk.lastTokenMatters = true;
  const exact = node.children.get(subject.slice(start, end));
  if (exact !== undefined) collect(exact, subject, end + 1, walk);
}
