/**
 * Gateway test fixture: a real nats-server, an agent bus with handlers, a gateway bus, a
 * gateway on a free loopback port, and a real SSE reader (fetch + eventsource-parser).
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { Envelope } from "../../runtime/index.js";
import type { Bus, BusOptions } from "../../runtime/bus/index.js";
import { startGateway, type Gateway, type GatewayOptions } from "../../runtime/gateway/index.js";
import { openNet, type Net } from "../middleware/net.js";

export interface Rig {
  readonly net: Net;
  /** The agents' bus. */
  readonly agents: Bus;
  /** The gateway's bus. */
  readonly gwBus: Bus;
  readonly gateway: Gateway;
  readonly url: string;
  /** Another gateway on the same buses with other options (closed by close()). */
  extraGateway(opts: Partial<GatewayOptions>): Promise<Gateway>;
  close(): Promise<void>;
}

export async function openRig(opts: Partial<GatewayOptions> = {}, busOpts: Partial<BusOptions> = {}): Promise<Rig> {
  const net = await openNet();
  const agents = await net.bus("agents");
  const gwBus = await net.bus("gateway", busOpts);
  const gateway = await startGateway({ bus: gwBus, ...opts });
  const extras: Gateway[] = [];
  return {
    net,
    agents,
    gwBus,
    gateway,
    url: gateway.url,
    async extraGateway(more) {
      const g = await startGateway({ bus: gwBus, ...opts, ...more });
      extras.push(g);
      return g;
    },
    async close() {
      await Promise.all(extras.map((g) => g.close()));
      await gateway.close();
      await net.close();
    },
  };
}

/** POSTs JSON (or raw text with its own content type). */
export function post(url: string, body: unknown, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Response> {
  const raw = typeof body === "string" || body instanceof Uint8Array;
  return fetch(url, {
    method: "POST",
    headers: { ...(body === undefined || raw ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: raw ? (body as string) : JSON.stringify(body) }),
    ...init,
  });
}

export interface SseEvent extends EventSourceMessage {
  readonly envelope: Envelope;
}

/** Reads an SSE response with eventsource-parser, event by event. */
export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  #queue: SseEvent[] = [];
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #parser = createParser({
    onEvent: (e) => {
      const ev = { ...e, envelope: JSON.parse(e.data) as Envelope };
      this.events.push(ev);
      this.#queue.push(ev);
    },
    onComment: (c) => this.comments.push(c),
  });
  #decoder = new TextDecoder();
  done = false;

  constructor(res: Response) {
    if (res.body === null) throw new Error("no body");
    this.#reader = res.body.getReader();
  }

  /** The next event, or undefined at the end of the stream. */
  async next(): Promise<SseEvent | undefined> {
    while (this.#queue.length === 0) {
      if (this.done) return undefined;
      const { done, value } = await this.#reader.read();
      if (done) {
        this.done = true;
        return undefined;
      }
      this.#parser.feed(this.#decoder.decode(value, { stream: true }));
    }
    return this.#queue.shift();
  }

  /** Reads until the stream ends; returns every event. */
  async all(): Promise<SseEvent[]> {
    while ((await this.next()) !== undefined) {
      // keep reading
    }
    return this.events;
  }

  /** Waits until at least one comment (heartbeat) arrived. */
  async untilComment(): Promise<void> {
    while (this.comments.length === 0) {
      const { done, value } = await this.#reader.read();
      if (done) throw new Error("stream ended before a comment");
      this.#parser.feed(this.#decoder.decode(value, { stream: true }));
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => undefined);
  }
}
