/**
 * Dead letters on JetStream (spec/jetstream.md "Dead letters"). A message that failed for
 * good is republished to `{p}[.{tenant}].dlq.{event_type}` in the DLQ stream with its
 * original bytes unchanged as the body and the context in headers (below); Msg-Id
 * `dlq:{stream}:{seq}`, so a dead letter published twice (crash before the term) is stored
 * once. {@link listDeadLetters}, {@link showDeadLetter} and {@link redriveDeadLetter} read
 * and re-drive them.
 */
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { decode } from "../envelope/index.js";
import type { Envelope } from "../../generated/ts/types.js";
import { explainManagerError, invalidArgument } from "./errors.js";
import type { StreamLayout } from "./layout.js";
import type { PublishAck, Publisher } from "./publish.js";
import { manager } from "./streams.js";

/** Header names of a dead letter. */
export const DlqHeader = {
  Stream: "Acp-Dlq-Stream",
  Seq: "Acp-Dlq-Seq",
  Subject: "Acp-Dlq-Subject",
  Consumer: "Acp-Dlq-Consumer",
  Deliveries: "Acp-Dlq-Deliveries",
  Error: "Acp-Dlq-Error",
  ErrorCode: "Acp-Dlq-Error-Code",
  FailedAt: "Acp-Dlq-Failed-At",
  EventId: "Acp-Dlq-Event-Id",
  EventType: "Acp-Dlq-Event-Type",
} as const;

/** Header a re-driven message carries: the DLQ stream sequence it came from. */
export const REDRIVE_HEADER = "Acp-Redrive-Of";

/** Event-type token of a dead letter whose bytes were no envelope. */
export const UNDECODABLE = "_undecodable";

/** Everything known about a failed message. */
export interface DeadLetterContext {
  readonly stream: string;
  readonly seq: number;
  readonly subject: string;
  readonly consumer: string;
  readonly deliveries: number;
  readonly errorCode: string;
  readonly error: string;
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  readonly tenant: string | undefined;
}

/** A dead letter as stored. */
export interface DeadLetter {
  /** Sequence in the DLQ stream. */
  readonly dlqSeq: number;
  readonly dlqSubject: string;
  readonly storedAt: string;
  readonly original: { readonly stream: string; readonly seq: number; readonly subject: string };
  readonly consumer: string;
  readonly deliveries: number;
  readonly errorCode: string;
  readonly error: string;
  readonly failedAt: string;
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  /** The original bytes. */
  readonly data: Uint8Array;
  /** The decoded envelope, when the bytes are one. */
  readonly envelope: Envelope | undefined;
}

const MAX_HEADER_VALUE = 1024;

/** A header value: one line, bounded. */
function headerValue(text: string): string {
  const line = text.replace(/[\r\n]+/g, " ");
  return line.length > MAX_HEADER_VALUE ? `${line.slice(0, MAX_HEADER_VALUE - 1)}…` : line;
}

/** The DLQ subject of a failed message: tenant-scoped when its tenant is in the layout. */
export function dlqSubjectFor(layout: StreamLayout, eventType: string | undefined, tenant: string | undefined): string {
  const type = eventType !== undefined && /^[^.\s*>]+(\.[^.\s*>]+)*$/.test(eventType) ? eventType : UNDECODABLE;
  const scoped = tenant !== undefined && layout.tenants.includes(tenant);
  return scoped ? `${layout.prefix}.${tenant}.dlq.${type}` : `${layout.prefix}.dlq.${type}`;
}

/** Publishes the dead letter of `data` (resolves after the DLQ stream's PubAck). */
export function publishDeadLetter(publisher: Publisher, layout: StreamLayout, data: Uint8Array, ctx: DeadLetterContext, failedAt: string): Promise<PublishAck> {
  const headers: Record<string, string> = {
    [DlqHeader.Stream]: ctx.stream,
    [DlqHeader.Seq]: String(ctx.seq),
    [DlqHeader.Subject]: ctx.subject,
    [DlqHeader.Consumer]: ctx.consumer,
    [DlqHeader.Deliveries]: String(ctx.deliveries),
    [DlqHeader.ErrorCode]: headerValue(ctx.errorCode),
    [DlqHeader.Error]: headerValue(ctx.error || "(no message)"),
    [DlqHeader.FailedAt]: failedAt,
  };
  if (ctx.eventId !== undefined) headers[DlqHeader.EventId] = headerValue(ctx.eventId);
  if (ctx.eventType !== undefined) headers[DlqHeader.EventType] = headerValue(ctx.eventType);
  const subject = dlqSubjectFor(layout, ctx.eventType, ctx.tenant);
  return publisher.publishBytes(subject, data, `dlq:${ctx.stream}:${ctx.seq}`, headers);
}

function get(h: MsgHdrs | undefined, key: string): string {
  return h?.get(key) ?? "";
}

