/**
 * Test fixture of the middleware and gateway suites: a real nats-server with one NATS
 * connection per bus, everything closed at the end (test/setup/leak-check.ts checks that), and
 * bounded waits instead of sleeps.
 */
import { afterAll, beforeAll } from "vitest";
import { connectNats, type Transport } from "../../runtime/transport/index.js";
import { createBus, type Bus, type BusOptions } from "../../runtime/bus/index.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";

export { deferred, waitFor } from "../bus/fixtures.js";

export interface Net {
  readonly server: NatsServer;
  /** A bus on its own NATS connection (closed by {@link Net.close}). */
  bus(agentId: string, opts?: Partial<BusOptions>): Promise<Bus>;
  /** Makes sure every subscription made so far is known to the server. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function openNet(): Promise<Net> {
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
    },
  };
}

/**
 * The file's {@link Net}: opened before its tests, closed after
 * them. Call once at the top of a test file; use the result inside tests only.
 */
export function useNet(): Omit<Net, "close"> {
  let net: Net | undefined;
  beforeAll(async () => {
    net = await openNet();
  });
  afterAll(async () => {
    await net?.close();
  });
  const open = (): Net => {
    if (net === undefined) throw new Error("the test net is open only while the file's tests run");
    return net;
  };
  return {
    get server() {
      return open().server;
    },
    bus: (agentId, opts) => open().bus(agentId, opts),
    settle: () => open().settle(),
  };
}
