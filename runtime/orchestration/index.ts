/**
 * `openagentio/orchestration`: coordination scenes as small typed functions on a {@link Bus}
 * (spec/orchestration.md): `parallel` (fan-out / fan-in: all, any, quorum; bounded
 * concurrency; one deadline) and `mergeStreams` (streams fanned out and merged); agent
 * handoff: `handoff` / `handoffStream` in a handler, `invokeWithHandoff` and
 * `handoffFrameOf` for the caller, `handoffOf` for the new agent.
 */
export { parallel } from "./parallel.js";
export { mergeStreams } from "./merge.js";
export { MAX_CALLS, DEFAULT_DEADLINE_MS, DEFAULT_MERGE_BUFFER, MAX_MERGE_BUFFER } from "./args.js";
export { handoff, handoffStream } from "./handoff.js";
export { invokeWithHandoff, handoffFrameOf, answerChainOf } from "./handoff-client.js";
export {
  handoffOf,
  handoffRefusal,
  deadlineMetadata,
  DEFAULT_MAX_HOPS,
  MAX_HOPS,
  MAX_STATE_BYTES,
  MAX_REASON_CHARS,
  HANDOFF_REFUSAL_KEY,
} from "./handoff-wire.js";
export type { HandoffAnswer, HandoffOptions, HandoffPayload, HandoffRefusal } from "./handoff-types.js";
export type {
  CallOutcome,
  CanceledCall,
  MergeCall,
  MergedFrame,
  MergedStreams,
  MergeOptions,
  ParallelCall,
  ParallelMode,
  ParallelOptions,
  ParallelResult,
} from "./types.js";
