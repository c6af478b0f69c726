/**
 * What the parts of a bus share (internal): transport, subjects, codec gate, reply inbox,
 * counters, the composed outbound send, and the calls waiting for replies.
 */
import type { Envelope } from "../../generated/ts/types.js";
import type { AcpError } from "../../generated/ts/errors.js";
import type { TraceIdSource } from "../context/index.js";
import type { PublishOptions, Transport } from "../transport/types.js";
import type { EnvelopeFactory } from "./build.js";
import type { InboxMux } from "./inbox.js";
import type { Link } from "./link.js";
import type { EnvelopeBody, Provenance } from "./local.js";
import type { InboundGate } from "./inbound-decode.js";
import type { Counters, Log } from "./stats.js";
import type { Subjects } from "./subjects.js";
import type { Bus, InboundMiddleware, OutboundCall, OutboundResult, StreamClientDefaults } from "./types.js";

/** What every successful plain send resolves with. */
export const SENT: OutboundResult = Object.freeze({ kind: "sent" });
/** Settled promises are immutable: one serves every successful send (and can be recognised as done). */
export const SENT_PROMISE: Promise<OutboundResult> = Promise.resolve(SENT);

const VOID_PROMISE: Promise<void> = Promise.resolve();

function nothing(): void {}

/** A send's promise as `Promise<void>` (no new promise for a send that is already done). */
export function sentVoid(sent: Promise<OutboundResult>): Promise<void> {
  return sent === SENT_PROMISE ? VOID_PROMISE : sent.then(nothing);
}

/** A call waiting for replies; failed when the bus closes. */
export interface PendingCall {
  fail(err: AcpError): void;
}

export interface BusCore {
  readonly bus: Bus;
  readonly agentId: string;
  readonly tenant: string | undefined;
  readonly transport: Transport;
  readonly subjects: Subjects;
  readonly schemaVersion: 1 | 2;
  readonly defaultTimeoutMs: number;
  readonly streamDefaults: Required<StreamClientDefaults>;
  readonly counters: Counters;
  readonly log: Log;
  readonly gate: InboundGate;
  readonly inbox: InboxMux;
  readonly ids: TraceIdSource;
  readonly inbound: readonly InboundMiddleware[] | undefined;
  /**
   * Every send: the outbound middleware chain around the transport step (without middleware,
   * the transport step itself). `own`: the envelope is one the bus' factory just built
   * (publish, requests, invoke replies); the transport step vouches for it (vouch.ts) when no
   * middleware came in between.
   */
  send(env: Envelope, call: OutboundCall, own?: boolean): Promise<OutboundResult>;
  readonly pending: Set<PendingCall>;
  /** The transport connection's recent history (no responders during reconnects). */
  readonly link: Link;
  /** The transport's inbox prefix and "." : the only subjects replies, frames and cancels go to. */
  readonly inboxDot: string;
  /** Builds an envelope with this bus' schema version (dual-write unless v1). */
  envelope(init: Partial<Envelope> & { event_type: string }): Envelope;
  /** The same builder, with the hot shapes (outbound messages, replies) written field by field. */
  readonly factory: EnvelopeFactory;
  /**
   * Hands an envelope to the transport as an {@link EnvelopeBody} (local.ts); throws what the
   * transport throws. True when the transport sealed it (in-process delivery), false when it
   * took its bytes.
   */
  publishEnvelope(subject: string, env: Envelope, opts?: PublishOptions, provenance?: Provenance): boolean;
}
