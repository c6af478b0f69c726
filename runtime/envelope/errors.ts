/**
 * The envelope decoder's error: what failed (catalogue code), where (RFC 6901
 * JSON pointer), what was expected and what was found. ARCHITECTURE.md
 * "Fixed contracts / Decode errors" fixes the code and pointer of every failure.
 */
import { AcpError } from "../../generated/ts/errors.js";

/** The two codes a decode can fail with. */
export type EnvelopeDecodeErrorCode = "CODEC_FAILURE" | "INVALID_REQUEST";

/** What an {@link EnvelopeDecodeError} is built from. */
export interface EnvelopeDecodeErrorInit {
  /** RFC 6901 pointer of the defect; "" is the whole document. */
  pointer: string;
  /** What was expected, for humans ("an integer from 0 to 2^53-1"). */
  expected: string;
  /** A short rendering of what was found ("missing", "-1", `string "x"`). */
  got: string;
  cause?: unknown;
}

/**
 * A decode failure as data. `code` is CODEC_FAILURE for size, UTF-8 and JSON
 * failures (pointer "") and INVALID_REQUEST for schema failures (pointer of
 * the defect). Never retryable: the same bytes fail the same way.
 */
export class EnvelopeDecodeError extends AcpError {
  declare readonly code: EnvelopeDecodeErrorCode;
  /** RFC 6901 JSON pointer of the defect, "" = whole document. */
  readonly pointer: string;
  /** Human description of what was expected there. */
  readonly expected: string;
  /** Short rendering of the offending value ("missing" for an absent property). */
  readonly got: string;

  constructor(code: EnvelopeDecodeErrorCode, init: EnvelopeDecodeErrorInit) {
    super(code, formatMessage(code, init), {
      retryable: false,
      cause: init.cause,
      details: { pointer: init.pointer, expected: init.expected, got: init.got },
    });
    this.name = "EnvelopeDecodeError";
    this.pointer = init.pointer;
    this.expected = init.expected;
    this.got = init.got;
  }
}

function formatMessage(code: EnvelopeDecodeErrorCode, init: EnvelopeDecodeErrorInit): string {
  const what = code === "CODEC_FAILURE" ? "cannot decode envelope" : "invalid envelope";
  const where = init.pointer === "" ? "" : ` at ${init.pointer}`;
  return `${what}${where}: expected ${init.expected}, got ${init.got}`;
}

/** True when `err` is an {@link EnvelopeDecodeError}. */
export function isEnvelopeDecodeError(err: unknown): err is EnvelopeDecodeError {
  return err instanceof EnvelopeDecodeError;
}
