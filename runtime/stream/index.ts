/** runtime/stream: client-side reassembly of streamed frames. */
export { DEFAULT_MAX_GAP, DEFAULT_MAX_PENDING, StreamReassembler, createReassembler } from "./reassembler.js";
export type { ReassemblerOptions, ReassemblyStep } from "./reassembler.js";
export { finalValue, reassembleAll } from "./outcome.js";
export type { StreamOutcome, StreamOutcomeKind } from "./outcome.js";
