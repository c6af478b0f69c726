/**
 * Webhook delivery of task events (spec: Push notification delivery): each event of a task
 * is POSTed as a 1.0 StreamResponse to every config of the task, in order per config, at
 * least once (retried with backoff on network errors, 408, 429 and 5xx), with the config's
 * Authorization (`scheme credentials`) and token header.
 */
import { setTimeout as delay } from "node:timers/promises";
import { PUSH_CONTENT_TYPE, PUSH_TOKEN_HEADER, type StreamResponse, type TaskPushNotificationConfig } from "../../generated/a2a/index.js";
import { resolveWebhookTarget, type WebhookGuardOptions, type WebhookTarget } from "./ssrf.js";
import { postToTarget } from "./webhook-post.js";
import { invalidArgument } from "../errors.js";
import type { PushConfigStore } from "./task-store.js";

export interface PushDeliveryOptions {
  store: PushConfigStore;
  guard?: WebhookGuardOptions;
  /** Attempts per event and config, the first included. Default 5. */
  maxAttempts?: number;
  /** First retry delay, doubled each retry, ms. Default 100. */
  backoffMs?: number;
  /** Per attempt, ms. Default 5,000. */
  timeoutMs?: number;
  /** Events waiting per config (a slow or dead receiver); past it new events are given up. Default 1,000. */
  maxPending?: number;
  /** Called for an event given up on (after the last attempt, or refused by the guard). */
  onGiveUp?: (info: { taskId: string; configId: string | undefined; url: string; reason: string }) => void;
}

export interface PushDeliveryStats {
  delivered: number;
  attempts: number;
  givenUp: number;
}

export interface PushDelivery {
  /** Queues `event` for every config of `taskId`; resolves once queued (not delivered). */
  notify(taskId: string, event: StreamResponse): Promise<void>;
  /** Resolves once everything queued so far was delivered or given up. */
  idle(): Promise<void>;
  stats(): PushDeliveryStats;
  /** Stops retries (pending events are given up), waits for attempts in flight. */
  close(): Promise<void>;
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

function positiveInteger(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalidArgument("createPushDelivery", field, value, "a positive integer");
  return value;
}

/** Creates the delivery queue of one server. */
export function createPushDelivery(opts: PushDeliveryOptions): PushDelivery {
  const maxAttempts = positiveInteger("maxAttempts", opts.maxAttempts ?? 5);
  const backoff = opts.backoffMs ?? 100;
  if (!(backoff >= 0) || !Number.isFinite(backoff)) throw invalidArgument("createPushDelivery", "backoffMs", backoff, "a number of ms >= 0");
  const timeoutMs = opts.timeoutMs ?? 5_000;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw invalidArgument("createPushDelivery", "timeoutMs", timeoutMs, "a positive number of ms");
  const maxPending = positiveInteger("maxPending", opts.maxPending ?? 1_000);
  /** Events queued and not finished, per config chain. */
  const pending = new Map<string, number>();
  const closing = new AbortController();
  const chains = new Map<string, Promise<void>>();
  const stats: PushDeliveryStats = { delivered: 0, attempts: 0, givenUp: 0 };

  /** Waits `ms`, or less when the server closes. */
  const sleep = (ms: number): Promise<void> => delay(ms, undefined, { signal: closing.signal }).catch(() => undefined);
  /**
   * Events of a task waiting for its config lookup, in emit order: one lookup at a time per
   * task serves every event waiting, so the store's latency cannot reorder events (it did with
   * a store slower than a microtask, e.g. JetStream KV) and a burst costs one lookup.
   */
  const lookups = new Map<string, { readonly events: StreamResponse[]; run: Promise<void> }>();
  /** Resolves once every chain and lookup, including ones queued meanwhile, has run out. */
  const drain = async (): Promise<void> => {
    while (chains.size > 0 || lookups.size > 0) {
      await Promise.all([...chains.values(), ...[...lookups.values()].map((l) => l.run.catch(() => undefined))]);
    }
  };

  /** One POST to the checked address of `target`. */
  async function attempt(target: WebhookTarget, cfg: TaskPushNotificationConfig, body: string): Promise<"ok" | "retry" | string> {
    const headers: Record<string, string> = { "content-type": PUSH_CONTENT_TYPE };
    if (cfg.authentication?.scheme) headers["authorization"] = `${cfg.authentication.scheme} ${cfg.authentication.credentials ?? ""}`.trim();
    if (cfg.token) headers[PUSH_TOKEN_HEADER.toLowerCase()] = cfg.token;
    const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      const status = await postToTarget(target, headers, body, signal);
      if (status >= 200 && status < 300) return "ok";
      return retryable(status) ? "retry" : `HTTP ${status}`;
    } catch {
      return "retry";
    }
  }

