/**
 * Durable consumer configuration: start points, ack wait, redelivery limits and backoff, and
 * {@link ensureConsumer}, which creates a durable consumer or updates the fields JetStream lets
 * change on a live one (a consumer that exists resumes where it was: its start point stays).
 */
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { assertBusToken } from "../bus/subjects.js";
import { explainManagerError, invalidArgument } from "./errors.js";

/** Where a new durable consumer starts. */
export type StartPoint =
  | { readonly from: "all" }
  | { readonly from: "new" }
  | { readonly from: "last" }
  | { readonly from: "seq"; readonly seq: number }
  | { readonly from: "time"; readonly time: Date | string };

/** Consumer settings shared by durable subscriptions and work queues. */
export interface ConsumerSettings {
  /** Where a new consumer starts (default `all`). Ignored when the durable already exists. */
  start?: StartPoint;
  /** How long a delivery may stay unacknowledged before it is redelivered, ms (default 30,000). */
  ackWaitMs?: number;
  /** Deliveries in all before a failing message is dead-lettered (default 5). */
  maxDeliver?: number;
  /**
   * Delay before redelivery after the n-th failed delivery, ms (the last entry repeats).
   * Default [1000, 5000, 30000].
   */
  backoffMs?: readonly number[];
  /** Unacknowledged messages the server hands out across all members (default 1,000). */
  maxAckPending?: number;
}

/** {@link ConsumerSettings} with defaults filled and checked. */
export interface ResolvedSettings {
  readonly start: StartPoint;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly maxAckPending: number;
}

function int(api: string, field: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw invalidArgument(api, field, value, `an integer >= ${min}`);
  return value;
}

/** Fills defaults and checks every field (INVALID_REQUEST naming it). */
export function resolveSettings(api: string, s: ConsumerSettings): ResolvedSettings {
  const start = s.start ?? { from: "all" };
  if (start.from === "seq") int(api, "start.seq", start.seq, 1);
  if (start.from === "time" && Number.isNaN(new Date(start.time).getTime())) throw invalidArgument(api, "start.time", start.time, "a Date or an RFC 3339 time");
  if (!["all", "new", "last", "seq", "time"].includes(start.from)) throw invalidArgument(api, "start.from", start.from, "all, new, last, seq or time");
  const backoffMs = s.backoffMs ?? [1_000, 5_000, 30_000];
  if (backoffMs.length === 0) throw invalidArgument(api, "backoffMs", "[]", "at least one delay");
  backoffMs.forEach((d, i) => {
    int(api, `backoffMs[${i}]`, d, 0);
  });
  return {
    start,
    ackWaitMs: int(api, "ackWaitMs", s.ackWaitMs ?? 30_000, 100),
    maxDeliver: int(api, "maxDeliver", s.maxDeliver ?? 5, 1),
    backoffMs,
    maxAckPending: int(api, "maxAckPending", s.maxAckPending ?? 1_000, 1),
  };
}

/** The nak delay after the `deliveries`-th delivery failed. */
export function backoffFor(settings: ResolvedSettings, deliveries: number): number {
  const b = settings.backoffMs;
  return b[Math.min(Math.max(deliveries, 1), b.length) - 1]!;
}

function startConfig(start: StartPoint): Partial<ConsumerConfig> {
  switch (start.from) {
    case "all":
      return { deliver_policy: DeliverPolicy.All };
    case "new":
      return { deliver_policy: DeliverPolicy.New };
    case "last":
      return { deliver_policy: DeliverPolicy.Last };
    case "seq":
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.seq };
    case "time":
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(start.time).toISOString() };
  }
}

/**
 * Creates durable consumer `name` on `stream` filtered to `filter`, or updates the mutable
 * fields of an existing one (ack wait, max ack pending, filter). The server's max_deliver is
 * unlimited: the runtime counts deliveries itself and dead-letters at `maxDeliver`, so a
 * message whose dead letter cannot be published yet is retried instead of dropped.
 */
export async function ensureConsumer(
  nc: NatsConnection,
  jsm: JetStreamManager,
  stream: string,
  name: string,
  filter: string,
  s: ResolvedSettings,
): Promise<ConsumerInfo> {
  assertBusToken(name, "durable name");
  const mutable = {
    ack_wait: nanos(s.ackWaitMs),
    max_ack_pending: s.maxAckPending,
    max_deliver: -1,
    filter_subject: filter,
  };
  try {
    return await jsm.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.Explicit, ...startConfig(s.start), ...mutable });
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : "";
    if (!/already exists/i.test(message)) throw await explainManagerError(nc, `consumer ${name} on stream ${stream}`, err);
  }
  try {
    return await jsm.consumers.update(stream, name, mutable);
  } catch (err: unknown) {
    throw await explainManagerError(nc, `updating consumer ${name} on stream ${stream}`, err);
  }
}
