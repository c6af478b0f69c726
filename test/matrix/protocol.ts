/**
 * The matrix peer protocol (test/matrix/README.md): one JSON object per line on stdin
 * (commands) and stdout (answers and events). These are its TypeScript shapes; every peer
 * program (Python, deployed Python, Kotlin later) and the in-process TypeScript peer speak it.
 */

export type Json = Record<string, unknown>;

/** Context fields a client sets explicitly on a request or event. */
export interface WireContext {
  session_id?: string;
  conversation_id?: string;
  channel?: string;
  user_id?: string;
  traceparent?: string;
}

/** What a handler saw of the envelope it handled; absent fields are `null`. */
export interface Seen {
  readonly from: string | null;
  readonly session_id: string | null;
  readonly conversation_id: string | null;
  readonly channel: string | null;
  readonly tenant_id: string | null;
  readonly user_id: string | null;
  readonly traceparent: string | null;
  readonly schema_version: number | null;
  /** The envelope's `phase` (schema_version 2), `null` without. */
  readonly phase: string | null;
  /** The envelope's metadata without the runtime's `acp.*` keys; `null` when none is left. */
  readonly metadata: Json | null;
}

/** An ACP error as the client read it. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** One stream frame as the client read it (seq `0` when the wire left it out, as v1 writers do). */
export type WireFrame =
  | { readonly type: "started"; readonly seq: number; readonly meta: unknown }
  | { readonly type: "delta"; readonly seq: number; readonly delta: unknown }
  | { readonly type: "final"; readonly seq: number; readonly result: unknown };

/** Answer of `invoke`: exactly one of `result` / `error`. */
export interface InvokeAnswer {
  readonly result?: unknown;
  readonly error?: WireError;
}

/** Answer of `stream`: the frames read, and the error the stream ended with, if any. */
export interface StreamAnswer {
  readonly frames: WireFrame[];
  readonly error?: WireError;
}

/** A command's answer line: `ok` false only when the peer itself failed (not for ACP errors). */
export interface Answer extends Json {
  readonly ok: boolean;
}

/** One running peer (a process, or the in-process TypeScript bus). */
export interface MatrixPeer extends AsyncDisposable {
  /** The peer's name: also its agent id and its targets' infix. */
  readonly name: string;
  /** Sends one command; resolves with its answer; rejects after `timeoutMs` or when the peer fails. */
  call(op: string, args?: Json, timeoutMs?: number): Promise<Answer>;
  /** Every `{"event": …}` line so far, in order. */
  readonly events: readonly Json[];
  /** What the peer wrote on stderr (for failure messages). */
  stderr(): string;
  /** Closes the peer's buses and waits for it to exit. Idempotent. */
  close(): Promise<void>;
}

/** Throws unless the answer is ok; returns it. */
export function okAnswer(peer: MatrixPeer, op: string, a: Answer): Answer {
  if (!a.ok) throw new Error(`peer ${peer.name}: ${op} failed: ${String(a["error"])}\n${peer.stderr().slice(-3000)}`);
  return a;
}
