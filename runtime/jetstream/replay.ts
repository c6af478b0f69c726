/**
 * Replay for audit and debugging: reads a stream's stored messages from a sequence or a
 * time, in order, without touching any durable consumer (an ephemeral ordered consumer), and
 * ends at the last message that was stored when it reached it.
 */
import { DeliverPolicy, jetstream, type OrderedConsumerOptions } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Envelope } from "../../generated/ts/types.js";
import { decode } from "../envelope/index.js";
import { explainManagerError, invalidArgument } from "./errors.js";
import { manager } from "./streams.js";

/** Where a replay starts: exactly one of `fromSeq` and `since`. */
export interface ReplayOptions {
  fromSeq?: number;
  since?: Date | string;
  /** Subject filters (default: the whole stream). */
  subjects?: readonly string[];
  /** Stop after this many messages (default unlimited). */
  limit?: number;
  /** Messages per fetch (default 1,000): the bound on what is buffered. */
  batch?: number;
}

/** One replayed message. */
export interface ReplayedMessage {
  readonly seq: number;
  readonly subject: string;
  /** When the stream stored it (RFC 3339). */
  readonly storedAt: string;
  readonly data: Uint8Array;
  /** The decoded envelope; undefined when the bytes are none (see `decodeError`). */
  readonly envelope: Envelope | undefined;
  readonly decodeError: string | undefined;
}

/** Replays `stream` in sequence order. */
export async function* replay(nc: NatsConnection, stream: string, opts: ReplayOptions): AsyncGenerator<ReplayedMessage> {
  const api = "replay";
  if ((opts.fromSeq === undefined) === (opts.since === undefined))
    throw invalidArgument(api, "fromSeq/since", "both or neither", "exactly one of fromSeq and since");
  if (opts.fromSeq !== undefined && (!Number.isSafeInteger(opts.fromSeq) || opts.fromSeq < 1))
    throw invalidArgument(api, "fromSeq", opts.fromSeq, "a positive integer");
  const since = opts.since === undefined ? undefined : new Date(opts.since);
  if (since !== undefined && Number.isNaN(since.getTime())) throw invalidArgument(api, "since", opts.since, "a Date or an RFC 3339 time");
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const batch = opts.batch ?? 1_000;
  let lastSeq: number;
  try {
    lastSeq = (await (await manager(nc)).streams.info(stream)).state.last_seq;
  } catch (err: unknown) {
    throw await explainManagerError(nc, `stream ${stream}`, err);
  }
  if (opts.fromSeq !== undefined && opts.fromSeq > lastSeq) return;
  const config: Partial<OrderedConsumerOptions> =
    opts.fromSeq !== undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: opts.fromSeq }
      : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: since!.toISOString() };
  if (opts.subjects !== undefined && opts.subjects.length > 0) config.filter_subjects = [...opts.subjects];
  const consumer = await jetstream(nc).consumers.get(stream, config);
  let count = 0;
  try {
    for (;;) {
      const msgs = await consumer.fetch({ max_messages: batch, expires: 1_000 });
      let got = 0;
      let done = false;
      for await (const m of msgs) {
        got++;
        const decoded = decode(m.data);
        yield {
          seq: m.seq,
          subject: m.subject,
          storedAt: m.time.toISOString(),
          data: m.data,
          envelope: decoded.ok ? decoded.envelope : undefined,
          decodeError: decoded.ok ? undefined : decoded.error.message,
        };
        count++;
        if (count >= limit || m.seq >= lastSeq || m.info.pending === 0) {
          done = true;
          break;
        }
      }
      if (done || got === 0) return;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}
