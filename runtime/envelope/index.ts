/**
 * runtime/envelope: create, decode, encode and inspect ACP envelopes.
 * Thin layer over generated/ts (types, ajv validators, catalogue constants).
 */
export type { Envelope } from "../../generated/ts/types.js";
export { DEFAULT_MAX_BYTES, decode, decodeOrThrow, tooLargeError, validate } from "./decode.js";
export type { DecodeOptions, DecodeResult } from "./decode.js";
export { encode, encodeCanonical } from "./encode.js";
export { createEnvelope } from "./create.js";
export type { CreateOptions } from "./create.js";
export { effectivePhase, isPhase, isTerminal, withDualWrite } from "./phase.js";
export type { PhaseName } from "./phase.js";
export { EnvelopeDecodeError, isEnvelopeDecodeError } from "./errors.js";
export type { EnvelopeDecodeErrorCode, EnvelopeDecodeErrorInit } from "./errors.js";
export { canonicalBytes, canonicalize } from "./canonical.js";
export { createUuidV7Generator, isUuid, uuidv7, uuidv7Timestamp, uuidVersion } from "./ids.js";
export type { UuidV7Generator } from "./ids.js";
export { formatRfc3339, nowRfc3339, parseRfc3339 } from "./time.js";
