/**
 * The JetStream KV bucket under the A2A task and push config stores (spec/jetstream.md
 * "A2A task store on KV"): key encoding, reads, compare-and-set writes with an optional
 * per-message TTL, counts and bounded scans. Plain functions over one {@link KvBucket}.
 */
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV, type KvEntry } from "@nats-io/kv";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { TransportFailureError } from "../../generated/ts/errors.js";
import { invalidArgument } from "../errors.js";
import { explainManagerError, toTransportFailure } from "../jetstream/errors.js";
import { manager } from "../jetstream/streams.js";

/** An opened bucket: the KV handle plus what the raw JetStream calls need. */
export interface KvBucket {
  readonly nc: NatsConnection;
  readonly kv: KV;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** `KV_<bucket>` */
  readonly stream: string;
  /** `$KV.<bucket>.` */
  readonly subjectPrefix: string;
  readonly bucket: string;
}

/** One key's current value and revision (its stream sequence). */
export interface Stored<T> {
  readonly value: T;
  readonly revision: number;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * One key token for any string: `k` + base64url(UTF-8). The alphabet (A-Z a-z 0-9 - _) has no
 * `.`, `*`, `>` or space, so no tenant or id can add a token, match a wildcard or be empty.
 */
export function token(s: string): string {
  return `k${Buffer.from(s, "utf8").toString("base64url")}`;
}

/** Opens (creating when missing) the bucket with per-message TTL on and no subject delete markers. */
export async function openBucket(nc: NatsConnection, bucket: string, replicas: number, maxBytes: number | undefined): Promise<KvBucket> {
  if (!/^[-\w]+$/.test(bucket)) throw invalidArgument("openKvA2aStores", "bucket", bucket, "letters, digits, - or _");
  const jsm = await manager(nc);
  const stream = `KV_${bucket}`;
  let kv: KV;
  try {
    kv = await new Kvm(nc).create(bucket, { history: 1, replicas, ...(maxBytes === undefined ? {} : { max_bytes: maxBytes }) });
    const info = await jsm.streams.info(stream);
    // Per-message TTL without subject delete markers: an expired task leaves nothing behind,
    // so a count of keys is a count of tasks (kv.create can only turn TTL on with markers).
    if (info.config.allow_msg_ttl !== true) await jsm.streams.update(stream, { ...info.config, allow_msg_ttl: true });
  } catch (err: unknown) {
    throw await explainManagerError(nc, `A2A KV bucket ${JSON.stringify(bucket)}`, err);
  }
  return { nc, kv, js: jetstream(nc), jsm, stream, subjectPrefix: `$KV.${bucket}.`, bucket };
}

/** The current value of `key` (undefined when absent or deleted). */
export async function read<T>(b: KvBucket, key: string): Promise<Stored<T> | undefined> {
  let e: KvEntry | null;
  try {
    e = await b.kv.get(key);
  } catch (err: unknown) {
    throw toTransportFailure(`A2A KV get ${key}`, err);
  }
  if (e === null || e.operation !== "PUT" || e.value.length === 0) return undefined;
  return { value: decodeValue<T>(key, e.value), revision: e.revision };
}

/** The value of `key` at `revision`, or undefined when that revision is gone (replaced or expired). */
export async function readAt<T>(b: KvBucket, key: string, revision: number): Promise<Stored<T> | undefined> {
  try {
    const e = await b.kv.get(key, { revision });
    if (e === null || e.operation !== "PUT" || e.key !== key) return undefined;
    return { value: decodeValue<T>(key, e.value), revision: e.revision };
  } catch {
    return undefined;
  }
}

/** The JSON value under `key`. `T` is an assertion: the store reads back values it wrote itself (a bucket of its own). */
function decodeValue<T>(key: string, bytes: Uint8Array): T {
  try {
    return JSON.parse(fromUtf8.decode(bytes)) as T;
  } catch (err: unknown) {
    throw new TransportFailureError(`A2A KV key ${key} holds a value this store did not write (not UTF-8 JSON); remove it or use another bucket`, {
      retryable: false,
      cause: err,
    });
  }
}

/** Thrown by {@link write} when the key is not at the expected revision (another writer won). */
export class RevisionMismatch extends Error {
  constructor(
    readonly key: string,
    readonly expected: number,
  ) {
    super(`A2A KV key ${key} is no longer at revision ${expected}`);
  }
}

/** The error of a lost compare-and-set (TRANSPORT_FAILURE, retryable, details.reason "revision_conflict"). */
export function revisionConflict(what: string, expected: number): TransportFailureError {
  return new TransportFailureError(`${what} was changed by another writer since revision ${expected}; read it again and retry`, {
    retryable: true,
    details: { reason: "revision_conflict", expected },
  });
}

/**
 * Writes `value` only if `key` is at revision `expected` (0: absent), with a per-message TTL in
 * whole seconds when `ttlSeconds` is set. Resolves with the new revision.
 * @throws RevisionMismatch when another write came first.
 */
export async function write(b: KvBucket, key: string, value: unknown, expected: number, ttlSeconds?: number): Promise<number> {
  try {
    const ack = await b.js.publish(`${b.subjectPrefix}${key}`, utf8.encode(JSON.stringify(value)), {
      expect: { lastSubjectSequence: expected },
      ...(ttlSeconds === undefined ? {} : { ttl: `${ttlSeconds}s` }),
    });
    return ack.seq;
  } catch (err: unknown) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence) throw new RevisionMismatch(key, expected);
    throw toTransportFailure(`A2A KV write ${key}`, err);
  }
}

