/**
 * Writing and reading objects whose keys come off the wire. `obj[key] = v` with a key such as
 * `__proto__` calls the prototype setter instead of adding a member, and `obj[key]` with
 * `constructor` or `toString` finds Object.prototype's members; wire-keyed data therefore goes
 * through these (or a Map / null-prototype object).
 */

/** Adds `key` as an own enumerable member of `obj`, whatever the key (`__proto__` included). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** `obj[key]` when it is an own member, else `undefined` (never an inherited one). */
export function getOwn<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
