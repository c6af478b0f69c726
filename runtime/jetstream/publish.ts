/**
 * Durable publish: the envelope's bytes go to JetStream with `Nats-Msg-Id` = event_id, and the
 * call resolves with the stream sequence only after the PubAck. A publish whose PubAck does
 * not come is sent again with the same Msg-Id (the stream stores it once within its
 * duplicate window) and, when every attempt fails, rejects: it never resolves unacknowledged.
 */
import { JetStreamApiError, jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import type { Envelope } from "../../generated/ts/types.js";
import { AcpError } from "../../generated/ts/errors.js";
import { wireBytes } from "../bus/wire.js";
import { explainPublishError, invalidArgument, isNotEnabled, toTransportFailure } from "./errors.js";

/** What a durable publish resolved with. */
export interface PublishAck {
  /** The stream that stored it. */
  readonly stream: string;
  /** Its stream sequence. */
  readonly seq: number;
  /** True when the stream already had this Msg-Id (a retried publish): `seq` is the first copy's. */
  readonly duplicate: boolean;
  readonly eventId: string;
  readonly subject: string;
}

/** Options of {@link createPublisher}. */
export interface PublisherOptions {
  /** How long to wait for each PubAck, ms (default 5,000). */
  ackTimeoutMs?: number;
  /** Attempts in all, with the same Msg-Id (default 3). */
  attempts?: number;
  /** Pause before attempt n+1 is n × this, ms (default 250). */
  retryDelayMs?: number;
}

/** Publishes bytes durably. */
export interface Publisher {
  /** Publishes `env` to `subject` with Msg-Id = `env.event_id`; resolves after the PubAck. */
  publishEnvelope(env: Envelope, subject: string): Promise<PublishAck>;
  /** Publishes raw bytes with the given Msg-Id (dead letters, re-drives). */
  publishBytes(subject: string, data: Uint8Array, msgId: string, headers?: Readonly<Record<string, string>>): Promise<PublishAck>;
}

function positiveInt(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalidArgument("durable publish", field, value, "a positive integer");
  return value;
}

/** A retry is worth it for a timeout or a lost connection; not for a refusal by the stream. */
function retryable(err: unknown): boolean {
  return !(err instanceof JetStreamApiError) && !(err instanceof AcpError && !err.retryable);
}

/** Whether some stream captures `subject` (a transient 503 during a leader election looks like "no stream"). */
async function captured(nc: NatsConnection, subject: string): Promise<boolean> {
  try {
    await (await jetstreamManager(nc)).streams.find(subject);
    return true;
  } catch {
    return false;
  }
}

/** A durable publisher over `nc` (shares the connection; nothing to close). */
export function createPublisher(nc: NatsConnection, opts: PublisherOptions = {}): Publisher {
  const ackTimeoutMs = positiveInt("ackTimeoutMs", opts.ackTimeoutMs ?? 5_000);
  const attempts = positiveInt("attempts", opts.attempts ?? 3);
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const js: JetStreamClient = jetstream(nc, { timeout: ackTimeoutMs });

  async function publishBytes(subject: string, data: Uint8Array, msgId: string, hdrs?: Readonly<Record<string, string>>): Promise<PublishAck> {
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const h = hdrs === undefined ? undefined : headersOf(hdrs);
        const ack = await js.publish(subject, data, { msgID: msgId, timeout: ackTimeoutMs, retries: 1, ...(h === undefined ? {} : { headers: h }) });
        return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate, eventId: msgId, subject };
      } catch (err: unknown) {
        last = err;
        if (nc.isClosed()) break;
        if (isNotEnabled(err)) {
          // no responder on the subject: JetStream off or no stream; fail at once unless a stream does capture it
          if (!(await captured(nc, subject))) break;
        } else if (!retryable(err)) break;
        if (attempt < attempts) await new Promise((r) => setTimeout(r, retryDelayMs * attempt));
      }
    }
    if (nc.isClosed()) throw toTransportFailure(`durable publish to ${JSON.stringify(subject)}: connection closed before the PubAck`, last);
    throw await explainPublishError(nc, subject, last);
  }

  return {
    publishBytes,
    publishEnvelope(env: Envelope, subject: string): Promise<PublishAck> {
      if (typeof env.event_id !== "string" || env.event_id === "") {
        return Promise.reject(invalidArgument("durable publish", "event_id", env.event_id, "a non-empty string (it is the Nats-Msg-Id)"));
      }
      let data: Uint8Array;
      try {
        data = wireBytes(env);
      } catch (err: unknown) {
        return Promise.reject(err);
      }
      return publishBytes(subject, data, env.event_id);
    },
  };
}

/** NATS headers from a plain record. */
export function headersOf(record: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(record)) h.set(k, v);
  return h;
}
