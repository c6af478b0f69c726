/**
 * `openagentio/jetstream`: durable messaging on NATS JetStream (spec/jetstream.md): streams as
 * configuration, acknowledged publish, durable consumer groups with redelivery, backoff and
 * dead letters, work queues, replay, and an idempotency filter. The core Transport and Bus
 * stay at-most-once; this layer uses the NATS connection underneath them. Loads
 * @nats-io/transport-node and @nats-io/jetstream.
 */
export { createDurableBus } from "./durable.js";
export { DEFAULT_DUPLICATE_WINDOW_MS, layoutStreams, streamLayout, streamStem, workSubject } from "./layout.js";
export { ensureStreams, listStreams, streamInfo } from "./streams.js";
export { createPublisher } from "./publish.js";
export { replay } from "./replay.js";
export { DlqHeader, REDRIVE_HEADER, UNDECODABLE, dlqSubjectFor, listDeadLetters, redriveDeadLetter, showDeadLetter } from "./dlq.js";
export { createIdempotencyFilter, idempotent } from "./idempotency.js";
export { FIX_ENABLE_JETSTREAM, FIX_ENSURE_STREAMS, jetStreamEnabled } from "./errors.js";

export type { DurableBus, DurableBusOptions, DurableReplayOptions, DurableSubscribeOptions } from "./durable.js";
export type { StreamLayout, StreamLayoutOptions, StreamLimits, StreamRole, StreamSpec } from "./layout.js";
export type { EnsuredStream, StreamSummary } from "./streams.js";
export type { PublishAck, Publisher, PublisherOptions } from "./publish.js";
export type { ConsumeOptions, DurableContext, DurableHandler, DurableStats, DurableSubscription } from "./consumer.js";
export type { ConsumerSettings, StartPoint } from "./consumer-config.js";
export type { ReplayOptions, ReplayedMessage } from "./replay.js";
export type { DeadLetter, DeadLetterContext, ListDeadLettersOptions } from "./dlq.js";
export type { IdempotencyFilter, IdempotencyOptions } from "./idempotency.js";
