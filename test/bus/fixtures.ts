/**
 * Shared fixtures of the bus tests: one "network" per transport kind (a shared memory
 * transport, or a real nats-server with one connection per bus) and bounded waits. Every
 * test file is checked for leaked handles by test/setup/leak-check.ts.
 */
import { createMemoryTransport, connectNats, type Transport } from "../../runtime/transport/index.js";
import { createBus, type Bus, type BusOptions } from "../../runtime/bus/index.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { waitFor as waitUntil } from "../transport/wait.js";

/** A place buses meet: `transport()` gives a transport onto it. */
export interface Network {
  readonly kind: "memory" | "nats";
  transport(): Promise<Transport>;
  /** Creates a bus on a new transport (closed with the bus). */
  bus(agentId: string, opts?: Partial<BusOptions>): Promise<Bus>;
  /** Makes sure subscriptions made so far are live everywhere. */
  settle(): Promise<void>;
  close(): Promise<void>;
  readonly server: NatsServer | undefined;
}

export async function openNetwork(kind: "memory" | "nats"): Promise<Network> {
  const transports: Transport[] = [];
  const buses: Bus[] = [];
  let server: NatsServer | undefined;
  let shared: Transport | undefined;
  if (kind === "nats") server = await startNatsServer();
  else shared = createMemoryTransport();
  const transport = async (): Promise<Transport> => {
    if (shared !== undefined) return shared;
    const t = await connectNats({ servers: server!.url, reconnectTimeWaitMs: 100 });
    transports.push(t);
    return t;
  };
  return {
    kind,
    server,
    transport,
    async bus(agentId, opts = {}) {
      const bus = createBus({ agentId, transport: await transport(), ...opts });
      buses.push(bus);
      return bus;
    },
    async settle() {
      await Promise.all([...transports, ...(shared ? [shared] : [])].map((t) => t.flush()));
    },
    async close() {
      await Promise.all(buses.splice(0).map((b) => b.close()));
      await Promise.all(transports.splice(0).map((t) => t.close()));
      await shared?.close();
      await server?.stop();
    },
  };
}

/** Resolves once `cond()` holds; fails naming `what` after `timeoutMs` (no fixed sleeps). */
export function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  return waitUntil(what, cond, { timeoutMs });
}

/** A promise with its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
