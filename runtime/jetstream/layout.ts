/**
 * The declarative stream layout (spec/jetstream.md "Layout"): which JetStream streams hold
 * what, as data. Three streams per subject prefix:
 *
 * | stream | subjects | retention |
 * |---|---|---|
 * | `{NAME}_EVENTS` | `{p}.events.>` and `{p}.{tenant}.events.>` per listed tenant | limits |
 * | `{NAME}_DLQ` | `{p}.dlq.>` and `{p}.{tenant}.dlq.>` | limits |
 * | `{NAME}_WORK` | `{p}.work.>` and `{p}.{tenant}.work.>` | work queue |
 *
 * `{NAME}` is the prefix upper-cased with dots as underscores (`acp.v1` → `ACP_V1`). Tenants are
 * listed, not wildcarded: a `{p}.*.events.>` subject would overlap `{p}.dlq.>` (tenant "dlq"),
 * and JetStream refuses streams whose subjects overlap. The words `events`, `dlq`, `work` and
 * `invoke` are therefore not valid tenant names in a layout.
 */
import type { InvalidRequestError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import { RESERVED_TENANTS, assertBusToken, assertDotted } from "../bus/subjects.js";

/** The role of a stream in the layout. */
export type StreamRole = "events" | "dlq" | "work";

/** One stream as configuration. Durations in ms, sizes in bytes; `-1` means unlimited. */
export interface StreamSpec {
  readonly role: StreamRole;
  readonly name: string;
  readonly subjects: readonly string[];
  readonly retention: "limits" | "workqueue";
  readonly replicas: number;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  readonly duplicateWindowMs: number;
  readonly storage: "file" | "memory";
}

/** Limits of one stream role; anything left out takes the layout default. */
export interface StreamLimits {
  /** Replicas (1, 3 or 5 in a cluster). Default: the layout's `replicas`. */
  replicas?: number;
  /** Oldest message kept, ms; 0 = no limit. */
  maxAgeMs?: number;
  /** Bytes kept; -1 = no limit. */
  maxBytes?: number;
  /** Window in which a repeated Nats-Msg-Id (event_id) is stored once, ms. */
  duplicateWindowMs?: number;
}

/** Options of {@link streamLayout}. */
export interface StreamLayoutOptions {
  /** Subject prefix (default `acp.v1`). */
  prefix?: string;
  /** Tenants whose `{p}.{tenant}.…` subjects are captured too (default none). */
  tenants?: readonly string[];
  /** Replicas of every stream (default 1; use 3 on a 3-node cluster). */
  replicas?: number;
  /** File (default) or memory storage. */
  storage?: "file" | "memory";
  /** Per-role limits. Defaults: events 7 days / 1 GiB, dlq 30 days / 256 MiB, work 1 day / 256 MiB; duplicate window 2 min. */
  events?: StreamLimits;
  dlq?: StreamLimits;
  work?: StreamLimits;
}

/** The streams of one prefix, by role. */
export interface StreamLayout {
  readonly prefix: string;
  readonly tenants: readonly string[];
  readonly events: StreamSpec;
  readonly dlq: StreamSpec;
  readonly work: StreamSpec;
}

const DAY_MS = 86_400_000;
const MIB = 1_048_576;
/** Default window of Nats-Msg-Id deduplication (JetStream's own default). */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
const DEFAULTS: Record<StreamRole, Required<Omit<StreamLimits, "replicas">>> = {
  events: { maxAgeMs: 7 * DAY_MS, maxBytes: 1024 * MIB, duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS },
  dlq: { maxAgeMs: 30 * DAY_MS, maxBytes: 256 * MIB, duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS },
  work: { maxAgeMs: DAY_MS, maxBytes: 256 * MIB, duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS },
};
const RESERVED_SET: ReadonlySet<string> = new Set(RESERVED_TENANTS);

function invalid(field: string, value: unknown, expected: string): InvalidRequestError {
  return invalidArgument("streamLayout", field, value, expected);
}

function checkInt(field: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw invalid(field, value, `an integer >= ${min}`);
  return value;
}

/** The stream-name stem of a prefix: `acp.v1` → `ACP_V1`. */
export function streamStem(prefix: string): string {
  return prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, "_");
}

/** Builds and checks a layout. Throws INVALID_REQUEST naming the bad field. */
export function streamLayout(opts: StreamLayoutOptions = {}): StreamLayout {
  const prefix = opts.prefix ?? "acp.v1";
  assertDotted(prefix, "prefix");
  const tenants = [...new Set(opts.tenants ?? [])];
  for (const t of tenants) {
    assertBusToken(t, "tenant");
    if (RESERVED_SET.has(t)) throw invalid("tenants", t, `a tenant other than ${RESERVED_TENANTS.join(", ")} (they are subject words of the layout)`);
  }
  const replicas = checkInt("replicas", opts.replicas ?? 1, 1);
  const storage = opts.storage ?? "file";
  if (storage !== "file" && storage !== "memory") throw invalid("storage", storage, `"file" or "memory"`);
  const stem = streamStem(prefix);
  const spec = (role: StreamRole, limits: StreamLimits | undefined): StreamSpec => {
    const d = DEFAULTS[role];
    const word = role;
    return {
      role,
      name: `${stem}_${role.toUpperCase()}`,
      subjects: [`${prefix}.${word}.>`, ...tenants.map((t) => `${prefix}.${t}.${word}.>`)],
      retention: role === "work" ? "workqueue" : "limits",
      replicas: checkInt(`${role}.replicas`, limits?.replicas ?? replicas, 1),
      maxAgeMs: checkInt(`${role}.maxAgeMs`, limits?.maxAgeMs ?? d.maxAgeMs, 0),
      maxBytes: checkInt(`${role}.maxBytes`, limits?.maxBytes ?? d.maxBytes, -1),
      duplicateWindowMs: checkInt(`${role}.duplicateWindowMs`, limits?.duplicateWindowMs ?? d.duplicateWindowMs, 0),
      storage,
    };
  };
  return { prefix, tenants, events: spec("events", opts.events), dlq: spec("dlq", opts.dlq), work: spec("work", opts.work) };
}

/** The layout's streams in creation order. */
export function layoutStreams(layout: StreamLayout): readonly StreamSpec[] {
  return [layout.events, layout.dlq, layout.work];
}

/** `{p}[.{tenant}].work.{queue}`: the subject of a work queue (queue is one token). */
export function workSubject(prefix: string, queue: string, tenant?: string): string {
  assertBusToken(queue, "work queue");
  if (tenant !== undefined) assertBusToken(tenant, "tenant");
  return tenant === undefined ? `${prefix}.work.${queue}` : `${prefix}.${tenant}.work.${queue}`;
}
