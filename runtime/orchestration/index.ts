/**
 * `openagentio/orchestration`: coordination scenes as small typed functions on a {@link Bus}
 * (spec/orchestration.md): `parallel` (fan-out / fan-in: all, any, quorum; bounded
 * concurrency; one deadline) and `mergeStreams` (streams fanned out and merged).
 */
export { parallel } from "./parallel.js";
export { mergeStreams } from "./merge.js";
export { MAX_CALLS, DEFAULT_DEADLINE_MS, DEFAULT_MERGE_BUFFER, MAX_MERGE_BUFFER } from "./args.js";
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
