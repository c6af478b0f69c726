/**
 * Envelope encoding: compact JSON for the wire and RFC 8785 canonical bytes
 * for comparisons (ARCHITECTURE.md "Canonical JSON"). Every own enumerable
 * field is written, so unknown top-level fields from a decoded envelope survive;
 * fields set to undefined are left out.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { CodecFailureError } from "../../generated/ts/errors.js";
import { canonicalBytes } from "./canonical.js";

const encoder = new TextEncoder();

/**
 * Compact JSON (JSON.stringify, no white space) as UTF-8 bytes. Does not
 * validate. Throws {@link CodecFailureError} when the value is not JSON data
 * (a cycle, a bigint) or nests too deeply to serialize.
 */
export function encode(env: Envelope): Uint8Array {
  let text: string;
  try {
    text = JSON.stringify(env);
  } catch (err: unknown) {
    throw encodeFailure(err);
  }
  return encoder.encode(text);
}

/**
 * RFC 8785 canonical bytes of the envelope. Throws {@link CodecFailureError}
 * for anything that is not JSON data (undefined inside arrays, NaN, class
 * instances, lone surrogates, cycles) or nests too deeply.
 */
export function encodeCanonical(env: Envelope): Uint8Array {
  try {
    return canonicalBytes(env);
  } catch (err: unknown) {
    throw encodeFailure(err);
  }
}

function encodeFailure(err: unknown): CodecFailureError {
  const why = err instanceof Error ? err.message : String(err);
  return new CodecFailureError(`cannot encode envelope: ${why}`, { cause: err });
}