/** Removes every message of the keys matching `filter` (no delete marker is left). Resolves with how many were removed. */
export async function purge(b: KvBucket, filter: string): Promise<number> {
  try {
    return (await b.jsm.streams.purge(b.stream, { filter: `${b.subjectPrefix}${filter}` })).purged;
  } catch (err: unknown) {
    throw toTransportFailure(`A2A KV purge ${filter}`, err);
  }
}

/**
 * Visits the current value of every key matching `filter` (one ephemeral consumer, fetched in
 * batches of `batch`: the bound on what is held at once). Resolves with the number of keys;
 * with `visit` undefined nothing is fetched (a count in one round trip).
 */
export async function scan(b: KvBucket, filter: string, visit?: (key: string, revision: number, bytes: Uint8Array) => void, batch = 100): Promise<number> {
  let name: string | undefined;
  try {
    const ci = await b.jsm.consumers.add(b.stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.LastPerSubject,
      filter_subject: `${b.subjectPrefix}${filter}`,
      mem_storage: true,
      inactive_threshold: nanos(30_000),
      ...(visit === undefined ? { headers_only: true } : {}),
    });
    name = ci.name;
    const total = ci.num_pending;
    if (visit === undefined || total === 0) return total;
    const consumer = await b.js.consumers.get(b.stream, name);
    let seen = 0;
    while (seen < total) {
      const msgs = await consumer.fetch({ max_messages: Math.min(batch, total - seen), expires: 5_000 });
      let got = 0;
      for await (const m of msgs) {
        got++;
        seen++;
        const key = m.subject.slice(b.subjectPrefix.length);
        const op = m.headers?.get("KV-Operation") ?? "";
        if (op === "" && m.data.length > 0) visit(key, m.seq, m.data);
        if (m.info.pending === 0) seen = total;
      }
      if (got === 0) break;
    }
    return total;
  } catch (err: unknown) {
    throw toTransportFailure(`A2A KV scan ${filter}`, err);
  } finally {
    if (name !== undefined) await b.jsm.consumers.delete(b.stream, name).catch(() => undefined);
  }
}

/** Parses one scanned value (see {@link scan}). */
export function parseScanned<T>(key: string, bytes: Uint8Array): T {
  return decodeValue<T>(key, bytes);
}

/** Remaining TTL in whole seconds (at least 1: the server's minimum) of something that expires at `expiresAt` ms. */
export function ttlSeconds(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) / 1000));
}

/** A tail of promises: runs `fn` after everything queued before it (one writer per store instance). */
export function serializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
