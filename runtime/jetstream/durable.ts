/**
 * {@link createDurableBus}: the JetStream side of a NATS bus. It reuses the bus' identity
 * (agent id, prefix, tenant, subjects) and its NATS connection, and adds durable publish,
 * durable subscriptions (consumer groups), work queues, replay and dead letters. The core
 * bus stays at-most-once (invoke and stream always: spec/jetstream.md "Why invoke and stream
 * stay on core NATS").
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { PayloadOf } from "../../generated/ts/index.js";
import type { Envelope } from "../../generated/ts/types.js";
import type { Bus, InboundMiddleware, PublishOptions } from "../bus/types.js";
import { EnvelopeFactory } from "../bus/build.js";
import { TraceIdSource, currentContext, outboundContext, type ContextFields } from "../context/index.js";
import { consume, type ConsumeOptions, type DurableHandler, type DurableSubscription } from "./consumer.js";
import { listDeadLetters, redriveDeadLetter, showDeadLetter, type DeadLetter, type ListDeadLettersOptions } from "./dlq.js";
import { invalidArgument } from "./errors.js";
import { streamLayout, workSubject, type StreamLayout } from "./layout.js";
import { createPublisher, type PublishAck, type PublisherOptions } from "./publish.js";
import { replay, type ReplayOptions, type ReplayedMessage } from "./replay.js";
import { ensureStreams, type EnsuredStream } from "./streams.js";

/** Options of {@link createDurableBus}. */
export interface DurableBusOptions {
  /** A bus on the NATS transport (`connectNats`); its connection, prefix, tenant and agent id are used. */
  bus: Bus;
  /** The streams (default `streamLayout({ prefix: bus.prefix, tenants: [bus.tenant] })`). */
  layout?: StreamLayout;
  /** PubAck timeout and attempts. */
  publish?: PublisherOptions;
  /** Largest inbound envelope, bytes (default 1 MiB). */
  maxBytes?: number;
  /** Inbound middleware around every durable handler (validation, logging, trace…). */
  inbound?: readonly InboundMiddleware[];
  /** Schema version of published envelopes (default 2). */
  schemaVersion?: 1 | 2;
}

/** Options of a durable subscription. */
export interface DurableSubscribeOptions extends ConsumeOptions {
  /** Subscribe to this tenant's subjects; `null`: the untenanted ones. Default: the bus tenant. */
  tenant?: string | null;
}

/** Options of a replay through {@link DurableBus.replay}. */
export interface DurableReplayOptions extends Omit<ReplayOptions, "subjects"> {
  /** Event-type pattern (default `>`). */
  pattern?: string;
  /** This tenant's subjects; `null`: untenanted. Default: the bus tenant. */
  tenant?: string | null;
}

/** Durable messaging on one NATS bus. */
export interface DurableBus extends AsyncDisposable {
  readonly bus: Bus;
  readonly layout: StreamLayout;
  readonly connection: NatsConnection;
  /** Creates or updates the layout's streams (idempotent). */
  ensureStreams(): Promise<EnsuredStream[]>;
  /** Publishes an event durably; resolves with its stream sequence after the PubAck. */
  publish<T extends string>(eventType: T, payload: PayloadOf<T>, opts?: PublishOptions): Promise<PublishAck>;
  /** Publishes a complete envelope durably (Msg-Id = its event_id) to its events subject or `subject`. */
  publishEnvelope(env: Envelope, subject?: string): Promise<PublishAck>;
  /** Joins consumer group `durable` for events matching `pattern`. */
  subscribe<P = unknown>(pattern: string, durable: string, handler: DurableHandler<P>, opts?: DurableSubscribeOptions): Promise<DurableSubscription>;
  /** Adds a task to work queue `queue` (`{p}[.{tenant}].work.{queue}`, the work-queue stream: each task is handled once, then removed). */
  enqueue<T extends string>(queue: string, eventType: T, payload: PayloadOf<T>, opts?: PublishOptions): Promise<PublishAck>;
  /** Works on queue `queue` with at most `maxInFlight` tasks at once (members share consumer `work-{queue}`). */
  work<P = unknown>(queue: string, handler: DurableHandler<P>, opts?: DurableSubscribeOptions): Promise<DurableSubscription>;
  /** Replays stored events by sequence or time. */
  replay(opts: DurableReplayOptions): AsyncGenerator<ReplayedMessage>;
  /** Dead letters: list, show one, re-drive one. */
  readonly deadLetters: {
    list(opts?: ListDeadLettersOptions): Promise<DeadLetter[]>;
    show(dlqSeq: number): Promise<DeadLetter | undefined>;
    redrive(dlqSeq: number): Promise<PublishAck | undefined>;
  };
  /** Closes the subscriptions opened here (not the bus). */
  close(): Promise<void>;
}

