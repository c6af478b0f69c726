/**
 * Test fixture of the middleware and gateway suites: a real nats-server with one NATS
 * connection per bus, everything closed (and checked closed) at the end, and bounded
 * waits instead of sleeps.
 */
import { connectNats, type Transport } from "../../runtime/transport/index.js";
import { createBus, type Bus, type BusOptions } from "../../runtime/bus/index.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";

export interface Net {
  readonly server: NatsServer;
  /** A bus on its own NATS connection (closed by {@link Net.close}). */
  bus(agentId: string, opts?: Partial<BusOptions>): Promise<Bus>;
  /** Makes sure every subscription made so far is known to the server. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

function liveHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Fails when more timers, sockets or processes are alive than at `before`, after a short settle. */
async function expectNoLeaks(before: Record<string, number>): Promise<void> {
  const kinds = ["Timeout", "TCPWrap", "ProcessWrap", "PipeWrap", "TCPSERVERWRAP"];
  const grown = (): string[] => {
    const now = liveHandles();
    return kinds.filter((k) => (now[k] ?? 0) > (before[k] ?? 0)).map((k) => `${k}: ${before[k] ?? 0} → ${now[k]}`);
  };
  const deadline = Date.now() + 3_000;
  while (grown().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const leaks = grown();
  if (leaks.length > 0) throw new Error(`leaked handles: ${leaks.join(", ")}`);
}

export async function openNet(): Promise<Net> {
  const before = liveHandles();
  const server = await startNatsServer();
  const transports: Transport[] = [];
  const buses: Bus[] = [];
  return {
    server,
    async bus(agentId, opts = {}) {
      const transport = await connectNats({ servers: server.url, name: agentId });
      transports.push(transport);
      const bus = createBus({ agentId, transport, ...opts });
      buses.push(bus);
      return bus;
    },
    async settle() {
      await Promise.all(transports.map((t) => t.flush()));
    },
    async close() {
      await Promise.all(buses.splice(0).map((b) => b.close()));
      await Promise.all(transports.splice(0).map((t) => t.close()));
      await server.stop();
      await expectNoLeaks(before);
    },
  };
}

/** Resolves once `cond()` holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A promise with its resolve function, for handlers that block until a test lets them go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
