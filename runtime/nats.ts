/**
 * `openagentio/nats`: the NATS transport (spec/transports.md). Loads @nats-io/transport-node;
 * pass the transport to `createBus` from the core entry.
 */
export { connectNats } from "./transport/nats.js";
export { DEFAULT_RECONNECT_BUFFER_BYTES } from "./transport/nats-options.js";

export type { NatsTransport, NatsTransportOptions } from "./transport/nats.js";
