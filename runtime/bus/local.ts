/**
 * Envelope bodies and local delivery (spec/bus.md "Local delivery"): the bus hands every
 * envelope to `transport.publish` as an {@link EnvelopeBody} (one send path for every
 * transport). A socket transport takes its bytes (`wireBytes`, nothing else is done); a
 * transport that delivers in-process (memory) seals it instead: it then travels as a private
 * copy of the JSON document the envelope encodes to, not as bytes that every receiver parses
 * and validates again.
 *
 * A sealed body behaves exactly as the bytes would:
 * - the copy is taken when the envelope is sent (later changes to the sender's objects don't
 *   travel, as with bytes); each receiver gets its own copy of it, the last receiver the
 *   transport announced in `routed` the copy itself (nobody reads it after that);
 * - it is made only from JSON data — plain objects and arrays, strings, finite numbers,
 *   booleans, null — with JSON's rules (`undefined` and functions leave object members out and
 *   become `null` in arrays, -0 is 0), so it equals `JSON.parse(JSON.stringify(env))`;
 *   anything else (class instances, `toJSON`, non-finite numbers, bigint, `__proto__` keys,
 *   cycles, deep nesting) is sent as bytes instead, with the usual errors;
 * - `bytes()` is `JSON.stringify` of the copy: the bytes the envelope would have been sent as;
 * - the receiving bus runs the decoder's checks on it: size (against an upper bound, exactly
 *   when the bound is over the limit), then the schema validator on the copy — the same
 *   validator on the same document, so the same outcome — except for an envelope the sending
 *   bus vouches for (vouch.ts: built by it, caller-supplied parts checked with the schema's
 *   rules). A document that fails is decoded from its bytes, so rejections are reported exactly
 *   as for bytes.
 * Bytes from anywhere else (every NATS message, a raw `publish`) always go through `decode`.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { isEnvelope } from "../../generated/ts/checks.js";
import type { MessageBody } from "../transport/types.js";
import { callerPartsValid } from "./vouch.js";
import { wireBytes } from "./wire.js";

/** Deeper documents are sent as bytes (JSON.stringify decides what happens to them). */
const MAX_DEPTH = 256;
/** Longest JSON text of a finite number (`-1.7976931348623157e+308` is 24 characters). */
const NUMBER_BYTES = 25;
/** JSON string bytes per UTF-16 unit, at most: a control character or lone surrogate is `\uXXXX`. */
const STRING_UNIT_BYTES = 6;

const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;

/** Thrown inside a {@link Copier} for a value JSON can't carry as is; never escapes this module. */
const NOT_PLAIN = Symbol("not plain JSON");

/**
 * True while `Object.prototype` has no enumerable properties: `for…in` over a plain object
 * then visits exactly its own enumerable keys, in `Object.keys` order (and is faster).
 */
function plainPrototypeClean(): boolean {
  for (const _ in OBJECT_PROTOTYPE) return false;
  return true;
}

function skipped(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** Copies JSON data, adding an upper bound of its encoded size to `bytes`. Throws NOT_PLAIN. */
class Copier {
  bytes = 0;

  value(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case "string":
        this.bytes += STRING_UNIT_BYTES * value.length + 2;
        return value;
      case "number":
        if (!Number.isFinite(value)) throw NOT_PLAIN;
        this.bytes += NUMBER_BYTES;
        return value === 0 ? 0 : value; // -0 is written as 0
      case "boolean":
        this.bytes += 5;
        return value;
      case "object":
        if (value === null) {
          this.bytes += 4;
          return null;
        }
        if (depth >= MAX_DEPTH) throw NOT_PLAIN;
        return Array.isArray(value) ? this.array(value, depth + 1) : this.object(value, depth + 1);
      default:
        throw NOT_PLAIN;
    }
  }

  array(source: unknown[], depth: number): unknown[] {
    if (Object.getPrototypeOf(source) !== ARRAY_PROTOTYPE || typeof (source as { toJSON?: unknown }).toJSON === "function") throw NOT_PLAIN;
    const n = source.length;
    const out = new Array<unknown>(n);
    this.bytes += 2 + n;
    for (let i = 0; i < n; i++) {
      const v: unknown = source[i];
      if (skipped(v)) {
        this.bytes += 4;
        out[i] = null;
      } else out[i] = this.value(v, depth);
    }
    return out;
  }

  /**
   * Takes over an envelope the bus handed over (its own plain object, used by nobody after the
   * send): checks its values like {@link object} and replaces its object values (payload,
   * metadata) with copies, so it becomes the document without copying its own fields.
   */
  adopt(env: Envelope): Envelope {
    if (Object.getPrototypeOf(env) !== OBJECT_PROTOTYPE) throw NOT_PLAIN;
    const doc = env as Record<string, unknown>;
    let members = 0;
    for (const key in doc) {
      const v = doc[key];
      if (key === "__proto__" || skipped(v)) throw NOT_PLAIN; // a member JSON leaves out: not this fast path
      this.bytes += STRING_UNIT_BYTES * key.length + 3;
      members++;
      if (typeof v === "string") this.bytes += STRING_UNIT_BYTES * v.length + 2;
      else {
        const copy = this.value(v, 1);
        if (copy !== v) doc[key] = copy;
      }
    }
    this.bytes += 2 + members;
    return env;
  }

  object(source: object, depth: number): Record<string, unknown> {
    const proto: unknown = Object.getPrototypeOf(source);
    if ((proto !== OBJECT_PROTOTYPE && proto !== null) || typeof (source as { toJSON?: unknown }).toJSON === "function") throw NOT_PLAIN;
    const out: Record<string, unknown> = {};
    let members = 0;
    for (const key in source) {
      const v: unknown = (source as Record<string, unknown>)[key];
      if (skipped(v)) continue;
      if (key === "__proto__") throw NOT_PLAIN;
      this.bytes += STRING_UNIT_BYTES * key.length + 3;
      members++;
      out[key] = this.value(v, depth);
    }
    this.bytes += 2 + members;
    return out;
  }
}

