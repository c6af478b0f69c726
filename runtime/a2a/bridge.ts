/**
 * One bus target exposed as an A2A agent: the task manager, the method handler, webhook
 * delivery and the Agent Card, wired from {@link A2aServerOptions}. Transport-free; http.ts
 * serves it over JSON-RPC.
 */
import type { Bus } from "../bus/types.js";
import { LIST_TASKS_DEFAULT_PAGE_SIZE, LIST_TASKS_MAX_PAGE_SIZE, type AgentCard } from "../../generated/a2a/index.js";
import { buildAgentCard, type AgentCardInfo, type CardCapabilities } from "./agent-card.js";
import { createMemoryPushConfigStore, createMemoryTaskStore } from "./memory-store.js";
import { createPushDelivery, type PushDelivery, type PushDeliveryOptions } from "./push-delivery.js";
import { RpcHandler } from "./rpc-handler.js";
import type { WebhookGuardOptions } from "./ssrf.js";
import { TaskManager } from "./task-manager.js";
import type { PushConfigStore, TaskStore } from "./task-store.js";

export interface A2aServerOptions {
  bus: Bus;
  /** The bus target served: every task runs as a stream call to it. */
  target: string;
  /** Name, description, version, skills of the card (see cardInfoFromContract). */
  card: AgentCardInfo;
  /** Extra card content returned by GetExtendedAgentCard; omitted: the capability is off. */
  extendedCard?: Partial<AgentCardInfo>;
  /** Default true. */
  streaming?: boolean;
  /** Default true. */
  pushNotifications?: boolean;
  /** Answer requests with an empty A2A-Version header in 0.3 form. Default true. */
  legacy?: boolean;
  /** Default: in memory (closed with the server). A given store is not closed. */
  store?: TaskStore;
  /** Default: in memory (closed with the server). A given store is not closed. */
  pushStore?: PushConfigStore;
  /** SSRF guard and retry settings of webhook delivery. */
  webhooks?: WebhookGuardOptions & Omit<PushDeliveryOptions, "store" | "guard">;
  /** Overall time of one run (one message) on the bus, ms. Default: the bus default. */
  timeoutMs?: number;
}

/** The running parts of one served agent. */
export class A2aBridge {
  readonly handler: RpcHandler;
  readonly manager: TaskManager;
  readonly legacy: boolean;
  readonly capabilities: CardCapabilities;
  /** Webhook delivery (undefined when push notifications are off). */
  readonly push: PushDelivery | undefined;
  private closing: Promise<void> | undefined;
  private readonly owned: (TaskStore | PushConfigStore)[] = [];

  constructor(private readonly opts: A2aServerOptions) {
    this.legacy = opts.legacy ?? true;
    this.capabilities = {
      streaming: opts.streaming ?? true,
      pushNotifications: opts.pushNotifications ?? true,
      extendedAgentCard: opts.extendedCard !== undefined,
    };
    const store = opts.store ?? this.own(createMemoryTaskStore());
    const pushStore = this.capabilities.pushNotifications ? (opts.pushStore ?? this.own(createMemoryPushConfigStore())) : undefined;
    const guard: WebhookGuardOptions = {
      ...(opts.webhooks?.allowPrivate !== undefined ? { allowPrivate: opts.webhooks.allowPrivate } : {}),
      ...(opts.webhooks?.allowHosts !== undefined ? { allowHosts: opts.webhooks.allowHosts } : {}),
      ...(opts.webhooks?.resolve !== undefined ? { resolve: opts.webhooks.resolve } : {}),
    };
    this.push = pushStore === undefined ? undefined : createPushDelivery({ ...opts.webhooks, store: pushStore, guard });
    this.manager = new TaskManager({
      bus: opts.bus,
      target: opts.target,
      store,
      push: this.push && pushStore ? { delivery: this.push, store: pushStore } : undefined,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
    let endpoint = "";
    this.handler = new RpcHandler({
      manager: this.manager,
      store,
      pushStore,
      guard,
      capabilities: this.capabilities,
      maxPageSize: LIST_TASKS_MAX_PAGE_SIZE,
      defaultPageSize: LIST_TASKS_DEFAULT_PAGE_SIZE,
      extendedCard: opts.extendedCard === undefined ? undefined : () => this.card(endpoint, true),
    });
    this.setEndpoint = (url) => (endpoint = url);
  }

  /** Remembers the endpoint URL the extended card names (set by the HTTP layer). */
  readonly setEndpoint: (url: string) => void;

  /** The Agent Card for the JSON-RPC endpoint `url` (`extended`: with extendedCard merged). */
  card(url: string, extended = false): AgentCard {
    this.setEndpoint(url);
    const info = extended ? { ...this.opts.card, ...this.opts.extendedCard } : this.opts.card;
    return buildAgentCard(info, url, this.capabilities, this.legacy);
  }

  /** Cancels running tasks, ends streams, flushes webhooks, closes owned stores. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.manager.close();
      await this.push?.close();
      for (const s of this.owned) await s.close();
    })();
    return this.closing;
  }

  private own<T extends TaskStore | PushConfigStore>(s: T): T {
    this.owned.push(s);
    return s;
  }
}
