/**
 * The scenarios of the matrix. A pair scenario runs with one peer as client and one as server;
 * the chain runs A → B → C. Each returns how the cell went: "pass", or "unsupported" /
 * "partial" with the reason after asserting what the lacking peer does instead.
 */
import type { PairScenario } from "./cell.js";
import { concurrency, errors, invoke, large, schemaVersion, tenants, values } from "./scenarios/calls.js";
import { pubsub, queue, tenantEvents } from "./scenarios/events.js";
import { stream, streamCancel, streamEarlyCancel, streamError } from "./scenarios/streams.js";

export { ask, probeHandlers, standardServes, type Outcome, type PairScenario, type Side } from "./cell.js";
export { chain } from "./scenarios/chain.js";
export { noHandler } from "./scenarios/calls.js";

export const PAIR_SCENARIOS: readonly PairScenario[] = [
  invoke,
  schemaVersion,
  values,
  concurrency,
  large,
  errors,
  stream,
  streamError,
  streamCancel,
  streamEarlyCancel,
  pubsub,
  queue,
  tenants,
  tenantEvents,
];