function toDeadLetter(seq: number, subject: string, time: Date, h: MsgHdrs | undefined, data: Uint8Array): DeadLetter {
  const decoded = decode(data);
  const eventId = get(h, DlqHeader.EventId);
  const eventType = get(h, DlqHeader.EventType);
  return {
    dlqSeq: seq,
    dlqSubject: subject,
    storedAt: time.toISOString(),
    original: { stream: get(h, DlqHeader.Stream), seq: Number(get(h, DlqHeader.Seq)), subject: get(h, DlqHeader.Subject) },
    consumer: get(h, DlqHeader.Consumer),
    deliveries: Number(get(h, DlqHeader.Deliveries)),
    errorCode: get(h, DlqHeader.ErrorCode),
    error: get(h, DlqHeader.Error),
    failedAt: get(h, DlqHeader.FailedAt),
    eventId: eventId === "" ? undefined : eventId,
    eventType: eventType === "" ? undefined : eventType,
    data,
    envelope: decoded.ok ? decoded.envelope : undefined,
  };
}

/** Options of {@link listDeadLetters}. */
export interface ListDeadLettersOptions {
  /** At most this many, oldest first (default 100, at most 10,000). */
  limit?: number;
  /** Only dead letters of these event types (pattern, wildcards allowed; default all). */
  eventType?: string;
}

/** Reads dead letters without consuming them (an ordered consumer from the first). */
export async function listDeadLetters(nc: NatsConnection, layout: StreamLayout, opts: ListDeadLettersOptions = {}): Promise<DeadLetter[]> {
  const limit = opts.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw invalidArgument("dlq ls", "limit", limit, "an integer in 1..10000");
  const jsm = await manager(nc);
  const stream = layout.dlq.name;
  let total: number;
  try {
    total = (await jsm.streams.info(stream)).state.messages;
  } catch (err: unknown) {
    throw await explainManagerError(nc, `DLQ stream ${stream}`, err);
  }
  const out: DeadLetter[] = [];
  if (total === 0) return out;
  const filter =
    opts.eventType === undefined
      ? undefined
      : [`${layout.prefix}.dlq.${opts.eventType}`, ...layout.tenants.map((t) => `${layout.prefix}.${t}.dlq.${opts.eventType}`)];
  const consumer = await jetstream(nc).consumers.get(stream, {
    deliver_policy: DeliverPolicy.All,
    ...(filter === undefined ? {} : { filter_subjects: filter }),
  });
  try {
    while (out.length < limit) {
      const batch = await consumer.fetch({ max_messages: Math.min(256, limit - out.length), expires: 1_000 });
      let got = 0;
      let pending = 1;
      for await (const m of batch) {
        got++;
        pending = m.info.pending;
        out.push(toDeadLetter(m.seq, m.subject, m.time, m.headers, m.data));
        if (out.length >= limit || pending === 0) break;
      }
      if (got === 0 || pending === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return out;
}

/** One dead letter by its DLQ sequence; `undefined` when there is none. */
export async function showDeadLetter(nc: NatsConnection, layout: StreamLayout, dlqSeq: number): Promise<DeadLetter | undefined> {
  if (!Number.isSafeInteger(dlqSeq) || dlqSeq < 1) throw invalidArgument("dlq show", "seq", dlqSeq, "a positive integer (the DLQ stream sequence)");
  const jsm = await manager(nc);
  try {
    const m = await jsm.streams.getMessage(layout.dlq.name, { seq: dlqSeq });
    return m === null ? undefined : toDeadLetter(m.seq, m.subject, m.time, m.header, m.data);
  } catch (err: unknown) {
    const e = err as { code?: unknown; message?: string };
    if (e.code === 10037 || /no message found/i.test(e.message ?? "")) return undefined;
    throw await explainManagerError(nc, `DLQ stream ${layout.dlq.name}`, err);
  }
}

/**
 * Re-drives one dead letter: its original bytes are published again to the original subject
 * (Msg-Id `redrive:{dlq stream}:{seq}`, header {@link REDRIVE_HEADER}), then, after the PubAck,
 * the dead letter is deleted. Every durable consumer of that subject gets it again.
 */
export async function redriveDeadLetter(nc: NatsConnection, layout: StreamLayout, publisher: Publisher, dlqSeq: number): Promise<PublishAck | undefined> {
  const letter = await showDeadLetter(nc, layout, dlqSeq);
  if (letter === undefined) return undefined;
  if (letter.original.subject === "") throw invalidArgument("dlq replay", "seq", dlqSeq, `a dead letter with an ${DlqHeader.Subject} header`);
  const ack = await publisher.publishBytes(letter.original.subject, letter.data, `redrive:${layout.dlq.name}:${dlqSeq}`, { [REDRIVE_HEADER]: String(dlqSeq) });
  try {
    await (await manager(nc)).streams.deleteMessage(layout.dlq.name, dlqSeq);
  } catch (err: unknown) {
    throw await explainManagerError(nc, `deleting dead letter ${dlqSeq} after its re-drive (seq ${ack.seq})`, err);
  }
  return ack;
}
