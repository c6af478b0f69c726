/**
 * Streams as configuration: {@link ensureStreams} creates or updates the layout's streams
 * idempotently; {@link listStreams} and {@link streamInfo} read them back (spec/jetstream.md).
 */
import { RetentionPolicy, StorageType, jetstreamManager, type JetStreamManager, type StreamConfig, type StreamInfo } from "@nats-io/jetstream";
import { millis, nanos, type NatsConnection } from "@nats-io/transport-node";
import { InvalidRequestError, type AcpError } from "../../generated/ts/errors.js";
import { explainManagerError, isNotFound } from "./errors.js";
import { layoutStreams, type StreamLayout, type StreamSpec } from "./layout.js";

/** What {@link ensureStreams} did to one stream. */
export interface EnsuredStream {
  readonly name: string;
  readonly role: StreamSpec["role"];
  /** `created`, `updated` (the fields in `changed` differed) or `unchanged`. */
  readonly action: "created" | "updated" | "unchanged";
  readonly changed: readonly string[];
}

/** A stream as {@link listStreams} and {@link streamInfo} report it. */
export interface StreamSummary {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly retention: string;
  readonly replicas: number;
  readonly messages: number;
  readonly bytes: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly consumers: number;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  readonly duplicateWindowMs: number;
  /** Cluster leader and replicas, when clustered. */
  readonly cluster?: { readonly leader?: string; readonly replicas: readonly { name: string; current: boolean }[] };
}

/** The JetStream manager of `nc`, or the AcpError naming the fix (JetStream off). */
export async function manager(nc: NatsConnection): Promise<JetStreamManager> {
  try {
    return await jetstreamManager(nc);
  } catch (err: unknown) {
    throw await explainManagerError(nc, "JetStream", err);
  }
}

function configOf(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: spec.retention === "workqueue" ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: spec.storage === "memory" ? StorageType.Memory : StorageType.File,
    num_replicas: spec.replicas,
    max_age: nanos(spec.maxAgeMs),
    max_bytes: spec.maxBytes,
    duplicate_window: nanos(spec.duplicateWindowMs),
  };
}

/** The fields of `have` that differ from `want` (subjects as sets). */
function differences(have: StreamConfig, want: Partial<StreamConfig>): string[] {
  const out: string[] = [];
  const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((s) => b.includes(s));
  if (!sameSet(have.subjects ?? [], want.subjects ?? [])) out.push("subjects");
  for (const key of ["retention", "storage", "num_replicas", "max_age", "max_bytes", "duplicate_window"] as const) {
    if (have[key] !== want[key]) out.push(key);
  }
  return out;
}

/**
 * Creates the layout's streams that are missing and updates those whose configuration
 * differs (subjects, replicas, max age/bytes, duplicate window). Idempotent: a second call
 * reports every stream `unchanged`. Retention and storage cannot change on a live stream:
 * that is an error naming the stream (delete it, or choose another prefix).
 */
export async function ensureStreams(nc: NatsConnection, layout: StreamLayout): Promise<EnsuredStream[]> {
  const jsm = await manager(nc);
  const out: EnsuredStream[] = [];
  for (const spec of layoutStreams(layout)) {
    const want = configOf(spec);
    let info: StreamInfo | undefined;
    try {
      info = await jsm.streams.info(spec.name);
    } catch (err: unknown) {
      if (!isNotFound(err)) throw await explainManagerError(nc, `stream ${spec.name}`, err);
    }
    try {
      if (info === undefined) {
        await jsm.streams.add(want);
        out.push({ name: spec.name, role: spec.role, action: "created", changed: [] });
        continue;
      }
      const changed = differences(info.config, want);
      if (changed.includes("retention") || changed.includes("storage")) {
        throw explainFixed(spec, info.config);
      }
      if (changed.length > 0) await jsm.streams.update(spec.name, { ...info.config, ...want });
      out.push({ name: spec.name, role: spec.role, action: changed.length > 0 ? "updated" : "unchanged", changed });
    } catch (err: unknown) {
      throw await explainManagerError(nc, `stream ${spec.name}`, err);
    }
  }
  return out;
}

function explainFixed(spec: StreamSpec, have: StreamConfig): AcpError {
  return new InvalidRequestError(
    `stream ${spec.name} exists with retention ${have.retention} / storage ${have.storage}, the layout wants ${spec.retention} / ${spec.storage}; ` +
      `JetStream cannot change these on a live stream: delete the stream (nats stream rm ${spec.name}) or use another prefix`,
    { details: { field: "retention/storage", stream: spec.name } },
  );
}

function summary(info: StreamInfo): StreamSummary {
  const c = info.config;
  return {
    name: c.name,
    subjects: c.subjects ?? [],
    retention: String(c.retention),
    replicas: c.num_replicas,
    messages: info.state.messages,
    bytes: info.state.bytes,
    firstSeq: info.state.first_seq,
    lastSeq: info.state.last_seq,
    consumers: info.state.consumer_count,
    maxAgeMs: millis(c.max_age),
    maxBytes: c.max_bytes,
    duplicateWindowMs: millis(c.duplicate_window),
    ...(info.cluster === undefined
      ? {}
      : {
          cluster: {
            ...(info.cluster.leader === undefined ? {} : { leader: info.cluster.leader }),
            replicas: (info.cluster.replicas ?? []).map((r) => ({ name: r.name, current: r.current })),
          },
        }),
  };
}

/** Every stream on the server (any prefix), by name. */
export async function listStreams(nc: NatsConnection): Promise<StreamSummary[]> {
  const jsm = await manager(nc);
  const out: StreamSummary[] = [];
  try {
    for await (const info of jsm.streams.list()) out.push(summary(info));
  } catch (err: unknown) {
    throw await explainManagerError(nc, "listing streams", err);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** One stream; a missing one is TRANSPORT_FAILURE naming `oaio streams ensure`. */
export async function streamInfo(nc: NatsConnection, name: string): Promise<StreamSummary> {
  const jsm = await manager(nc);
  try {
    return summary(await jsm.streams.info(name));
  } catch (err: unknown) {
    throw await explainManagerError(nc, `stream ${name}`, err);
  }
}
