/**
 * Bus targets exposed as one A2A agent: the task manager, the method handler, webhook
 * delivery and the Agent Card, wired from {@link A2aServerOptions} (one target, or an agent
 * contract whose skills each run on their own target). Transport-free; http.ts serves it over
 * JSON-RPC.
 */
import type { Bus, BusLogger } from "../bus/types.js";
import {
  LIST_TASKS_DEFAULT_PAGE_SIZE,
  LIST_TASKS_MAX_PAGE_SIZE,
  PARTS,
  PARTS_BOUNDS,
  type AgentCard,
  type AgentInterface,
  type PartsBounds,
} from "../../generated/a2a/index.js";
import { buildAgentCard, type AgentCardInfo, type CardCapabilities, type CardInterfaces } from "./agent-card.js";
import { cardSecurity, resolveAuth, type A2aAuth } from "./auth.js";
import { contractCardInfo, contractSkillRoutes, type AgentContractSource } from "./contract-card.js";
import { invalidArgument } from "../errors.js";
import { createMemoryPushConfigStore, createMemoryTaskStore, type MemoryPushConfigStoreOptions, type MemoryTaskStoreOptions } from "./memory-store.js";
import { createPushDelivery, type PushDelivery, type PushDeliveryOptions } from "./push-delivery.js";
import { RpcHandler, type RpcHandlerDeps } from "./rpc-handler.js";
import type { WebhookGuardOptions } from "./ssrf.js";
import type { SkillRoute } from "./skill-routes.js";
import { TaskManager, type TaskManagerOptions } from "./task-manager.js";
import type { PushConfigStore, TaskStore } from "./task-store.js";

/** Resource bounds of one server (defaults in spec/a2a.md "Cost per event and limits"; parts bounds in spec/a2a.md "Parts: text, data and files"). */
export type A2aLimits = Omit<MemoryTaskStoreOptions, "onExpire" | "now"> &
  MemoryPushConfigStoreOptions &
  Pick<TaskManagerOptions, "maxHistory" | "subscriberHighWater"> &
  Pick<RpcHandlerDeps, "maxStreamsPerTenant"> &
  Partial<PartsBounds>;

export interface A2aServerOptions {
  bus: Bus;
  /**
   * Who may call (required): an AuthHook such as createJwtVerifier (runtime/gateway), the
   * tenant and principal of each request come from it; or "none", the explicit development
   * mode (one anonymous tenant, no extended card). Mounted on a gateway app, the gateway's
   * verifier is the default. See spec/a2a.md "Authentication and tenants".
   */
  auth?: A2aAuth;
  /** Store and queue bounds; the memory stores' limits apply only to stores this server creates. */
  limits?: A2aLimits;
  /**
   * Let a handler's Message answer be a whole stream: a new task's stream then waits for the
   * handler's first frame (a handler that works long before writing should call `started()`).
   * Default false: streams show the Task and WORKING at once (spec/a2a.md "Message answers").
   */
  messageStreams?: boolean;
  /** The bus target served: every task runs as a stream call to it. Give this or `contract`. */
  target?: string;
  /**
   * An agent contract (the generator's contract IR, or contractFromAgentCard of its generated
   * card): the card is the contract's (the one `oaio generate --contracts` writes, at this
   * server's address) and each skill runs on its own target; a message names its skill in
   * Message.metadata `skillId`, else runs the first skill. Give this or `target` + `card`.
   */
  contract?: AgentContractSource;
  /** Name, description, version, skills of the card (see cardInfoFromContract). Required with `target`; not with `contract`. */
  card?: AgentCardInfo;
  /** Extra card content returned by GetExtendedAgentCard (authenticated callers only; not with auth "none"); omitted: the capability is off. */
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
  /** Where the server logs what it cannot report to a caller (a failed task store write). Default: nothing is logged. */
  logger?: BusLogger;
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
  /** How requests are authenticated. */
  readonly auth: A2aAuth;
  /** What the card says (given, or from the contract). */
  private readonly info: AgentCardInfo;
  /** The interfaces of other bindings serving this bridge on their own ports (gRPC), each built for the card's endpoint URL. */
  private readonly interfaces: ((endpoint: string) => AgentInterface)[] = [];

