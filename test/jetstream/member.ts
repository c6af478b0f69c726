/**
 * A consumer-group member as its own process, for the fault tests: joins durable group
 * argv[4] on prefix argv[3] at server argv[2] with ackWait argv[5] ms, and prints one JSON line per
 * step: {"ev":"ready"}, {"ev":"start","n","seq","deliveries"}, {"ev":"done","n"}. A payload
 * with `hang: true` is never finished (the process is killed while handling it).
 */
import { createBus } from "../../runtime/bus/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { createDurableBus, streamLayout } from "../../runtime/jetstream/index.js";

const [url, prefix, durableName, ackWait] = process.argv.slice(2);
const transport = await connectNats({ servers: url!, name: "member" });
const bus = createBus({ agentId: "member", transport, ownsTransport: true, prefix: prefix! });
const durable = createDurableBus({ bus, layout: streamLayout({ prefix: prefix! }) });
const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
await durable.subscribe<{ n: number; hang?: boolean }>(
  "jobs.>",
  durableName!,
  async (p, ctx) => {
    say({ ev: "start", n: p.n, seq: ctx.streamSequence, deliveries: ctx.deliveryCount });
    if (p.hang === true) await new Promise(() => undefined);
    say({ ev: "done", n: p.n });
  },
  { ackWaitMs: Number(ackWait), maxInFlight: 4 },
);
say({ ev: "ready" });
process.once("SIGTERM", () => void durable.close().then(() => bus.close()));
