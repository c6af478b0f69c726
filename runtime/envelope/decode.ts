/**
 * Envelope decoding: bytes or text → a schema-valid {@link Envelope} or an
 * {@link EnvelopeDecodeError} as data. Runs the steps of ARCHITECTURE.md
 * "Fixed contracts / Decode errors" in order and stops at the first failure:
 * size → UTF-8 → JSON (exactly one value) → schema (the generated check, then the
 * generated ajv validator for the report of a defect).
 *
 * The decoded envelope is the object JSON.parse returned, unchanged, so
 * unknown top-level fields survive decode → encode.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { isEnvelope } from "../../generated/ts/checks.js";
import { validateEnvelope } from "../../generated/ts/validators.js";
import { EnvelopeDecodeError } from "./errors.js";
import { render, reportSchemaErrors } from "./schema-report.js";

/** Default size limit: 1 MiB, NATS' default max_payload. */
export const DEFAULT_MAX_BYTES = 1_048_576;

/** Options of {@link decode}. */
export interface DecodeOptions {
  /** Largest accepted document in UTF-8 bytes (default {@link DEFAULT_MAX_BYTES}). */
  maxBytes?: number;
}

/** The outcome of {@link decode}: the envelope, or the first defect found. */
export type DecodeResult = { ok: true; envelope: Envelope } | { ok: false; error: EnvelopeDecodeError };

// Stateless when used without { stream: true }; ignoreBOM keeps a BOM in the text so it is rejected below.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes one envelope from UTF-8 bytes or from text. Never throws: every
 * failure, including unexpected ones (a RangeError from absurd nesting), is
 * returned as `{ ok: false, error }` with code CODEC_FAILURE or INVALID_REQUEST.
 */
export function decode(input: Uint8Array | string, opts?: DecodeOptions): DecodeResult {
  try {
    const maxBytes = opts?.maxBytes ?? DEFAULT_MAX_BYTES;
    let text: string;
    if (typeof input === "string") {
      const failure = checkText(input, maxBytes);
      if (failure !== undefined) return failure;
      text = input;
    } else {
      if (input.byteLength > maxBytes) return tooLarge(input.byteLength, maxBytes);
      if (input.byteLength >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) return bomFailure();
      try {
        text = utf8.decode(input);
      } catch (err: unknown) {
        return codecFailure("valid UTF-8", `invalid UTF-8 at byte ${firstInvalidUtf8(input)}`, err);
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err: unknown) {
      return codecFailure("exactly one JSON value", describeParseError(err, text), err);
    }
    return validate(value);
  } catch (err: unknown) {
    return codecFailure("a decodable envelope", `an internal failure (${describeThrown(err)})`, err);
  }
}

/** Like {@link decode} but throws the {@link EnvelopeDecodeError}. */
export function decodeOrThrow(input: Uint8Array | string, opts?: DecodeOptions): Envelope {
  const result = decode(input, opts);
  if (!result.ok) throw result.error;
  return result.envelope;
}

/**
 * The schema step alone, for an already parsed value. On success the envelope
 * is `value` itself (same object). Never throws.
 */
export function validate(value: unknown): DecodeResult {
  try {
    // The generated boolean check answers what ajv answers, without building ajv's error
    // objects on the way (it allocates some for every `if` of the schema whose condition
    // fails); ajv runs only for a document the check refuses, to report its defect.
    if (isEnvelope(value) || validateEnvelope(value)) return { ok: true, envelope: value };
    const defect = reportSchemaErrors(validateEnvelope.errors, value);
    return { ok: false, error: new EnvelopeDecodeError("INVALID_REQUEST", defect) };
  } catch (err: unknown) {
    return codecFailure("a value the validator can check", `an internal failure (${describeThrown(err)})`, err);
  }
}

function checkText(text: string, maxBytes: number): DecodeResult | undefined {
  // Each UTF-16 unit takes at least one UTF-8 byte and at most three.
  if (text.length > maxBytes) return tooLarge(utf8Length(text), maxBytes);
  if (text.length * 3 > maxBytes) {
    const bytes = utf8Length(text);
    if (bytes > maxBytes) return tooLarge(bytes, maxBytes);
  }
  if (text.charCodeAt(0) === 0xfeff) return bomFailure();
  if (!(text as unknown as WellFormedString).isWellFormed()) {
    return codecFailure("text with a UTF-8 form", "a lone UTF-16 surrogate");
  }
  return undefined;
}

/** UTF-8 length of a string (a lone surrogate counts 3, as its U+FFFD replacement). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Offset of the first byte that starts an ill-formed UTF-8 sequence (Unicode Table 3-7; failure path only). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let trail: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) trail = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      trail = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      trail = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= trail; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return i;
    }
    i += trail + 1;
  }
  return bytes.length;
}

function describeParseError(err: unknown, text: string): string {
  if (text.trim() === "") return "empty input";
  if (err instanceof SyntaxError) return `invalid JSON (${err.message})`;
  return describeThrown(err);
}

function describeThrown(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : render(err);
}

function tooLarge(size: number, maxBytes: number): DecodeResult {
  return { ok: false, error: tooLargeError(size, maxBytes) };
}

/**
 * The error {@link decode} returns for a document of `size` bytes over
 * `maxBytes`, for callers that learn the size without reading the bytes (a file's stat).
 */
export function tooLargeError(size: number, maxBytes: number): EnvelopeDecodeError {
  return new EnvelopeDecodeError("CODEC_FAILURE", { pointer: "", expected: `at most ${maxBytes} bytes`, got: `${size} bytes` });
}

function bomFailure(): DecodeResult {
  return codecFailure("JSON text without a byte order mark", "a leading byte order mark (U+FEFF)");
}

function codecFailure(expected: string, got: string, cause?: unknown): DecodeResult {
  return { ok: false, error: new EnvelopeDecodeError("CODEC_FAILURE", { pointer: "", expected, got, cause }) };
}

/** String.prototype.isWellFormed is in Node 20 but in TypeScript's ES2024 lib, beyond our ES2023 target. */
interface WellFormedString {
  isWellFormed(): boolean;
}
