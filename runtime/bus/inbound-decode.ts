/**
 * The inbound gate: bytes from the transport become an envelope, or a rejection that is
 * counted and logged with its reason and never reaches a handler (spec/bus.md "Inbound
 * validation and errors", spec/errors.md "Decode errors"). In `lenient` mode a document that
 * is JSON with a string `event_type` but breaks the schema still passes, counted and logged.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { decode, type EnvelopeDecodeError } from "../envelope/index.js";
import type { TransportMessage } from "../transport/types.js";
import { EnvelopeBody } from "./local.js";
import type { Counters, Log } from "./stats.js";
import type { ValidationMode } from "./types.js";

/** What the gate let through, or why not. */
export type Inbound =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly error: EnvelopeDecodeError; readonly raw: RawFields | undefined };

/** Fields read from a rejected document, when it was JSON: enough to answer it. */
export interface RawFields {
  readonly event_id: string | undefined;
  readonly reply_to: string | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly value: Record<string, unknown>;
}

const utf8 = new TextDecoder();

/** Reads the answerable fields of a document the schema rejected (it is valid JSON). */
function rawFields(data: Uint8Array): RawFields | undefined {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(data));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof obj[k] === "string" ? (obj[k] as string) : undefined);
  return { event_id: str("event_id"), reply_to: str("reply_to"), from: str("from"), to: str("to"), value: obj };
}

/** Decodes inbound bytes per the bus' validation mode; counts and logs rejections. */
export class InboundGate {
  readonly #mode: ValidationMode;
  readonly #maxBytes: number;
  readonly #counters: Counters;
  readonly #log: Log;

  constructor(mode: ValidationMode, maxBytes: number, counters: Counters, log: Log) {
    this.#mode = mode;
    this.#maxBytes = maxBytes;
    this.#counters = counters;
    this.#log = log;
  }

  /**
   * Decodes a transport message: a sealed {@link EnvelopeBody} from a bus in this process
   * without parsing (same checks, same outcome: see local.ts), anything else from its bytes.
   */
  decodeMessage(msg: TransportMessage): Inbound {
    const local = msg.body;
    if (local instanceof EnvelopeBody && local.sealed && (local.maxByteLength <= this.#maxBytes || local.bytes().byteLength <= this.#maxBytes)) {
      const envelope = local.open();
      if (envelope !== undefined) {
        this.#counters.received++;
        return { ok: true, envelope };
      }
    }
    return this.decode(msg.data, msg.subject);
  }

  /** Decodes `data` that arrived on `subject`. */
  decode(data: Uint8Array, subject: string): Inbound {
    const result = decode(data, { maxBytes: this.#maxBytes });
    if (result.ok) {
      this.#counters.received++;
      return result;
    }
    const error = result.error;
    const raw = error.code === "INVALID_REQUEST" ? rawFields(data) : undefined;
    if (this.#mode === "lenient" && raw !== undefined && typeof raw.value["event_type"] === "string") {
      this.#counters.received++;
      this.#counters.lenientAccepted++;
      this.#log.warn({ subject, code: error.code, pointer: error.pointer, reason: error.message }, "accepted an invalid envelope (lenient validation)");
      return { ok: true, envelope: raw.value as Envelope };
    }
    if (error.code === "CODEC_FAILURE") this.#counters.rejectedCodec++;
    else this.#counters.rejectedInvalid++;
    this.#log.warn(
      { subject, code: error.code, pointer: error.pointer, reason: error.message, event_id: raw?.event_id, bytes: data.byteLength },
      "rejected inbound envelope",
    );
    return { ok: false, error, raw };
  }
}