  async function deliver(taskId: string, cfg: TaskPushNotificationConfig, body: string): Promise<void> {
    const giveUp = (reason: string): void => {
      stats.givenUp += 1;
      opts.onGiveUp?.({ taskId, configId: cfg.id, url: cfg.url, reason });
    };
    for (let i = 0; i < maxAttempts; i++) {
      if (closing.signal.aborted) return giveUp("server closed");
      if (i > 0) await sleep(backoff * 2 ** (i - 1));
      if (closing.signal.aborted) return giveUp("server closed");
      // each attempt resolves the host once, checks every address, and connects to the checked one
      let target: WebhookTarget;
      try {
        target = await resolveWebhookTarget(cfg.url, opts.guard);
      } catch (err: unknown) {
        return giveUp(err instanceof Error ? err.message : String(err));
      }
      stats.attempts += 1;
      const r = await attempt(target, cfg, body);
      if (r === "ok") {
        stats.delivered += 1;
        return;
      }
      if (r !== "retry") return giveUp(r);
    }
    giveUp(`no success after ${maxAttempts} attempts`);
  }

  return {
    notify(taskId, event) {
      if (closing.signal.aborted) return Promise.resolve();
      const waiting = lookups.get(taskId);
      if (waiting !== undefined) {
        if (waiting.events.length >= maxPending) {
          stats.givenUp += 1;
          opts.onGiveUp?.({ taskId, configId: undefined, url: "", reason: `${maxPending} events already wait for the task's push config lookup (maxPending)` });
        } else {
          waiting.events.push(event);
        }
        return waiting.run;
      }
      const q = { events: [event], run: Promise.resolve() };
      lookups.set(taskId, q);
      q.run = (async () => {
        try {
          while (q.events.length > 0) {
            const configs = await opts.store.list(taskId);
            const events = q.events.splice(0);
            // A task without webhooks (the common case) costs one lookup per batch, no serialization.
            if (configs.length > 0) for (const e of events) enqueue(taskId, configs, JSON.stringify(e));
          }
        } finally {
          lookups.delete(taskId);
        }
      })();
      return q.run;
    },
    idle: drain,
    stats: () => ({ ...stats }),
    async close() {
      closing.abort();
      await drain();
    },
  };

  /** Queues one event body on the chain of each config (in order per config, bounded by maxPending). */
  function enqueue(taskId: string, configs: readonly TaskPushNotificationConfig[], body: string): void {
    for (const cfg of configs) {
      const key = `${taskId}\u0000${cfg.id ?? cfg.url}`;
      const waiting = pending.get(key) ?? 0;
      if (waiting >= maxPending) {
        stats.givenUp += 1;
        opts.onGiveUp?.({ taskId, configId: cfg.id, url: cfg.url, reason: `${maxPending} events already wait for this webhook (maxPending)` });
        continue;
      }
      pending.set(key, waiting + 1);
      const prev = chains.get(key) ?? Promise.resolve();
      const next = prev
        .then(() => deliver(taskId, cfg, body))
        .finally(() => {
          const left = (pending.get(key) ?? 1) - 1;
          if (left > 0) pending.set(key, left);
          else pending.delete(key);
        });
      chains.set(key, next);
      void next.then(() => {
        if (chains.get(key) === next) chains.delete(key);
      });
    }
  }
}