  /** `auth`: the resolved auth (a2aPlugin passes the gateway's); default opts.auth, required. */
  constructor(
    private readonly opts: A2aServerOptions,
    auth: A2aAuth = resolveAuth(opts.auth, undefined),
  ) {
    this.auth = auth;
    if (auth === "none" && opts.extendedCard !== undefined) {
      throw invalidArgument(
        "A2A server",
        "extendedCard",
        'given with auth "none"',
        "left out, or auth set: extendedCard needs authentication (GetExtendedAgentCard answers authenticated callers only)",
      );
    }
    const { info, target, skills } = served(opts);
    this.info = info;
    this.legacy = opts.legacy ?? true;
    this.capabilities = {
      streaming: opts.streaming ?? true,
      pushNotifications: opts.pushNotifications ?? true,
      extendedAgentCard: opts.extendedCard !== undefined,
    };
    const limits = opts.limits ?? {};
    const pushStore = this.capabilities.pushNotifications
      ? (opts.pushStore ??
        this.own(createMemoryPushConfigStore({ ...(limits.maxConfigsPerTask === undefined ? {} : { maxConfigsPerTask: limits.maxConfigsPerTask }) })))
      : undefined;
    const store =
      opts.store ??
      this.own(
        createMemoryTaskStore({
          ...(limits.maxTasksPerTenant === undefined ? {} : { maxTasksPerTenant: limits.maxTasksPerTenant }),
          ...(limits.maxTasks === undefined ? {} : { maxTasks: limits.maxTasks }),
          ...(limits.terminalTtlMs === undefined ? {} : { terminalTtlMs: limits.terminalTtlMs }),
          onExpire: (_tenant, id) => void pushStore?.deleteTask(id).catch(() => undefined),
        }),
      );
    const guard = guardOptions(opts.webhooks);
    this.push = pushStore === undefined ? undefined : createPushDelivery({ ...opts.webhooks, store: pushStore, guard });
    this.manager = new TaskManager({
      bus: opts.bus,
      target,
      skills,
      partsBounds: partsBounds(limits),
      store,
      push: this.push && pushStore ? { delivery: this.push, store: pushStore } : undefined,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      ...(limits.maxHistory === undefined ? {} : { maxHistory: limits.maxHistory }),
      ...(limits.subscriberHighWater === undefined ? {} : { subscriberHighWater: limits.subscriberHighWater }),
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
      ...(opts.messageStreams === true ? { messageStreams: true } : {}),
    });
    let endpoint = "";
    this.handler = new RpcHandler({
      manager: this.manager,
      pushStore,
      guard,
      capabilities: this.capabilities,
      maxPageSize: LIST_TASKS_MAX_PAGE_SIZE,
      defaultPageSize: LIST_TASKS_DEFAULT_PAGE_SIZE,
      // the extended card names the endpoint the authenticated request came to (its binding
      // says which), else the server's own: never one an anonymous card request set
      extendedCard: opts.extendedCard === undefined ? undefined : (requested) => this.card(requested ?? endpoint, true),
      ...(limits.maxStreamsPerTenant === undefined ? {} : { maxStreamsPerTenant: limits.maxStreamsPerTenant }),
      inputModes: acceptedInputModes(this.info),
    });
    this.setEndpoint = (url) => (endpoint = url);
  }

  /** The bindings the card lists, from the JSON-RPC endpoint URL (set by a2aPlugin); unset: JSON-RPC alone. */
  cardInterfaces: ((rpcUrl: string) => CardInterfaces) | undefined;

  /** Sets the server's own JSON-RPC endpoint URL (startA2aServer, at start): what the extended card names for a caller whose binding has no URL of its own (gRPC). */
  readonly setEndpoint: (url: string) => void;

  /** The Agent Card for the JSON-RPC endpoint `url` (`extended`: with extendedCard merged). */
  card(url: string, extended = false): AgentCard {
    const info = extended ? { ...this.info, ...this.opts.extendedCard } : this.info;
    const http: CardInterfaces = this.cardInterfaces?.(url) ?? { jsonRpc: true, extra: [] };
    return buildAgentCard(info, url, this.capabilities, this.legacy, cardSecurity(this.auth), {
      jsonRpc: http.jsonRpc,
      extra: [...http.extra, ...this.interfaces.map((f) => f(url))],
    });
  }

  /** Lists another binding's interface in the card (`build` gets the card's JSON-RPC endpoint URL). */
  addInterface(build: (endpoint: string) => AgentInterface): void {
    this.interfaces.push(build);
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

/** The card info, default target and skill routes a server's options describe. */
function served(opts: A2aServerOptions): { info: AgentCardInfo; target: string; skills: SkillRoute[] } {
  const api = "A2A server";
  if (opts.contract !== undefined) {
    if (opts.target !== undefined || opts.card !== undefined) {
      throw invalidArgument(
        api,
        opts.target !== undefined ? "target" : "card",
        "given with contract",
        "left out: the contract names the card and each skill's target",
      );
    }
    const skills = contractSkillRoutes(opts.contract);
    const first = skills[0];
    if (first === undefined) throw invalidArgument(api, "contract.skills", "empty", "at least one skill (the default skill of a message that names none)");
    return { info: contractCardInfo(opts.contract), target: first.target, skills };
  }
  if (opts.target === undefined || opts.card === undefined) {
    throw invalidArgument(api, opts.target === undefined ? "target" : "card", "missing", "a bus target and a card, or an agent contract (contract)");
  }
  const target = opts.target;
  return { info: opts.card, target, skills: (opts.card.skills ?? []).map((s) => ({ id: s.id, target })) };
}

/** The parts bounds of `limits` over the mapping's defaults (PARTS_BOUNDS). */
function partsBounds(limits: A2aLimits): PartsBounds {
  const out: Record<string, unknown> = { ...PARTS_BOUNDS };
  for (const k of Object.keys(PARTS_BOUNDS) as (keyof PartsBounds)[]) if (limits[k] !== undefined) out[k] = limits[k];
  return out as unknown as PartsBounds;
}

/**
 * Every {@link WebhookGuardOptions} key: `satisfies` makes a key added to the type without being
 * listed here a compile error, so no guard option is silently dropped on its way to the guard.
 */
const GUARD_KEYS = Object.keys({ allowPrivate: true, allowHosts: true, allowAddresses: true, resolve: true } satisfies Record<
  keyof WebhookGuardOptions,
  true
>) as (keyof WebhookGuardOptions)[];

/** The SSRF guard options out of `webhooks` (which also carries delivery options). */
function guardOptions(webhooks: WebhookGuardOptions | undefined): WebhookGuardOptions {
  const guard: Record<string, unknown> = {};
  if (webhooks !== undefined) for (const k of GUARD_KEYS) if (webhooks[k] !== undefined) guard[k] = webhooks[k];
  return guard as WebhookGuardOptions;
}

/** What the card says the agent takes: its defaultInputModes (default PARTS.inputModes) and every skill's inputModes. */
function acceptedInputModes(info: AgentCardInfo): readonly string[] {
  const modes = new Set<string>(info.defaultInputModes ?? PARTS.inputModes);
  for (const skill of info.skills ?? []) for (const m of skill.inputModes ?? []) modes.add(m);
  return [...modes];
}