function connectionOf(bus: Bus): NatsConnection {
  const t = bus.transport as { name: string; connection?: NatsConnection };
  if (t.name !== "nats" || t.connection === undefined) {
    throw invalidArgument("createDurableBus", "bus.transport", t.name, "the NATS transport (connectNats): JetStream needs a NATS server");
  }
  return t.connection;
}

/** Creates the durable side of `opts.bus`. */
export function createDurableBus(opts: DurableBusOptions): DurableBus {
  const { bus } = opts;
  const nc = connectionOf(bus);
  const layout = opts.layout ?? streamLayout({ prefix: bus.prefix, tenants: bus.tenant === undefined ? [] : [bus.tenant] });
  if (layout.prefix !== bus.prefix) throw invalidArgument("createDurableBus", "layout.prefix", layout.prefix, `the bus prefix ${bus.prefix}`);
  const publisher = createPublisher(nc, opts.publish);
  const factory = new EnvelopeFactory(opts.schemaVersion ?? 2);
  const ids = new TraceIdSource();
  const subs = new Set<DurableSubscription>();
  const deps = { nc, bus, layout, publisher, maxBytes: opts.maxBytes, inbound: opts.inbound ?? [] };

  const context = (explicit: ContextFields | undefined): ContextFields | undefined => {
    const base = currentContext();
    return explicit !== undefined || base !== undefined ? outboundContext(ids, explicit, base) : undefined;
  };
  const build = (eventType: string, payload: unknown, o: PublishOptions | undefined): Envelope =>
    factory.outbound(eventType, bus.agentId, undefined, context(o?.context), bus.tenant, payload, o?.metadata);
  const tenantOf = (t: string | null | undefined): string | undefined => (t === null ? undefined : (t ?? bus.tenant));
  const track = (s: DurableSubscription): DurableSubscription => {
    subs.add(s);
    void s.closed.then(() => subs.delete(s));
    return s;
  };

  const durable: DurableBus = {
    bus,
    layout,
    connection: nc,
    ensureStreams: () => ensureStreams(nc, layout),
    async publish(eventType, payload, o) {
      const env = build(eventType, payload, o);
      return publisher.publishEnvelope(env, bus.subjects.events(eventType, env.tenant_id));
    },
    async publishEnvelope(env, subject) {
      return publisher.publishEnvelope(env, subject ?? bus.subjects.events(env.event_type, env.tenant_id));
    },
    async subscribe(pattern, name, handler, o) {
      const filter = bus.subjects.events(pattern, tenantOf(o?.tenant), true);
      return track(await consume(deps, layout.events.name, filter, name, handler, o));
    },
    async enqueue(queue, eventType, payload, o) {
      const env = build(eventType, payload, o);
      return publisher.publishEnvelope(env, workSubject(bus.prefix, queue, env.tenant_id));
    },
    async work(queue, handler, o) {
      const filter = workSubject(bus.prefix, queue, tenantOf(o?.tenant));
      return track(await consume(deps, layout.work.name, filter, `work-${queue}`, handler, o));
    },
    replay(o) {
      const subjects = [bus.subjects.events(o.pattern ?? ">", tenantOf(o.tenant), true)];
      return replay(nc, layout.events.name, { ...o, subjects });
    },
    deadLetters: {
      list: (o) => listDeadLetters(nc, layout, o),
      show: (seq) => showDeadLetter(nc, layout, seq),
      redrive: (seq) => redriveDeadLetter(nc, layout, publisher, seq),
    },
    async close() {
      await Promise.allSettled([...subs].map((s) => s.close()));
    },
    [Symbol.asyncDispose]: () => durable.close(),
  };
  return durable;
}
