/**
 * Envelope bytes for the wire, as `encode` from runtime/envelope writes them (compact JSON,
 * UTF-8), through `Buffer.from`, which takes small strings from Node's buffer pool: about
 * half the cost of `TextEncoder.encode` per message on the bus' hot paths. Failures are
 * reported by `encode` itself (CODEC_FAILURE).
 */
import type { Envelope } from "../../generated/ts/types.js";
import { encode } from "../envelope/index.js";

/** Compact JSON UTF-8 bytes of `env` (a Buffer, which is a Uint8Array). */
export function wireBytes(env: Envelope): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(env);
  } catch {
    return encode(env); // throws the CodecFailureError that names the problem
  }
  return text === undefined ? encode(env) : Buffer.from(text, "utf8");
}
