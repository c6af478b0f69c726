/** Shared by the JetStream suites: a NATS bus with its durable side, on a unique prefix (its own streams). */
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { connectNats, type NatsTransport } from "../../runtime/transport/index.js";
import { createDurableBus, streamLayout, type DurableBus, type PublisherOptions, type StreamLayoutOptions } from "../../runtime/jetstream/index.js";

let counter = 0;

/** A prefix no other test uses (streams are named after it). */
export function uniquePrefix(): string {
  return `t${process.pid}x${++counter}x${Date.now().toString(36)}.v1`;
}

export interface DurableFixture extends AsyncDisposable {
  readonly transport: NatsTransport;
  readonly bus: Bus;
  readonly durable: DurableBus;
}

/** A bus + durable bus on `servers`; streams ensured unless `ensure: false`. */
export async function openDurable(
  servers: string | string[],
  opts: { prefix?: string; agentId?: string; tenant?: string; layout?: StreamLayoutOptions; ensure?: boolean; publish?: PublisherOptions } = {},
): Promise<DurableFixture> {
  const transport = await connectNats({ servers, name: opts.agentId ?? "test" });
  const prefix = opts.prefix ?? uniquePrefix();
  const bus = createBus({
    agentId: opts.agentId ?? "test",
    transport,
    ownsTransport: true,
    prefix,
    ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }),
  });
  const layout = streamLayout({ prefix, ...(opts.tenant === undefined ? {} : { tenants: [opts.tenant] }), ...opts.layout });
  const durable = createDurableBus({ bus, layout, ...(opts.publish === undefined ? {} : { publish: opts.publish }) });
  if (opts.ensure !== false) await durable.ensureStreams();
  const close = async (): Promise<void> => {
    await durable.close();
    await bus.close();
  };
  return { transport, bus, durable, [Symbol.asyncDispose]: close };
}

/** Waits until `cond()` holds (polling), failing with `what` after `timeoutMs`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