/** Copies a document that is already plain JSON data (the private copy); needs {@link plainPrototypeClean}. */
function recopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = recopy(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = recopy((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * Where an envelope handed to the transport comes from:
 * - `"foreign"`: anyone's (publishEnvelope, stream frames, after outbound middleware): copied,
 *   validated in full by the receiver;
 * - `"vouched"`: built by the bus' factory and sent as is (vouch.ts), still used by the bus
 *   afterwards (a stream request): copied;
 * - `"handed-over"`: vouched, and nobody uses the object after the send (publish, invoke
 *   request, invoke reply): it becomes the document itself, its payload and metadata copied.
 */
export type Provenance = "foreign" | "vouched" | "handed-over";

/** An envelope on its way through a transport: its bytes, or (sealed) its private JSON copy. */
export class EnvelopeBody implements MessageBody {
  /** An upper bound of the bytes' length once sealed; -1 before (or when it can't be sealed). */
  maxByteLength = -1;
  /** The envelope as handed over, until the transport takes one of its forms. */
  #env: Envelope | undefined;
  readonly #provenance: Provenance;
  /** The JSON document once sealed, never handed out and never changed. */
  #doc: Envelope | undefined;
  #bytes: Uint8Array | undefined;
  /** undefined: not checked yet. */
  #valid: boolean | undefined;
  /** Receivers announced by the transport (-1: unknown, every receiver gets a copy). */
  #receivers = -1;
  #opened = 0;

  /** Nothing is copied or encoded until the transport picks a form. */
  constructor(env: Envelope, provenance: Provenance = "foreign") {
    this.#env = env;
    this.#provenance = provenance;
  }

  /**
   * Takes the private copy now (see {@link Provenance}: for an envelope the bus vouches for,
   * the parts a caller supplied are checked here and the full schema validator is skipped when
   * they pass); -1 when it must travel as bytes (not plain JSON data).
   */
  seal(): number {
    const env = this.#env;
    if (env === undefined || this.#bytes !== undefined || !plainPrototypeClean()) return -1;
    const copier = new Copier();
    let doc: Envelope;
    try {
      doc = this.#provenance === "handed-over" ? copier.adopt(env) : (copier.object(env, 1) as Envelope);
    } catch {
      // NOT_PLAIN, a RangeError (stack), or a throwing getter: the bytes path reports it as it always does.
      return -1;
    }
    this.#env = undefined;
    this.#doc = doc;
    this.maxByteLength = copier.bytes;
    if (this.#provenance !== "foreign" && callerPartsValid(doc)) this.#valid = true;
    return copier.bytes;
  }

  /** The wire bytes: of the sealed copy, else of the envelope as it is now (throws CODEC_FAILURE as `encode` does). */
  bytes(): Uint8Array {
    if (this.#bytes !== undefined) return this.#bytes;
    const doc = this.#doc;
    this.#bytes = doc !== undefined ? Buffer.from(JSON.stringify(doc), "utf8") : wireBytes(this.#env!);
    this.#env = undefined;
    return this.#bytes;
  }

  /** True once sealed: receivers may {@link open} it. */
  get sealed(): boolean {
    return this.#doc !== undefined;
  }

  routed(receivers: number): void {
    this.#receivers = receivers;
  }

  /**
   * The envelope for one receiver when it passes the schema (checked once per message), else
   * `undefined`: decode the bytes, which reports the defect. Each receiver gets its own copy;
   * the last announced receiver gets the document itself. A receiver that opened the message
   * must not read its bytes afterwards (the bus never does): they may be of its changed copy.
   */
  open(): Envelope | undefined {
    const doc = this.#doc;
    if (doc === undefined) return undefined;
    if (this.#valid === undefined) {
      try {
        this.#valid = isEnvelope(doc);
      } catch {
        this.#valid = false;
      }
    }
    if (!this.#valid || !plainPrototypeClean()) return undefined;
    return ++this.#opened === this.#receivers ? doc : (recopy(doc) as Envelope);
  }
}
