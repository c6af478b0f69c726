/**
 * Canonical JSON: RFC 8785 (JSON Canonicalization Scheme), the byte form golden
 * comparisons use in every language (ARCHITECTURE.md "Canonical JSON").
 *
 * - object keys sorted by UTF-16 code units (RFC 8785 §3.2.3) — JavaScript's
 *   default string order is exactly that;
 * - numbers in ECMAScript shortest form (§3.2.2.3) — `JSON.stringify(n)` for a
 *   finite number, which also writes -0 as "0"; NaN and ±Infinity are rejected;
 * - strings escaped as §3.2.2.2 requires — `JSON.stringify(s)` does exactly that
 *   for well-formed strings; strings (values or keys) with lone surrogates are
 *   rejected, since they have no UTF-8 form (§3.2.2.2, I-JSON);
 * - no white space, no trailing newline.
 *
 * Accepted input is JSON data: null, booleans, finite numbers, strings, arrays
 * and plain objects (prototype Object.prototype or null). Object properties
 * whose value is `undefined` are left out, as JSON.stringify does, so envelopes
 * built with optional fields set to undefined canonicalize cleanly. Anything else
 * (undefined elsewhere, bigint, functions, symbols, class instances such as Date,
 * cycles) throws the runtime's invalid-argument error (INVALID_REQUEST, runtime/errors.ts
 * invalidArgument) naming the JSON pointer of the offending value.
 *
 * Written here rather than taken from the `canonicalize` npm package: its current
 * release (5.x) requires Node >= 22, and it follows JSON.stringify's lenient
 * rules (toJSON, silently dropping functions) where golden comparison wants a
 * strict error.
 */

import { invalidArgument } from "../errors.js";
import { escapePointerToken } from "./schema-report.js";

const encoder = new TextEncoder();

/** Returns the RFC 8785 canonical JSON text of a JSON value. Throws an invalid-argument InvalidRequestError for non-JSON input. */
export function canonicalize(value: unknown): string {
  return write(value, "", []);
}

/** Returns the UTF-8 bytes of {@link canonicalize}. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}

function write(value: unknown, pointer: string, ancestors: object[]): string {
  switch (typeof value) {
    case "string":
      return writeString(value, pointer);
    case "number":
      if (!Number.isFinite(value)) throw notJson(pointer, String(value), "a finite JSON number");
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      return writeContainer(value, pointer, ancestors);
    default:
      throw notJson(pointer, `a ${typeof value}`, "JSON data");
  }
}

function writeContainer(value: object, pointer: string, ancestors: object[]): string {
  if (ancestors.includes(value)) throw notJson(pointer, "a cycle", "JSON data (a tree, no cycles)");
  ancestors.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += write(value[i], `${pointer}/${i}`, ancestors);
    }
    out += "]";
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw notJson(pointer, describe(value), "a plain object");
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out = "{";
    let first = true;
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      const memberPointer = `${pointer}/${escapePointerToken(key)}`;
      out += `${first ? "" : ","}${writeString(key, memberPointer)}:${write(member, memberPointer, ancestors)}`;
      first = false;
    }
    out += "}";
  }
  ancestors.pop();
  return out;
}

function writeString(value: string, pointer: string): string {
  if (!(value as unknown as WellFormedString).isWellFormed()) {
    throw notJson(pointer, "a string with a lone surrogate", "a well-formed string (it has no UTF-8 form otherwise)");
  }
  return JSON.stringify(value);
}

/** The invalid-argument error for a value at `pointer` that is not JSON data. */
function notJson(pointer: string, got: string, expected: string): Error {
  return invalidArgument("canonicalize", `the value at "${pointer}"`, got, expected);
}

function describe(value: object): string {
  const name: unknown = value.constructor?.name;
  return typeof name === "string" && name !== "" ? `a ${name}` : "an object";
}

/** String.prototype.isWellFormed is in Node 20 but in TypeScript's ES2024 lib, beyond our ES2023 target. */
interface WellFormedString {
  isWellFormed(): boolean;
}
